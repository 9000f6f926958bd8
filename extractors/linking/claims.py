"""Claims: quote occurrences grouped by statement and speaker, and the wordings of each claim.

A claim is one statement by one speaker, however many articles printed it and however they
printed it. Two occurrences of the same speaker (the same registry entity; unnamed quotes only
meet other unnamed quotes) belong to one claim when their words, compared as below, are:

- `same_words`: equal once case, quote marks and punctuation are ignored;
- `normalised`: equal once contractions are expanded ("let's" = "let us") and British spellings
  mapped to American ones ("normalise" = "normalize"), from the rule files
  `contractions.csv`, `spelling_variants.csv` and `spelling_suffixes.csv`;
- `truncation`: one is a run of consecutive words of the other (an outlet printed part of the
  sentence): the shorter joins the claim of the text that contains it, if it has at least
  `MIN_TRUNCATION_WORDS` words: a two-word partial quote ("under consideration") says too
  little to tie it to one statement, and would pull in every statement that repeats it;
- `reworded`: at least `MIN_REWORD_WORDS` words each and at least that many aligned in order,
  making at least `MIN_REWORD_SIMILARITY` of the shorter one, with at most `MAX_REWORD_CHANGES`
  places where the words differ (a cut at either end not counted), each of at most
  `MAX_CHANGED_WORDS` words ("all of that is under consideration" vs "all of that was under
  consideration"). A paraphrase that keeps a few words of a long statement ("she would not
  necessarily follow suit"), or two short quotes sharing a frame ("to leave the scene", "to
  leave the exchanges"), is not a rewording.

Grouping stays far from quadratic: occurrences are blocked by speaker, exact wordings are found
through a dictionary, and candidates for truncation and rewording come from an inverted index of
word pairs (pairs shared by more than `MAX_PAIR_POSTINGS` wordings of one speaker are dropped as
too common to discriminate), so each new occurrence is aligned with a handful of wordings only
(`extractors.linking.claim_blocks`, which places occurrences with the rules of this module).

Claims are stable: an occurrence keeps the claim it was given on the night it arrived
(`claim_blocks.assign_claims` only places occurrences that have no claim yet), and a new claim's id is a hash
of its speaker and its first wording. `describe_variants` is recomputed every night: it picks
each claim's most complete wording as canonical and says how every other wording departs from it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from extractors.quote_spans import normalize_statement
from extractors.records import stable_id
from extractors.rules import RULES_DIR, read_csv

MIN_TRUNCATION_WORDS = 3
MIN_REWORD_WORDS = 4
MIN_REWORD_SIMILARITY = 0.75
MAX_REWORD_CHANGES = 2
MAX_CHANGED_WORDS = 3
MAX_PAIR_POSTINGS = 200
MAX_CANDIDATES = 8


@dataclass(frozen=True)
class Occurrence:
    """One printed quote: its speaker's registry id (None when unnamed) and its text."""

    quote_id: str
    speaker_key: str | None
    text: str


@dataclass(frozen=True)
class ClaimAssignment:
    quote_id: str
    claim_id: str
    match_rule: str  # new | same_words | normalised | truncation | reworded
    matched_quote_id: str | None  # the earlier occurrence whose wording it matched


@dataclass(frozen=True)
class ClaimVariant:
    """One distinct wording of a claim (case, quote marks and punctuation ignored)."""

    variant_id: str
    claim_id: str
    wording: str  # normalised words of this variant
    is_canonical: bool
    relation: str  # canonical | normalised | truncation | reworded
    changed_words: tuple[str, ...]  # "canonical words -> variant words", one entry per change
    material_change: bool


@dataclass(frozen=True)
class StatementRules:
    words: dict[str, str]  # whole-word contractions and spelling variants
    suffix_contractions: tuple[tuple[str, str], ...]  # ("n't", " not"), ("'ll", " will")
    spelling_suffixes: tuple[tuple[str, str, int], ...]
    # Words already normalised: news copy repeats its vocabulary, so each word is worked out once.
    seen: dict[str, str] = field(default_factory=dict, compare=False, repr=False)


@lru_cache(maxsize=None)
def load_statement_rules(rules_dir: Path = RULES_DIR) -> StatementRules:
    words: dict[str, str] = {}
    suffixes: list[tuple[str, str]] = []
    for row in read_csv(rules_dir / "contractions.csv"):
        form, expansion = row["contraction"].lower(), row["expansion"].lower()
        if form.startswith(("'", "n'")):
            suffixes.append((form, expansion))
        else:
            words[form] = expansion
    for row in read_csv(rules_dir / "spelling_variants.csv"):
        words[row["british"].lower()] = row["american"].lower()
    spelling = tuple(
        (row["british_suffix"], row["american_suffix"], int(row["min_length"]))
        for row in read_csv(rules_dir / "spelling_suffixes.csv")
    )
    # Longest suffixes first, so "isations" is tried before "ise".
    return StatementRules(
        words=words,
        suffix_contractions=tuple(sorted(suffixes, key=lambda s: -len(s[0]))),
        spelling_suffixes=tuple(sorted(spelling, key=lambda s: -len(s[0]))),
    )


def surface_words(text: str) -> list[str]:
    """Words as printed, without case, quote-mark or punctuation differences."""
    return normalize_statement(text).split()


def _normalise_word(word: str, rules: StatementRules) -> str:
    normalised = rules.seen.get(word)
    if normalised is None:
        normalised = rules.seen[word] = _normalise_new_word(word, rules)
    return normalised


