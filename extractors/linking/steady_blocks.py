"""Blocks a night leaves standing: link the night's mentions from the blocks' forms, not their mentions.

A surname block of a name printed every day ("Trump", "GOP") holds every mention ever loaded,
but what `link_entities` decides for it depends on far less: the ways each name is written and
how often, the full names and their counts, the first speaker alias of each person
(`entities.link_registry`); a mention's link depends on those and on its own article's
mentions. So, per connected part of the night's closure (blocks joined by shared mentions),
the earlier articles' mentions are read as forms (mention text, label, source, scan surname:
one row per form with its count and first mention, bounded by the distinct names, not the
mentions), with whether a scanned form kept its links, and the part is linked twice: with the
night's new articles (after), and with the articles the night removed (before). When every
decision the earlier mentions depend on stands, their links stand and only the night's own
mentions are linked; otherwise the part goes, with its decisions before the night, to
`moved_links`, which relinks only the earlier articles whose links a changed decision can move.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from extractors.linking.blocks import StoredMention, block_keys
from extractors.linking.entities import EntityLink, Registry, link_registry
from extractors.linking.name_scan import known_surnames
from extractors.linking.names import NAME_SCAN, PERSON, Mention
from extractors.linking.store import Store
from extractors.rules import Rules


@dataclass(frozen=True)
class Form:
    mention: Mention  # the form's first mention (sorted by article and offsets)
    scan_surname: str | None
    n: int  # its mentions
    blocks: tuple[str, ...]
    kept: bool  # a scanned form whose mentions have links (the person it names was kept)


@dataclass
class Part:
    """A connected part of the closure: the night's and the removed articles' mentions in it,
    and the forms of the other mentions."""

    added: list[StoredMention]
    removed: list[StoredMention]
    forms: list[Form]

    def blocks(self) -> set[str]:
        return {b for s in self.added + self.removed + self.forms for b in s.blocks}


def steady_links(store: Store, rules: Rules, added: list[StoredMention],
                 removed: list[StoredMention]) -> tuple[list[EntityLink], list[tuple[Part, Registry, Registry]]]:
    """The links of the night's mentions in the parts of the closure (closure_blocks) the night
    leaves standing, and the other parts with their registries before and after the night."""
    links: list[EntityLink] = []
    changed: list[tuple[Part, Registry, Registry]] = []
    for part in _parts(added, removed, _forms(store, rules, {s.mention.article_id for s in added})):
        (after, active), (before, was_active) = link_part(part.added, part.forms, rules), link_part(part.removed, part.forms, rules)
        # An earlier scanned name whose surname became known (or unknown) tonight gains (loses) its
        # links; a removed article that kept a person named only by scanned names may have been
        # the only one.
        if active != was_active or before.confirms or not _stands(before.decisions, after.decisions):
            changed.append((part, before, after))
        else:
            night = {s.mention.article_id for s in part.added}
            links += [link for link in after.links if link.article_id in night]
    return links, changed


def _stands(before: dict, after: dict) -> bool:
    """Whether every decision of before that after still makes is the same. A decision after no
    longer makes is about a key, surname or person no earlier mention still has: the entries an
    earlier mention's link depends on exist after (its own keys, its people) and are compared.
    A surname's people may gain newcomers (`order_stands`)."""
    for what, decided in before.items():
        now = after.get(what, decided)
        if now == decided:
            continue
        if what[-2] != "order":
            return False
        prefix = what[:-2]  # ("pass1",) for the first pass's people

        def earlier(key: tuple, prefix: tuple = prefix) -> bool:
            return (*prefix, "display", PERSON, key) in before

        if not order_stands(decided, now, earlier):
            return False
    return True


def order_stands(before: tuple, after: tuple, earlier) -> bool:
    """A bare surname in an earlier article joins the first of the surname's people (in this
    order) with the most full-name mentions in the article. A person whose name (canonical key)
    no earlier mention had is named in no earlier article (had an earlier name of theirs joined,
    its entry would have changed), so the choice stays while the earlier people keep their
    order and the first place (what an article naming none of them takes), and the rule
    (surname_only for one person, surname_ambiguous for more) stays."""
    old = set(before)
    newcomers = [k for k in after if k not in old]
    return (tuple(k for k in after if k in old) == before and bool(before) and after[0] == before[0]
            and (len(before) > 1 or len(after) == 1) and not any(earlier(k) for k in newcomers))


def link_part(mentions: list[StoredMention], forms: list[Form], rules: Rules) -> tuple[Registry, frozenset[int]]:
    """`link_registry` of the mentions beside the forms, name-scan candidates kept when a
    non-scanned full name of the part has their surname (as `link_entities` keeps them: the
    part holds every full name of a candidate's surname), and which scanned forms are kept so."""
    known = known_surnames([s.mention for s in mentions + forms if s.mention.source != NAME_SCAN], rules)
    kept = [s.mention for s in mentions if s.mention.source != NAME_SCAN or s.scan_surname in known]
    active = [f for f in forms if f.mention.source != NAME_SCAN or f.scan_surname in known]
    registry = link_registry(kept, [(f.mention, f.n) for f in active], rules,
                             kept_scans={i for i, f in enumerate(active) if f.kept})
    return registry, frozenset(i for i, f in enumerate(forms) if f.mention.source == NAME_SCAN and f.scan_surname in known)


def _forms(store: Store, rules: Rules, skipped: set[str]) -> list[Form]:
    """The forms of the closure's mentions but the skipped articles' (the night's): read from
    raw.link_name_forms, which does not hold the night's mentions yet (`mention_forms`)."""
    store.temp_ids("form_skip", skipped)
    rows = store.read("closure_forms", """
        with forms as (
            select distinct on (form_id) * from raw.link_name_forms
            where form_id in (select form_id from raw.link_name_forms where block in (select block from closure_blocks))),
        kept as (
            select distinct mention_text from raw.entity_links
            where source = 'name_scan' and article_id not in (select id from form_skip)
              and mention_text in (select mention_text from forms where source = 'name_scan'))
        select mention_text, label, source, scan_surname, n,
               {'a': first_article_id, 's': first_start, 'e': first_end},
               source = 'name_scan' and mention_text in (select mention_text from kept)
        from forms""")
    forms = []
    for text, label, source, scan, n, first, kept in rows:
        mention = Mention(first["a"], first["s"], first["e"], text, label, source)
        forms.append(Form(mention, scan, n, block_keys(mention, rules, scan), kept))
    return forms


def _parts(added: list[StoredMention], removed: list[StoredMention], forms: list[Form]) -> list[Part]:
    """Group everything by the connected parts of the blocks it shares."""
    parent: dict[str, str] = {}

    def find(block: str) -> str:
        parent.setdefault(block, block)
        while parent[block] != block:
            parent[block] = parent[parent[block]]
            block = parent[block]
        return block

    groups = (("added", added), ("removed", removed), ("forms", forms))
    for _, items in groups:
        for item in items:
            for block in item.blocks[1:]:
                first, other = find(item.blocks[0]), find(block)
                if first != other:
                    parent[max(first, other)] = min(first, other)
    parts: dict[str, Part] = defaultdict(lambda: Part([], [], []))
    for name, items in groups:
        for item in items:
            getattr(parts[find(item.blocks[0])], name).append(item)
    return [parts[root] for root in sorted(parts)]
