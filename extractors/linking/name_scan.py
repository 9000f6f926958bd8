"""Names the NER missed, found by a surname the registry knows.

    `find_missed_names` scans article texts for two capitalised words ending in the surname of a
    full name found elsewhere ("Dimitry Peskov", of which the small spaCy model tags only
    "Peskov"), so the spelling rules can see them (source "name_scan"). A scanned name may
    overlap an NER mention of its surname alone; both are then linked, and the marts count
    mentions by the place they end, so the place is counted once. `link_entities` keeps a scanned
    mention only when it joins an entity that has other, non-scanned mentions: a scan never
    founds an entity of its own ("Said Peskov" at the start of a sentence is dropped).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

from spacy.lang.en.stop_words import STOP_WORDS  # English function words, as data

from extractors.linking.names import APOSTROPHES, NAME_SCAN, PERSON, POSSESSIVES, Mention, key_word, normalise
from extractors.rules import Rules

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
            alias = normalise(mention, rules)
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
            if first.endswith(POSSESSIVES + APOSTROPHES):
                continue
            if rules.is_honorific(first) or rules.is_title(first) or first.lower() in STOP_WORDS:
                continue
            start, end = match.start(1), match.end(2)
            # Where the NER tagged the surname alone ("Dimitry [Peskov]"), the full name is
            # still worth adding: it carries the first name the spelling rules compare.
            surname_only = (match.start(2), match.end(2))
            if any(s < end and start < e and (s, e) != surname_only for s, e in spans):
                continue
            found.append((Mention(article_id, start, end, text[start:end], PERSON, NAME_SCAN), key_word(last)))
    return found
