"""What the report shows, read from the published warehouse (opened read-only).

Only the published file is read: `marts.*` (with `marts.runs`, the audit of every night) and
`ops.quarantine`. Times are returned as naive UTC datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from extractors.report.text import Context, sentence_around

N_NIGHTS = 14
N_CLAIMS = 8
N_SPEAKERS = 15
N_QUARANTINE_FILES = 20


@dataclass
class Printing:
    """One article carrying a claim: its first occurrence of the claim there."""

    quote_id: str
    article_id: str
    outlet: str
    title: str | None
    source_file: str
    time: datetime
    dated: bool  # the article states its publication time (else `time` is its load time)
    quote_text: str
    start_char: int  # offsets of the quote in the article's text
    end_char: int
    variant_id: str
    relation: str
    material_change: bool
    context: Context


@dataclass
class Claim:
    claim_id: str
    speaker: str | None
    claim_text: str
    n_quotes: int
    n_articles: int
    n_outlets: int
    first_outlet: str
    first_seen_at: datetime
    has_material_change: bool
    variants: list[dict] = field(default_factory=list)
    printings: list[Printing] = field(default_factory=list)


@dataclass
class ReportData:
    warehouse: str
    night: dict | None  # the marts.runs row the report is about
    runs: list[dict]  # the last nights, oldest first
    totals: dict[str, int]
    claims: list[Claim]
    speakers: list[dict]
    sources: dict[str, int]  # quotes with named and with unnamed speakers
    unnamed_mentions: list[dict]
    outlets: list[dict]
    quarantine_reasons: list[dict]
    quarantine_files: list[dict]


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def _utc(column: str) -> str:
    return f"timezone('UTC', {column})"


def read(warehouse: Path, run_id: str | None = None) -> ReportData:
    if not Path(warehouse).exists():
        raise FileNotFoundError(f"no published warehouse at {warehouse}: run the pipeline first (make run)")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        runs = _rows(con, f"""
            select run_id, status, {_utc('started_at')} as started_at, wall_seconds, files_seen,
                   articles_new, files_quarantined, quotes_new, n_speakers, n_claims,
                   raw_gate, dbt_build, mart_gate, message
            from marts.runs order by started_at desc limit {N_NIGHTS}""")[::-1]
        published = [r for r in runs if r["status"] == "published"]
        night = next((r for r in runs if r["run_id"] == run_id), published[-1] if published else None)
        return ReportData(
            warehouse=str(warehouse),
            night=night,
            runs=runs,
            totals={t: con.execute(f"select count(*) from marts.{t}").fetchone()[0]
                    for t in ("articles", "quotes", "claims", "speakers", "outlets")},
            claims=_claims(con),
            speakers=_speakers(con),
            sources=dict(con.execute("""
                select case when speaker_is_named then 'named' else 'unnamed' end, count(*)
                from marts.quotes group by 1""").fetchall()),
            unnamed_mentions=_rows(con, """
                select coalesce(speaker_mention, '(no speaker found)') as mention, count(*) as n_quotes,
                       count(distinct outlet) as n_outlets
                from marts.quotes where not speaker_is_named
                group by 1 order by n_quotes desc, mention limit 10"""),
            outlets=_rows(con, """
                select o.outlet, o.domain, o.n_articles, o.n_quotes, o.n_speakers,
                       o.quotes_per_article, o.reprinted_share,
                       coalesce(u.unnamed_share, 0) as unnamed_share
                from marts.outlets o
                left join (
                    select outlet, avg(case when speaker_is_named then 0 else 1 end) as unnamed_share
                    from marts.quotes group by outlet
                ) u using (outlet)
                order by o.n_articles desc, o.outlet"""),
            quarantine_reasons=_rows(con, """
                select reason, count(*) as n,
                       count(*) filter (where run_id = $night) as n_night
                from ops.quarantine group by reason order by n desc, reason""",
                {"night": night["run_id"] if night else ""}),
            quarantine_files=_rows(con, f"""
                select source_file, reason, detail, run_id, {_utc('quarantined_at')} as quarantined_at
                from ops.quarantine order by quarantined_at desc, source_file
                limit {N_QUARANTINE_FILES}"""),
        )


def _claims(con: duckdb.DuckDBPyConnection) -> list[Claim]:
    """The statements carried by the most articles (two at least), with every printing."""
    claims = [Claim(**row) for row in _rows(con, f"""
        select claim_id, speaker, claim_text, n_quotes, n_articles, n_outlets, first_outlet,
               {_utc('first_seen_at')} as first_seen_at, has_material_change
        from marts.claims where n_articles > 1
        order by n_articles desc, n_outlets desc, n_quotes desc, first_seen_at, claim_id
        limit {N_CLAIMS}""")]
    if not claims:
        return []
    ids = [c.claim_id for c in claims]
    by_id = {c.claim_id: c for c in claims}
    for variant in _rows(con, f"""
            select claim_id, variant_id, variant_text, is_canonical, relation, changed_words,
                   material_change, n_quotes, n_articles, outlets, {_utc('first_seen_at')} as first_seen_at
            from marts.claim_variants where claim_id in (select unnest($ids))
            order by is_canonical desc, first_seen_at, variant_id""", {"ids": ids}):
        by_id[variant["claim_id"]].variants.append(variant)
    printings = _rows(con, f"""
        select q.claim_id, q.quote_id, q.article_id, q.outlet, a.title, q.source_file,
               {_utc('q.seen_at')} as time, q.published_at is not null as dated, q.quote_text,
               q.start_char, q.end_char, q.variant_id, v.relation, v.material_change
        from marts.quotes q
        join marts.articles a using (article_id)
        join marts.claim_variants v using (variant_id)
        where q.claim_id in (select unnest($ids))
        qualify row_number() over (partition by q.claim_id, q.article_id order by q.start_char) = 1
        order by q.claim_id, q.seen_at, q.article_id""", {"ids": ids})
    texts = dict(con.execute(
        "select article_id, text from marts.articles where article_id in (select unnest($a))",
        {"a": sorted({p["article_id"] for p in printings})}).fetchall())
    for p in printings:
        context = sentence_around(texts[p["article_id"]], p["start_char"], p["end_char"])
        by_id[p.pop("claim_id")].printings.append(Printing(**p, context=context))
    return claims


def _speakers(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The most quoted named speakers, each with their most printed statement in its article."""
    speakers = _rows(con, f"""
        select speaker, speaker_type, n_quotes, n_claims, n_articles, n_outlets
        from marts.speakers order by n_quotes desc, n_outlets desc, speaker limit {N_SPEAKERS}""")
    examples = {row["speaker"]: row for row in _rows(con, """
        select q.speaker, c.claim_id, c.n_articles, q.article_id, q.outlet, a.title, q.quote_text,
               q.start_char, q.end_char
        from marts.quotes q
        join marts.claims c using (claim_id)
        join marts.articles a using (article_id)
        where q.speaker in (select unnest($names))
        qualify row_number() over (
            partition by q.speaker order by c.n_articles desc, c.n_quotes desc, q.seen_at, q.quote_id) = 1
        """, {"names": [s["speaker"] for s in speakers]})}
    texts = dict(con.execute(
        "select article_id, text from marts.articles where article_id in (select unnest($a))",
        {"a": sorted({e["article_id"] for e in examples.values()})}).fetchall())
    for speaker in speakers:
        example = examples.get(speaker["speaker"])
        if example:
            text = texts[example["article_id"]]
            example["context"] = sentence_around(text, example.pop("start_char"), example.pop("end_char"))
        speaker["example"] = example
    return speakers
