"""DuckDB side of the pipeline: opening the work database, batch files and the writes of loading.

The tables themselves, and what every writer records with them, are in `extractors.work_schema`.

DuckDB allows one writer per file. The work database (raw tables, dbt models, ops records) is
written by one task at a time; extraction tasks write Parquet files that `load_batches` loads in
one transaction. The published warehouse is made from it by `extractors.publish`.
"""

from __future__ import annotations

import os
import re
import time
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Iterator

import duckdb

from extractors.records import QuarantineRecord, as_rows
from extractors.work_schema import CURRENT_ARTICLES, RAW_KEYS, RAW_TABLES, bump_generation, create_schema, duckdb_type

# Storage format of a new work database: DuckDB 1.x readers (the duckdb CLI in .venv/bin,
# BI drivers) cannot open DuckDB 2.0's own format. A file keeps the format it was created in.
WORK_DB_STORAGE_VERSION = "v1.0.0"


# Another process may hold the work database for a moment outside the writer pool (a refused
# run recording itself, `make acknowledge-quarantine`): wait for it rather than fail the task.
LOCK_WAIT_SECONDS = 60


# DuckDB takes up to 80% of the machine's memory by default; the pipeline's connections take at
# most this (spilling to the temp directory beyond it), so a night's peak does not grow with the
# warehouse. Writers and readers alike: they run beside each other and beside spaCy.
MEMORY_LIMIT_ENV = "QUOTEWIRE_DUCKDB_MEMORY_LIMIT"
TEMP_DIR_ENV = "QUOTEWIRE_DUCKDB_TEMP_DIR"
DEFAULT_MEMORY_LIMIT = "1GB"
_AMOUNT = re.compile(r"\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB|%)\s*", re.IGNORECASE)


def duckdb_settings() -> dict[str, str]:
    """The memory limit (and temp directory, when set) of the pipeline's DuckDB connections, from
    QUOTEWIRE_DUCKDB_MEMORY_LIMIT (default 1GB) and QUOTEWIRE_DUCKDB_TEMP_DIR (default DuckDB's
    own: `<database>.tmp` beside the file). A bad value is refused with a message naming it."""
    limit = os.environ.get(MEMORY_LIMIT_ENV, "").strip() or DEFAULT_MEMORY_LIMIT
    if not _AMOUNT.fullmatch(limit):
        raise ValueError(f"{MEMORY_LIMIT_ENV}={limit!r} is not an amount of memory: use a number and a unit, "
                         "such as 1GB, 1.5GB, 512MiB, or a share of the machine's memory such as 50%")
    settings = {"memory_limit": limit.replace(" ", "")}
    temp = os.environ.get(TEMP_DIR_ENV, "").strip()
    if temp:
        folder = Path(temp).expanduser()
        if folder.exists() and not folder.is_dir():
            raise ValueError(f"{TEMP_DIR_ENV}={temp!r} is a file, not a folder DuckDB can spill to")
        settings["temp_directory"] = str(folder)
    return settings


def _open(path: Path, read_only: bool, config: dict) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config)
        except duckdb.IOException as error:
            if "Could not set lock" not in str(error) or time.monotonic() >= deadline:
                raise
            time.sleep(0.5)


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    config = duckdb_settings()
    if not read_only and not Path(path).exists():
        config["storage_compatibility_version"] = WORK_DB_STORAGE_VERSION
    connection = _open(path, read_only, config)
    try:
        yield connection
    finally:
        connection.close()


