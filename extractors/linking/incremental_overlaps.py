"""Reprinted copy, night by night, against the shingle index of earlier articles.

raw.link_shingles holds every 8-word window of every linked article: (hash, article, character
span). A night adds its new articles' windows and drops those of articles that stopped being
current, then recomputes only the article pairs whose shared, non-boilerplate shingles can have
changed:

- pairs of a new article and any article sharing a kept shingle with it;
- pairs of earlier articles sharing a shingle that crossed the boilerplate limit tonight (held
  by at most `MAX_SHINGLE_ARTICLES` articles before and more after, or the reverse).

Each pair's coverage is worked out from the index rows of the shingles it shares, exactly as
`find_overlaps` does from the texts, and the reprint rows of every article whose kept pairs
changed are recomputed from all its kept pairs. No earlier article's text is read.
"""

from __future__ import annotations

from collections import defaultdict

from extractors.linking.overlaps import (
    ArticleReprint,
    Overlap,
    _make_doc,
    _merge,
    _share,
    _total,
)
from extractors.linking.store import Store

SHINGLE_WORDS = 8
MAX_SHINGLE_ARTICLES = 50
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
    partners = {a for pair in store.read("overlaps", """
        select article_a, article_b from raw.article_overlaps
        where article_a in (select id from night_removed) or article_b in (select id from night_removed)""")
        for a in pair}
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
    pairs = {tuple(r) for r in store.read("pairs", "select a, b from pair_todo")}
    covered = _coverage(store, pairs)
    kept = {p for p in pairs if _kept(covered, p, min_shared_chars)}
    store.execute("""delete from raw.article_overlaps o where exists (
        select 1 from pair_todo p where p.a = o.article_a and p.b = o.article_b)""")
    store.temp_ids("night_partners", partners)
    text_chars = dict(store.read("article_chars", """select article_id, text_chars from raw.link_articles
        where article_id in (select a from pair_todo union select b from pair_todo union select id from night_added
                             union select id from night_partners)"""))
    store.insert_records("raw.article_overlaps", [_overlap(p, covered, text_chars) for p in sorted(kept)], Overlap)

    return {"shingles_indexed": indexed, **_reprints_night(store, pairs, kept, covered, set(added), partners,
                                                         text_chars)}


def _reprints_night(store: Store, pairs: set, kept: set, covered: dict, added: set[str], partners: set[str],
                    text_chars: dict[str, int]) -> dict[str, int]:
    """Update the reprint rows and spans of the articles whose kept pairs changed.

    An earlier article that only gained partners (new articles) adds their intervals to its
    stored union; one that lost a partner, or shares a shingle that crossed the boilerplate limit,
    has its union worked out again from all its kept pairs.
    """
    old_pairs = {p for p in pairs if not (set(p) & added)}
    redo = ({a for p in old_pairs for a in p} | partners) & set(text_chars)
    grown = ({a for p in kept for a in p} - added - redo) & set(text_chars)
    store.temp_ids("night_redo", redo)
    partner_pairs = {tuple(r) for r in store.read("overlaps", """
        select article_a, article_b from raw.article_overlaps
        where article_a in (select id from night_redo) or article_b in (select id from night_redo)""")}
    covered.update(_coverage(store, partner_pairs - pairs))
    store.temp_ids("night_grown", grown)
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for article_id, start, end in store.read("reprint_spans", """
            select article_id, start_char, end_char from raw.link_reprint_spans
            where article_id in (select id from night_grown)"""):
        spans[article_id].append((start, end))
    for a, b in (kept | partner_pairs):
        for side in (a, b):
            if side in redo or side in grown or side in added:
                spans[side].extend(covered[(a, b), side])
    changed = redo | grown | (added & set(text_chars))
    merged = {a: _merge(spans.get(a, [])) for a in sorted(changed)}
    store.temp_ids("night_reprinted", changed)
    store.execute("""delete from raw.article_reprints where article_id in (select id from night_reprinted)
                     or article_id in (select id from night_removed)""")
    store.execute("""delete from raw.link_reprint_spans where article_id in (select id from night_reprinted)
                     or article_id in (select id from night_removed)""")
    store.insert_records("raw.article_reprints", [
        ArticleReprint(a, text_chars[a], _total(intervals)) for a, intervals in merged.items()], ArticleReprint)
    store_reprint_spans(store, merged)
    return {"pairs_compared": len(pairs | partner_pairs), "reprint_rows": len(changed)}


def store_reprint_spans(store: Store, spans: dict[str, list[tuple[int, int]]]) -> None:
    store.insert_rows("raw.link_reprint_spans", ("article_id", "start_char", "end_char"),
                      [(a, start, end) for a in sorted(spans) for start, end in spans[a]])


def _coverage(store: Store, pairs: set[tuple[str, str]]) -> dict:
    """((a, b), side) -> merged character intervals of `side` covered by the pair's shared
    shingles that at most MAX_SHINGLE_ARTICLES articles hold."""
    store.execute("create or replace temp table cover_pairs (a varchar, b varchar)")
    store.insert_rows("cover_pairs", ("a", "b"), sorted(pairs))
    rows = store.read("shingle_spans", f"""
        with x as (select distinct shingle, article_id from raw.link_shingles
                   where article_id in (select a from cover_pairs union select b from cover_pairs)),
        shared as (
            select p.a, p.b, xa.shingle from cover_pairs p
            join x xa on xa.article_id = p.a
            join x xb on xb.article_id = p.b and xb.shingle = xa.shingle),
        usable as (
            select shingle from raw.link_shingles where shingle in (select shingle from shared)
            group by shingle having count(distinct article_id) <= {MAX_SHINGLE_ARTICLES}),
        spans as (
            select s.a, s.b, i.article_id as side, i.start_char, i.end_char
            from shared s join raw.link_shingles i on i.shingle = s.shingle and i.article_id in (s.a, s.b)
            where s.shingle in (select shingle from usable)),
        -- Merge each side's spans into disjoint intervals (touching ones join), as `_merge` does.
        marked as (
            select *, max(end_char) over (partition by a, b, side order by start_char, end_char
                                          rows between unbounded preceding and 1 preceding) as reach
            from spans),
        islands as (
            select *, sum(case when reach is null or start_char > reach then 1 else 0 end)
                      over (partition by a, b, side order by start_char, end_char
                            rows between unbounded preceding and current row) as island
            from marked)
        select a, b, side, min(start_char), max(end_char) from islands group by a, b, side, island""")
    covered: dict = defaultdict(list)
    for a, b, side, start, end in rows:
        covered[(a, b), side].append((start, end))
    for key in covered:
        covered[key] = _merge(covered[key])
    return covered


def _kept(covered: dict, pair: tuple[str, str], min_shared_chars: int) -> bool:
    a, b = pair
    chars_a, chars_b = _total(covered[pair, a]), _total(covered[pair, b])
    return chars_a > 0 and chars_b > 0 and chars_a >= min_shared_chars and chars_b >= min_shared_chars


def _overlap(pair: tuple[str, str], covered: dict, text_chars: dict[str, int]) -> Overlap:
    a, b = pair
    chars_a, chars_b = _total(covered[pair, a]), _total(covered[pair, b])
    return Overlap(a, b, chars_a, chars_b, _share(chars_a, text_chars[a]), _share(chars_b, text_chars[b]))
