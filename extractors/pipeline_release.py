"""The nightly run's release steps, one function per DAG task: the raw gate (with the canary),
dbt build, the mart gate, publish, the run summary and the HTML report. Nothing reaches readers
unless every gate before `publish` passed.

Every step reads its settings from the environment (`Settings.from_env`) and works on the run
identified by `run_id`; every step is idempotent for that run: repeating it adds nothing.
"""

from __future__ import annotations

import logging

from extractors.runlog import RunLog, failure_message, run_row
from extractors.settings import Settings
from extractors.task_context import as_task, candidate_file, run_lock, staging_area

log = logging.getLogger(__name__)


class RunNotPublished(RuntimeError):
    """The run stopped before publishing; the published warehouse is unchanged."""


def _gate(gate: str, suites: str, database, run_id: str, canary: bool = False, **inputs) -> str:
    from extractors.gates import GateFailed, check_canary, run_gate

    settings = Settings.from_env()
    result = run_gate(gate, settings.expectations_dir / suites, database,
                      {"max_quarantine_share": settings.max_quarantine_share}, state_dir=settings.state_dir, **inputs)
    if canary:
        check_canary(result, settings.spacy_model, settings.state_dir)
    RunLog(settings.staging, run_id).step(gate, result.passed, result.message)
    if not result.passed:
        raise GateFailed(result.message)
    return result.message


@as_task("raw_gate")
def raw_gate(run_id: str) -> str:
    """Check every raw row this publish exposes for the first time: all loaded since the last publish."""
    from extractors.gates import last_published_at, raw_gate_parameters

    work_db = Settings.from_env().work_db
    return _gate("raw_gate", "raw", work_db, run_id, canary=True,
                 query_parameters=raw_gate_parameters(work_db, last_published_at(work_db)))


@as_task("dbt_build")
def dbt_build(run_id: str) -> str:
    """Build the dbt project on the work database, then bring the candidate up to its marts."""
    from extractors.publish import prepare_candidate
    from extractors.transform import dbt_build as build

    settings = Settings.from_env()
    result = build(settings.dbt_project_dir, settings.work_db, settings.state_dir,
                   settings.freshness_warn_hours, settings.freshness_error_hours)
    for warning in result.warnings:
        log.warning("source freshness: %s", warning)
    RunLog(settings.staging, run_id).step("dbt_build", result.passed, result.message)
    if not result.passed:
        raise RuntimeError(result.message)
    prepared = prepare_candidate(settings.work_db, settings.warehouse, settings.publish_storage_version)
    RunLog(settings.staging, run_id).count(publish_full_copy=int(prepared.mode == "full"),
                                           publish_bytes_written=prepared.bytes_written,
                                           published_file_bytes=prepared.file_bytes)
    return f"{result.message}; candidate: {prepared.mode} ({prepared.reason}), {prepared.bytes_written} bytes written"


@as_task("mart_gate")
def mart_gate(run_id: str) -> str:
    settings = Settings.from_env()
    return _gate("mart_gate", "marts", candidate_file(settings), run_id, work_db=settings.work_db)


@as_task("publish")
def publish(run_id: str) -> str:
    from extractors.publish import publish as move_into_place
    from extractors.warehouse import connect, record_run

    settings = Settings.from_env()
    candidate = candidate_file(settings)
    with connect(candidate, read_only=True) as con:
        n_speakers = con.execute("select count(*) from marts.speakers").fetchone()[0]
        n_claims = con.execute("select count(*) from marts.claims").fetchone()[0]
    RunLog(settings.staging, run_id).count(n_speakers=n_speakers, n_claims=n_claims)
    # Marked before the rename, confirmed after it: a kill in between leaves "publishing",
    # which the next run settles by looking at the published file (recovery.confirm_publishing).
    row = run_row(settings.staging, run_id, "published", f"published {settings.warehouse}")
    record_run(settings.work_db, {**row, "status": "publishing", "message": "publishing: the rename is not confirmed yet"})
    move_into_place(settings.work_db, candidate, settings.warehouse, settings.publish_storage_version, row)
    record_run(settings.work_db, row)
    RunLog(settings.staging, run_id).step("publish", True, str(settings.warehouse))
    return str(settings.warehouse)


def summarize(run_id: str) -> dict:
    """Record a stopped run in ops.runs (a published one recorded itself), release the run lock
    and log the summary. A refused run only records itself: the lock, batch files and candidate
    belong to the run that is running."""
    from extractors.warehouse import record_run

    settings = Settings.from_env()
    record = RunLog(settings.staging, run_id).read()
    if record.get("refused"):
        row = run_row(settings.staging, run_id, "refused", record["refused"])
        try:
            record_run(settings.work_db, row, wait_seconds=120)
        except Exception:  # the other run holds the database: the next run records this one
            log.exception("could not record the refused run %s yet", run_id)
        raise RunNotPublished(record["refused"])
    try:
        if "publish" not in record["steps"]:
            record_run(settings.work_db, run_row(settings.staging, run_id, "failed", failure_message(record)))
            candidate_file(settings).unlink(missing_ok=True)
            staging = staging_area(settings)
            staging.remove(staging.batch_key(run_id))
        row = _recorded_row(settings, run_id)
    finally:
        run_lock(settings).release(run_id)
    for key, value in row.items():
        log.info("%-18s %s", key, value)
    if row["status"] != "published":
        # The summary is the DAG's last task: it must fail too, or the run would look green.
        raise RunNotPublished(row["message"])
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


def _recorded_row(settings: Settings, run_id: str) -> dict:
    from extractors.warehouse import connect

    with connect(settings.work_db, read_only=True) as con:
        cursor = con.execute("select * from ops.runs where run_id = ?", [run_id])
        columns = [d[0] for d in cursor.description]
        return dict(zip(columns, cursor.fetchone()))


def report(run_id: str | None = None) -> str:
    """Write the HTML report of the published marts; it reads them and never changes them.

    It runs after publish: a failure fails this task (so the DAG run shows it), while the
    night stays published and the previous report stays in place.
    """
    from extractors.report import build_report

    settings = Settings.from_env()
    return str(build_report(settings.warehouse, settings.report, run_id))
