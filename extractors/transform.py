"""Run `dbt build` (seeds, models and their tests) against the work database.

dbt runs in a subprocess: dbt-duckdb keeps its DuckDB handle open after an in-process
`dbtRunner.invoke()`, which would lock the file for the tasks that follow.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DbtResult:
    passed: bool
    n_nodes: int
    failures: list[str]
    output_tail: str

    @property
    def message(self) -> str:
        if self.passed:
            return f"dbt build: {self.n_nodes} nodes passed"
        return "dbt build failed: " + "; ".join(self.failures or [self.output_tail])


def dbt_build(project_dir: Path, work_db: Path, state_dir: Path) -> DbtResult:
    target = state_dir / "dbt" / "target"
    dbt = Path(sys.executable).with_name("dbt")
    env = {
        **os.environ,
        "QUOTEWIRE_WORK_DB": str(work_db),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_VERSION_CHECK": "false",
    }
    command = [
        str(dbt), "build",
        "--project-dir", str(project_dir),
        "--profiles-dir", str(project_dir),
        "--target-path", str(target),
        "--log-path", str(state_dir / "dbt" / "logs"),
        "--threads", "1",
    ]
    results_file = target / "run_results.json"
    results_file.unlink(missing_ok=True)  # never read an earlier build's results
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    output = completed.stdout + completed.stderr
    failures: list[str] = []
    n_nodes = 0
    if results_file.exists():
        results = json.loads(results_file.read_text(encoding="utf-8"))["results"]
        n_nodes = len(results)
        failures = [
            f"{r['unique_id']} {r['status']}: {(r.get('message') or '').strip()}"
            for r in results
            if r["status"] in {"error", "fail", "runtime error"}
        ]
    passed = completed.returncode == 0 and not failures
    tail = "\n".join(output.strip().splitlines()[-15:])
    return DbtResult(passed, n_nodes, failures, tail)
