"""Claims, night by night: place the night's quotes, redescribe only the claims that changed.

Claims never cross speakers, and a new quote can only join a claim through a wording of its own
speaker that has its exact words or shares a searchable word pair with it. The speaker blocks'
word-pair index is kept in DuckDB (raw.link_claim_quotes: every current quote with a claim, its
speaker block and wording; raw.link_claim_pairs: the distinct word pairs of each), so a night
reads, per block it touches, only:

- how many wordings of the block hold each of the night's pairs (a pair held by more than
  `MAX_PAIR_POSTINGS` is not searched, as in a full run);
- the wordings holding a searchable pair or the exact words of a night's quote (each with the
  claim and quote of its first occurrence, in first-seen order);
- the longest wording of each claim those wordings belong to.

From these `SpeakerBlock.seed` builds the part of each block the night can reach, and
`place_claims` places the night's quotes as a full run would. The unnamed quotes (no named, or no
linked, speaker) are one block like any other: a night no longer reads all of them.

A night first drops the state of articles that stopped being current and moves the quotes whose
speaker the registry linked to another entity tonight (both in SQL). Claim variants are then
recomputed for the claims that gained occurrences (new quotes) or lost them (quotes of articles
a newer version replaced, or of articles extracted again: raw.link_stale_claims), from each
claim's distinct wordings and their counts (summed in SQL), not from all its members.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace

from extractors.linking.claim_blocks import SpeakerBlock, Words, new_claim_id, place_claims, word_pairs
from extractors.linking.claims import (
    MAX_PAIR_POSTINGS,
    ClaimAssignment,
    ClaimVariant,
    Occurrence,
    StatementRules,
    describe_wordings,
    statement_words,
    variant_id,
)
from extractors.linking.store import QUOTE_ORDER, Store
from extractors.quote_spans import normalize_statement
from extractors.work_schema import CURRENT_ARTICLES

_SPEAKER_LINK = """left join raw.entity_links l
    on l.source = 'speaker' and l.article_id = q.article_id
   and l.start_char = q.start_char and l.end_char = q.end_char"""
UNNAMED = ""  # the block of quotes with no linked speaker


def store_claim_state(store: Store, quotes: list[tuple[str, str, str | None, Words, str, str]]) -> None:
    """Index (quote_id, article_id, speaker key, statement words, claim_id, text) of placed quotes."""
    store.insert_rows("raw.link_claim_quotes",
                      ("quote_id", "article_id", "block", "wording", "n_words", "claim_id", "surface"),
                      [(q, a, k or UNNAMED, " ".join(w), len(w), c, normalize_statement(t))
                       for q, a, k, w, c, t in quotes])
    store.insert_rows("raw.link_claim_pairs", ("block", "pair", "quote_id"),
                      [(k or UNNAMED, f"{x} {y}", q) for q, _, k, w, _, _ in quotes for x, y in sorted(word_pairs(w))])


def _update_state(store: Store) -> None:
    """Drop the state of articles that stopped being current; move relinked speakers' quotes."""
    store.execute("""delete from raw.link_claim_pairs where quote_id in (select quote_id from raw.link_claim_quotes
                     where article_id in (select id from night_removed))""")
    store.execute("delete from raw.link_claim_quotes where article_id in (select id from night_removed)")
    store.execute(f"""create or replace temp table claim_moved as
        select s.quote_id, coalesce(l.entity_id, '{UNNAMED}') as block
        from raw.link_claim_quotes s join raw.quotes q using (quote_id) {_SPEAKER_LINK}
        where s.block <> coalesce(l.entity_id, '{UNNAMED}')""")
    for table in ("link_claim_quotes", "link_claim_pairs"):
        store.execute(f"""update raw.{table} t set block = m.block from claim_moved m
                          where t.quote_id = m.quote_id""")


