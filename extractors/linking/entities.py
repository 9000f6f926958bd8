"""One registry of people and organisations across all articles, every merge with its evidence.

`link_entities(mentions, rules)` takes every NER mention and quote speaker of every article and
returns one `EntityLink` per mention: the entity it belongs to, the rule that matched it and the
alias it was matched to. Only the labels PERSON, ORG, GPE, NORP, FAC and LOC are linked; other
labels (DATE, MONEY, ...) are skipped and not returned.

Aliases
    Every mention is normalised to an alias: whitespace collapsed, punctuation stripped at both
    ends (a trailing full stop is kept on an abbreviation such as "U.S." or "J."), a possessive
    "'s" / "’s" / trailing apostrophe dropped, and a leading "the" dropped. For PERSON mentions,
    honorifics and title words at the front are dropped as well ("President Donald Trump" ->
    "Donald Trump", "Mr Peskov" -> "Peskov"); which words those are comes only from the rules
    data (`rules.is_honorific`, `rules.is_title`), never from this module. The last word of a
    name is kept unless it is an honorific ("Mr King" -> "King", "Mr" -> empty). A mention whose
    alias is empty is skipped. The alias keeps its capitalisation for display; comparisons use a
    key that ignores case, accents and full stops ("José", "Jose"; "J.D.", "JD").

PERSON rules (`match_rule`)
    exact               the alias is the entity's canonical name (ignoring case) and nothing was
                        dropped from its front; `matched_alias` is the mention's own alias.
    same_name           the alias has the canonical name's key but was written differently:
                        honorifics/titles dropped ("President Donald Trump"), other accents.
    middle_name         same first name and surname, one name has extra or initialled middle
                        names ("Donald J. Trump" ~ "Donald Trump").
    first_initial       the first name is an initial of the other's ("D. Peskov" ~ "Dmitry
                        Peskov"). An initial compatible with several people stays its own entity.
    first_name_spelling same surname; first names both >= 4 letters within Damerau-Levenshtein
                        distance 1 (longer name <= 6 letters) or 2 (longer) ("Dimitry" ~ "Dmitry").
                        A name that is the other plus one final letter is another name
                        (Paul/Paula, Eric/Erica), not a misspelling.
    surname_spelling    same first name; surnames both >= 5 letters within distance 1
                        ("Vladimir Puttin" ~ "Vladimir Putin").
    surname_only        a one-word alias ("Peskov", "Trump's") attached to the one full-name
                        entity with that surname.
    surname_ambiguous   the same, when several full-name entities share the surname (Donald,
                        Melania, Ivanka Trump): the one with most full-name mentions in the same
                        article wins, then the one with most full-name mentions overall, then the
                        alphabetically first canonical name.
    A one-word alias with no full name anywhere is its own entity ("exact"/"same_name").
    Middle names must be compatible for every rule (equal, or one an initial of the other, or
    missing). Matches between full names are transitive (union-find). Each mention's evidence is
    the edge by which its alias joined the entity, found by a breadth-first walk from the
    canonical alias, so a direct match to the canonical name is preferred.
    canonical_name: among the full names (>= 2 words) of the entity, the most mentioned alias,
    then the longest, then the alphabetically first; names with a full first name are preferred
    over names with only an initial. A PERSON is never merged with another label.

Blocking (never quadratic in the number of distinct names)
    Full names are compared only within a block: names sharing a surname key (middle_name,
    first_name_spelling, first_initial), and names sharing a first name and a surname
    deletion-neighbourhood key (surname_spelling: each surname plus every variant with one
    letter deleted; two surnames within distance 1 always share one). One-word aliases are looked
    up by surname in a dictionary.

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

Names the NER missed
    `find_missed_names` scans article texts for two capitalised words ending in the surname of a
    full name found elsewhere ("Dimitry Peskov", of which the small spaCy model tags only
    "Peskov"), so the spelling rules can see them (source "name_scan"). A scanned name may
    overlap an NER mention of its surname alone; both are then linked, and the marts count
    mentions by the place they end, so the place is counted once. `link_entities` keeps a scanned
    mention only when it joins an entity that has other, non-scanned mentions: a scan never
    founds an entity of its own ("Said Peskov" at the start of a sentence is dropped).

Determinism
    Mentions are sorted first and every choice breaks ties on content, so the same mentions in any
    order give the same links; `entity_id` is `stable_id(entity_type, canonical_name)`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from spacy.lang.en.stop_words import STOP_WORDS  # English function words, as data

from extractors.records import stable_id
from extractors.rules import Rules

LINKED_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"})
PERSON = "PERSON"

_APOSTROPHES = ("'", "’")
_POSSESSIVES = ("'s", "’s")
_ABBREVIATION = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]")  # "U.S" or "J" before a final "."

Key = tuple[str, ...]


@dataclass(frozen=True)
class Mention:
    article_id: str
    start_char: int
    end_char: int
    text: str
    label: str
    source: str  # "entity" (NER), "speaker" (a quote's speaker name) or "name_scan"


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


@dataclass(frozen=True)
class _Alias:
    """A mention with its normalised alias."""

    mention: Mention
    display: str  # the alias as written ("Donald Trump")
    key: Key  # comparison words: case-, accent- and full-stop-insensitive
    dropped: bool  # honorifics or titles (not just "the") were dropped from its front


@dataclass(frozen=True)
class _Evidence:
    entity_key: Key  # the canonical alias key of the entity
    rule: str
    matched: Key  # the alias key the mention was matched to


# ----- normalisation ---------------------------------------------------------------------------


def _strip_ends(text: str) -> str:
    start, end = 0, len(text)
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return text[start:end]


def _drop_possessive(text: str) -> str:
    """'Trump's' -> 'Trump', 'Jones'' -> 'Jones' (text has no trailing punctuation but quotes)."""
    if text.lower().endswith(_POSSESSIVES) and len(text) > 2 and text[-3].isalnum():
        return text[:-2]
    if text.endswith(_APOSTROPHES):
        return text[:-1]
    return text


def _clean_text(text: str) -> str:
    """Collapse whitespace, drop a possessive and punctuation at the ends, keep 'U.S.'."""
    text = " ".join(text.split())
    end = len(text)
    while end > 0 and not (text[end - 1].isalnum() or text[end - 1] in _APOSTROPHES):
        end -= 1
    kept_stop = text[end:].startswith(".")
    text = _strip_ends(_drop_possessive(text[:end]))
    if kept_stop and text and _ABBREVIATION.fullmatch(text.split()[-1]):
        text += "."
    return text


def _is_front_word(word: str, is_person: bool, rules: Rules) -> bool:
    if word.lower() == "the":
        return True
    return is_person and (rules.is_honorific(word) or rules.is_title(word))


def _strip_front(words: list[str], is_person: bool, rules: Rules) -> list[str]:
    """Drop 'the' (and for people honorifics, titles and function words the NER swept into
    the name: "Then Trump", "That Hillary") from the front, keeping a last name."""
    while len(words) > 1 and (_is_front_word(words[0], is_person, rules)
                              or (is_person and words[0].lower() in STOP_WORDS)):
        words = words[1:]
    if words and (words[0].lower() == "the" or (is_person and rules.is_honorific(words[0]))):
        return []
    return words


def _key_word(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.replace("’", "'"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _strip_ends(plain.casefold().replace(".", ""))


def _make_key(words: Iterable[str]) -> Key:
    return tuple(k for k in (_key_word(w) for w in words) if k)


def _normalise(mention: Mention, rules: Rules) -> _Alias | None:
    words = _clean_text(mention.text).split()
    kept = _strip_front(words, mention.label == PERSON, rules)
    key = _make_key(kept)
    if not key:
        return None
    dropped = any(w.lower() != "the" for w in words[: len(words) - len(kept)])
    return _Alias(mention, " ".join(kept), key, dropped=dropped)


# ----- name comparison -------------------------------------------------------------------------


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, or limit + 1 once it exceeds limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit and min(previous) >= limit:
            return limit + 1  # no later row (nor a transposition from this one) can recover
        before, previous = previous, current
    return min(previous[-1], limit + 1)


def _is_initial(word: str) -> bool:
    return len(word) == 1


def _words_compatible(a: str, b: str) -> bool:
    return a == b or (_is_initial(a) and b.startswith(a)) or (_is_initial(b) and a.startswith(b))


def _middles_compatible(a: Key, b: Key) -> bool:
    """The shorter list of middle names matches, in order, words of the longer one."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    matched = 0
    for word in long:
        if matched < len(short) and _words_compatible(short[matched], word):
            matched += 1
    return matched == len(short)


