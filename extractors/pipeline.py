"""The nightly run's steps, one function per DAG task, so the DAG file only wires them.

Every step reads its settings from the environment (`Settings.from_env`) and works on the run
identified by `run_id`; every step is idempotent for that run: repeating it adds nothing.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict
from datetime import datetime, timezone

from extractors.landing import LandingFile
from extractors.records import QuarantineRecord, stable_id
from extractors.runlock import RunLock, RunRefused
from extractors.runlog import RunLog, failure_message, run_row, safe_run_id
from extractors.settings import Settings

log = logging.getLogger(__name__)


class RunNotPublished(RuntimeError):
    """The run stopped before publishing; the published warehouse is unchanged."""


def _candidate(settings: Settings):
    from extractors.publish import candidate_path

    return candidate_path(settings.warehouse)


def _staging(settings: Settings):
    from extractors.staging import Staging

    return Staging(settings.staging)


def _lock(settings: Settings) -> RunLock:
    return RunLock(settings.state_dir, settings.run_lock_timeout)


@contextmanager
def _task(settings: Settings, run_id: str, task: str, lock: bool = True) -> Iterator[RunLog]:
    """Run a task's body under the run's lock heartbeat; a failure is recorded by task and error."""
    run_log = RunLog(settings.staging, run_id)
    try:
        with _lock(settings).held(run_id) if lock else nullcontext():
            yield run_log
    except Exception as error:
        try:
            run_log.fail(task, error)
        except OSError:  # e.g. the disk is full: the task's own error matters more
            log.exception("could not record the failure of %s", task)
        raise
    run_log.succeed(task)


def _as_task(task: str) -> Callable:
    """Decorate a step taking `run_id`: it runs as `_task` (lock heartbeat, failure recorded)."""
    def decorate(step: Callable) -> Callable:
        signature = inspect.signature(step)

        @functools.wraps(step)
        def run(*args, **kwargs):
            run_id = signature.bind(*args, **kwargs).arguments["run_id"]
            with _task(Settings.from_env(), run_id, task):
                return step(*args, **kwargs)
        return run
    return decorate


def _start(settings: Settings, run_id: str) -> None:
    """Begin the run's record and take the run lock, or refuse this run."""
    run_log = RunLog(settings.staging, run_id)
    run_log.start()
    try:
        note = _lock(settings).acquire(run_id)
    except RunRefused as refusal:
        run_log.keep("refused", str(refusal))
        log.error("%s", refusal)
        from airflow.sdk.exceptions import AirflowFailException  # no retry: the answer is the same

        raise AirflowFailException(str(refusal)) from refusal
    if note:
        log.warning("%s", note)


def _landing(settings: Settings, run_id: str) -> str:
    """This night's landing location: `{{ ds }}` in QUOTEWIRE_LANDING becomes the run's date."""
    from extractors.settings import render_landing

    return render_landing(settings.landing, RunLog(settings.staging, run_id).read().get("logical_date"))


def preflight(run_id: str, night: datetime | None = None) -> str:
    """Start the run: take the run lock (or refuse this run), then check the set-up: writer pool,
    spaCy model, landing folder, dbt project.

    `night` is the run's logical date (or, for a run without one, when it was triggered); its
    date is recorded in ops.runs.logical_date.

    Raises PreflightFailed with one message naming every problem; none of them is retried.
    """
    from extractors import preflight as checks

    settings = Settings.from_env()
    _start(settings, run_id)
    run_log = RunLog(settings.staging, run_id)
    if night is not None:
        run_log.keep("logical_date", night.date().isoformat())
    with _task(settings, run_id, "preflight"):
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
    from extractors.recovery import recover

    settings = Settings.from_env()
    with _task(settings, run_id, "discover"):
        recover(settings, run_id, _candidate(settings))  # what runs that stopped left behind
        return _discover(settings, run_id)


def _discover(settings: Settings, run_id: str) -> list[list[dict]]:
    from extractors.landing import Landing
    from extractors.landing import discover as scan
    from extractors.warehouse import known_inputs, known_records

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
    run_log = RunLog(settings.staging, run_id)
    run_log.count(files_seen=found.n_seen, files_unchanged=found.n_unchanged, files_new=len(files))
    run_log.keep("discovery_quarantine", [asdict(q) for q in found.quarantined])
    log.info("landing %s: %d files, %d new, %d unchanged, %d quarantined",
             where, found.n_seen, len(files), found.n_unchanged, len(found.quarantined))
    return batches


