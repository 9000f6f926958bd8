"""A part of the night's closure whose decisions change: relink only the articles they can move.

`steady_blocks` links a part of the closure from its forms twice, before and after the night,
and keeps the earlier links when every decision stands. When some change (typically the
night's full names make a surname known that earlier articles printed bare or only the name
scan found), only some earlier links can move: a mention's link depends on the registry's
decisions (`entities.Registry.decisions`) and its own article's mentions, so an earlier
article whose forms need no changed decision keeps its links. This module finds, from the
part's forms, the forms that need a changed decision (`_needs`), reads the articles holding
one (`raw.link_mentions`, by form), and links the part again with those articles' mentions
beside the other forms (their counts less the articles' own): the changed decisions are then
those of a full relink, and the loop repeats until no other article needs one.

Which decisions a form needs (the rest of its article is relinked with it):
- every form: the way its key is written (`display`), a scanned form its confirmation (`scan`);
- a full name: its person (`cluster`), its evidence, the way the person and the matched name
  are written, and for a quote speaker the person's first speaker alias (`speaker`);
- a bare surname: the surname's people in order (`order`: a newcomer named in no earlier
  article that leaves the earlier people's order, first place and rule alone stands), and for
  each earlier one the name a surname matches and the way both are written.

People named only by scanned names (`scanned only`) are the one kind whose decision cannot be
bounded by the forms alone: such a person is kept by a bare surname in an article printing one
of its scanned names, and a background form says only whether its mentions had links
(`Form.kept`), not which article kept them. So when an article holding one of its names is
relinked or removed, or a first-pass decision about one of its surnames changes, every article
holding one of its names is relinked: the whole person, not the whole part (unless no earlier
article prints one of its surnames bare and none of its names was kept: then only the night's
articles, linked anyway, can keep it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from extractors.linking.blocks import MENTION_COLUMNS, StoredMention
from extractors.linking.entities import EntityLink, Registry
from extractors.linking.names import NAME_SCAN, PERSON, Key, Mention, normalise
from extractors.linking.steady_blocks import Form, Part, link_part, order_stands
from extractors.linking.store import Store
from extractors.records import stable_id
from extractors.rules import Rules

_MISSING = object()


def moved_links(store: Store, rules: Rules, changed: list[tuple[Part, Registry, Registry]]
                ) -> tuple[list[EntityLink], list[StoredMention]]:
    """Links of the night's mentions in the changed parts and of the earlier mentions relinked
    with them (whose stored links they replace), and those earlier mentions."""
    links: list[EntityLink] = []
    relinked: list[StoredMention] = []
    for part, before, after in changed:
        part_links, members = _relink_part(store, rules, part, before, after)
        links += part_links
        relinked += members
    return links, relinked


def _identity(mention: Mention, scan_surname: str | None) -> tuple:
    return (mention.text, mention.label, mention.source, scan_surname)


def _relink_part(store: Store, rules: Rules, part: Part, before: Registry,
                 after: Registry) -> tuple[list[EntityLink], list[StoredMention]]:
    index = {_identity(f.mention, f.scan_surname): i for i, f in enumerate(part.forms)}
    keys = [_key(f.mention, rules) for f in part.forms]
    _temp_forms(store, "moved_part_forms", part.forms)
    store.temp_ids("moved_held", ())
    held: dict[str, list[StoredMention]] = {}  # relinked article -> its mentions in the part
    gone_keys = {_key(s.mention, rules) for s in part.removed}
    # Surnames an earlier article prints bare (what may keep a person named only by scanned
    # names), and the scanned names kept so far.
    bare = {key[0] for mention, key in [*zip((f.mention for f in part.forms), keys),
                                        *((s.mention, _key(s.mention, rules)) for s in part.removed)]
            if key is not None and len(key) == 1 and mention.label == PERSON and mention.source != NAME_SCAN}
    kept = {key for form, key in zip(part.forms, keys) if form.kept}
    while True:
        members = [s for article in sorted(held) for s in held[article]]
        held_keys = {keys[index[_identity(s.mention, s.scan_surname)]] for s in members}
        wanted = _moved_forms(part.forms, keys, before.decisions, after.decisions, held_keys | gone_keys,
                              bare, kept)
        articles = _holders(store, [part.forms[i] for i in sorted(wanted)])
        if not articles:
            return after.links, members
        for s in _mentions(store, articles):
            held.setdefault(s.mention.article_id, []).append(s)
        store.temp_ids("moved_held", held)
        members = [s for article in sorted(held) for s in held[article]]
        after, _ = link_part(part.added + members, _background(part.forms, members), rules)


def _key(mention: Mention, rules: Rules) -> Key | None:
    alias = normalise(mention, rules)
    return None if alias is None else alias.key


def _background(forms: list[Form], members: list[StoredMention]) -> list[Form]:
    """The forms less the relinked mentions. A form's first mention may be one of them: it is then
    linked at that place, and the form's other mentions sort after it, so the order is kept."""
    taken = Counter(_identity(s.mention, s.scan_surname) for s in members)
    kept = [(f, f.n - taken[_identity(f.mention, f.scan_surname)]) for f in forms]
    return [replace(f, n=n) for f, n in kept if n > 0]


def _changed(before: dict, after: dict) -> set[tuple]:
    """The decisions that differ (made on one side only included), but a surname's people gaining
    newcomers behind them (`steady_blocks.order_stands`), and a scanned name that is not kept on
    either side (unconfirmed, or not scanned for: its surname unknown)."""
    changed = set()
    for what in before.keys() | after.keys():
        # A scanned name not confirmed has no link and counts in no article, as one not scanned.
        missing = False if what[0] == "scan" else _MISSING
        was, now = before.get(what, missing), after.get(what, missing)
        if was == now:
            continue
        if what[-2] == "order" and was is not _MISSING and now is not _MISSING:
            prefix = what[:-2]
            if order_stands(was, now, lambda k, prefix=prefix: (*prefix, "display", PERSON, k) in before):
                continue
        changed.add(what)
    return changed