def _first_names_close(a: str, b: str) -> bool:
    if a == b or min(len(a), len(b)) < 4:
        return False
    shorter, longer = sorted((a, b), key=len)
    if len(longer) == len(shorter) + 1 and longer.startswith(shorter):
        return False  # a feminine or other derived form, not a misspelling: Paul/Paula, Eric/Erica
    limit = 1 if max(len(a), len(b)) <= 6 else 2
    return edit_distance(a, b, limit) <= limit


def _surnames_close(a: str, b: str) -> bool:
    return a != b and min(len(a), len(b)) >= 5 and edit_distance(a, b, 1) <= 1


def full_name_rule(a: Key, b: Key) -> str | None:
    """The rule that makes two different full names (first names not initials) one person."""
    if a == b or not _middles_compatible(a[1:-1], b[1:-1]):
        return None
    if a[-1] == b[-1]:
        if a[0] == b[0]:
            return "middle_name"
        return "first_name_spelling" if _first_names_close(a[0], b[0]) else None
    if a[0] == b[0] and _surnames_close(a[-1], b[-1]):
        return "surname_spelling"
    return None


def _initial_matches(weak: Key, strong: Key) -> bool:
    return (
        weak[-1] == strong[-1]
        and strong[0].startswith(weak[0])
        and _middles_compatible(weak[1:-1], strong[1:-1])
    )


