"""The nightly linking step: link the night's new articles against what earlier nights left.

Works on the current version of every article (the newest load of each landing record, the
rule `extractors.work_schema.CURRENT_ARTICLES` states and the dbt model `int_articles_current`
applies). By default a night is incremental: the articles that became current since the last
link (new files, and new versions of changed files) are added, those that stopped being current
are removed, and only what they touch is recomputed against the linking state kept in DuckDB
(raw.link_articles, raw.link_mentions, raw.link_name_forms, raw.link_shingles,
raw.link_reprint_spans, raw.link_forms; see
`incremental_entities`, `incremental_claims`, `incremental_overlaps`). `full=True` relinks
everything from the texts and rebuilds that state: for a change of the rules, and the first
night of a warehouse linked before the state existed. Both give the same link tables.

Claim assignments are only ever added, so a quote keeps its claim for good (in both paths).
Everything of a night is written in one transaction: a failure leaves the previous links and
state in place.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path

from extractors.linking.claim_blocks import assign_claims
from extractors.linking.claims import (
    ClaimAssignment,
    ClaimVariant,
    Occurrence,
    describe_variants,
    load_statement_rules,
    statement_words,
)
from extractors.linking.entities import EntityLink, link_entities
from extractors.linking.incremental_claims import claims_night, store_claim_state
from extractors.linking.incremental_entities import night_mentions, relink_night, state_for, store_mentions
from extractors.linking.incremental_overlaps import overlaps_night, store_reprint_spans, store_shingles
from extractors.linking.label_blocks import forms, store_forms
from extractors.linking.mention_forms import store_all_forms
from extractors.linking.name_scan import find_missed_names
from extractors.linking.overlaps import REPRINT_MIN_SHARED_CHARS, ArticleReprint, Overlap, find_overlaps_with_spans
from extractors.linking.store import Store, article_texts, current_quotes, ner_rows
from extractors.rules import load_rules
from extractors.versions import linker_version
from extractors.warehouse import connect, ensure_schema
from extractors.work_schema import CURRENT_ARTICLES, bump_generation

log = logging.getLogger(__name__)

FULL_RELINK_ENV = "QUOTEWIRE_FULL_RELINK"
STATE_TABLES = ("link_articles", "link_mentions", "link_name_forms", "link_shingles",
                "link_reprint_spans", "link_forms", "link_claim_quotes", "link_claim_pairs")


@dataclass(frozen=True)
class QuoteVariant:
    quote_id: str
    variant_id: str


def link(work_db: Path, run_id: str, full: bool | None = None) -> dict[str, int]:
    """Link tonight's warehouse (incrementally unless `full`); returns counts for the task's log,
    among them `rows_read`: the rows read into Python, the night's work.

    `full` defaults to the environment variable QUOTEWIRE_FULL_RELINK ("1": relink in full), so a
    run can force it; a change of the linking code or rules relinks in full by itself.
    """
    if full is None:
        full = os.environ.get(FULL_RELINK_ENV, "") == "1"
    ensure_schema(work_db)
    started = time.perf_counter()
    with connect(work_db) as con:
        store = Store(con)
        con.execute("begin transaction")
        linker = linker_version()
        if not full and _needs_full(store, linker):
            full = True
        counts = _link_full(store, run_id) if full else _link_night(store, run_id)
        if full or counts.get("articles_added") or counts.get("articles_removed"):  # else no link table was written
            bump_generation(con, f"link {run_id}")
        store.execute("delete from raw.link_version")
        con.execute("insert into raw.link_version values (?, now())", [linker])
        store.execute("delete from raw.link_reextracted")
        store.execute("delete from raw.link_stale_claims")
        con.execute("commit")
    counts = {"full": int(full), **counts, "rows_read": sum(store.rows_read.values()),
              **{f"rows_read_{k}": v for k, v in sorted(store.rows_read.items())}}
    log.info("linked in %.1f s: %s", time.perf_counter() - started, counts)
    return counts


def _needs_full(store: Store, linker: str) -> bool:
    """Links made by another linker (other linking code or rules), or before the linking state
    existed, are redone in full: a night's links must agree with the earlier ones."""
    (state,) = store.con.execute("select count(*) from raw.link_articles").fetchone()
    (links,) = store.con.execute(
        "select (select count(*) from raw.entity_links) + (select count(*) from raw.claim_variants)").fetchone()
    if state == 0:
        return links > 0
    (linked_by,) = store.con.execute("select max(linker) from raw.link_version").fetchone()
    return linked_by != linker