def ensure_schema(path: Path) -> None:
    """Create the raw and ops tables, and add record fields newer than an existing work database."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with connect(path) as con:
        con.execute("begin transaction")  # all or nothing, the copy of a keyed table's rows included
        create_schema(con)
        con.execute("commit")


def known_inputs(work_db: Path) -> tuple[set[tuple[str, str]], dict[str, str]]:
    """What discovery must not load again: (source_file, hash) pairs and hash -> source_file."""
    if not work_db.exists():
        return set(), {}
    with connect(work_db, read_only=True) as con:
        tables = {r[0] for r in con.execute(
            "select schema_name || '.' || table_name from duckdb_tables()").fetchall()}
        if "raw.articles" not in tables:
            return set(), {}
        loaded = con.execute("select source_file, content_hash from raw.articles").fetchall()
        quarantined = con.execute(
            "select source_file, coalesce(content_hash, '') from ops.quarantine").fetchall()
    known = {(s, h) for s, h in loaded} | {(s, h) for s, h in quarantined}
    return known, {h: s for s, h in loaded}


def known_records(work_db: Path, source_files: list[str]) -> dict[str, list[list]]:
    """source_file -> [record_index, text_hash] of the current version of each loaded record."""
    if not source_files or not work_db.exists():
        return {}
    with connect(work_db, read_only=True) as con:
        rows = con.execute(
            f"""select source_file, record_index, text_hash from ({CURRENT_ARTICLES})
                where source_file in (select unnest($files))""",
            {"files": source_files},
        ).fetchall()
    known: dict[str, list[list]] = {}
    for source_file, record_index, text_hash in rows:
        known.setdefault(source_file, []).append([record_index, text_hash])
    return known


def write_batch_files(directory: Path, name: str, records_by_table: dict[str, list]) -> dict[str, str]:
    """Write one extraction batch as Parquet files, one per raw table, and return their paths."""
    import pandas as pd

    directory.mkdir(parents=True, exist_ok=True)
    paths: dict[str, str] = {}
    con = duckdb.connect()
    try:
        for table, record_type in {**RAW_TABLES, "quarantine": QuarantineRecord}.items():
            columns = ", ".join(f"{f.name} {duckdb_type(f.type)}" for f in fields(record_type))
            con.execute(f"create table {table} ({columns})")
            frame = pd.DataFrame(as_rows(records_by_table[table], record_type))
            con.register("frame", frame)
            con.execute(f"insert into {table} select * from frame")
            con.unregister("frame")
            path = directory / f"{name}.{table}.parquet"
            con.execute(f"copy {table} to '{path}' (format parquet)")
            paths[table] = str(path)
    finally:
        con.close()
    return paths


def load_batches(work_db: Path, run_id: str, batches: list[dict[str, str]], quarantine: list[QuarantineRecord]) -> dict[str, int]:
    """Load extraction batches and discovery's quarantine into the raw tables, in one transaction.

    Rows whose key is already present are skipped, so loading the same batch twice adds nothing.
    The check is an anti-join that hashes the night's keys and streams the loaded ones past them
    (`not exists`), not `not in (select ...)`, which would hash every key ever loaded (a memory
    and time that grow with the warehouse). Returns how many rows each table gained.
    """
    ensure_schema(work_db)
    added: dict[str, int] = {}
    with connect(work_db) as con:
        con.execute("begin transaction")
        quarantine_files = [b["quarantine"] for b in batches]
        rows = [(q.source_file, q.content_hash, q.reason, q.detail) for q in quarantine]
        con.execute("create temp table night_quarantine (source_file varchar, content_hash varchar, reason varchar, detail varchar)")
        if rows:
            con.executemany("insert into night_quarantine values (?, ?, ?, ?)", rows)
        if quarantine_files:
            con.execute("insert into night_quarantine select * from read_parquet($files)", {"files": quarantine_files})
        article_files = [b["articles"] for b in batches]
        if article_files:
            _quarantine_duplicate_texts(con, article_files)
        for table, key in RAW_KEYS.items():
            files = [b[table] for b in batches]
            before = con.execute(f"select count(*) from raw.{table}").fetchone()[0]
            if files:
                extra = ", now() as ingested_at" if table == "articles" else ""
                con.execute(
                    f"""insert into raw.{table} by name
                        select distinct on ({key}) *, $run_id as run_id{extra}
                        from read_parquet($files, union_by_name = true) as incoming
                        where not exists (select 1 from raw.{table} as loaded where loaded.{key} = incoming.{key})
                          and article_id not in (select article_id from duplicate_articles)""",
                    {"run_id": run_id, "files": files},
                )
            added[table] = con.execute(f"select count(*) from raw.{table}").fetchone()[0] - before
        before = con.execute("select count(*) from ops.quarantine").fetchone()[0]
        con.execute(
            """insert into ops.quarantine
               select distinct n.*, $run_id, now() from night_quarantine n
               where not exists (
                   select 1 from ops.quarantine q
                   where q.source_file = n.source_file
                     and coalesce(q.content_hash, '') = coalesce(n.content_hash, '')
                     and q.reason = n.reason and q.detail = n.detail)""",
            {"run_id": run_id},
        )
        added["quarantine"] = con.execute("select count(*) from ops.quarantine").fetchone()[0] - before
        if any(added[table] for table in RAW_KEYS):
            bump_generation(con, f"load {run_id}")
        con.execute("commit")
    return added


def _quarantine_duplicate_texts(con: duckdb.DuckDBPyConnection, article_files: list[str]) -> None:
    """Quarantine new articles whose text is already loaded, or loaded tonight, from another source.

    The first one in (source_file, record_index) order is kept. A new version of the same
    source with the same text is not a duplicate.
    """
    con.execute(
        """create temp table duplicate_articles as
           with incoming as (
               select article_id, source_file, record_index, content_hash, text_hash,
                      row_number() over (partition by text_hash order by source_file, record_index) as nth,
                      first_value(source_file) over (partition by text_hash order by source_file, record_index) as first_source
               from read_parquet($files, union_by_name = true)
           )
           select i.article_id, i.source_file, i.record_index, i.content_hash,
                  coalesce(loaded.source_file, i.first_source) as original
           from incoming i
           left join raw.articles loaded
             on loaded.text_hash = i.text_hash
            and (loaded.source_file, loaded.record_index) <> (i.source_file, i.record_index)
           where loaded.article_id is not null or i.nth > 1""",
        {"files": article_files},
    )
    con.execute(
        """insert into night_quarantine
           select distinct source_file, content_hash, 'duplicate',
                  case when record_index > 0 then 'record ' || record_index || ': ' else '' end
                  || 'same text as ' || original
           from duplicate_articles"""
    )


def stamp_extraction(work_db: Path, run_id: str, model: str, rules: str) -> int:
    """Record the model and rules that extracted this run's articles (rows not yet stamped)."""
    with connect(work_db) as con:
        con.execute("begin transaction")
        (stamped,) = con.execute(
            """update raw.articles set extracted_with_model = ?, extracted_with_rules = ?
               where run_id = ? and extracted_with_model is null""", [model, rules, run_id]).fetchone()
        if stamped:
            bump_generation(con, f"stamp {run_id}")
        con.execute("commit")
        return stamped


def acknowledge_quarantine(work_db: Path, run_ids: list[str] | None, who: str, note: str) -> list[str]:
    """Acknowledge the quarantine of these runs (default: every run with pending quarantine)."""
    ensure_schema(work_db)
    with connect(work_db) as con:
        if not run_ids:
            run_ids = [r for (r,) in con.execute(
                "select distinct run_id from ops.pending_input where kind = 'quarantined' order by run_id").fetchall()]
        for run_id in run_ids:
            con.execute("insert or replace into ops.quarantine_acknowledgements values (?, now(), ?, ?)",
                        [run_id, who, note])
    return run_ids


def record_run(work_db: Path, row: dict, wait_seconds: float = 0) -> None:
    """Insert or replace this run's row in ops.runs.

    With wait_seconds, a database held by another process's writer is tried again until then.
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            ensure_schema(work_db)
            columns = list(row)
            with connect(work_db) as con:
                con.execute(
                    f"insert or replace into ops.runs ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})",
                    [row[c] for c in columns],
                )
            return
        except duckdb.IOException:
            if time.monotonic() >= deadline:
                raise
            time.sleep(2)