def _deletion_keys(word: str) -> set[str]:
    """The word and every variant with one letter deleted."""
    return {word} | {word[:i] + word[i + 1:] for i in range(len(word))}


# ----- clustering of full names ----------------------------------------------------------------


class _UnionFind:
    """Clusters of alias keys; the root of a cluster is its smallest key."""

    def __init__(self, keys: Iterable[Key]):
        self.parent: dict[Key, Key] = {k: k for k in keys}

    def find(self, key: Key) -> Key:
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: Key, b: Key) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def clusters(self) -> dict[Key, list[Key]]:
        grouped: dict[Key, list[Key]] = defaultdict(list)
        for key in sorted(self.parent):
            grouped[self.find(key)].append(key)
        return grouped


def _candidate_pairs(strong: list[Key]) -> set[tuple[Key, Key]]:
    """Pairs of full names sharing a block: a surname, or a first name and a deletion key."""
    blocks: dict[tuple[str, ...], list[Key]] = defaultdict(list)
    for key in strong:
        blocks[("surname", key[-1])].append(key)
        if len(key[-1]) >= 5:
            for variant in _deletion_keys(key[-1]):
                blocks[("spelling", key[0], variant)].append(key)
    pairs: set[tuple[Key, Key]] = set()
    for members in blocks.values():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                pairs.add((min(a, b), max(a, b)))
    return pairs


def _link_full_names(
    full_names: list[Key],
) -> tuple[_UnionFind, dict[Key, list[tuple[Key, str]]]]:
    """Cluster full names; returns the clusters and the matching edges with their rules."""
    strong = [k for k in full_names if not _is_initial(k[0])]
    weak = [k for k in full_names if _is_initial(k[0])]
    clusters = _UnionFind(full_names)
    edges: dict[Key, list[tuple[Key, str]]] = defaultdict(list)
    for a, b in sorted(_candidate_pairs(strong)):
        rule = full_name_rule(a, b)
        if rule:
            clusters.union(a, b)
            edges[a].append((b, rule))
            edges[b].append((a, rule))
    by_surname: dict[str, list[Key]] = defaultdict(list)
    for key in strong:
        by_surname[key[-1]].append(key)
    for key in weak:
        matches = [s for s in by_surname.get(key[-1], []) if _initial_matches(key, s)]
        if len({clusters.find(s) for s in matches}) != 1:
            continue  # no candidate, or an initial shared by several people
        for match in matches:
            edges[key].append((match, "first_initial"))
            edges[match].append((key, "first_initial"))
        clusters.union(key, matches[0])
    return clusters, edges