def _seed_blocks(store: Store, pending: list[tuple[Occurrence, Words]]) -> tuple[dict, dict[str, str]]:
    """The part of each speaker block the pending quotes can reach, and the texts of its first
    occurrences (for telling same words from normalised ones)."""
    wordings = sorted({(o.speaker_key or UNNAMED, " ".join(w), new_claim_id(o.speaker_key, w)) for o, w in pending})
    pairs = sorted({(o.speaker_key or UNNAMED, f"{x} {y}") for o, w in pending for x, y in word_pairs(w)})
    store.execute("create or replace temp table claim_night_wordings (block varchar, wording varchar, claim_id varchar)")
    store.insert_rows("claim_night_wordings", ("block", "wording", "claim_id"), wordings)
    store.execute("create or replace temp table claim_night_pairs (block varchar, pair varchar)")
    store.insert_rows("claim_night_pairs", ("block", "pair"), pairs)
    store.execute("""create or replace temp table claim_held as
        select p.block, p.pair, count(distinct s.wording) as n
        from raw.link_claim_pairs p join claim_night_pairs n on n.block = p.block and n.pair = p.pair
        join raw.link_claim_quotes s on s.quote_id = p.quote_id
        group by p.block, p.pair""")
    held_rows = store.read("claim_pair_counts", "select block, pair, n from claim_held")
    store.execute(f"""create or replace temp table claim_first as
        with found as (
            select distinct p.block, s.wording
            from raw.link_claim_pairs p join claim_held h on h.block = p.block and h.pair = p.pair
            join raw.link_claim_quotes s on s.quote_id = p.quote_id
            where h.n <= {MAX_PAIR_POSTINGS}
            union
            select s.block, s.wording from raw.link_claim_quotes s
            join claim_night_wordings n on n.block = s.block and n.wording = s.wording)
        select s.block, s.wording, s.claim_id, s.quote_id, q.quote_text,
               row_number() over (order by {QUOTE_ORDER}) as position
        from raw.link_claim_quotes s join found f on f.block = s.block and f.wording = s.wording
        join raw.quotes q on q.quote_id = s.quote_id join raw.articles a on a.article_id = s.article_id
        qualify row_number() over (partition by s.block, s.wording order by {QUOTE_ORDER}) = 1""")
    first = store.read("claim_wordings", """select block, wording, claim_id, quote_id, quote_text
                                              from claim_first order by position""")
    longest = store.read("claim_longest", f"""
        with wanted as (select block, claim_id from claim_first union select block, claim_id from claim_night_wordings)
        select s.block, s.claim_id, s.wording
        from raw.link_claim_quotes s join wanted w on w.block = s.block and w.claim_id = s.claim_id
        join raw.quotes q on q.quote_id = s.quote_id join raw.articles a on a.article_id = s.article_id
        qualify row_number() over (partition by s.block, s.claim_id order by s.n_words desc, {QUOTE_ORDER}) = 1""")

    held: dict[str, dict] = defaultdict(dict)
    for block, pair, n in held_rows:
        held[block][tuple(pair.split(" "))] = n
    stored: dict[str, list] = defaultdict(list)
    for block, wording, claim_id, quote_id, _ in first:
        stored[block].append((tuple(wording.split()), claim_id, quote_id))
    longest_of: dict[str, dict] = defaultdict(dict)
    for block, claim_id, wording in longest:
        longest_of[block][claim_id] = tuple(wording.split())
    blocks: dict[str | None, SpeakerBlock] = {}
    for key in {o.speaker_key for o, _ in pending}:
        blocks[key] = SpeakerBlock()
        blocks[key].seed(held[key or UNNAMED], stored[key or UNNAMED], longest_of[key or UNNAMED])
    return blocks, {quote_id: text for _, _, _, quote_id, text in first}


def claims_night(store: Store, rules: StatementRules, run_id: str) -> dict[str, int]:
    """Assign the night's new quotes (night_added) to claims and refresh the changed claims."""
    _update_state(store)
    rows = store.read("night_quotes", f"""
        select q.quote_id, q.article_id, l.entity_id, q.quote_text, c.claim_id
        from raw.quotes q
        inner join ({CURRENT_ARTICLES}) a using (article_id)
        {_SPEAKER_LINK}
        left join raw.claim_assignments c using (quote_id)
        where q.article_id in (select id from night_added)
        order by {QUOTE_ORDER}""")
    words = {quote_id: statement_words(text, rules) for quote_id, _, _, text, _ in rows}
    store_claim_state(store, [(q, a, k, words[q], c, t) for q, a, k, t, c in rows if c is not None])
    pending = [(Occurrence(q, k, text), words[q]) for q, _, k, text, c in rows if c is None]
    new: list[ClaimAssignment] = []
    if pending:
        blocks, surface_of = _seed_blocks(store, pending)
        new = place_claims(pending, blocks, surface_of | {o.quote_id: o.text for o, _ in pending})
    store.insert_records("raw.claim_assignments", new, ClaimAssignment, run_id=run_id)
    claim_of = {a.quote_id: a.claim_id for a in new}
    store_claim_state(store, [(q, a, k, words[q], claim_of[q], t) for q, a, k, t, c in rows if c is None])
    claim_of |= {q: c for q, _, _, _, c in rows if c is not None}

    store.execute("""create or replace temp table night_claims as
        select distinct claim_id from raw.claim_assignments
        where quote_id in (select quote_id from raw.quotes
                           where article_id in (select id from night_added union select id from night_removed))
        union select claim_id from raw.link_stale_claims""")
    # Each changed claim's distinct wordings as printed, with their counts and first positions.
    wordings = store.read("claim_variant_wordings", f"""
        with m as (
            select s.claim_id, s.surface, row_number() over (order by {QUOTE_ORDER}) as position
            from raw.link_claim_quotes s join raw.quotes q on q.quote_id = s.quote_id
            join raw.articles a on a.article_id = s.article_id
            where s.claim_id in (select claim_id from night_claims))
        select claim_id, surface, count(*), min(position) from m group by claim_id, surface""")
    by_claim: dict[str, dict[str, int]] = defaultdict(dict)
    counts: Counter[tuple[str, str]] = Counter()
    for claim_id, surface, n, position in wordings:
        by_claim[claim_id][surface] = position
        counts[claim_id, surface] = n
    variants = describe_wordings(by_claim, counts, rules)
    store.execute("delete from raw.claim_variants where claim_id in (select claim_id from night_claims)")
    store.insert_records("raw.claim_variants", [replace(v, changed_words=list(v.changed_words)) for v in variants],
                         ClaimVariant)
    # A quote's variant id depends only on its claim and wording: only the night's quotes change.
    store.execute("""delete from raw.quote_variants where quote_id in (select quote_id from raw.quotes
                     where article_id in (select id from night_removed union select id from night_added))""")
    store.insert_rows("raw.quote_variants", ("quote_id", "variant_id"), sorted(
        (q, variant_id(claim_of[q], normalize_statement(t))) for q, _, _, t, _ in rows))
    return {
        "claims_new": len({a.claim_id for a in new if a.match_rule == "new"}),
        "claims_redescribed": len(by_claim),
    }