def _needs(form: Form, key: Key, before: dict, after: dict) -> set[tuple]:
    """The decisions the links of a form's mentions depend on (with their own article's mentions)."""
    label = form.mention.label
    needs: set[tuple] = {("display", label, key)}
    if label != PERSON:
        return needs
    if form.mention.source == NAME_SCAN:
        needs.add(("scan", key))
    if len(key) >= 2:
        needs |= {("cluster", key), ("evidence", key)}
        for side in (before, after):
            person = side.get(("cluster", key))
            evidence = side.get(("evidence", key))
            if evidence is not None:
                needs.add(("display", PERSON, evidence[0]))
            if person is not None:
                needs.add(("display", PERSON, person))
                name = side.get(("display", PERSON, person))
                if form.mention.source == "speaker" and name is not None:
                    needs.add(("speaker", stable_id(PERSON, name)))
        return needs
    surname = key[0]
    needs.add(("order", surname))
    # While the order stands, a bare surname outside the relinked articles joins one of the
    # earlier people (a newcomer is named in none of its article's names).
    for person in before.get(("order", surname), ()):
        needs |= {("matched", person, surname), ("display", PERSON, person)}
        matched = before.get(("matched", person, surname))
        if matched is not None:
            needs.add(("display", PERSON, matched))
    return needs


def _moved_forms(forms: list[Form], keys: list[Key | None], before: dict, after: dict,
                 held_keys: set, bare: set[str], kept: set[Key]) -> set[int]:
    """The forms whose articles must be relinked: those needing a changed decision, and every
    name of a person named only by scanned names whose confirmation may change."""
    changed = _changed(before, after)
    wanted = {i for i, (form, key) in enumerate(zip(forms, keys))
              if key is not None and _needs(form, key, before, after) & changed}
    first = [_first_pass(before), _first_pass(after)]
    touched = _surnames(_changed(*first), first)
    for side in first:
        for person, names in _members(side).items():
            surnames = {k[-1] for k in names}
            if not side.get(("scanned only", person)) or not (surnames & touched or names & held_keys):
                continue
            # No earlier article can keep a person none of them prints bare and none has kept:
            # the night's articles alone decide, and they are linked.
            if surnames & bare or names & kept:
                wanted |= {i for i, key in enumerate(keys) if key in names}
    return wanted


def _first_pass(decisions: dict) -> dict:
    """The first pass's decisions (`entities.link_registry`): those keyed "pass1", or, when no
    person is named only by scanned names (no second pass), the person decisions themselves."""
    first = {what[1:]: d for what, d in decisions.items() if what[0] == "pass1"}
    return first or {what: d for what, d in decisions.items()
                     if what[0] in {"cluster", "evidence", "order", "matched"} or what[:2] == ("display", PERSON)}


def _members(side: dict) -> dict[Key, set[Key]]:
    people: dict[Key, set[Key]] = {}
    for what, person in side.items():
        if what[0] == "cluster":
            people.setdefault(person, set()).add(what[1])
    return people


def _surnames(changed: set[tuple], sides: list[dict]) -> set[str]:
    """The surnames changed first-pass decisions are about (a person's: all its names')."""
    members = [_members(side) for side in sides]
    surnames: set[str] = set()
    for what in changed:
        kind = what[0]
        if kind == "display":
            surnames.add(what[2][-1])
        elif kind in {"order", "matched"}:
            surnames.add(what[-1])
        elif kind in {"cluster", "evidence", "scanned only"}:
            surnames.add(what[1][-1])
            people = {side.get(what) for side in sides} if kind == "cluster" else {what[1]}
            for person in people - {None}:
                for names in members:
                    surnames |= {k[-1] for k in names.get(person, ())}
    return surnames


_MATCH = """m.mention_text = f.mention_text and m.label = f.label and m.source = f.source
             and coalesce(m.scan_surname, '') = f.scan_surname"""


def _temp_forms(store: Store, table: str, forms: list[Form]) -> None:
    store.execute(f"""create or replace temp table {table} (
        mention_text varchar, label varchar, source varchar, scan_surname varchar)""")
    store.insert_rows(table, ("mention_text", "label", "source", "scan_surname"),
                      [(f.mention.text, f.mention.label, f.mention.source, f.scan_surname or "") for f in forms])


def _holders(store: Store, forms: list[Form]) -> set[str]:
    """The earlier articles (not the night's, nor those relinked already) holding a mention of
    one of the forms."""
    if not forms:
        return set()
    _temp_forms(store, "moved_forms", forms)
    rows = store.read("moved_articles", f"""
        select distinct m.article_id from raw.link_mentions m join moved_forms f on {_MATCH}
        where m.article_id not in (select id from night_added) and m.article_id not in (select id from moved_held)""")
    return {article for (article,) in rows}


def _mentions(store: Store, articles: set[str]) -> list[StoredMention]:
    """The articles' mentions in the part (of one of its forms)."""
    store.temp_ids("moved_article_ids", articles)
    columns = ", ".join(f"m.{c}" for c in MENTION_COLUMNS)
    rows = store.read("closure_mentions", f"""
        select {columns} from raw.link_mentions m join moved_part_forms f on {_MATCH}
        where m.article_id in (select id from moved_article_ids)""")
    return [StoredMention(r[0], Mention(*r[1:7]), r[7], ()) for r in rows]