def _canonical_key(members: list[Key], counts: Mapping[Key, int], display: Mapping[Key, str]) -> Key:
    """Most mentioned, then longest, then alphabetical; full first names before initials."""
    return min(
        members,
        key=lambda k: (_is_initial(k[0]), -counts[k], -len(display[k]), display[k]),
    )


def _evidence_tree(canonical: Key, edges: Mapping[Key, list[tuple[Key, str]]]) -> dict[Key, tuple[Key, str]]:
    """For every alias of a cluster, the alias (nearer the canonical one) it matched and the rule."""
    parents: dict[Key, tuple[Key, str]] = {}
    seen = {canonical}
    queue = deque([canonical])
    while queue:
        key = queue.popleft()
        for neighbour, rule in sorted(edges.get(key, [])):
            if neighbour not in seen:
                seen.add(neighbour)
                parents[neighbour] = (key, rule)
                queue.append(neighbour)
    return parents


# ----- people ----------------------------------------------------------------------------------


def _display_forms(aliases: list[_Alias]) -> dict[Key, str]:
    """The most frequent way each alias key is written, ties alphabetical."""
    forms: dict[Key, Counter[str]] = defaultdict(Counter)
    for alias in aliases:
        forms[alias.key][alias.display] += 1
    return {key: min(c, key=lambda d: (-c[d], d)) for key, c in forms.items()}


@dataclass(frozen=True)
class _People:
    """The full-name clusters of PERSON aliases and what surname attachment needs."""

    cluster_of: dict[Key, Key]  # full-name alias key -> canonical alias key of its entity
    evidence: dict[Key, tuple[Key, str]]  # non-canonical full-name alias -> (matched key, rule)
    entities_by_surname: dict[str, list[Key]]  # surname -> canonical keys of entities with it
    members: dict[Key, list[Key]]  # canonical key -> its full-name alias keys
    counts: Counter[Key]  # mentions per full-name alias key
    totals: dict[Key, int]  # canonical key -> full-name mentions of its entity
    article_counts: Counter[tuple[str, Key]]  # (article, canonical key) -> full-name mentions


def _build_people(aliases: list[_Alias], display: Mapping[Key, str]) -> _People:
    full = [a for a in aliases if len(a.key) >= 2]
    # Names found by the surname scan join entities but never outvote the NER's names.
    counts = Counter(a.key for a in full if a.mention.source != NAME_SCAN)
    clusters, edges = _link_full_names(sorted({a.key for a in full}))
    cluster_of: dict[Key, Key] = {}
    evidence: dict[Key, tuple[Key, str]] = {}
    members: dict[Key, list[Key]] = {}
    by_surname: dict[str, set[Key]] = defaultdict(set)
    for keys in clusters.clusters().values():
        canonical = _canonical_key(keys, counts, display)
        members[canonical] = keys
        evidence.update(_evidence_tree(canonical, edges))
        for key in keys:
            cluster_of[key] = canonical
            by_surname[key[-1]].add(canonical)
    article_counts = Counter((a.mention.article_id, cluster_of[a.key]) for a in full)
    return _People(
        cluster_of=cluster_of,
        evidence=evidence,
        entities_by_surname={s: sorted(c) for s, c in by_surname.items()},
        members=members,
        counts=counts,
        article_counts=article_counts,
        totals={c: sum(counts[k] for k in keys) for c, keys in members.items()},
    )


def _surname_evidence(alias: _Alias, people: _People, display: Mapping[Key, str]) -> _Evidence | None:
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
    matched = _canonical_key(with_surname, people.counts, display)
    rule = "surname_only" if len(candidates) == 1 else "surname_ambiguous"
    return _Evidence(chosen, rule, matched)


def _same_key_evidence(alias: _Alias, canonical: Key, display: Mapping[Key, str]) -> _Evidence:
    """An alias with the canonical alias key: 'exact', or 'same_name' when written differently."""
    if not alias.dropped and alias.display.casefold() == display[canonical].casefold():
        return _Evidence(canonical, "exact", alias.key)
    return _Evidence(canonical, "same_name", canonical)


