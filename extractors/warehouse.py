"""DuckDB side of the pipeline: the work database's raw and ops tables, and batch files.

DuckDB allows one writer per file. The work database (raw tables, dbt models, ops records) is
written by one task at a time; extraction tasks write Parquet files that `load_batches` loads in
one transaction. The published warehouse is made from it by `extractors.publish`.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Iterator

import duckdb

from extractors.records import (
    ArticleRecord,
    EntityRecord,
    QuarantineRecord,
    QuoteRecord,
    as_rows,
)

RAW_TABLES: dict[str, type] = {
    "articles": ArticleRecord,
    "entities": EntityRecord,
    "quotes": QuoteRecord,
}
# Key columns: a row whose key is already present is never loaded again.
RAW_KEYS = {"articles": "article_id", "entities": "entity_id", "quotes": "quote_id"}

SCHEMA_SQL = """
create schema if not exists raw;
create schema if not exists ops;
create table if not exists raw.articles (
    article_id varchar primary key,
    content_hash varchar not null,
    source_file varchar not null,
    record_index integer not null,
    text_hash varchar not null,
    metadata_outlet varchar,
    url varchar,
    domain varchar,
    signature_outlet varchar,
    title varchar,
    author varchar,
    published_at timestamptz,
    language varchar,
    extra_metadata json,
    raw_text varchar not null,
    text varchar not null,
    n_words integer not null,
    run_id varchar not null,
    ingested_at timestamptz not null
);
create table if not exists raw.entities (
    entity_id varchar primary key,
    article_id varchar not null,
    label varchar not null,
    entity_text varchar not null,
    start_char integer not null,
    end_char integer not null,
    run_id varchar not null
);
create table if not exists raw.quotes (
    quote_id varchar primary key,
    article_id varchar not null,
    quote_text varchar not null,
    start_char integer not null,
    end_char integer not null,
    quote_type varchar not null,
    speaker varchar,
    speaker_mention varchar,
    speaker_start integer,
    speaker_end integer,
    cue varchar,
    cue_start integer,
    cue_end integer,
    normalized_text varchar not null,
    speaker_type varchar,
    speaker_role varchar,
    run_id varchar not null
);
-- Written by the nightly linking step (extractors/linking): claim assignments accumulate, the
-- other link tables are recomputed in full every night.
create table if not exists raw.entity_links (
    article_id varchar not null,
    start_char integer not null,
    end_char integer not null,
    mention_text varchar not null,
    source varchar not null,
    entity_id varchar not null,
    canonical_name varchar not null,
    entity_type varchar not null,
    match_rule varchar not null,
    matched_alias varchar not null
);
create table if not exists raw.claim_assignments (
    quote_id varchar primary key,
    claim_id varchar not null,
    match_rule varchar not null,
    matched_quote_id varchar,
    run_id varchar not null,
    assigned_at timestamptz not null default current_timestamp
);
create table if not exists raw.claim_variants (
    variant_id varchar primary key,
    claim_id varchar not null,
    wording varchar not null,
    is_canonical boolean not null,
    relation varchar not null,
    changed_words varchar[] not null,
    material_change boolean not null
);
create table if not exists raw.quote_variants (
    quote_id varchar primary key,
    variant_id varchar not null
);
create table if not exists raw.article_overlaps (
    article_a varchar not null,
    article_b varchar not null,
    shared_chars_a integer not null,
    shared_chars_b integer not null,
    share_a double not null,
    share_b double not null
);
create table if not exists raw.article_reprints (
    article_id varchar primary key,
    text_chars integer not null,
    reprinted_chars integer not null
);
-- Linking state, so that a night links its new articles against what earlier nights left
-- (extractors/linking/incremental.py): the articles linked, their linkable mentions and name-scan
-- candidates with their blocking keys, the shingle index of their texts, their reprinted spans and name counts.
create table if not exists raw.link_articles (article_id varchar not null, text_chars integer not null);
create table if not exists raw.link_mentions (
    mention_id varchar not null, article_id varchar not null, start_char integer not null,
    end_char integer not null, mention_text varchar not null, label varchar not null,
    source varchar not null, scan_surname varchar
);
create table if not exists raw.link_blocks (block varchar not null, mention_id varchar not null);
create table if not exists raw.link_shingles (
    shingle bigint not null, article_id varchar not null, start_char integer not null, end_char integer not null
);
create table if not exists raw.link_reprint_spans (
    article_id varchar not null, start_char integer not null, end_char integer not null
);
create table if not exists raw.link_forms (block varchar not null, display varchar not null, n integer not null);
-- The claims' word-pair index (extractors/linking/incremental_claims.py): every current quote with
-- a claim, its speaker block (the speaker's registry id, '' for quotes with no named speaker) and
-- normalised wording (and its text as printed, for the claim's variants), and the distinct word
-- pairs of that wording.
create table if not exists raw.link_claim_quotes (
    quote_id varchar not null, article_id varchar not null, block varchar not null, wording varchar not null,
    n_words integer not null, claim_id varchar not null, surface varchar not null
);
create table if not exists raw.link_claim_pairs (block varchar not null, pair varchar not null, quote_id varchar not null);
create table if not exists raw.link_version (linker varchar not null, linked_at timestamptz not null);
-- Written by a reprocess (extractors/reprocess.py), emptied by the next link: articles extracted
-- again (linked as replaced), and the claims their former quotes belonged to (described again).
create table if not exists raw.link_reextracted (article_id varchar not null);
create table if not exists raw.link_stale_claims (claim_id varchar not null);
create table if not exists ops.quarantine (
    source_file varchar not null,
    content_hash varchar,
    reason varchar not null,
    detail varchar not null,
    run_id varchar not null,
    quarantined_at timestamptz not null
);
create table if not exists ops.runs (
    run_id varchar primary key,
    status varchar not null,
    started_at timestamptz not null,
    finished_at timestamptz not null,
    wall_seconds double not null,
    files_seen integer,
    files_unchanged integer,
    articles_new integer,
    files_quarantined integer,
    entities_new integer,
    quotes_new integer,
    n_speakers integer,
    n_claims integer,
    raw_gate varchar,
    dbt_build varchar,
    mart_gate varchar,
    message varchar
);
-- The night a run was for (its logical date; for a run without one, the day it was triggered).
alter table ops.runs add column if not exists logical_date date;
-- Which spaCy pipeline (package==version) and rule files (digest) extracted each article.
alter table raw.articles add column if not exists extracted_with_model varchar;
alter table raw.articles add column if not exists extracted_with_rules varchar;
-- An operator's word that a run's quarantined files are understood (scripts/acknowledge_quarantine.py).
create table if not exists ops.quarantine_acknowledgements (
    run_id varchar primary key,
    acknowledged_at timestamptz not null,
    acknowledged_by varchar not null,
    note varchar not null
);
-- The generation of what the marts read (MART_INPUTS): one row, bumped in the same transaction
-- as every write that changes those tables (load, stamp, reprocess, link), so dbt_build can tell
-- that nothing a model reads changed since its last passing build (extractors/transform.py).
create table if not exists ops.mart_inputs (
    generation bigint not null,
    changed_at timestamptz not null,
    changed_by varchar not null
);
insert into ops.mart_inputs select 0, now(), 'created' where not exists (select 1 from ops.mart_inputs);
-- Input loaded or quarantined since the last published run: what the night about to publish
-- brings, retries included (a retried night's files count as already seen, but still count
-- here). Quarantined rows of a run an operator acknowledged are left out.
create or replace view ops.pending_input as
with last_publish as (
    select coalesce(max(finished_at), '-infinity'::timestamptz) as at from ops.runs where status = 'published'
)
select 'loaded' as kind, a.run_id, a.source_file, a.ingested_at as at
from raw.articles a, last_publish
where a.ingested_at > last_publish.at
union all
select 'quarantined' as kind, q.run_id, q.source_file, q.quarantined_at as at
from ops.quarantine q, last_publish
where q.quarantined_at > last_publish.at
  and q.run_id not in (select run_id from ops.quarantine_acknowledgements);
"""


# The raw tables the dbt models read (their staging models' sources): a write to any of them
# bumps ops.mart_inputs.generation.
MART_INPUTS = ("articles", "entities", "quotes", "entity_links", "claim_assignments", "claim_variants",
               "quote_variants", "article_overlaps", "article_reprints")


# Raw tables whose rows carry `change_seq`, a number from the sequence ops.change_seq given to
# every row when it is written (and again when a writer updates it): a dbt build takes the
# sequence's value before it starts, and the next build recomputes only the marts rows of what
# was written after that (the dbt models int_changed_articles and int_changed_claims).
CHANGE_STAMPED = ("articles", "entities", "quotes", "entity_links", "claim_assignments", "claim_variants",
                  "quote_variants")
CHANGE_SEQUENCE = "ops.change_seq"


def change_seq_now(con: duckdb.DuckDBPyConnection) -> int:
    """The last number the change sequence gave out (0 before any)."""
    found = con.execute("select last_value from duckdb_sequences() "
                        "where schema_name = 'ops' and sequence_name = 'change_seq'").fetchall()
    return (found[0][0] or 0) if found else 0


def bump_generation(con: duckdb.DuckDBPyConnection, changed_by: str) -> None:
    """Record, inside the writer's own transaction, that a table the marts read changed."""
    con.execute("update ops.mart_inputs set generation = generation + 1, changed_at = now(), changed_by = ?",
                [changed_by])


def mart_inputs_state(con: duckdb.DuckDBPyConnection) -> dict:
    """The generation of the marts' inputs and the row count of each input table."""
    generation, changed_at, changed_by = con.execute(
        "select generation, changed_at, changed_by from ops.mart_inputs").fetchone()
    counts = con.execute("select " + ", ".join(
        f"(select count(*) from raw.{t}) as {t}" for t in MART_INPUTS)).fetchone()
    return {"generation": generation, "changed_at": changed_at, "changed_by": changed_by,
            "rows": dict(zip(MART_INPUTS, counts))}


# The current version of every landing record: its newest load. The dbt model
# int_articles_current applies the same rule for the marts.
CURRENT_ARTICLES = """
    select * from raw.articles
    qualify row_number() over (
        partition by source_file, record_index order by ingested_at desc, article_id
    ) = 1
"""


# Storage format of a new work database: DuckDB 1.x readers (the duckdb CLI in .venv/bin,
# BI drivers) cannot open DuckDB 2.0's own format. A file keeps the format it was created in.
WORK_DB_STORAGE_VERSION = "v1.0.0"


# Another process may hold the work database for a moment outside the writer pool (a refused
# run recording itself, `make acknowledge-quarantine`): wait for it rather than fail the task.
LOCK_WAIT_SECONDS = 60


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
    config = {}
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
        con.execute(SCHEMA_SQL)
        for table, record_type in RAW_TABLES.items():
            for field in fields(record_type):
                con.execute(f"alter table raw.{table} add column if not exists {field.name} {_duckdb_type(field.type)}")
        con.execute(f"create sequence if not exists {CHANGE_SEQUENCE}")
        for table in CHANGE_STAMPED:
            con.execute(f"alter table raw.{table} add column if not exists change_seq bigint "
                        f"default nextval('{CHANGE_SEQUENCE}')")


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


def _duckdb_type(annotation: object) -> str:
    """DuckDB column type of a record field annotated as str, int, float or either | None."""
    if "float" in str(annotation):
        return "DOUBLE"
    return "BIGINT" if "int" in str(annotation) else "VARCHAR"


def write_batch_files(directory: Path, name: str, records_by_table: dict[str, list]) -> dict[str, str]:
    """Write one extraction batch as Parquet files, one per raw table, and return their paths."""
    import pandas as pd

    directory.mkdir(parents=True, exist_ok=True)
    paths: dict[str, str] = {}
    con = duckdb.connect()
    try:
        for table, record_type in {**RAW_TABLES, "quarantine": QuarantineRecord}.items():
            columns = ", ".join(f"{f.name} {_duckdb_type(f.type)}" for f in fields(record_type))
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
    Returns how many rows each table gained.
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
                        from read_parquet($files, union_by_name = true)
                        where {key} not in (select {key} from raw.{table})
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
