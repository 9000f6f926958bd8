"""Blocks of places, groups and multi-word organisations: linked from their name counts alone.

A GPE, NORP, FAC or LOC mention, or an ORG mention of more than one word, has one blocking key,
`o|<label>|<alias key>`, and no other: its link depends only on which way of writing that alias
is the most frequent (the entity's canonical name). raw.link_forms keeps, for each such block,
how often each way of writing it occurs. A night adds and removes its mentions' counts; when a
block's canonical name stays the same, only the night's new mentions need links, so the
block's earlier mentions (every "Russia" ever printed) are never read. When it changes, every
link of the block changes with it: the block goes with the other touched blocks, and its
articles are relinked (`moved_links`: their forms need the changed canonical name).
"""

from __future__ import annotations

from collections import Counter

from extractors.linking.blocks import _SEP, StoredMention
from extractors.linking.entities import EntityLink
from extractors.linking.names import normalise
from extractors.records import stable_id
from extractors.rules import Rules
from extractors.linking.store import Store


def is_label_block(block: str) -> bool:
    parts = block.split(_SEP)
    return parts[0] == "o" and (parts[1] != "ORG" or len(parts) > 3)


def forms(stored: list[StoredMention], rules: Rules) -> Counter[tuple[str, str]]:
    """(block, alias as written) -> mentions, for the mentions in label blocks."""
    counted: Counter[tuple[str, str]] = Counter()
    for s in stored:
        if len(s.blocks) == 1 and is_label_block(s.blocks[0]):
            counted[s.blocks[0], normalise(s.mention, rules).display] += 1
    return counted


def canonical(written: dict[str, int]) -> str | None:
    """The most frequent way of writing, ties alphabetical (as `link_entities` chooses)."""
    kept = {d: n for d, n in written.items() if n > 0}
    return min(kept, key=lambda d: (-kept[d], d)) if kept else None


def store_forms(store: Store, counted: Counter[tuple[str, str]]) -> None:
    store.insert_rows("raw.link_forms", ("block", "display", "n"),
                      [(b, d, n) for (b, d), n in sorted(counted.items()) if n > 0])


def update_forms(store: Store, added: list[StoredMention], removed: list[StoredMention],
                 rules: Rules) -> dict[str, str]:
    """Apply the night's counts to raw.link_forms; returns the label blocks whose canonical name
    stays the same, with that name (their new mentions can be linked alone)."""
    delta = forms(added, rules)
    delta.subtract(forms(removed, rules))
    blocks = sorted({b for b, _ in delta})
    store.temp_ids("night_forms", blocks)
    before: dict[str, dict[str, int]] = {b: {} for b in blocks}
    for block, display, n in store.read("forms", """
            select block, display, n from raw.link_forms where block in (select id from night_forms)"""):
        before[block][display] = n
    after = {b: dict(before[b]) for b in blocks}
    for (block, display), n in delta.items():
        after[block][display] = after[block].get(display, 0) + n
    store.execute("delete from raw.link_forms where block in (select id from night_forms)")
    store_forms(store, Counter({(b, d): n for b in blocks for d, n in after[b].items()}))
    steady = {}
    for block in blocks:
        name = canonical(before[block])
        if name is not None and name == canonical(after[block]):
            steady[block] = name
    return steady


def link_alone(stored: list[StoredMention], steady: dict[str, str], rules: Rules) -> list[EntityLink]:
    """Links of the new mentions in steady label blocks, as `link_entities` makes them: "exact"
    when written as the canonical name (ignoring case), else "same_name"."""
    links = []
    for s in stored:
        if len(s.blocks) != 1 or s.blocks[0] not in steady:
            continue
        name = steady[s.blocks[0]]
        display = normalise(s.mention, rules).display
        exact = display.casefold() == name.casefold()
        m = s.mention
        links.append(EntityLink(
            article_id=m.article_id, start_char=m.start_char, end_char=m.end_char, mention_text=m.text,
            source=m.source, entity_id=stable_id(m.label, name), canonical_name=name, entity_type=m.label,
            match_rule="exact" if exact else "same_name", matched_alias=display if exact else name,
        ))
    return links
