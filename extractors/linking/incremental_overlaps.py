"""Reprinted copy, night by night, against the shingle index of earlier articles.

raw.link_shingles holds every 8-word window of every linked article: (hash, article, character
span). A night adds its new articles' windows and drops those of articles that stopped being
current, then recomputes only the article pairs whose shared, non-boilerplate shingles can have
changed:

- pairs of a new article and any article sharing a kept shingle with it;
- pairs of earlier articles sharing a shingle that crossed the boilerplate limit tonight (held
  by at most `MAX_SHINGLE_ARTICLES` articles before and more after, or the reverse).

Each pair's coverage is worked out in DuckDB from the index rows of the shingles it shares,
merged into disjoint intervals exactly as `find_overlaps` does from the texts, and the reprint
rows and spans of every article whose kept pairs changed are merged there too. No earlier
article's text is read, the holders of a boilerplate shingle are never listed, and only the
night's kept pairs come into Python (their shares are rounded as the full run rounds them).
"""

from __future__ import annotations

from extractors.linking.overlaps import Overlap, _make_doc, _share
from extractors.linking.store import Store

SHINGLE_WORDS = 8
MAX_SHINGLE_ARTICLES = 50
# Pairs whose coverage is merged in one statement: the merge's window functions hold all their
# spans in memory (a pair within a cluster of copies has hundreds per side), so a night with many
# pairs (a backfill, a large chunk) goes in slices instead of running out of DuckDB's memory limit.
COVERAGE_BATCH_PAIRS = 5000
_SIGN = 1 << 63


def shingle_rows(articles: dict[str, str]) -> list[tuple[int, str, int, int]]:
    """(hash as signed 64-bit, article_id, start_char, end_char) of every window of every text."""
    word_values: dict[str, int] = {}
    rows = []
    for article_id in sorted(articles):
        doc = _make_doc(article_id, articles[article_id], SHINGLE_WORDS, word_values)
        for position, h in enumerate(doc.shingles):
            rows.append((h - (1 << 64) if h >= _SIGN else h, article_id, doc.starts[position],
                         doc.ends[position + SHINGLE_WORDS - 1]))
    return rows


def store_shingles(store: Store, articles: dict[str, str]) -> int:
    rows = shingle_rows(articles)
    store.insert_rows("raw.link_shingles", ("shingle", "article_id", "start_char", "end_char"), rows)
    return len(rows)