def _normalise_new_word(word: str, rules: StatementRules) -> str:
    if word in rules.words:
        return rules.words[word]
    for form, expansion in rules.suffix_contractions:
        if word.endswith(form) and len(word) > len(form):
            return word[: -len(form)] + expansion
    for british, american, min_length in rules.spelling_suffixes:
        if len(word) >= min_length and word.endswith(british):
            return word[: -len(british)] + american
    return word


def statement_words(text: str, rules: StatementRules) -> tuple[str, ...]:
    """Words compared for sameness: surface words with contractions and spellings normalised."""
    expanded = " ".join(_normalise_word(w, rules) for w in surface_words(text))
    return tuple(expanded.split())


def _is_run_of(short: Sequence[str], long: Sequence[str]) -> bool:
    """True when `short` occurs as consecutive words in `long`."""
    if len(short) > len(long):
        return False
    if not short:
        return True
    return f" {' '.join(short)} " in f" {' '.join(long)} "


def _aligned_words(a: Sequence[str], b: Sequence[str]) -> int:
    """Words of the two wordings aligned with each other, in order."""
    return sum(block.size for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())


def _inner_changes(a: Sequence[str], b: Sequence[str]) -> list[tuple[str, int, int, int, int]]:
    """Edit operations from wording `a` to wording `b`, leaving out words cut from either end of `a`."""
    opcodes = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    while opcodes and opcodes[0][0] == "delete":
        opcodes = opcodes[1:]
    while opcodes and opcodes[-1][0] == "delete":
        opcodes = opcodes[:-1]
    return [op for op in opcodes if op[0] != "equal"]


def _is_rewording(a: Sequence[str], b: Sequence[str]) -> float | None:
    """Aligned share of the shorter wording when `a` and `b` are one statement with a few words
    changed, else None."""
    longer, shorter = (a, b) if len(a) >= len(b) else (b, a)
    if len(shorter) < MIN_REWORD_WORDS:
        return None
    aligned = _aligned_words(longer, shorter)
    if aligned < MIN_REWORD_WORDS or aligned / len(shorter) < MIN_REWORD_SIMILARITY:
        return None
    changes = _inner_changes(longer, shorter)
    if len(changes) > MAX_REWORD_CHANGES:
        return None
    if any(max(i2 - i1, j2 - j1) > MAX_CHANGED_WORDS for _, i1, i2, j1, j2 in changes):
        return None
    return aligned / len(shorter)


def _relation(words: Sequence[str], other: Sequence[str]) -> tuple[float, str] | None:
    """(score, rule) when two different wordings carry one statement, else None."""
    if min(len(words), len(other)) >= MIN_TRUNCATION_WORDS and (
        _is_run_of(words, other) or _is_run_of(other, words)
    ):
        return 2.0, "truncation"
    similarity = _is_rewording(words, other)
    return None if similarity is None else (similarity, "reworded")


def _changes(canonical: Sequence[str], variant: Sequence[str]) -> tuple[str, ...]:
    """Word changes from the canonical wording to a variant, ignoring a cut at either end."""
    return tuple(
        f"{' '.join(canonical[i1:i2]) or '∅'} -> {' '.join(variant[j1:j2]) or '∅'}"
        for _, i1, i2, j1, j2 in _inner_changes(canonical, variant)
    )


def describe_variants(
    members: Iterable[tuple[str, str, str]],
    rules: StatementRules,
) -> tuple[list[ClaimVariant], dict[str, str]]:
    """The distinct wordings of every claim, and each occurrence's variant id by quote id.

    `members` are (quote_id, claim_id, quote text) of current occurrences, in first-seen order. The
    canonical wording is the most complete one (most words; then the most printed; then the
    first seen). A variant is a material change when its normalised words are not a run of the
    canonical's: a word was replaced, added or removed inside the statement. Punctuation, case,
    spelling, contractions and truncation are not material.
    """
    by_claim: dict[str, dict[str, int]] = defaultdict(dict)  # claim -> wording -> first position
    counts: Counter[tuple[str, str]] = Counter()
    variant_of_quote: dict[str, str] = {}
    for position, (quote_id, claim_id, text) in enumerate(members):
        wording = normalize_statement(text)
        by_claim[claim_id].setdefault(wording, position)
        counts[claim_id, wording] += 1
        variant_of_quote[quote_id] = variant_id(claim_id, wording)
    return describe_wordings(by_claim, counts, rules), variant_of_quote


def variant_id(claim_id: str, wording: str) -> str:
    """The id of a claim's wording (`normalize_statement` of a quote's text)."""
    return stable_id("variant", claim_id, wording)


def describe_wordings(
    by_claim: dict[str, dict[str, int]],
    counts: Counter[tuple[str, str]],
    rules: StatementRules,
) -> list[ClaimVariant]:
    """`describe_variants` from each claim's distinct wordings (wording -> position of its first
    occurrence among all members) and their counts (claim, wording) -> occurrences."""
    variants: list[ClaimVariant] = []
    for claim_id, wordings in by_claim.items():
        deep = {w: statement_words(w, rules) for w in wordings}
        canonical = min(wordings, key=lambda w: (-len(deep[w]), -counts[claim_id, w], wordings[w], w))
        canonical_words = canonical.split()
        for wording in sorted(wordings, key=wordings.get):
            if wording == canonical:
                relation, material = "canonical", False
            elif deep[wording] == deep[canonical]:
                relation, material = "normalised", False
            elif _is_run_of(deep[wording], deep[canonical]):
                relation, material = "truncation", False
            else:
                relation, material = "reworded", True
            variants.append(ClaimVariant(
                variant_id=variant_id(claim_id, wording),
                claim_id=claim_id,
                wording=wording,
                is_canonical=wording == canonical,
                relation=relation,
                changed_words=_changes(canonical_words, wording.split()),
                material_change=material,
            ))
    return variants
