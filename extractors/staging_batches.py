"""Extraction batches through the staging area, and where each one ran (ops.extraction_batches).

An extraction task writes its batch as Parquet files (one per raw table) and, when staging is an
object store, uploads them; it returns their locations with the batch's name, the worker that
extracted it, its counts and times. The load task loads the files and records one row per
batch, so an operator sees which worker extracted what, and how long it took.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from extractors.settings import worker_name
from extractors.staging import Staging

# The Parquet files of one batch, by raw table (the keys load_batches reads).
TABLES = ("articles", "entities", "quotes", "quarantine")

SCHEMA_SQL = """
create schema if not exists ops;
create table if not exists ops.extraction_batches (
    run_id varchar not null,
    batch varchar not null,
    worker varchar not null,
    n_files integer not null,
    n_articles integer not null,
    n_quarantined integer not null,
    started_at timestamptz not null,
    finished_at timestamptz not null,
    primary key (run_id, batch)
);
"""


def stage_batch(staging: Staging, run_id: str, name: str, result, n_files: int, started: datetime) -> dict:
    """Write one extracted batch (an extract.BatchResult) to the staging area; returns its record."""
    from extractors.warehouse import write_batch_files

    records = {"articles": result.articles, "entities": result.entities,
               "quotes": result.quotes, "quarantine": result.quarantined}
    key = staging.batch_key(run_id)
    if staging.is_local:
        files = write_batch_files(Path(staging.url(key)), name, records)
    else:
        scratch = Path(tempfile.mkdtemp(prefix="quotewire-batch-"))
        try:
            files = staging.upload(write_batch_files(scratch, name, records), key)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return {
        **files,
        "batch": name,
        "worker": worker_name(),
        "n_files": n_files,
        "n_articles": len(result.articles),
        "n_quarantined": len(result.quarantined),
        "started_at": started.isoformat(),
        "finished_at": datetime.now(timezone.utc).isoformat(),
    }


def record_batches(work_db: Path, run_id: str, batches: list[dict]) -> int:
    """One ops.extraction_batches row per batch of the run (a repeated load replaces them)."""
    from extractors.warehouse import connect

    rows = [(run_id, b["batch"], b["worker"], b["n_files"], b["n_articles"], b["n_quarantined"],
             datetime.fromisoformat(b["started_at"]), datetime.fromisoformat(b["finished_at"]))
            for b in batches if "batch" in b]
    with connect(work_db) as con:
        con.execute(SCHEMA_SQL)
        con.execute("begin transaction")
        con.execute("delete from ops.extraction_batches where run_id = ?", [run_id])
        if rows:
            con.executemany("insert into ops.extraction_batches values (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        con.execute("commit")
    return len(rows)
