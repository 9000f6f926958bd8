"""A run's own record of what each task counted and each gate decided.

Tasks of one DAG run update a small JSON file in the state folder; the summary task reads it
to write the run's row in `ops.runs` whether the run published or a gate stopped it.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any


def safe_run_id(run_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", run_id)


class RunLog:
    def __init__(self, state_dir: Path, run_id: str):
        self.run_id = run_id
        self.path = state_dir / "runs" / f"{safe_run_id(run_id)}.json"

    def read(self) -> dict[str, Any]:
        if self.path.exists():
            return json.loads(self.path.read_text(encoding="utf-8"))
        return {"run_id": self.run_id, "counts": {}, "steps": {}}

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(self.path)

    def start(self) -> None:
        """Begin the run's record afresh (a retried first task starts it again)."""
        self._write({
            "run_id": self.run_id,
            "started_at": datetime.now(timezone.utc).isoformat(),
            "counts": {},
            "steps": {},
        })

    def count(self, **counts: int) -> None:
        data = self.read()
        data["counts"].update(counts)
        self._write(data)

    def keep(self, key: str, value: Any) -> None:
        data = self.read()
        data[key] = value
        self._write(data)

    def step(self, name: str, passed: bool, message: str = "") -> None:
        data = self.read()
        data["steps"][name] = {"passed": passed, "message": message}
        self._write(data)
