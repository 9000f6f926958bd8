"""People: the full-name clusters of PERSON aliases, and the person a one-word alias joins.

PERSON rules of one-word aliases (`match_rule`)
    surname_only        a one-word alias ("Peskov", "Trump's") attached to the one full-name
                        entity with that surname.
    surname_ambiguous   the same, when several full-name entities share the surname (Donald,
                        Melania, Ivanka Trump): the one with most full-name mentions in the same
                        article wins, then the one with most full-name mentions overall, then the
                        alphabetically first canonical name.
    A one-word alias with no full name anywhere is its own entity ("exact"/"same_name").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from extractors.linking.name_matching import canonical_key, evidence_tree, link_full_names
from extractors.linking.names import NAME_SCAN, PERSON, Alias, Key


@dataclass(frozen=True)
class Evidence:
    entity_key: Key  # the canonical alias key of the entity
    rule: str
    matched: Key  # the alias key the mention was matched to


def display_forms(aliases: list[Alias]) -> dict[Key, str]:
    """The most frequent way each alias key is written, ties alphabetical."""
    forms: dict[Key, Counter[str]] = defaultdict(Counter)
    for alias in aliases:
        forms[alias.key][alias.display] += alias.n
    return {key: min(c, key=lambda d: (-c[d], d)) for key, c in forms.items()}


@dataclass(frozen=True)
class People:
    """The full-name clusters of PERSON aliases and what surname attachment needs."""

    cluster_of: dict[Key, Key]  # full-name alias key -> canonical alias key of its entity
    evidence: dict[Key, tuple[Key, str]]  # non-canonical full-name alias -> (matched key, rule)
    entities_by_surname: dict[str, list[Key]]  # surname -> canonical keys of entities with it
    members: dict[Key, list[Key]]  # canonical key -> its full-name alias keys
    counts: Counter[Key]  # mentions per full-name alias key
    totals: dict[Key, int]  # canonical key -> full-name mentions of its entity
    article_counts: Counter[tuple[str, Key]]  # (article, canonical key) -> full-name mentions


def build_people(aliases: list[Alias], display: Mapping[Key, str]) -> People:
    full = [a for a in aliases if len(a.key) >= 2]
    # Names found by the surname scan join entities but never outvote the NER's names.
    counts: Counter[Key] = Counter()
    for alias in full:
        if alias.mention.source != NAME_SCAN:
            counts[alias.key] += alias.n
    clusters, edges = link_full_names(sorted({a.key for a in full}))
    cluster_of: dict[Key, Key] = {}
    evidence: dict[Key, tuple[Key, str]] = {}
    members: dict[Key, list[Key]] = {}
    by_surname: dict[str, set[Key]] = defaultdict(set)
    for keys in clusters.clusters().values():
        canonical = canonical_key(keys, counts, display)
        members[canonical] = keys
        evidence.update(evidence_tree(canonical, edges))
        for key in keys:
            cluster_of[key] = canonical
            by_surname[key[-1]].add(canonical)
    # Per article, for the articles being linked (background forms have none).
    article_counts = Counter((a.mention.article_id, cluster_of[a.key]) for a in full if a.form is None)
    return People(
        cluster_of=cluster_of,
        evidence=evidence,
        entities_by_surname={s: sorted(c) for s, c in by_surname.items()},
        members=members,
        counts=counts,
        article_counts=article_counts,
        totals={c: sum(counts[k] for k in keys) for c, keys in members.items()},
    )


def _surname_evidence(alias: Alias, people: People, display: Mapping[Key, str]) -> Evidence | None:
    """Attach a one-word alias to a full-name entity with that surname, if there is one."""
    surname = alias.key[0]
    candidates = people.entities_by_surname.get(surname, [])
    if not candidates:
        return None

    def preference(canonical: Key) -> tuple[int, int, str]:
        in_article = people.article_counts[(alias.mention.article_id, canonical)]
        return (-in_article, -people.totals[canonical], display[canonical])

    chosen = min(candidates, key=preference)
    with_surname = [k for k in people.members[chosen] if k[-1] == surname]
    matched = canonical_key(with_surname, people.counts, display)
    rule = "surname_only" if len(candidates) == 1 else "surname_ambiguous"
    return Evidence(chosen, rule, matched)


def same_key_evidence(alias: Alias, canonical: Key, display: Mapping[Key, str]) -> Evidence:
    """An alias with the canonical alias key: 'exact', or 'same_name' when written differently."""
    if not alias.dropped and alias.display.casefold() == display[canonical].casefold():
        return Evidence(canonical, "exact", alias.key)
    return Evidence(canonical, "same_name", canonical)


def person_evidence(alias: Alias, people: People, display: Mapping[Key, str]) -> Evidence:
    if len(alias.key) >= 2:
        canonical = people.cluster_of[alias.key]
        if alias.key == canonical:
            return same_key_evidence(alias, canonical, display)
        matched, rule = people.evidence[alias.key]
        return Evidence(canonical, rule, matched)
    attached = _surname_evidence(alias, people, display)
    return attached or same_key_evidence(alias, alias.key, display)


def decisions(people: People, display: Mapping[Key, str]) -> dict[tuple, object]:
    """Everything a PERSON alias's link depends on besides its own article's aliases, by what it is
    about: the way each key is written, each full name's cluster and evidence, each surname's
    people in the order that breaks ties between them (empty: none), and the alias each person is
    matched to by a surname. A key's entries stay put unless something about that key changed."""
    decided: dict[tuple, object] = {("display", PERSON, k): d for k, d in display.items()}
    decided |= {("cluster", k): c for k, c in people.cluster_of.items()}
    decided |= {("evidence", k): e for k, e in people.evidence.items()}
    surnames = set(people.entities_by_surname) | {k[0] for k in display if len(k) == 1}
    for surname in surnames:
        candidates = people.entities_by_surname.get(surname, [])
        decided["order", surname] = tuple(sorted(candidates, key=lambda k: (-people.totals[k], display[k])))
        for c in candidates:
            with_surname = [k for k in people.members[c] if k[-1] == surname]
            decided["matched", c, surname] = canonical_key(with_surname, people.counts, display)
    return decided
