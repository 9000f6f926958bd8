"""Blocking keys of entity mentions: which mentions can change each other's links.

`link_entities` only ever compares or counts mentions that share one of these keys:

- `s|<word>`        PERSON aliases ending in the word (full names: the surname block; one-word
                    aliases: the surname they may attach to), one-word ORG aliases (they may be
                    relabelled as that surname), and name-scan candidates needing that surname;
- `p|<first>|<del>` strong PERSON full names by first name and each one-letter deletion of the
                    surname (the surname_spelling block);
- `o|<label>|<key>` non-person aliases, clustered by label and alias key.

So the links of a set of mentions closed under shared keys (every mention sharing a key with a
member is a member) are the same whether `link_entities` sees that set or everything: the
incremental night links within the closure of the keys its new and removed mentions touch
(`incremental_entities`), and a name-scan candidate counts there when a full name of the
closure has its surname (its `s|surname` key brings in every full name with that surname).
"""

from __future__ import annotations

from dataclasses import dataclass

from extractors.linking.name_matching import deletion_keys, is_initial
from extractors.linking.names import LINKED_LABELS, PERSON, Mention, normalise
from extractors.records import stable_id
from extractors.rules import Rules

_SEP = "\x1f"
MENTION_COLUMNS = ("mention_id", "article_id", "start_char", "end_char", "mention_text", "label", "source",
                   "scan_surname")  # of raw.link_mentions


@dataclass(frozen=True)
class StoredMention:
    """A linkable mention as kept in raw.link_mentions, with its blocking keys."""

    mention_id: str
    mention: Mention
    scan_surname: str | None  # for name-scan candidates: the surname that makes them count
    blocks: tuple[str, ...]


def block_keys(mention: Mention, rules: Rules, scan_surname: str | None = None) -> tuple[str, ...]:
    """The blocking keys of one mention; empty when `link_entities` would skip it."""
    if mention.label not in LINKED_LABELS:
        return ()
    alias = normalise(mention, rules)
    if alias is None:
        return ()
    key = alias.key
    blocks: set[str] = set()
    if mention.label == PERSON:
        blocks.add(_SEP.join(("s", key[-1])))
        if len(key) >= 2 and not is_initial(key[0]) and len(key[-1]) >= 5:
            blocks.update(_SEP.join(("p", key[0], variant)) for variant in deletion_keys(key[-1]))
    else:
        blocks.add(_SEP.join(("o", mention.label, *key)))
        if mention.label == "ORG" and len(key) == 1:
            blocks.add(_SEP.join(("s", key[0])))
    if scan_surname is not None:
        blocks.add(_SEP.join(("s", scan_surname)))
    return tuple(sorted(blocks))


def stored_mentions(
    mentions: list[Mention], candidates: list[tuple[Mention, str]], rules: Rules
) -> list[StoredMention]:
    """The mentions and name-scan candidates worth keeping (those with blocking keys), with ids.

    Identical mentions in one article are numbered, so each keeps its own id.
    """
    seen: dict[tuple, int] = {}
    stored: list[StoredMention] = []
    items = [(m, None) for m in mentions] + list(candidates)
    for mention, surname in items:
        blocks = block_keys(mention, rules, surname)
        if not blocks:
            continue
        identity = (mention.article_id, mention.start_char, mention.end_char, mention.text,
                    mention.label, mention.source)
        nth = seen[identity] = seen.get(identity, -1) + 1
        stored.append(StoredMention(stable_id("mention", *map(str, identity), str(nth)), mention, surname, blocks))
    return stored
