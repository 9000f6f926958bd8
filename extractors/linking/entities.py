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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from extractors.linking.names import LINKED_LABELS, NAME_SCAN, PERSON, Alias, Key, Mention, normalise
from extractors.linking.people import Evidence, build_people, display_forms, person_evidence, same_key_evidence
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


def _link_people(aliases: list[Alias]) -> list[EntityLink]:
    display = display_forms(aliases)
    people = build_people(aliases, display)
    return [_link(a, person_evidence(a, people, display), display) for a in aliases]


def _link_other(aliases: list[Alias]) -> list[EntityLink]:
    """Non-person mentions of one label: one entity per alias key."""
    display = display_forms(aliases)
    return [_link(a, same_key_evidence(a, a.key, display), display) for a in aliases]


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
    by_label: dict[str, list[Alias]] = defaultdict(list)
    for mention in sorted(mentions, key=_sort_key):
        if mention.label not in LINKED_LABELS:
            continue
        alias = normalise(mention, rules)
        if alias is not None:
            by_label[mention.label].append(alias)
    person_aliases = by_label.pop(PERSON, [])
    people = _link_people(person_aliases)
    confirmed = {link.entity_id for link in people if link.source != NAME_SCAN}
    if any(link.source == NAME_SCAN and link.entity_id not in confirmed for link in people):
        # Link the people again without the scanned names that founded entities of their own,
        # so that they do not make a surname look ambiguous either.
        person_aliases = [
            alias for alias, link in zip(person_aliases, people)
            if link.source != NAME_SCAN or link.entity_id in confirmed
        ]
        people = _link_people(person_aliases)
    surname_of = {
        (link.article_id, alias.key[0]): link
        for alias, link in zip(person_aliases, people)
        if len(alias.key) == 1 and link.match_rule in {"surname_only", "surname_ambiguous"}
    }
    as_person = Counter((a.mention.article_id, a.key[0]) for a in person_aliases if len(a.key) == 1)
    quoted = _quoted_people(person_aliases, people)
    links = list(people)
    for label in sorted(by_label):
        links.extend(_relabel_surnames(by_label[label], _link_other(by_label[label]), surname_of, as_person,
                                       quoted))
    return sorted(links, key=_link_sort_key)


def _quoted_people(aliases: list[Alias], links: list[EntityLink]) -> dict[tuple[str, str], EntityLink]:
    """(article, surname) -> the person of that surname the article quotes by full name.

    When the article quotes several people of one surname, the most quoted wins, ties by
    canonical name. Speaker mentions share the `s|<surname>` block with one-word ORG mentions,
    so the incremental night sees the same choice.
    """
    quoted: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    by_entity: dict[str, EntityLink] = {}
    for alias, link in zip(aliases, links):
        if alias.mention.source == "speaker" and len(alias.key) >= 2:
            quoted[link.article_id, alias.key[-1]][link.entity_id] += 1
            by_entity.setdefault(link.entity_id, replace(link, matched_alias=alias.display))
    return {
        key: by_entity[min(counts, key=lambda e: (-counts[e], by_entity[e].canonical_name, e))]
        for key, counts in quoted.items()
    }


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
