"""Placing occurrences in claims: one block of wordings per speaker, searched through word pairs.

A block holds the distinct wordings already placed for one speaker, numbered in first-seen
order, with an inverted index of their word pairs. A pair held by more than `MAX_PAIR_POSTINGS`
wordings of the block is too common to discriminate and is no longer searched. A new wording is
compared with at most `MAX_CANDIDATES` wordings: those sharing the most searchable pairs with it
(ties: the first seen).

A full relink builds every block from all current occurrences (`assign_claims`). A night seeds
each block it touches from the stored word-pair index instead (`SpeakerBlock.seed`,
`extractors.linking.incremental_claims`): the pair counts of the night's pairs, and only the
wordings that share a searchable pair or the exact words with a night's occurrence. Both then
place the new occurrences with `place_claims`, so both give the same claims.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterable

from extractors.linking.claims import (
    MAX_CANDIDATES,
    MAX_PAIR_POSTINGS,
    ClaimAssignment,
    Occurrence,
    StatementRules,
    _relation,
    statement_words,
    surface_words,
)
from extractors.records import stable_id

Words = tuple[str, ...]
Pair = tuple[str, str]


def word_pairs(words: Words) -> set[Pair]:
    return set(zip(words, words[1:]))


def new_claim_id(speaker_key: str | None, words: Words) -> str:
    return stable_id("claim", speaker_key, " ".join(words))


class SpeakerBlock:
    """The wordings already placed for one speaker, indexed for lookup."""

    def __init__(self) -> None:
        self.wordings: dict[int, tuple[Words, str, str]] = {}  # index -> (words, claim_id, first quote_id)
        self.exact: dict[Words, int] = {}
        self.held: Counter[Pair] = Counter()  # distinct wordings holding each pair
        self.by_pair: dict[Pair, list[int]] = defaultdict(list)  # complete while held <= MAX_PAIR_POSTINGS
        self.longest: dict[str, Words] = {}  # claim_id -> its longest wording so far (the first of that length)
        self.size = 0  # the index the next new wording gets

    def seed(self, held: dict[Pair, int], wordings: Iterable[tuple[Words, str, str]],
             longest: dict[str, Words]) -> None:
        """Start from stored state: the block's count of wordings for each pair looked up, the stored
        wordings that can be found through those pairs (every one, for a pair held at most
        MAX_PAIR_POSTINGS times) or through their exact words, in first-seen order, and the longest
        wording of each claim those wordings, or the night's new claims, belong to."""
        self.held.update(held)
        for words, claim_id, quote_id in wordings:
            index = self.size
            self.size += 1
            self.wordings[index] = (words, claim_id, quote_id)
            self.exact[words] = index
            for pair in word_pairs(words):
                if 0 < held.get(pair, 0) <= MAX_PAIR_POSTINGS:
                    self.by_pair[pair].append(index)
        self.longest.update(longest)

    def add(self, words: Words, claim_id: str, quote_id: str) -> None:
        if len(words) > len(self.longest.get(claim_id, ())):
            self.longest[claim_id] = words
        if words in self.exact:
            return
        index = self.size
        self.size += 1
        self.wordings[index] = (words, claim_id, quote_id)
        self.exact[words] = index
        for pair in word_pairs(words):
            self.held[pair] += 1
            if self.held[pair] <= MAX_PAIR_POSTINGS:
                self.by_pair[pair].append(index)

    def candidates(self, words: Words) -> list[int]:
        shared: Counter[int] = Counter()
        for pair in word_pairs(words):
            if 0 < self.held[pair] <= MAX_PAIR_POSTINGS:
                shared.update(self.by_pair[pair])
        return [index for index, _ in sorted(shared.items(), key=lambda item: (-item[1], item[0]))[:MAX_CANDIDATES]]

    def match(self, words: Words) -> tuple[int, str] | None:
        """The wording this one belongs with, and the rule that matched, if any.

        A wording must also relate to its claim's longest wording, not only to some member:
        otherwise a short member ("make America great again") would chain every statement
        that repeats it into one claim.
        """
        if words in self.exact:
            return self.exact[words], "normalised"
        best: tuple[float, int, str] | None = None
        for index in self.candidates(words):
            other, claim_id, _ = self.wordings[index]
            found = _relation(words, other)
            if found is None:
                continue
            longest = self.longest[claim_id]
            if longest != other and _relation(words, longest) is None:
                continue
            score, rule = found
            if best is None or score > best[0]:
                best = (score, index, rule)
        return (best[1], best[2]) if best else None


def place_claims(
    pending: Iterable[tuple[Occurrence, Words]],
    blocks: dict[str | None, SpeakerBlock],
    surface_of: dict[str, str],
) -> list[ClaimAssignment]:
    """Claims for `pending` (occurrence, statement words), in order, each added to its block once
    placed. `surface_of` gives the text of every quote a wording may be matched to."""
    assignments: list[ClaimAssignment] = []
    for occurrence, words in pending:
        block = blocks[occurrence.speaker_key]
        found = block.match(words)
        if found is None:
            claim_id = new_claim_id(occurrence.speaker_key, words)
            assignments.append(ClaimAssignment(occurrence.quote_id, claim_id, "new", None))
        else:
            index, rule = found
            _, claim_id, matched_quote = block.wordings[index]
            if rule == "normalised" and (surface_words(surface_of[matched_quote])
                                         == surface_words(occurrence.text)):
                rule = "same_words"
            assignments.append(ClaimAssignment(occurrence.quote_id, claim_id, rule, matched_quote))
        block.add(words, claim_id, occurrence.quote_id)
    return assignments


def assign_claims(
    occurrences: Iterable[Occurrence],
    existing: dict[str, str],
    rules: StatementRules,
) -> list[ClaimAssignment]:
    """Claims for the occurrences that have none yet.

    `occurrences` are all current occurrences in the order they were first seen (that order
    decides which wording founds a claim); `existing` maps the quote ids placed on earlier
    nights to their claim ids, which never change. Returns assignments for the others only.
    """
    blocks: dict[str | None, SpeakerBlock] = defaultdict(SpeakerBlock)
    pending: list[tuple[Occurrence, Words]] = []
    surface_of: dict[str, str] = {}
    for occurrence in occurrences:
        words = statement_words(occurrence.text, rules)
        surface_of[occurrence.quote_id] = occurrence.text
        if occurrence.quote_id in existing:
            blocks[occurrence.speaker_key].add(words, existing[occurrence.quote_id], occurrence.quote_id)
        else:
            pending.append((occurrence, words))
    return place_claims(pending, blocks, surface_of)
