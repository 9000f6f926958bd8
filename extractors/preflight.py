"""Checks made before a night starts, so that a broken set-up fails at once with one clear message.

Each check returns None when all is well, or the problem in one sentence saying what to do. None
of these problems goes away by retrying: the DAG runs the preflight task without retries.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

WRITER_POOL = "quotewire_duckdb_writer"


class PreflightFailed(RuntimeError):
    """The set-up cannot run a night; the message says what to fix."""


@dataclass(frozen=True)
class Check:
    name: str
    problem: str | None
    detail: str = ""


# What Airflow 3 puts in a task's environment instead of the metadata database's URL.
_DB_BLOCKED = "airflow-db-not-allowed"


def _pool_exists(name: str) -> bool:
    from airflow.models.pool import Pool

    return Pool.get_pool(name) is not None


def _create_pool(name: str) -> None:
    from airflow.models.pool import Pool

    Pool.create_or_update_pool(name, slots=1, description="Serialises the tasks that write DuckDB",
                               include_deferred=False)


def ensure_pool(name: str = WRITER_POOL, exists=_pool_exists, create=_create_pool, environ=os.environ) -> Check:
    """The one-slot pool the DuckDB writers queue in; created when missing.

    Without it the scheduler leaves the writer tasks "scheduled" forever with an empty log.
    Airflow 3 gives tasks run by a scheduler no access to its metadata database: there the pool
    is the deployment's job (`airflow pools set`, done by `make run`, `make airflow-ui` and the
    README's production sequence) and this check can only say so. Under `dag.test()` it looks.
    """
    if environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "").startswith(_DB_BLOCKED):
        return Check("writer pool", None, f"{name}: not visible to tasks under a scheduler; "
                     "created at deployment with `airflow pools set`")
    try:
        if exists(name):
            return Check("writer pool", None, f"{name} exists")
        create(name)
    except Exception as error:  # noqa: BLE001 - no database, no rights: say how to fix it by hand
        return Check("writer pool", (
            f"the Airflow pool {name!r} could not be checked or created ({type(error).__name__}: {error}); "
            f"create it once with: airflow pools set {name} 1 \"DuckDB writers\""))
    return Check("writer pool", None, f"{name} created with 1 slot")


def check_model(model: str) -> Check:
    """The spaCy pipeline package imports (loading it is extraction's job)."""
    if not model:
        return Check("spaCy model", "QUOTEWIRE_SPACY_MODEL is empty: name an installed spaCy pipeline package")
    try:
        module = importlib.import_module(model)
    except ImportError as error:
        return Check("spaCy model", (
            f"the spaCy pipeline package {model!r} (QUOTEWIRE_SPACY_MODEL) cannot be imported: {error}; "
            f"install it into this environment (pip install <its package>) or set QUOTEWIRE_SPACY_MODEL"))
    return Check("spaCy model", None, f"{model} {getattr(module, '__version__', '')}".strip())


def check_landing(location: str) -> Check:
    from extractors.landing import Landing

    try:
        reachable = Landing(location).exists()
    except Exception as error:  # noqa: BLE001 - an fsspec filesystem fails in many ways: report it
        return Check("landing folder", f"the landing folder {location} cannot be reached: {error}")
    if not reachable:
        return Check("landing folder", (
            f"the landing folder {location} does not exist (QUOTEWIRE_LANDING); "
            "create it or point QUOTEWIRE_LANDING at the folder articles arrive in"))
    return Check("landing folder", None, location)


def check_dbt_project(project_dir: Path, work_db: Path, state_dir: Path) -> Check:
    """`dbt parse`: the project, its YAML and its SQL templates are valid (no database is opened).

    It writes into dbt_build's target folder, so the build that follows re-parses only what changed.
    """
    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "QUOTEWIRE_WORK_DB": str(work_db),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_VERSION_CHECK": "false"}
    done = subprocess.run(
        [str(dbt), "parse", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir),
         "--target-path", str(state_dir / "dbt" / "target"), "--log-path", str(state_dir / "dbt" / "logs"), "--no-use-colors"],
        env=env, capture_output=True, text=True, check=False, timeout=600)
    if done.returncode != 0:
        lines = [re.sub(r"^\d\d:\d\d:\d\d\s+", "", line).strip()
                 for line in (done.stdout + done.stderr).splitlines() if line.strip()]
        start = next((i for i, line in enumerate(lines) if "Encountered an error" in line), max(0, len(lines) - 4))
        said = " ".join(lines[start + 1:start + 6] or lines[-3:])
        return Check("dbt project", f"the dbt project in {project_dir} does not parse: {said}")
    return Check("dbt project", None, "parses")


def raise_on_problems(checks: list[Check]) -> str:
    """One message naming every problem, or a one-line summary of what was checked."""
    problems = [f"{c.name}: {c.problem}" for c in checks if c.problem]
    if problems:
        raise PreflightFailed("preflight failed: " + "; ".join(problems))
    return "; ".join(f"{c.name} ok ({c.detail})" for c in checks)
