"""The entity registry, night by night: relink only the blocks the night's mentions touch.

The night's new mentions (NER, quote speakers, name-scan candidates of its new articles) are
stored (raw.link_mentions), their forms with their blocking keys (`blocks`, `mention_forms`); the mentions of articles that stopped being current
(a newer version of their file arrived) are removed. The keys both touch are closed over
raw.link_name_forms (every stored form sharing a key brings in its other keys: the mentions of
a form share its keys, so this is the closure over the mentions, in far fewer rows). Links outside the
closure cannot change: nothing they were compared or counted with changed. Within it, the parts
whose decisions the night leaves standing (`steady_blocks`: read as forms, not mentions) only
gain the links of the night's mentions; in the other parts, only the earlier articles whose
forms need a decision the night changed are read and linked again beside the part's other
forms (`moved_links`), and their new links replace their old ones.
"""

from __future__ import annotations

from extractors.linking.blocks import MENTION_COLUMNS, StoredMention, block_keys, stored_mentions
from extractors.linking.label_blocks import link_alone, update_forms
from extractors.linking.mention_forms import add_forms, remove_forms
from extractors.linking.entities import EntityLink
from extractors.linking.moved_links import moved_links
from extractors.linking.name_scan import name_candidates
from extractors.linking.names import Mention
from extractors.linking.steady_blocks import steady_links
from extractors.linking.store import Store, ner_rows
from extractors.rules import Rules


def night_mentions(ner: list[tuple], quotes: list[tuple]) -> list[Mention]:
    """NER mentions, and every named quote speaker as a mention at its quote.

    A speaker is keyed by its quote's offsets: one speaker mention ("he said") may serve
    several quotes, and each quote needs its own link.
    """
    mentions = [Mention(a, s, e, text, label, "entity") for a, s, e, text, label in ner]
    mentions += [
        Mention(article_id, start, end, speaker, speaker_type or "PERSON", "speaker")
        for _, article_id, start, end, _, speaker, speaker_type in quotes
        if speaker
    ]
    return mentions


def store_mentions(store: Store, stored: list[StoredMention]) -> None:
    store.insert_rows("raw.link_mentions", MENTION_COLUMNS, [
        (s.mention_id, s.mention.article_id, s.mention.start_char, s.mention.end_char, s.mention.text,
         s.mention.label, s.mention.source, s.scan_surname)
        for s in stored
    ])


def state_for(texts: dict[str, str], mentions: list[Mention], rules: Rules) -> list[StoredMention]:
    """The stored mentions of some articles: their linkable mentions and name-scan candidates."""
    return stored_mentions(mentions, name_candidates(texts, mentions, rules), rules)


def relink_night(store: Store, rules: Rules, texts: dict[str, str], quotes: list[tuple]) -> dict[str, int]:
    """Update raw.entity_links for the articles in night_added / night_removed.

    `texts` and `quotes` are the night's new articles and their quotes (first-seen order).
    """
    removed = [StoredMention(r[0], Mention(*r[1:7]), r[7], block_keys(Mention(*r[1:7]), rules, r[7]))
               for r in store.read("removed_mentions", f"""
                   select {', '.join(MENTION_COLUMNS)} from raw.link_mentions
                   where article_id in (select id from night_removed)""")]
    store.execute("delete from raw.link_mentions where article_id in (select id from night_removed)")
    store.execute("delete from raw.entity_links where article_id in (select id from night_removed)")
    remove_forms(store, removed)

    stored = state_for(texts, night_mentions(ner_rows(store, "night_added"), quotes), rules)
    store_mentions(store, stored)
    steady = update_forms(store, stored, removed, rules)
    store.insert_records("raw.entity_links", link_alone(stored, steady, rules), EntityLink)
    seeds = {block for s in stored + removed for block in s.blocks} - set(steady)

    closure = _close(store, seeds)
    touched = [[s for s in mentions if not set(s.blocks) <= set(steady)] for mentions in (stored, removed)]
    night_links, changed = steady_links(store, rules, *touched)
    add_forms(store, stored)  # after the forms of the earlier articles are read
    store.insert_records("raw.entity_links", night_links, EntityLink)
    links, members = moved_links(store, rules, changed)
    store.insert_rows("closure_links_key", ("article_id", "start_char", "end_char", "source", "mention_text"),
                      [(m.mention.article_id, m.mention.start_char, m.mention.end_char, m.mention.source,
                        m.mention.text) for m in members])
    store.execute("""delete from raw.entity_links l where exists (
        select 1 from closure_links_key k
        where k.article_id = l.article_id and k.start_char = l.start_char and k.end_char = l.end_char
          and k.source = l.source and k.mention_text = l.mention_text)""")
    store.insert_records("raw.entity_links", links, EntityLink)
    return {"blocks_touched": closure, "label_blocks_steady": len(steady),
            "blocks_relinked": len({b for part, _, _ in changed for b in part.blocks()}),
            "articles_relinked": len({m.mention.article_id for m in members}),
            "mentions_relinked": len(members), "mentions_new": len(stored)}


def _close(store: Store, seeds: set[str]) -> int:
    """Fill closure_blocks with every block reachable from the seeds through shared forms.

    Each round starts from the blocks the previous one added (the frontier), not the whole
    closure. The night's own forms are not in raw.link_name_forms yet: every block of theirs is
    a seed, so the blocks they join are joined already.
    """
    store.execute("create or replace temp table closure_blocks (block varchar)")
    store.insert_rows("closure_blocks", ("block",), [(b,) for b in sorted(seeds)])
    store.execute("create or replace temp table closure_frontier as select block from closure_blocks")
    store.execute("""create or replace temp table closure_links_key (
        article_id varchar, start_char integer, end_char integer, source varchar, mention_text varchar)""")
    size = len(seeds)
    while True:
        store.execute("""
            create or replace temp table closure_frontier as
            with reached as (
                select distinct form_id from raw.link_name_forms
                where block in (select block from closure_frontier))
            select distinct f.block from raw.link_name_forms f
            where f.form_id in (select form_id from reached)
              and f.block not in (select block from closure_blocks)""")
        (grown,) = store.con.execute("select count(*) from closure_frontier").fetchone()
        if not grown:
            return size
        store.execute("insert into closure_blocks select block from closure_frontier")
        size += grown
