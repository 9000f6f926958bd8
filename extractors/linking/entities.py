"""One registry of people and organisations across all articles, every merge with its evidence.

`link_entities(mentions, rules)` takes every NER mention and quote speaker of every article and
returns one `EntityLink` per mention: the entity it belongs to, the rule that matched it and the
alias it was matched to. Only the labels PERSON, ORG, GPE, NORP, FAC and LOC are linked; other
labels (DATE, MONEY, ...) are skipped and not returned.

The parts, one module each: `names` (mentions and their normalised aliases), `name_matching`
(the rules between full names, their blocking and clustering), `people` (the people's clusters
and the person a one-word alias joins), `name_scan` (names the NER missed); this module puts
them together and links the other labels.

ORG / GPE / NORP / FAC / LOC
    A one-word ORG mention that the same article uses as a person's surname joins that person
    (rule "surname_other_label"): the small NER tags "Trump" PERSON in one sentence and ORG in the
    next, and some articles tag every "Conway" or "Hollande" ORG. The article uses the word as a
    surname when it tags the word PERSON at least as often as ORG, or when it quotes a person
    of that surname by full name (a quote speaker such as "Kellyanne Conway": the attribution
    layer read the word as that person in the article's own sentences).
    Otherwise mentions are clustered by (label, alias key): ORG "the Kremlin" and ORG "Kremlin" are one
    entity, GPE "Georgia" and PERSON "Georgia" are not. canonical_name is the most frequent
    alias as written, ties alphabetical. The rule is "exact" (alias equals the canonical name
    ignoring case) or "same_name" (equal key, written differently, e.g. accents or "US"/"U.S.").

Determinism
    Mentions are sorted first and every choice breaks ties on content, so the same mentions in any
    order give the same links; `entity_id` is `stable_id(entity_type, canonical_name)`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from extractors.linking.names import LINKED_LABELS, NAME_SCAN, PERSON, Alias, Key, Mention, normalise
from extractors.linking.people import (
    Evidence,
    People,
    build_people,
    decisions,
    display_forms,
    person_evidence,
    same_key_evidence,
)
from extractors.records import stable_id
from extractors.rules import Rules


@dataclass(frozen=True)
class EntityLink:
    article_id: str
    start_char: int
    end_char: int
    mention_text: str
    source: str
    entity_id: str
    canonical_name: str
    entity_type: str
    match_rule: str
    matched_alias: str


def _link(alias: Alias, evidence: Evidence, display: Mapping[Key, str]) -> EntityLink:
    mention = alias.mention
    canonical_name = display[evidence.entity_key]
    matched_alias = alias.display if evidence.rule == "exact" else display[evidence.matched]
    return EntityLink(
        article_id=mention.article_id,
        start_char=mention.start_char,
        end_char=mention.end_char,
        mention_text=mention.text,
        source=mention.source,
        entity_id=stable_id(mention.label, canonical_name),
        canonical_name=canonical_name,
        entity_type=mention.label,
        match_rule=evidence.rule,
        matched_alias=matched_alias,
    )


def _link_people(aliases: list[Alias]) -> tuple[list[EntityLink], dict[Key, str], People]:
    """Links of the aliases (of background forms too: meaningful for full names, whose link does
    not depend on the article), with the display forms and people they were made from."""
    display = display_forms(aliases)
    people = build_people(aliases, display)
    return [_link(a, person_evidence(a, people, display), display) for a in aliases], display, people


def _sort_key(mention: Mention) -> tuple[str, int, int, str, str, str]:
    return (
        mention.article_id,
        mention.start_char,
        mention.end_char,
        mention.source,
        mention.label,
        mention.text,
    )


def _link_sort_key(link: EntityLink) -> tuple[str, int, int, str, str, str]:
    return (
        link.article_id,
        link.start_char,
        link.end_char,
        link.source,
        link.entity_type,
        link.mention_text,
    )


def link_entities(mentions: Iterable[Mention], rules: Rules) -> list[EntityLink]:
    """Link every mention with a kept label and a non-empty alias to one cross-article entity."""
    return link_registry(mentions, [], rules).links


@dataclass(frozen=True)
class Registry:
    links: list[EntityLink]  # of the mentions to link, as `link_entities` of all would link them
    # What the link of any other mention depends on besides its own article's mentions, keyed by
    # what it is about (a key, a surname, a person): a mention whose article's keys keep their
    # entries across a change of the background keeps its link.
    decisions: dict[tuple, object]
    # People named only by scanned names whom the mentions' own bare surnames keep (see below).
    confirms: frozenset[str]


def link_registry(
    mentions: Iterable[Mention], background: Sequence[tuple[Mention, int]], rules: Rules,
    kept_scans: Collection[int] = (),
) -> Registry:
    """Link whole articles' mentions beside a background of other articles' mentions of the same
    blocks, given only by their forms: one mention of each form (its first in sorted order) and
    how many mentions it stands for. The background counts wherever `link_entities` counts
    across articles (ways of writing, full names and their counts, the first speaker alias of a
    person); its articles' own choices are left out but one: whether a person named only by
    scanned names is kept, which a bare surname in the scanned name's article decides. For the
    background that is given, as `kept_scans` (the scanned forms whose mentions were kept), and
    holds while the first pass's decisions (keyed "pass1") stand; `confirms` says which such
    people the mentions' own articles keep."""
    items = [(m, 1, None) for m in mentions] + [(m, n, i) for i, (m, n) in enumerate(background)]
    by_label: dict[str, list[Alias]] = defaultdict(list)
    for mention, n, form in sorted(items, key=lambda item: _sort_key(item[0])):
        if mention.label not in LINKED_LABELS:
            continue
        alias = normalise(mention, rules)
        if alias is not None:
            by_label[mention.label].append(replace(alias, n=n, form=form))
    person_aliases = by_label.pop(PERSON, [])
    people, display, found = _link_people(person_aliases)
    scanned_only = {stable_id(PERSON, display[c]) for c, total in found.totals.items() if total == 0}
    pairs = list(zip(person_aliases, people))
    confirmed = {link.entity_id for alias, link in pairs if link.source != NAME_SCAN
                 and (alias.form is None or len(alias.key) >= 2)}
    confirmed |= {link.entity_id for alias, link in pairs if alias.form in kept_scans and alias.form is not None}
    confirms = frozenset(link.entity_id for alias, link in pairs if alias.form is None and link.source != NAME_SCAN
                         and link.entity_id in scanned_only)
    unconfirmed = {alias.key for alias, link in pairs if link.source == NAME_SCAN and link.entity_id not in confirmed}
    scanned = [a for a in person_aliases if a.mention.source == NAME_SCAN]
    decided: dict[tuple, object] = {}
    if scanned_only:
        decided |= {("pass1", *what): d for what, d in decisions(found, display).items()}
        decided |= {("pass1", "scanned only", c): total == 0 for c, total in found.totals.items()}
    if unconfirmed:
        # Link the people again without the scanned names that founded entities of their own,
        # so that they do not make a surname look ambiguous either.
        person_aliases = [a for a in person_aliases if a.mention.source != NAME_SCAN or a.key not in unconfirmed]
        people, display, found = _link_people(person_aliases)
    linked = [(alias, link) for alias, link in zip(person_aliases, people) if alias.form is None]
    surname_of = {
        (link.article_id, alias.key[0]): link
        for alias, link in linked
        if len(alias.key) == 1 and link.match_rule in {"surname_only", "surname_ambiguous"}
    }
    as_person = Counter((a.mention.article_id, a.key[0]) for a, _ in linked if len(a.key) == 1)
    quoted, first_speaker = _quoted_people(person_aliases, people)
    links = [link for _, link in linked]
    others = {}
    for label in sorted(by_label):
        others[label] = other_display = display_forms(by_label[label])
        aliases = [a for a in by_label[label] if a.form is None]
        own = [_link(a, same_key_evidence(a, a.key, other_display), other_display) for a in aliases]
        links.extend(_relabel_surnames(aliases, own, surname_of, as_person, quoted))
    decided |= decisions(found, display)
    decided |= {("scan", a.key): a.key not in unconfirmed for a in scanned}
    decided |= {("display", label, k): d for label, other in others.items() for k, d in other.items()}
    decided |= {("speaker", e): (l.canonical_name, l.matched_alias) for e, l in first_speaker.items()}
    return Registry(sorted(links, key=_link_sort_key), decided, confirms)


