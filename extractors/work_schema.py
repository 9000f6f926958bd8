"""The work database's tables: the raw and ops DDL, and what every writer records with its rows.

Raw tables hold what extraction and linking wrote; ops tables what the runs did. Every write to a
table the dbt models read bumps `ops.mart_inputs.generation` in the writer's own transaction
(`bump_generation`), and the rows the large marts read carry a number of the sequence
`ops.change_seq` (`CHANGE_STAMPED`), so a dbt build knows whether, and what, to recompute.
"""

from __future__ import annotations

from dataclasses import fields

import duckdb

from extractors.records import ArticleRecord, EntityRecord, QuoteRecord

RAW_TABLES: dict[str, type] = {
    "articles": ArticleRecord,
    "entities": EntityRecord,
    "quotes": QuoteRecord,
}
# Key columns: a row whose key is already present is never loaded again.
RAW_KEYS = {"articles": "article_id", "entities": "entity_id", "quotes": "quote_id"}

# The raw tables carry no primary key. Each writer keeps its keys unique itself (loading skips a
# key already present, the linking step deletes before it inserts) and dbt's `unique` tests check
# the marts built from them. A DuckDB key is an in-memory index of every key ever written: each
# insert or delete loads all of it and each checkpoint writes it out again, so a night's small
# write would cost time and memory in proportion to the warehouse. Warehouses created with the
# keys have them removed the next time the schema is ensured (`_drop_raw_keys`), their rows kept
# aside under this suffix for the length of that transaction.
KEYED_SUFFIX = "__keyed"
SCHEMA_SQL = """
create schema if not exists raw;
create schema if not exists ops;
create table if not exists raw.articles (
    article_id varchar not null,
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
    entity_id varchar not null,
    article_id varchar not null,
    label varchar not null,
    entity_text varchar not null,
    start_char integer not null,
    end_char integer not null,
    run_id varchar not null
);
create table if not exists raw.quotes (
    quote_id varchar not null,
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
    quote_id varchar not null,
    claim_id varchar not null,
    match_rule varchar not null,
    matched_quote_id varchar,
    run_id varchar not null,
    assigned_at timestamptz not null default current_timestamp
);
create table if not exists raw.claim_variants (
    variant_id varchar not null,
    claim_id varchar not null,
    wording varchar not null,
    is_canonical boolean not null,
    relation varchar not null,
    changed_words varchar[] not null,
    material_change boolean not null
);
create table if not exists raw.quote_variants (
    quote_id varchar not null,
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
    article_id varchar not null,
    text_chars integer not null,
    reprinted_chars integer not null
);
-- Linking state, so that a night links its new articles against what earlier nights left
-- (extractors/linking/incremental.py): the articles linked, their linkable mentions and name-scan
-- candidates, the shingle index of their texts, their reprinted spans and name counts.
create table if not exists raw.link_articles (article_id varchar not null, text_chars integer not null);
create table if not exists raw.link_mentions (
    mention_id varchar not null, article_id varchar not null, start_char integer not null,
    end_char integer not null, mention_text varchar not null, label varchar not null,
    source varchar not null, scan_surname varchar
);
-- Warehouses linked before the registry read its blocks as forms kept each mention's keys here.
drop table if exists raw.link_blocks;
create table if not exists raw.link_shingles (
    shingle bigint not null, article_id varchar not null, start_char integer not null, end_char integer not null
);
create table if not exists raw.link_reprint_spans (
    article_id varchar not null, start_char integer not null, end_char integer not null
);
create table if not exists raw.link_forms (block varchar not null, display varchar not null, n integer not null);
-- The registry's blocks as forms (extractors/linking/mention_forms.py): one row per block and form
-- (text, label, source, scan surname) of the stored mentions, with their count and first mention.
create table if not exists raw.link_name_forms (
    form_id varchar not null, block varchar not null, mention_text varchar not null, label varchar not null,
    source varchar not null, scan_surname varchar, n integer not null,
    first_article_id varchar not null, first_start integer not null, first_end integer not null
);
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
# int_articles_current applies the same rule for the marts. The version is chosen over the
# narrow columns that decide it and its row read after: a window over whole rows holds every
# version's text in memory (about 1 GB at 100,000 articles).
CURRENT_ARTICLES = """
    select * from raw.articles
    where article_id in (
        select article_id from raw.articles
        qualify row_number() over (
            partition by source_file, record_index order by ingested_at desc, article_id
        ) = 1
    )
"""


def duckdb_type(annotation: object) -> str:
    """DuckDB column type of a record field annotated as str, int, float or either | None."""
    if "float" in str(annotation):
        return "DOUBLE"
    return "BIGINT" if "int" in str(annotation) else "VARCHAR"


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw and ops tables, and add record fields and change stamps newer than an
    existing work database."""
    keyed = _drop_raw_keys(con)
    con.execute(SCHEMA_SQL)
    for table, record_type in RAW_TABLES.items():
        for field in fields(record_type):
            con.execute(f"alter table raw.{table} add column if not exists {field.name} {duckdb_type(field.type)}")
    con.execute(f"create sequence if not exists {CHANGE_SEQUENCE}")
    for table in CHANGE_STAMPED:
        con.execute(f"alter table raw.{table} add column if not exists change_seq bigint "
                    f"default nextval('{CHANGE_SEQUENCE}')")
    for table in keyed:
        con.execute(f"insert into raw.{table} by name select * from raw.{table}{KEYED_SUFFIX}")
        con.execute(f"drop table raw.{table}{KEYED_SUFFIX}")



def raw_tables_with_keys(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Raw tables that still carry the primary key older warehouses were created with."""
    return [t for (t,) in con.execute(
        """select distinct table_name from duckdb_constraints()
           where schema_name = 'raw' and constraint_type = 'PRIMARY KEY' order by table_name""").fetchall()]


def _drop_raw_keys(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Set aside the raw tables created with a primary key, so that SCHEMA_SQL creates them anew
    without one; `create_schema` then copies their rows over (DuckDB cannot drop a key in place).
    Done once per warehouse, inside `ensure_schema`'s transaction: all or nothing."""
    keyed = raw_tables_with_keys(con)
    for table in keyed:
        con.execute(f"alter table raw.{table} rename to {table}{KEYED_SUFFIX}")
    return keyed