def _night_delta(store: Store) -> tuple[int, int]:
    """night_added / night_removed: articles that became / stopped being current since the last link."""
    # An article extracted again (extractors/reprocess.py) is both: its former rows' state goes,
    # its new rows come in.
    store.execute(f"""create or replace temp table night_added as
        select article_id as id from ({CURRENT_ARTICLES})
        where article_id not in (select article_id from raw.link_articles)
           or article_id in (select article_id from raw.link_reextracted)""")
    store.execute(f"""create or replace temp table night_removed as
        select article_id as id from raw.link_articles
        where article_id not in (select article_id from ({CURRENT_ARTICLES}))
           or article_id in (select article_id from raw.link_reextracted)""")
    added, removed = store.con.execute(
        "select (select count(*) from night_added), (select count(*) from night_removed)").fetchone()
    return added, removed


def _link_night(store: Store, run_id: str) -> dict[str, int]:
    rules, statement_rules = load_rules(), load_statement_rules()
    added, removed = _night_delta(store)
    counts = {"articles_added": added, "articles_removed": removed}
    if not added and not removed:
        return counts
    texts = dict(article_texts(store, "night_added"))
    quotes = current_quotes(store, "night_added")
    store.execute("delete from raw.link_articles where article_id in (select id from night_removed)")
    store.insert_rows("raw.link_articles", ("article_id", "text_chars"),
                      [(a, len(t)) for a, t in sorted(texts.items())])
    counts |= relink_night(store, rules, texts, quotes)
    counts |= claims_night(store, statement_rules, run_id)
    counts |= overlaps_night(store, texts, REPRINT_MIN_SHARED_CHARS)
    return counts


def _link_full(store: Store, run_id: str) -> dict[str, int]:
    """Relink everything from the texts, and rebuild the linking state."""
    rules, statement_rules = load_rules(), load_statement_rules()
    quotes = current_quotes(store)
    articles = article_texts(store)
    texts = dict(articles)
    mentions = night_mentions(ner_rows(store), quotes)
    links = link_entities(mentions + find_missed_names(texts, mentions, rules), rules)
    speaker_key = {(l.article_id, l.start_char, l.end_char): l.entity_id for l in links if l.source == "speaker"}

    occurrences = [
        Occurrence(quote_id, speaker_key.get((article_id, start, end)) if speaker else None, text)
        for quote_id, article_id, start, end, text, speaker, _ in quotes
    ]
    existing = dict(store.read("claim_assignments", "select quote_id, claim_id from raw.claim_assignments"))
    new: list[ClaimAssignment] = assign_claims(occurrences, existing, statement_rules)
    claim_of = {**existing, **{a.quote_id: a.claim_id for a in new}}
    variants, variant_of_quote = describe_variants(
        [(q.quote_id, claim_of[q.quote_id], q.text) for q in occurrences], statement_rules)

    overlaps, reprints, reprint_spans = find_overlaps_with_spans(articles, min_shared_chars=REPRINT_MIN_SHARED_CHARS)

    for table in ("entity_links", "claim_variants", "quote_variants", "article_overlaps", "article_reprints",
                  *STATE_TABLES):
        store.execute(f"delete from raw.{table}")
    store.insert_records("raw.entity_links", links, EntityLink)
    store.insert_records("raw.claim_assignments", new, ClaimAssignment, run_id=run_id)
    store.insert_records("raw.claim_variants", [replace(v, changed_words=list(v.changed_words)) for v in variants],
                         ClaimVariant)
    store.insert_records("raw.quote_variants", [QuoteVariant(q, v) for q, v in variant_of_quote.items()],
                         QuoteVariant)
    store.insert_records("raw.article_overlaps", overlaps, Overlap)
    store.insert_records("raw.article_reprints", reprints, ArticleReprint)

    store.insert_rows("raw.link_articles", ("article_id", "text_chars"), [(a, len(t)) for a, t in articles])
    stored = state_for(texts, mentions, rules)
    store_mentions(store, stored)
    store_all_forms(store, stored)
    store_forms(store, forms(stored, rules))
    store_shingles(store, texts)
    store_reprint_spans(store, reprint_spans)
    store_claim_state(store, [(o.quote_id, q[1], o.speaker_key, statement_words(o.text, statement_rules),
                               claim_of[o.quote_id], o.text) for o, q in zip(occurrences, quotes)])
    return {
        "articles_added": len(articles),
        "entities": len({l.entity_id for l in links}),
        "claims_new": len({a.claim_id for a in new} - set(existing.values())),
        "claim_variants": len(variants),
        "article_overlaps": len(overlaps),
    }
