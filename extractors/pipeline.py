"""The nightly run's steps, one function per DAG task, so the DAG file only wires them.

Every step reads its settings from the environment (`Settings.from_env`) and works on the run
identified by `run_id`; every step is idempotent for that run: repeating it adds nothing.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import asdict
from datetime import UTC, datetime

from extractors.landing import LandingFile
from extractors.records import QuarantineRecord, stable_id
from extractors.runlog import RunLog, safe_run_id
from extractors.settings import Settings

log = logging.getLogger(__name__)


class RunNotPublished(RuntimeError):
    """The run stopped before publishing; the published warehouse is unchanged."""


def _candidate(settings: Settings):
    # Beside the published file, so that publishing is a rename on one file system.
    return settings.warehouse.with_name(f".{settings.warehouse.stem}.candidate.duckdb")


def _batch_dir(settings: Settings, run_id: str):
    return settings.state_dir / "batches" / safe_run_id(run_id)


def _landing(settings: Settings, run_id: str) -> str:
    """This night's landing location: `{{ ds }}` in QUOTEWIRE_LANDING becomes the run's date."""
    from extractors.settings import render_landing

    return render_landing(settings.landing, RunLog(settings.state_dir, run_id).read().get("logical_date"))


def preflight(run_id: str, night: datetime | None = None) -> str:
    """Start the run's record and check the set-up: writer pool, spaCy model, landing, dbt project.

    `night` is the run's logical date (or, for a run without one, when it was triggered); its
    date is recorded in ops.runs.logical_date.

    Raises PreflightFailed with one message naming every problem; none of them is retried.
    """
    from extractors import preflight as checks

    settings = Settings.from_env()
    run_log = RunLog(settings.state_dir, run_id)
    run_log.start()
    if night is not None:
        run_log.keep("logical_date", night.date().isoformat())
    try:
        landing = checks.check_landing(_landing(settings, run_id))
    except ValueError as undated:
        landing = checks.Check("landing folder", str(undated))
    found = [
        checks.ensure_pool(),
        checks.check_model(settings.spacy_model),
        landing,
        checks.check_dbt_project(settings.dbt_project_dir, settings.work_db, settings.state_dir),
    ]
    try:
        message = checks.raise_on_problems(found)
    except checks.PreflightFailed as failed:
        run_log.step("preflight", False, str(failed))
        raise
    run_log.step("preflight", True, message)
    log.info("%s", message)
    return message


def discover(run_id: str) -> list[list[dict]]:
    """New landing files in batches for extraction.

    Files quarantined on sight are kept in the run log for the load task, which writes them.
    """
    from extractors.landing import Landing
    from extractors.landing import discover as scan
    from extractors.warehouse import known_inputs, known_records

    settings = Settings.from_env()
    where = _landing(settings, run_id)
    landing = Landing(where)
    if not landing.exists():
        raise FileNotFoundError(f"landing folder {where} does not exist")
    known, known_hashes = known_inputs(settings.work_db)
    found = scan(landing, known, known_hashes, settings.max_file_bytes)
    earlier = known_records(settings.work_db, [f.source_file for f in found.new])
    files = [{**asdict(f), "known_records": earlier.get(f.source_file, [])} for f in found.new]
    size = max(1, settings.batch_size)
    # Always at least one (possibly empty) batch, so the run goes on to record quarantine.
    batches = [files[i:i + size] for i in range(0, len(files), size)] or [[]]
    run_log = RunLog(settings.state_dir, run_id)
    run_log.count(files_seen=found.n_seen, files_unchanged=found.n_unchanged, files_new=len(files))
    run_log.keep("discovery_quarantine", [asdict(q) for q in found.quarantined])
    log.info("landing %s: %d files, %d new, %d unchanged, %d quarantined",
             where, found.n_seen, len(files), found.n_unchanged, len(found.quarantined))
    return batches


def extract(batch: list[dict], run_id: str) -> dict[str, str]:
    """Extract one batch to Parquet files; returns the file per raw table."""
    from extractors.extract import extract_batch
    from extractors.landing import Landing
    from extractors.warehouse import write_batch_files

    settings = Settings.from_env()
    files = [LandingFile(**item) for item in batch]
    result = extract_batch(Landing(_landing(settings, run_id)), files, settings.spacy_model,
                           settings.max_file_bytes, settings.spacy_batch_size)
    name = "batch-" + stable_id(*(f.source_file for f in files))
    return write_batch_files(_batch_dir(settings, run_id), name, {
        "articles": result.articles,
        "entities": result.entities,
        "quotes": result.quotes,
        "quarantine": result.quarantined,
    })


def load(batches: list[dict[str, str]], run_id: str) -> dict[str, int]:
    """Load the extracted batches and the quarantine found by discovery into the work database."""
    from extractors.warehouse import load_batches

    settings = Settings.from_env()
    quarantine = RunLog(settings.state_dir, run_id).read().get("discovery_quarantine", [])
    added = load_batches(settings.work_db, run_id, list(batches), [QuarantineRecord(**q) for q in quarantine])
    _stamp_extraction(settings, run_id)
    shutil.rmtree(_batch_dir(settings, run_id), ignore_errors=True)
    RunLog(settings.state_dir, run_id).count(
        articles_new=added["articles"], entities_new=added["entities"],
        quotes_new=added["quotes"], files_quarantined=added["quarantine"],
    )
    return added


def _stamp_extraction(settings: Settings, run_id: str) -> None:
    from extractors.versions import model_version, rules_version
    from extractors.warehouse import stamp_extraction

    stamp_extraction(settings.work_db, run_id, model_version(settings.spacy_model), rules_version())


def link(run_id: str) -> dict[str, int]:
    """Link across articles: entity registry, claim assignments and variants, reprinted copy."""
    from extractors.linking.nightly import link as link_warehouse

    settings = Settings.from_env()
    return link_warehouse(settings.work_db, run_id)


def _gate(gate: str, suites: str, database, run_id: str) -> str:
    from extractors.gates import GateFailed, run_gate

    settings = Settings.from_env()
    result = run_gate(gate, settings.expectations_dir / suites, database, run_id,
                      {"max_quarantine_share": settings.max_quarantine_share})
    RunLog(settings.state_dir, run_id).step(gate, result.passed, result.message)
    if not result.passed:
        raise GateFailed(result.message)
    return result.message


def raw_gate(run_id: str) -> str:
    return _gate("raw_gate", "raw", Settings.from_env().work_db, run_id)


def dbt_build(run_id: str) -> str:
    """Build the dbt project on the work database, then copy its marts into a candidate."""
    from extractors.transform import dbt_build as build
    from extractors.warehouse import build_candidate

    settings = Settings.from_env()
    result = build(settings.dbt_project_dir, settings.work_db, settings.state_dir)
    RunLog(settings.state_dir, run_id).step("dbt_build", result.passed, result.message)
    if not result.passed:
        raise RuntimeError(result.message)
    build_candidate(settings.work_db, _candidate(settings), settings.publish_storage_version)
    return result.message


def mart_gate(run_id: str) -> str:
    return _gate("mart_gate", "marts", _candidate(Settings.from_env()), run_id)


def _run_row(settings: Settings, run_id: str, status: str, message: str) -> dict:
    record = RunLog(settings.state_dir, run_id).read()
    counts, steps = record["counts"], record["steps"]
    started = datetime.fromisoformat(record.get("started_at") or datetime.now(UTC).isoformat())
    finished = datetime.now(UTC)

    def outcome(step: str) -> str:
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


def publish(run_id: str) -> str:
    from extractors.warehouse import connect, record_run
    from extractors.warehouse import publish as move_into_place

    settings = Settings.from_env()
    candidate = _candidate(settings)
    with connect(candidate, read_only=True) as con:
        n_speakers = con.execute("select count(*) from marts.speakers").fetchone()[0]
        n_claims = con.execute("select count(*) from marts.claims").fetchone()[0]
    RunLog(settings.state_dir, run_id).count(n_speakers=n_speakers, n_claims=n_claims)
    record_run(settings.work_db, _run_row(settings, run_id, "published", f"published {settings.warehouse}"))
    move_into_place(settings.work_db, candidate, settings.warehouse, settings.publish_storage_version)
    RunLog(settings.state_dir, run_id).step("publish", True, str(settings.warehouse))
    return str(settings.warehouse)


def summarize(run_id: str) -> dict:
    """Record a stopped run in ops.runs (a published one recorded itself) and log the summary."""
    from extractors.warehouse import connect, record_run

    settings = Settings.from_env()
    steps = RunLog(settings.state_dir, run_id).read()["steps"]
    if "publish" not in steps:
        failed = [f"{name}: {s['message']}" for name, s in steps.items() if not s["passed"]]
        message = "not published; " + ("; ".join(failed) or "a task failed before the gates (see its log)")
        record_run(settings.work_db, _run_row(settings, run_id, "failed", message))
        _candidate(settings).unlink(missing_ok=True)
    with connect(settings.work_db, read_only=True) as con:
        cursor = con.execute("select * from ops.runs where run_id = ?", [run_id])
        columns = [d[0] for d in cursor.description]
        row = dict(zip(columns, cursor.fetchone()))
    for key, value in row.items():
        log.info("%-18s %s", key, value)
    if row["status"] != "published":
        # The summary is the DAG's last task: it must fail too, or the run would look green.
        raise RunNotPublished(row["message"])
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