def extract(batch: list[dict], run_id: str) -> dict:
    """Extract one batch to Parquet files in the staging area; returns the file per raw table, and
    the batch's name, worker, counts and times (staging_batches.stage_batch)."""
    settings = Settings.from_env()
    files = [LandingFile(**item) for item in batch]
    name = "batch-" + stable_id(*(f.source_file for f in files))
    # With a shared staging area extraction may run on a machine without the warehouse: the
    # run lock (a file beside the work database) is kept by the warehouse machine's tasks only.
    with _task(settings, run_id, f"extract {name}", lock=not settings.staging_is_shared):
        return _extract(settings, run_id, files, name)


def _extract(settings: Settings, run_id: str, files: list[LandingFile], name: str) -> dict:
    from extractors.landing import Landing
    from extractors.staging_batches import stage_batch

    started = datetime.now(timezone.utc)
    if not files:  # a night without new files: an empty batch, without importing the extractor (spaCy)
        from types import SimpleNamespace

        nothing = SimpleNamespace(articles=[], entities=[], quotes=[], quarantined=[])
        return stage_batch(_staging(settings), run_id, name, nothing, 0, started)
    from extractors.extract import extract_batch

    result = extract_batch(Landing(_landing(settings, run_id)), files, settings.spacy_model,
                           settings.max_file_bytes, settings.spacy_batch_size,
                           settings.min_article_words, settings.max_article_chars,
                           settings.extract_processes)
    return stage_batch(_staging(settings), run_id, name, result, len(files), started)


@_as_task("load")
def load(batches: list[dict[str, str]], run_id: str, reprocess: bool = False) -> dict[str, int]:
    """Load the extracted batches and the quarantine found by discovery into the work database;
    with `reprocess`, then extract again the articles an older model or older rules extracted."""
    from extractors.staging_batches import TABLES, record_batches
    from extractors.warehouse import load_batches

    settings = Settings.from_env()
    quarantine = RunLog(settings.staging, run_id).read().get("discovery_quarantine", [])
    staging = _staging(settings)
    with staging.local_copies(list(batches), TABLES) as local:
        added = load_batches(settings.work_db, run_id, local, [QuarantineRecord(**q) for q in quarantine])
    record_batches(settings.work_db, run_id, list(batches))
    _stamp_extraction(settings, run_id)
    staging.remove(staging.batch_key(run_id))
    RunLog(settings.staging, run_id).count(
        articles_new=added["articles"], entities_new=added["entities"],
        quotes_new=added["quotes"], files_quarantined=added["quarantine"],
    )
    if reprocess:
        from extractors.reprocess import reextract

        scratch = settings.state_dir / "reextract" / safe_run_id(run_id)
        redone = reextract(settings.work_db, run_id, settings.spacy_model, scratch, settings.spacy_batch_size)
        RunLog(settings.staging, run_id).count(**redone)
        added = {**added, **redone}
    return added


def _stamp_extraction(settings: Settings, run_id: str) -> None:
    from extractors.versions import model_version, rules_version
    from extractors.warehouse import stamp_extraction

    stamp_extraction(settings.work_db, run_id, model_version(settings.spacy_model), rules_version())


@_as_task("link")
def link(run_id: str) -> dict[str, int]:
    """Link across articles: entity registry, claim assignments and variants, reprinted copy."""
    from extractors.linking.nightly import link as link_warehouse

    settings = Settings.from_env()
    return link_warehouse(settings.work_db, run_id)


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


@_as_task("raw_gate")
def raw_gate(run_id: str) -> str:
    """Check every raw row this publish exposes for the first time: all loaded since the last publish."""
    from extractors.gates import last_published_at

    work_db = Settings.from_env().work_db
    return _gate("raw_gate", "raw", work_db, run_id, canary=True,
                 query_parameters={"exposed_after": last_published_at(work_db)})


@_as_task("dbt_build")
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


@_as_task("mart_gate")
def mart_gate(run_id: str) -> str:
    settings = Settings.from_env()
    return _gate("mart_gate", "marts", _candidate(settings), run_id, work_db=settings.work_db)


@_as_task("publish")
def publish(run_id: str) -> str:
    from extractors.publish import publish as move_into_place
    from extractors.warehouse import connect, record_run

    settings = Settings.from_env()
    candidate = _candidate(settings)
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
            _candidate(settings).unlink(missing_ok=True)
            staging = _staging(settings)
            staging.remove(staging.batch_key(run_id))
        row = _recorded_row(settings, run_id)
    finally:
        _lock(settings).release(run_id)
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