def _person_evidence(alias: _Alias, people: _People, display: Mapping[Key, str]) -> _Evidence:
    if len(alias.key) >= 2:
        canonical = people.cluster_of[alias.key]
        if alias.key == canonical:
            return _same_key_evidence(alias, canonical, display)
        matched, rule = people.evidence[alias.key]
        return _Evidence(canonical, rule, matched)
    attached = _surname_evidence(alias, people, display)
    return attached or _same_key_evidence(alias, alias.key, display)


# ----- assembly --------------------------------------------------------------------------------


def _link(alias: _Alias, evidence: _Evidence, display: Mapping[Key, str]) -> EntityLink:
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


def _link_people(aliases: list[_Alias]) -> list[EntityLink]:
    display = _display_forms(aliases)
    people = _build_people(aliases, display)
    return [_link(a, _person_evidence(a, people, display), display) for a in aliases]


def _link_other(aliases: list[_Alias]) -> list[EntityLink]:
    """Non-person mentions of one label: one entity per alias key."""
    display = _display_forms(aliases)
    return [_link(a, _same_key_evidence(a, a.key, display), display) for a in aliases]


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


NAME_SCAN = "name_scan"
# Two capitalised words in a row, overlapping matches included ("Mr Dimitry Peskov").
_NAME_PAIR = re.compile(r"(?=\b([A-Z][\w’'-]*)[ ]([A-Z][\w’'-]*)\b)")


def find_missed_names(texts: Mapping[str, str], mentions: Iterable[Mention], rules: Rules) -> list[Mention]:
    """Two capitalised words ending in a known surname, where no mention already is."""
    mentions = list(mentions)
    surnames = known_surnames(mentions, rules)
    return [m for m, surname in name_candidates(texts, mentions, rules) if surname in surnames]


def known_surnames(mentions: Iterable[Mention], rules: Rules) -> set[str]:
    """Surname keys of the PERSON full names among the mentions (what the name scan looks for)."""
    surnames: set[str] = set()
    for mention in mentions:
        if mention.label == PERSON:
            alias = _normalise(mention, rules)
            if alias is not None and len(alias.key) >= 2:
                surnames.add(alias.key[-1])
    return surnames


def name_candidates(
    texts: Mapping[str, str], mentions: Iterable[Mention], rules: Rules
) -> list[tuple[Mention, str]]:
    """Every place the name scan could add a name, with the surname key it needs to be known.

    Depends only on each article's own text and mentions, so it can be worked out once, when
    the article arrives; `find_missed_names` keeps the candidates whose surname is known.
    """
    covered: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for mention in mentions:
        covered[mention.article_id].append((mention.start_char, mention.end_char))
    found: list[tuple[Mention, str]] = []
    for article_id in sorted(texts):
        text = texts[article_id]
        spans = covered[article_id]
        for match in _NAME_PAIR.finditer(text):
            first, last = match.group(1), match.group(2)
            if first.endswith(_POSSESSIVES + _APOSTROPHES):
                continue
            if rules.is_honorific(first) or rules.is_title(first) or first.lower() in STOP_WORDS:
                continue
            start, end = match.start(1), match.end(2)
            # Where the NER tagged the surname alone ("Dimitry [Peskov]"), the full name is
            # still worth adding: it carries the first name the spelling rules compare.
            surname_only = (match.start(2), match.end(2))
            if any(s < end and start < e and (s, e) != surname_only for s, e in spans):
                continue
            found.append((Mention(article_id, start, end, text[start:end], PERSON, NAME_SCAN), _key_word(last)))
    return found


def link_entities(mentions: Iterable[Mention], rules: Rules) -> list[EntityLink]:
    """Link every mention with a kept label and a non-empty alias to one cross-article entity."""
    by_label: dict[str, list[_Alias]] = defaultdict(list)
    for mention in sorted(mentions, key=_sort_key):
        if mention.label not in LINKED_LABELS:
            continue
        alias = _normalise(mention, rules)
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


def _quoted_people(aliases: list[_Alias], links: list[EntityLink]) -> dict[tuple[str, str], EntityLink]:
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
    aliases: list[_Alias],
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
