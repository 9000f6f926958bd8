"""Claims, night by night: place the night's quotes, redescribe only the claims that changed.

A new quote is compared only with the earlier quotes of its own speaker (claims never cross
speakers), read in first-seen order so that `assign_claims` builds the same speaker block, with
the same word-pair index, as a full run would. Claim variants are recomputed for the claims that
gained occurrences (new quotes) or lost them (quotes of articles a newer version replaced,
or of articles extracted again: raw.link_stale_claims).
"""

from __future__ import annotations

from dataclasses import replace

from extractors.linking.claims import (
    ClaimAssignment,
    ClaimVariant,
    Occurrence,
    StatementRules,
    assign_claims,
    describe_variants,
)
from extractors.linking.store import QUOTE_ORDER, Store
from extractors.warehouse import CURRENT_ARTICLES

_SPEAKER_LINK = """left join raw.entity_links l
    on l.source = 'speaker' and l.article_id = q.article_id
   and l.start_char = q.start_char and l.end_char = q.end_char"""


def claims_night(store: Store, rules: StatementRules, run_id: str) -> dict[str, int]:
    """Assign the night's new quotes (night_added) to claims and refresh the changed claims."""
    speakers = store.read("speakers", f"""
        select distinct l.entity_id from raw.quotes q {_SPEAKER_LINK}
        left join raw.claim_assignments c using (quote_id)
        where q.article_id in (select id from night_added) and c.quote_id is null""")
    keys = [k for (k,) in speakers]
    store.temp_ids("night_speakers", [k for k in keys if k is not None])
    unnamed = "or l.entity_id is null" if None in keys else ""
    rows = store.read("speaker_quotes", f"""
        select q.quote_id, l.entity_id, q.quote_text, c.claim_id
        from raw.quotes q
        inner join ({CURRENT_ARTICLES}) a using (article_id)
        {_SPEAKER_LINK}
        left join raw.claim_assignments c using (quote_id)
        where l.entity_id in (select id from night_speakers) {unnamed}
        order by {QUOTE_ORDER}""")
    occurrences = [Occurrence(quote_id, speaker, text) for quote_id, speaker, text, _ in rows]
    existing = {quote_id: claim for quote_id, _, _, claim in rows if claim is not None}
    new = assign_claims(occurrences, existing, rules)
    store.insert_records("raw.claim_assignments", new, ClaimAssignment, run_id=run_id)

    store.execute("""create or replace temp table night_claims as
        select distinct claim_id from raw.claim_assignments
        where quote_id in (select quote_id from raw.quotes
                           where article_id in (select id from night_added union select id from night_removed))
        union select claim_id from raw.link_stale_claims""")
    members = store.read("claim_members", f"""
        select q.quote_id, c.claim_id, q.quote_text
        from raw.quotes q
        inner join ({CURRENT_ARTICLES}) a using (article_id)
        inner join raw.claim_assignments c using (quote_id)
        where c.claim_id in (select claim_id from night_claims)
        order by {QUOTE_ORDER}""")
    variants, variant_of_quote = describe_variants(members, rules)
    store.execute("delete from raw.claim_variants where claim_id in (select claim_id from night_claims)")
    store.insert_records("raw.claim_variants", [replace(v, changed_words=list(v.changed_words)) for v in variants],
                         ClaimVariant)
    store.execute("""delete from raw.quote_variants where quote_id in (
        select quote_id from raw.quotes where article_id in (select id from night_removed))
        or quote_id in (select quote_id from raw.claim_assignments where claim_id in (select claim_id from night_claims))""")
    store.insert_rows("raw.quote_variants", ("quote_id", "variant_id"), sorted(variant_of_quote.items()))
    claims_before = {c for _, _, _, c in rows if c is not None}
    return {
        "claims_new": len({a.claim_id for a in new} - claims_before),
        "claims_redescribed": len({c for _, c, _ in members}),
    }
