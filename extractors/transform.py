"""Run `dbt source freshness`, then `dbt build` (seeds, models and their tests), on the work database.

dbt runs in a subprocess: dbt-duckdb keeps its DuckDB handle open after an in-process
`dbtRunner.invoke()`, which would lock the file for the tasks that follow.

The build is incremental: the large marts (dbt_project.yml) are computed only for the articles
and claims touched by rows written since the last passing build began (the change sequence,
macros/changed_rows.sql) and merged on their keys, writing only the rows that changed. It is a full refresh (`dbt build --full-refresh`, every mart rebuilt from
scratch) when QUOTEWIRE_DBT_FULL_REFRESH=1, when no build has passed on this work database's state
folder yet, or when the dbt project (models, macros, seeds, tests, dbt_project.yml) changed since
the last passing build: its digest is kept in `<state>/dbt/project.sha256`.

A night that changed nothing the marts read skips `dbt build` (mode "skipped"): the build is not
run when the generation of the marts' inputs (ops.mart_inputs, bumped in the same transaction as
every write to a raw table a model reads: load, stamp, reprocess, link) and the row count of each
of those tables equal what the last passing build saw (ops.dbt_last_build), and the dbt project's
digest is the one that build used. The models read nothing else (no `now()`, no ops table: ops.runs
reaches readers as marts.runs through the publish step, not through dbt), so the marts already in
the work database are what the build would make, and its tests passed on them. A build that starts
forgets the record first and only a passing build writes it again, so after a failed or killed
build the next night builds. `source freshness` runs every night, skipped build or not.

Freshness is measured on the newest `raw.articles.ingested_at`: past the warning threshold the
build goes on and the warning is reported; past the error threshold the feed is dead, the build
is not run and nothing is published, so stale marts never go out as if they were new. Before
any article has ever been loaded there is nothing to be stale: that is a warning.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import timezone
from pathlib import Path


@dataclass(frozen=True)
class DbtResult:
    passed: bool
    n_nodes: int
    failures: list[str]
    output_tail: str
    warnings: list[str] = field(default_factory=list)
    mode: str = "incremental"

    @property
    def message(self) -> str:
        if self.passed and self.mode.startswith("skipped"):
            return f"dbt build {self.mode}" + "".join(f"; warning: {w}" for w in self.warnings)
        if self.passed:
            return f"dbt build ({self.mode}): {self.n_nodes} nodes passed" + "".join(f"; warning: {w}" for w in self.warnings)
        return "dbt build failed: " + "; ".join(self.failures or [self.output_tail])


@dataclass(frozen=True)
class Freshness:
    errors: list[str]
    warnings: list[str]
    output_tail: str


FULL_REFRESH_ENV = "QUOTEWIRE_DBT_FULL_REFRESH"
PROJECT_PARTS = ("dbt_project.yml", "models", "macros", "seeds", "tests")


def project_digest(project_dir: Path) -> str:
    """SHA-256 of every file of the dbt project that shapes the marts, names included."""
    digest = hashlib.sha256()
    for part in PROJECT_PARTS:
        path = project_dir / part
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path] * path.is_file()
        for file in files:
            digest.update(file.relative_to(project_dir).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def _digest_file(state_dir: Path) -> Path:
    return state_dir / "dbt" / "project.sha256"


def needs_full_refresh(project_dir: Path, state_dir: Path) -> str | None:
    """Why this build must rebuild every mart from scratch, or None for an incremental build."""
    if os.environ.get(FULL_REFRESH_ENV, "") == "1":
        return f"{FULL_REFRESH_ENV}=1"
    digest_file = _digest_file(state_dir)
    if not digest_file.exists():
        return "no earlier build"
    if digest_file.read_text(encoding="utf-8").strip() != project_digest(project_dir):
        return "the dbt project changed"
    return None


# The dbt models read it (macros/changed_rows.sql): recompute the large marts only for the rows
# written after this number of the change sequence; unset or empty, for everything.
CHANGED_AFTER_ENV = "QUOTEWIRE_CHANGED_AFTER"

BUILD_RECORD_SQL = """
create schema if not exists ops;
-- What the last passing dbt build saw: the generation of the marts' inputs, their row counts
-- (a guard against a writer that did not bump the generation), the dbt project's digest, and
-- the change sequence's number when it began (the next build recomputes what came after).
create table if not exists ops.dbt_last_build (
    generation bigint not null,
    input_rows varchar not null,
    project_digest varchar not null,
    built_at timestamptz not null
);
alter table ops.dbt_last_build add column if not exists change_seq bigint;
"""


def mart_inputs(work_db: Path) -> dict | None:
    """The generation and row counts of the marts' inputs now; None without a work database."""
    from extractors.warehouse import connect
    from extractors.work_schema import change_seq_now, mart_inputs_state

    if not Path(work_db).exists():
        return None
    with connect(work_db, read_only=True) as con:
        tables = {r[0] for r in con.execute("select schema_name || '.' || table_name from duckdb_tables()").fetchall()}
        if "ops.mart_inputs" not in tables:
            return None
        state = mart_inputs_state(con)
        state["change_seq"] = change_seq_now(con)
        columns = {r[0] for r in con.execute("select column_name from duckdb_columns() "
                                             "where schema_name = 'ops' and table_name = 'dbt_last_build'").fetchall()}
        built = con.execute("select generation, input_rows, project_digest, built_at, "
                            + ("change_seq" if "change_seq" in columns else "null") + " from ops.dbt_last_build"
                            ).fetchone() if "ops.dbt_last_build" in tables else None
    state["last_build"] = built and {"generation": built[0], "rows": json.loads(built[1]),
                                     "project_digest": built[2], "built_at": built[3], "change_seq": built[4]}
    return state


