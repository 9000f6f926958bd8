"""Full names that are one person: the pairwise rules, their blocking and the clusters.

PERSON rules between full names (`match_rule`)
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
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping

from extractors.linking.names import Key


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


def is_initial(word: str) -> bool:
    return len(word) == 1


def _words_compatible(a: str, b: str) -> bool:
    return a == b or (is_initial(a) and b.startswith(a)) or (is_initial(b) and a.startswith(b))


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


def deletion_keys(word: str) -> set[str]:
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
            for variant in deletion_keys(key[-1]):
                blocks[("spelling", key[0], variant)].append(key)
    pairs: set[tuple[Key, Key]] = set()
    for members in blocks.values():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                pairs.add((min(a, b), max(a, b)))
    return pairs


def link_full_names(
    full_names: list[Key],
) -> tuple[_UnionFind, dict[Key, list[tuple[Key, str]]]]:
    """Cluster full names; returns the clusters and the matching edges with their rules."""
    strong = [k for k in full_names if not is_initial(k[0])]
    weak = [k for k in full_names if is_initial(k[0])]
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


def canonical_key(members: list[Key], counts: Mapping[Key, int], display: Mapping[Key, str]) -> Key:
    """Most mentioned, then longest, then alphabetical; full first names before initials."""
    return min(
        members,
        key=lambda k: (is_initial(k[0]), -counts[k], -len(display[k]), display[k]),
    )


def evidence_tree(canonical: Key, edges: Mapping[Key, list[tuple[Key, str]]]) -> dict[Key, tuple[Key, str]]:
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