def overlaps_night(store: Store, added: dict[str, str], min_shared_chars: int) -> dict[str, int]:
    """Update raw.article_overlaps and raw.article_reprints for night_added / night_removed."""
    store.execute("""create or replace temp table touched as
        select shingle, 0 as n_add, count(distinct article_id) as n_rem from raw.link_shingles
        where article_id in (select id from night_removed) group by shingle""")
    store.execute("""create or replace temp table night_partners as
        select article_a as id from raw.article_overlaps where article_b in (select id from night_removed)
        union select article_b from raw.article_overlaps where article_a in (select id from night_removed)""")
    store.execute("delete from raw.link_shingles where article_id in (select id from night_removed)")
    store.execute("""delete from raw.article_overlaps where article_a in (select id from night_removed)
                     or article_b in (select id from night_removed)""")
    indexed = store_shingles(store, added)
    store.execute("""insert into touched
        select shingle, count(distinct article_id), 0 from raw.link_shingles
        where article_id in (select id from night_added) group by shingle""")
    store.execute("""create or replace temp table touched_counts as
        with t as (select shingle, sum(n_add) as n_add, sum(n_rem) as n_rem from touched group by shingle),
             c as (select shingle, count(distinct article_id) as after from raw.link_shingles
                   where shingle in (select shingle from t) group by shingle)
        select t.shingle, t.n_add > 0 as has_new, coalesce(c.after, 0) as after,
               coalesce(c.after, 0) - t.n_add + t.n_rem as before
        from t left join c using (shingle)""")
    store.execute(f"""create or replace temp table pair_todo as
        with wanted as (
            select shingle, has_new,
                   (before <= {MAX_SHINGLE_ARTICLES}) <> (after <= {MAX_SHINGLE_ARTICLES}) as crossed
            from touched_counts
            where after <= {MAX_SHINGLE_ARTICLES}
               or (before <= {MAX_SHINGLE_ARTICLES}) <> (after <= {MAX_SHINGLE_ARTICLES})),
        holders as (
            select distinct s.shingle, s.article_id, s.article_id in (select id from night_added) as is_new
            from raw.link_shingles s where s.shingle in (select shingle from wanted))
        select distinct h1.article_id as a, h2.article_id as b
        from holders h1 join holders h2 on h1.shingle = h2.shingle and h1.article_id < h2.article_id
        join wanted w on w.shingle = h1.shingle
        where w.crossed or (h1.is_new or h2.is_new)""")
    store.execute("create or replace temp table cover (a varchar, b varchar, side varchar, start_char integer, end_char integer)")
    _coverage(store, "pair_todo")
    store.execute(f"""create or replace temp table kept_pairs as
        select a, b, sum(end_char - start_char) filter (where side = a) as chars_a,
               sum(end_char - start_char) filter (where side = b) as chars_b
        from cover group by a, b
        having chars_a >= greatest({min_shared_chars}, 1) and chars_b >= greatest({min_shared_chars}, 1)""")
    kept = store.read("kept_pairs", """
        select k.a, k.b, k.chars_a, k.chars_b, la.text_chars, lb.text_chars from kept_pairs k
        join raw.link_articles la on la.article_id = k.a join raw.link_articles lb on lb.article_id = k.b""")
    store.execute("""delete from raw.article_overlaps o where exists (
        select 1 from pair_todo p where p.a = o.article_a and p.b = o.article_b)""")
    store.insert_records("raw.article_overlaps", [
        Overlap(a, b, chars_a, chars_b, _share(chars_a, text_a), _share(chars_b, text_b))
        for a, b, chars_a, chars_b, text_a, text_b in sorted(kept)], Overlap)
    (compared,) = store.con.execute("select count(*) from pair_todo").fetchone()
    return {"shingles_indexed": indexed, "pairs_compared": compared, "pairs_kept": len(kept), **_reprints_night(store)}


def _reprints_night(store: Store) -> dict[str, int]:
    """Update the reprint rows and spans of the articles whose kept pairs changed.

    An earlier article that only gained partners (new articles) adds their intervals to its
    stored union; one that lost a partner, or shares a shingle that crossed the boilerplate limit,
    has its union worked out again from all its kept pairs.
    """
    store.execute("""create or replace temp table night_redo as
        select id from (select a as id from pair_todo where a not in (select id from night_added)
                                                        and b not in (select id from night_added)
                        union select b from pair_todo where a not in (select id from night_added)
                                                       and b not in (select id from night_added)
                        union select id from night_partners)
        where id in (select article_id from raw.link_articles)""")
    store.execute("""create or replace temp table night_grown as
        select id from (select a as id from kept_pairs union select b from kept_pairs)
        where id not in (select id from night_added) and id not in (select id from night_redo)
          and id in (select article_id from raw.link_articles)""")
    store.execute("""create or replace temp table partner_pairs as
        select article_a as a, article_b as b from raw.article_overlaps
        where article_a in (select id from night_redo) or article_b in (select id from night_redo)""")
    store.execute("""create or replace temp table partner_todo as
        select a, b from partner_pairs except select a, b from pair_todo""")
    _coverage(store, "partner_todo")
    store.execute("""create or replace temp table night_reprinted as
        select id from night_redo union select id from night_grown
        union select id from night_added where id in (select article_id from raw.link_articles)""")
    store.execute("""create or replace temp table reprint_parts as
        select article_id, start_char, end_char from raw.link_reprint_spans
        where article_id in (select id from night_grown)
        union all
        select c.side, c.start_char, c.end_char
        from cover c join (select a, b from kept_pairs union select a, b from partner_pairs) k
          on c.a = k.a and c.b = k.b
        where c.side in (select id from night_reprinted)""")
    store.execute(f"""create or replace temp table reprint_merged as
        {_islands("select article_id, start_char, end_char from reprint_parts", "article_id")}""")
    store.execute("""delete from raw.article_reprints where article_id in (select id from night_reprinted)
                     or article_id in (select id from night_removed)""")
    store.execute("""delete from raw.link_reprint_spans where article_id in (select id from night_reprinted)
                     or article_id in (select id from night_removed)""")
    store.execute("""insert into raw.link_reprint_spans (article_id, start_char, end_char)
        select article_id, start_char, end_char from reprint_merged""")
    store.execute("""insert into raw.article_reprints (article_id, text_chars, reprinted_chars)
        select r.id, l.text_chars, coalesce(sum(m.end_char - m.start_char), 0)
        from night_reprinted r join raw.link_articles l on l.article_id = r.id
        left join reprint_merged m on m.article_id = r.id group by r.id, l.text_chars""")
    (compared, changed) = store.con.execute(
        "select (select count(*) from partner_todo), (select count(*) from night_reprinted)").fetchone()
    return {"partner_pairs_compared": compared, "reprint_rows": changed}