def unchanged_since_build(inputs: dict | None, digest: str) -> str | None:
    """Why `dbt build` can be skipped (nothing it reads changed since a passing build), else None."""
    built = (inputs or {}).get("last_build")
    if not built or built["project_digest"] != digest:
        return None
    if built["generation"] != inputs["generation"] or built["rows"] != inputs["rows"]:
        return None
    return (f"skipped: nothing the marts read changed since the passing build of "
            f"{built['built_at'].astimezone(timezone.utc):%Y-%m-%d %H:%M:%S} UTC (input generation {inputs['generation']}, same dbt project)")


def changed_after(inputs: dict | None, digest: str) -> int | None:
    """Where the last passing build began in the change sequence, when the marts in the work
    database are that build's (same project); the next build recomputes only what came after."""
    built = (inputs or {}).get("last_build")
    if not built or built["project_digest"] != digest:
        return None
    return built.get("change_seq")


def _record_build(work_db: Path, inputs: dict | None, digest: str | None,
                  since: int | None = None, leaving: list[str] | None = None) -> list[str]:
    """Forget the last build (digest None: a build starts; returns the claims it will
    delete, when it recomputes what came after `since`), or record a passing one with what it
    recomputed (extractors/build_log.py)."""
    from extractors import build_log
    from extractors.warehouse import connect

    with connect(work_db) as con:
        con.execute(BUILD_RECORD_SQL)
        con.execute("begin transaction")
        con.execute("delete from ops.dbt_last_build")
        if digest is not None and inputs is not None:
            (built_at,) = con.execute("select now()").fetchone()
            con.execute("insert into ops.dbt_last_build values (?, ?, ?, ?, ?)",
                        [inputs["generation"], json.dumps(inputs["rows"], sort_keys=True), digest,
                         built_at, inputs.get("change_seq")])
            build_log.record(con, built_at, inputs["generation"], digest, inputs.get("change_seq"), since, leaving or [])
        con.execute("commit")
        return build_log.claims_leaving(con) if digest is None and since is not None else []


def run_dbt(command: str, project_dir: Path, work_db: Path, state_dir: Path, env: dict[str, str]):
    target = state_dir / "dbt" / "target"
    dbt = Path(sys.executable).with_name("dbt")
    env = {
        **os.environ,
        **env,
        "QUOTEWIRE_WORK_DB": str(work_db),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_VERSION_CHECK": "false",
    }
    arguments = [
        str(dbt), *command.split(),
        "--project-dir", str(project_dir),
        "--profiles-dir", str(project_dir),
        "--target-path", str(target),
        "--log-path", str(state_dir / "dbt" / "logs"),
        "--threads", "1",
    ]
    results_file = target / ("sources.json" if command == "source freshness" else "run_results.json")
    results_file.unlink(missing_ok=True)  # never read an earlier invocation's results
    completed = subprocess.run(arguments, env=env, capture_output=True, text=True, check=False)
    output = completed.stdout + completed.stderr
    tail = "\n".join(output.strip().splitlines()[-15:])
    results = json.loads(results_file.read_text(encoding="utf-8"))["results"] if results_file.exists() else None
    return completed.returncode, results, tail


