"""The nightly linking step: read the raw tables, link across articles, write the link tables.

Works on the current version of every article (the newest load of each landing record, the
rule `extractors.warehouse.CURRENT_ARTICLES` states and the dbt model `int_articles_current`
applies). The entity registry, the claim variants and
the article overlaps are recomputed in full each night and replace their tables; claim
assignments are only ever added, so a quote keeps its claim for good. Everything is written in
one transaction: a failure leaves the previous night's links in place.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, fields, replace
from pathlib import Path

import duckdb

from extractors.linking.claims import (
    ClaimAssignment,
    ClaimVariant,
    Occurrence,
    assign_claims,
    describe_variants,
    load_statement_rules,
)
from extractors.linking.entities import EntityLink, Mention, find_missed_names, link_entities
from extractors.linking.overlaps import REPRINT_MIN_SHARED_CHARS, ArticleReprint, Overlap, find_overlaps
from extractors.rules import load_rules
from extractors.warehouse import CURRENT_ARTICLES, connect, ensure_schema

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QuoteVariant:
    quote_id: str
    variant_id: str


def _current_quotes(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Current quotes in first-seen order: night of loading, then publication, then position."""
    return con.execute(f"""
        select q.quote_id, q.article_id, q.start_char, q.end_char, q.quote_text,
               q.speaker, q.speaker_type
        from raw.quotes q
        inner join ({CURRENT_ARTICLES}) a using (article_id)
        order by a.ingested_at, coalesce(a.published_at, a.ingested_at), q.article_id, q.start_char, q.quote_id
    """).fetchall()


def _mentions(con: duckdb.DuckDBPyConnection, quotes: list[tuple]) -> list[Mention]:
    """NER mentions of current articles, and every named quote speaker as a mention at its quote."""
    rows = con.execute(f"""
        select e.article_id, e.start_char, e.end_char, e.entity_text, e.label
        from raw.entities e
        inner join ({CURRENT_ARTICLES}) a using (article_id)
    """).fetchall()
    mentions = [Mention(a, s, e, text, label, "entity") for a, s, e, text, label in rows]
    # A speaker is keyed by its quote's offsets: one speaker mention ("he said") may serve
    # several quotes, and each quote needs its own link.
    mentions += [
        Mention(article_id, start, end, speaker, speaker_type or "PERSON", "speaker")
        for _, article_id, start, end, _, speaker, speaker_type in quotes
        if speaker
    ]
    return mentions


def _insert(con: duckdb.DuckDBPyConnection, table: str, records: list, record_type: type, **constants) -> None:
    """Append records (one column per field of `record_type`, plus constant columns) through a
    DataFrame: row-by-row inserts are slow in DuckDB."""
    import pandas as pd

    if not records:
        return
    columns = [f.name for f in fields(record_type)]
    frame = pd.DataFrame([[getattr(r, c) for c in columns] for r in records], columns=columns)
    for name, value in constants.items():
        frame[name] = value
    columns += constants
    con.register("link_rows", frame)
    con.execute(f"insert into raw.{table} ({', '.join(columns)}) select {', '.join(columns)} from link_rows")
    con.unregister("link_rows")


def _replace(con: duckdb.DuckDBPyConnection, table: str, records: list, record_type: type) -> None:
    con.execute(f"delete from raw.{table}")
    _insert(con, table, records, record_type)


def link(work_db: Path, run_id: str) -> dict[str, int]:
    """Link tonight's warehouse; returns counts for the task's log."""
    ensure_schema(work_db)
    rules, statement_rules = load_rules(), load_statement_rules()
    started = time.perf_counter()
    with connect(work_db) as con:
        quotes = _current_quotes(con)
        articles = con.execute(f"select article_id, text from ({CURRENT_ARTICLES}) order by article_id").fetchall()
        mentions = _mentions(con, quotes)
        mentions += find_missed_names(dict(articles), mentions, rules)
        links = link_entities(mentions, rules)
        speaker_key = {(l.article_id, l.start_char, l.end_char): l.entity_id for l in links if l.source == "speaker"}

        occurrences = [
            Occurrence(quote_id, speaker_key.get((article_id, start, end)) if speaker else None, text)
            for quote_id, article_id, start, end, text, speaker, _ in quotes
        ]
        existing = dict(con.execute("select quote_id, claim_id from raw.claim_assignments").fetchall())
        new: list[ClaimAssignment] = assign_claims(occurrences, existing, statement_rules)
        claim_of = {**existing, **{a.quote_id: a.claim_id for a in new}}
        variants, variant_of_quote = describe_variants(
            [(q.quote_id, claim_of[q.quote_id], q.text) for q in occurrences], statement_rules)

        overlaps, reprints = find_overlaps(articles, min_shared_chars=REPRINT_MIN_SHARED_CHARS)

        con.execute("begin transaction")
        _replace(con, "entity_links", links, EntityLink)
        _insert(con, "claim_assignments", new, ClaimAssignment, run_id=run_id)
        _replace(con, "claim_variants", [replace(v, changed_words=list(v.changed_words)) for v in variants],
                 ClaimVariant)
        _replace(con, "quote_variants", [QuoteVariant(q, v) for q, v in variant_of_quote.items()], QuoteVariant)
        _replace(con, "article_overlaps", overlaps, Overlap)
        _replace(con, "article_reprints", reprints, ArticleReprint)
        con.execute("commit")

    counts = {
        "entities": len({l.entity_id for l in links}),
        "claims_new": len({a.claim_id for a in new} - set(existing.values())),
        "claim_variants": len(variants),
        "article_overlaps": len(overlaps),
    }
    log.info("linked in %.1f s: %s", time.perf_counter() - started, counts)
    return counts