def _quoted_people(
    aliases: list[Alias], links: list[EntityLink]
) -> tuple[dict[tuple[str, str], EntityLink], dict[str, EntityLink]]:
    """(article, surname) -> the person of that surname the article quotes by full name, and each
    quoted person's link as the relabelled mentions take it (from its first speaker alias).

    When the article quotes several people of one surname, the most quoted wins, ties by
    canonical name. Speaker mentions share the `s|<surname>` block with one-word ORG mentions,
    so the incremental night sees the same choice.
    """
    quoted: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    by_entity: dict[str, EntityLink] = {}
    for alias, link in zip(aliases, links):
        if alias.mention.source == "speaker" and len(alias.key) >= 2:
            if alias.form is None:
                quoted[link.article_id, alias.key[-1]][link.entity_id] += 1
            by_entity.setdefault(link.entity_id, replace(link, matched_alias=alias.display))
    chosen = {
        key: by_entity[min(counts, key=lambda e: (-counts[e], by_entity[e].canonical_name, e))]
        for key, counts in quoted.items()
    }
    return chosen, by_entity


def _relabel_surnames(
    aliases: list[Alias],
    links: list[EntityLink],
    surname_of: Mapping[tuple[str, str], EntityLink],
    as_person: Counter[tuple[str, str]],
    quoted: Mapping[tuple[str, str], EntityLink],
) -> list[EntityLink]:
    """A one-word ORG mention that the same article uses as a person's surname.

    The NER tags "Trump" PERSON in one sentence and ORG in the next; when the article itself
    attaches the word to a person ("Trump" -> Donald Trump, surname rules) at least as often as
    it tags it ORG, or quotes a person of that surname by full name ("Conway told CBS" where the
    quote's speaker is Kellyanne Conway), the ORG tag is taken for a slip and the mention joins
    that person (rule "surname_other_label"). Places and groups are never relabelled ("Israel"
    is not Steve Israel), nor is a word the article mostly tags ORG and quotes no one by
    ("GOP", "Ford" beside an unquoted Gerald Ford).
    """
    as_org = Counter((a.mention.article_id, a.key[0]) for a in aliases if len(a.key) == 1 and a.mention.label == "ORG")
    relabelled = []
    for alias, link in zip(aliases, links):
        key = (link.article_id, alias.key[0])
        person = None
        if len(alias.key) == 1 and alias.mention.label == "ORG":
            person = (surname_of.get(key) if as_person[key] >= as_org[key] else None) or quoted.get(key)
        if person is None:
            relabelled.append(link)
            continue
        relabelled.append(replace(
            link,
            entity_id=person.entity_id,
            canonical_name=person.canonical_name,
            entity_type=PERSON,
            match_rule="surname_other_label",
            matched_alias=person.matched_alias,
        ))
    return relabelled