def _plain(text: str | None) -> str:
    """A result message without dbt's terminal colours."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text or "").strip()


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h"


def judge_freshness(results: list[dict], warn_hours: float, error_hours: float) -> tuple[list[str], list[str]]:
    """(errors, warnings) in words, from the results of `dbt source freshness` (sources.json)."""
    errors, warnings = [], []
    for r in results:
        source = r["unique_id"].removeprefix("source.").split(".", 1)[-1]
        if r["status"] == "runtime error":
            errors.append(f"freshness of {source} could not be measured: {_plain(r.get('error') or r.get('message'))}")
            continue
        if r["status"] not in {"warn", "error"}:
            continue
        if str(r.get("max_loaded_at", "")).startswith("0001-"):  # dbt's answer for an empty table
            warnings.append(f"{source}: nothing loaded yet")
            continue
        ago = _hours(r["max_loaded_at_time_ago_in_s"])
        if r["status"] == "error":
            errors.append(f"{source} last loaded {ago} ago (error after {error_hours:g} h): "
                          "the feed looks dead, the published marts are left as they were")
        else:
            warnings.append(f"{source} last loaded {ago} ago (warning after {warn_hours:g} h)")
    return errors, warnings


def source_freshness(project_dir: Path, work_db: Path, state_dir: Path, warn_hours: float, error_hours: float) -> Freshness:
    """How long ago each source with a freshness rule was last loaded, against the thresholds."""
    env = {"QUOTEWIRE_FRESHNESS_WARN_HOURS": str(warn_hours), "QUOTEWIRE_FRESHNESS_ERROR_HOURS": str(error_hours)}
    returncode, results, tail = run_dbt("source freshness", project_dir, work_db, state_dir, env)
    if results is None:
        return Freshness([f"dbt source freshness did not run (exit status {returncode})"], [], tail)
    errors, warnings = judge_freshness(results, warn_hours, error_hours)
    return Freshness(errors, warnings, tail)


def dbt_build(project_dir: Path, work_db: Path, state_dir: Path,
              freshness_warn_hours: float = 26, freshness_error_hours: float = 50) -> DbtResult:
    freshness = source_freshness(project_dir, work_db, state_dir, freshness_warn_hours, freshness_error_hours)
    if freshness.errors:
        return DbtResult(False, 0, freshness.errors, freshness.output_tail, freshness.warnings)
    full_refresh = needs_full_refresh(project_dir, state_dir)
    digest = project_digest(project_dir)
    inputs = mart_inputs(work_db)
    skipped = None if full_refresh else unchanged_since_build(inputs, digest)
    if skipped:
        return DbtResult(True, 0, [], "", freshness.warnings, skipped)
    since = None if full_refresh else changed_after(inputs, digest)
    leaving = _record_build(work_db, None, None, since) if inputs is not None else []
    command = "build --full-refresh" if full_refresh else "build"
    returncode, results, tail = run_dbt(command, project_dir, work_db, state_dir,
                                     {CHANGED_AFTER_ENV: "" if since is None else str(since)})
    failures = [
        f"{r['unique_id']} {r['status']}: {_plain(r.get('message'))}"
        for r in results or []
        if r["status"] in {"error", "fail", "runtime error"}
    ]
    passed = returncode == 0 and results is not None and not failures
    if passed:
        _digest_file(state_dir).write_text(digest + "\n", encoding="utf-8")
        if inputs is not None:
            _record_build(work_db, inputs, digest, since, leaving)
    mode = (f"full refresh ({full_refresh})" if full_refresh
            else "incremental" if since is None else f"incremental: what was written after change {since}")
    return DbtResult(passed, len(results or []), failures, tail, freshness.warnings, mode)
