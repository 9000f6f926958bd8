"""The nightly run's intake steps, one function per DAG task, so the DAG file only wires them:
preflight, discover, extract, load, link. The steps that follow (gates, dbt build, publish, run
summary, report) are in `extractors/pipeline_release.py`.

Every step reads its settings from the environment (`Settings.from_env`) and works on the run
identified by `run_id`; every step is idempotent for that run: repeating it adds nothing.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime, timezone

from extractors.landing import LandingFile
from extractors.records import QuarantineRecord, stable_id
from extractors.runlog import RunLog, safe_run_id
from extractors.settings import Settings
from extractors.task_context import as_task, candidate_file, night_landing, staging_area, start_run, task

log = logging.getLogger(__name__)


def preflight(run_id: str, night: datetime | None = None) -> str:
    """Start the run: take the run lock (or refuse this run), then check the set-up: writer pool,
    spaCy model, landing folder, dbt project.

    `night` is the run's logical date (or, for a run without one, when it was triggered); its
    date is recorded in ops.runs.logical_date.

    Raises PreflightFailed with one message naming every problem; none of them is retried.
    """
    from extractors import preflight as checks

    settings = Settings.from_env()
    start_run(settings, run_id)
    run_log = RunLog(settings.staging, run_id)
    if night is not None:
        run_log.keep("logical_date", night.date().isoformat())
    with task(settings, run_id, "preflight"):
        try:
            landing = checks.check_landing(night_landing(settings, run_id))
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
    with task(settings, run_id, "discover"):
        recover(settings, run_id, candidate_file(settings))  # what runs that stopped left behind
        return _discover(settings, run_id)


def _discover(settings: Settings, run_id: str) -> list[list[dict]]:
    from extractors.landing import Landing
    from extractors.landing import discover as scan
    from extractors.warehouse import known_inputs, known_records

    where = night_landing(settings, run_id)
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
    with task(settings, run_id, f"extract {name}", lock=not settings.staging_is_shared):
        return _extract(settings, run_id, files, name)


def _extract(settings: Settings, run_id: str, files: list[LandingFile], name: str) -> dict:
    from extractors.landing import Landing
    from extractors.staging_batches import stage_batch

    started = datetime.now(timezone.utc)
    if not files:  # a night without new files: an empty batch, without importing the extractor (spaCy)
        from types import SimpleNamespace

        nothing = SimpleNamespace(articles=[], entities=[], quotes=[], quarantined=[])
        return stage_batch(staging_area(settings), run_id, name, nothing, 0, started)
    from extractors.extract import extract_batch

    result = extract_batch(Landing(night_landing(settings, run_id)), files, settings.spacy_model,
                           settings.max_file_bytes, settings.spacy_batch_size,
                           settings.min_article_words, settings.max_article_chars,
                           settings.extract_processes)
    return stage_batch(staging_area(settings), run_id, name, result, len(files), started)


@as_task("load")
def load(batches: list[dict[str, str]], run_id: str, reprocess: bool = False) -> dict[str, int]:
    """Load the extracted batches and the quarantine found by discovery into the work database;
    with `reprocess`, then extract again the articles an older model or older rules extracted."""
    from extractors.staging_batches import TABLES, record_batches
    from extractors.warehouse import load_batches

    settings = Settings.from_env()
    quarantine = RunLog(settings.staging, run_id).read().get("discovery_quarantine", [])
    staging = staging_area(settings)
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


@as_task("link")
def link(run_id: str) -> dict[str, int]:
    """Link across articles: entity registry, claim assignments and variants, reprinted copy."""
    from extractors.linking.nightly import link as link_warehouse

    settings = Settings.from_env()
    return link_warehouse(settings.work_db, run_id)
