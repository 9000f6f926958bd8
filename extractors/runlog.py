"""A run's own record of what each task counted and each gate decided.

Tasks of one DAG run update a small JSON file in the state folder; the summary task reads it
to write the run's row in `ops.runs` whether the run published or a gate stopped it. A task
that fails records its own name and error here, so the run's row says which task failed and
why. Mapped tasks of one run update the file at the same time: updates hold an flock.
"""

from __future__ import annotations

import fcntl
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

# The longest error text kept for a failed task (the task's log has all of it).
MAX_ERROR_CHARS = 500


def safe_run_id(run_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", run_id)


class RunLog:
    def __init__(self, state_dir: Path, run_id: str):
        self.run_id = run_id
        self.path = state_dir / "runs" / f"{safe_run_id(run_id)}.json"

    def read(self) -> dict[str, Any]:
        if self.path.exists():
            try:
                return json.loads(self.path.read_text(encoding="utf-8"))
            except ValueError:  # torn by a kill mid-write (writes are atomic, but be safe)
                pass
        return {"run_id": self.run_id, "counts": {}, "steps": {}}

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(self.path)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "a") as guard:
            fcntl.flock(guard, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(guard, fcntl.LOCK_UN)

    def _update(self, change: Callable[[dict[str, Any]], None]) -> None:
        with self._locked():
            data = self.read()
            change(data)
            self._write(data)

    def start(self) -> None:
        """Begin the run's record afresh (a retried first task starts it again)."""
        with self._locked():
            self._write({
                "run_id": self.run_id,
                "started_at": datetime.now(timezone.utc).isoformat(),
                "counts": {},
                "steps": {},
            })

    def count(self, **counts: int) -> None:
        self._update(lambda data: data["counts"].update(counts))

    def keep(self, key: str, value: Any) -> None:
        self._update(lambda data: data.__setitem__(key, value))

    def step(self, name: str, passed: bool, message: str = "") -> None:
        self._update(lambda data: data["steps"].__setitem__(name, {"passed": passed, "message": message}))

    def fail(self, task: str, error: BaseException) -> None:
        """Record that a task failed, with its error (unless the task recorded its verdict itself)."""
        text = f"{type(error).__name__}: {error}"[:MAX_ERROR_CHARS]

        def change(data: dict[str, Any]) -> None:
            step = data["steps"].get(task)
            if step is not None and not step["passed"]:
                return  # a gate or dbt that failed on data already said why
            data.setdefault("failures", {})[task] = text

        self._update(change)

    def succeed(self, task: str) -> None:
        """A retried task that now passed is no longer a failure of the run."""
        if task in self.read().get("failures", {}):
            self._update(lambda data: data.get("failures", {}).pop(task, None))


def unfinished_runs(state_dir: Path, recorded: set[str], current: str) -> list[tuple[dict[str, Any], float]]:
    """(record, last written as epoch seconds) of every earlier run that left no ops.runs row."""
    found = []
    for path in sorted((state_dir / "runs").glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            continue
        run_id = record.get("run_id")
        if run_id and run_id != current and run_id not in recorded:
            found.append((record, path.stat().st_mtime))
    return found


def run_row(state_dir: Path, run_id: str, status: str, message: str, finished: datetime | None = None) -> dict:
    """The run's row for ops.runs, from its record."""
    record = RunLog(state_dir, run_id).read()
    counts, steps, failures = record["counts"], record["steps"], record.get("failures", {})
    finished = finished or datetime.now(timezone.utc)
    started = datetime.fromisoformat(record.get("started_at") or finished.isoformat())

    def outcome(step: str) -> str:
        if step in failures:
            return "failed"
        if step not in steps:
            return "not run"
        return "passed" if steps[step]["passed"] else "failed"

    return {
        "run_id": run_id,
        "status": status,
        "started_at": started,
        "finished_at": finished,
        "wall_seconds": round((finished - started).total_seconds(), 3),
        "files_seen": counts.get("files_seen"),
        "files_unchanged": counts.get("files_unchanged"),
        "articles_new": counts.get("articles_new"),
        "files_quarantined": counts.get("files_quarantined"),
        "entities_new": counts.get("entities_new"),
        "quotes_new": counts.get("quotes_new"),
        "n_speakers": counts.get("n_speakers"),
        "n_claims": counts.get("n_claims"),
        "raw_gate": outcome("raw_gate"),
        "dbt_build": outcome("dbt_build"),
        "mart_gate": outcome("mart_gate"),
        "message": message,
        "logical_date": record.get("logical_date"),
    }


def failure_message(record: dict[str, Any]) -> str:
    """Which task failed and why: gates and dbt name their failed checks, other tasks their error."""
    failed = [f"{name}: {s['message']}" for name, s in record["steps"].items() if not s["passed"]]
    failed += [f"{task} failed: {error}" for task, error in record.get("failures", {}).items()]
    return "not published; " + ("; ".join(failed) or "a task failed without recording why (see its log)")