def store_reprint_spans(store: Store, spans: dict[str, list[tuple[int, int]]]) -> None:
    store.insert_rows("raw.link_reprint_spans", ("article_id", "start_char", "end_char"),
                      [(a, start, end) for a in sorted(spans) for start, end in spans[a]])


def _islands(spans_sql: str, partition: str) -> str:
    """The spans of `spans_sql` (..., start_char, end_char) merged per `partition` into disjoint
    intervals, touching ones joined, as `overlaps._merge` does."""
    return f"""
        with spans as ({spans_sql}),
        marked as (
            select *, max(end_char) over (partition by {partition} order by start_char, end_char
                                          rows between unbounded preceding and 1 preceding) as reach
            from spans),
        islands as (
            select *, sum(case when reach is null or start_char > reach then 1 else 0 end)
                      over (partition by {partition} order by start_char, end_char
                            rows between unbounded preceding and current row) as island
            from marked)
        select {partition}, min(start_char) as start_char, max(end_char) as end_char
        from islands group by {partition}, island"""


def _coverage(store: Store, pairs_table: str) -> None:
    """Append to temp table `cover` (a, b, side, start_char, end_char) the merged character
    intervals of each side of the pairs in `pairs_table(a, b)` covered by the shingles the pair
    shares that at most MAX_SHINGLE_ARTICLES articles hold, COVERAGE_BATCH_PAIRS pairs at a time
    (each pair's intervals depend on its own shingles only)."""
    store.execute(f"""create or replace temp table cover_batches as
        select a, b, (row_number() over (order by a, b) - 1) // {COVERAGE_BATCH_PAIRS} as batch from {pairs_table}""")
    (batches,) = store.con.execute("select coalesce(max(batch) + 1, 0) from cover_batches").fetchone()
    for batch in range(batches):
        store.execute(f"create or replace temp table cover_pairs as select a, b from cover_batches where batch = {batch}")
        _coverage_of(store, "cover_pairs")


def _coverage_of(store: Store, pairs_table: str) -> None:
    spans = f"""
        with x as (select distinct shingle, article_id from raw.link_shingles
                   where article_id in (select a from {pairs_table} union select b from {pairs_table})),
        shared as (
            select p.a, p.b, xa.shingle from {pairs_table} p
            join x xa on xa.article_id = p.a
            join x xb on xb.article_id = p.b and xb.shingle = xa.shingle),
        usable as (
            select shingle from raw.link_shingles where shingle in (select shingle from shared)
            group by shingle having count(distinct article_id) <= {MAX_SHINGLE_ARTICLES})
        select s.a, s.b, i.article_id as side, i.start_char, i.end_char
        from shared s join raw.link_shingles i on i.shingle = s.shingle and i.article_id in (s.a, s.b)
        where s.shingle in (select shingle from usable)"""
    store.execute(f"insert into cover {_islands(spans, 'a, b, side')}")
