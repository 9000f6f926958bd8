"""Find articles that reuse long verbatim passages of each other (reprinted wire copy).

Method
------
1. Each text is split into words with `\\w+` and each word is case-folded, keeping its
   character offsets. Punctuation, quote-mark style (straight, curly, the NYT's doubled
   apostrophes) and whitespace are therefore ignored: the same paragraph printed with
   different quote marks produces the same word sequence.
2. Every window of `shingle_words` consecutive words (a shingle) gets a 64-bit hash. Each
   distinct word is hashed once with blake2b (8 bytes) and the windows are combined with a
   polynomial rolling hash modulo 2**64, so the value is stable across processes (unlike the
   built-in `hash` of strings) and each window costs O(1) to compute.
3. An inverted index maps each shingle hash to the articles that contain it. A shingle
   repeated inside one article counts once. Shingles found in more than
   `max_shingle_articles` articles are dropped as boilerplate or stock phrases.
4. Only article pairs listed together under some kept shingle are candidates. For each
   candidate pair the characters of each article covered by the shared shingles (every
   occurrence of each, as a span from the first word's start to the last word's end) are merged
   into disjoint intervals and counted. A pair is kept when both sides cover at least
   `min_shared_chars` characters. The nightly run asks for `REPRINT_MIN_SHARED_CHARS` (500):
   two articles quoting the same 40-word statement share about 220 characters, as four of the
   seed articles do; that is a shared claim, not reprinted copy, which shares paragraphs.
5. An article's `reprinted_chars` is the size of the union of its intervals over all kept
   partners, so a paragraph shared with several partners counts once.

Why it is sub-quadratic
-----------------------
No two texts are ever compared directly. The work is one pass over the words (tokenising and
hashing), one dict insertion per distinct shingle of each article, and then, for each shingle,
the pairs of articles in its posting list. Because a posting list holds at most
`max_shingle_articles` articles, each shingle adds at most max*(max-1)/2 pair entries, and
in practice news articles share almost no 8-word windows unless one copies the other, so
the candidate pairs are close to the pairs that really share text instead of all n*(n-1)/2.

Everything here is pure logic over plain strings and deterministic: the articles are processed
in article-id order, so the result does not depend on the input order.
"""

from __future__ import annotations

import hashlib
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

__all__ = ["REPRINT_MIN_SHARED_CHARS", "ArticleReprint", "Overlap", "find_overlaps", "find_overlaps_with_spans"]

_WORD = re.compile(r"\w+")
_MASK = (1 << 64) - 1
# Odd multiplier for the rolling hash; word values are uniform 64-bit blake2b digests.
_BASE = 0x100000001B3

Interval = tuple[int, int]
Pair = tuple[int, int]

REPRINT_MIN_SHARED_CHARS = 500


@dataclass(frozen=True)
class Overlap:
    """Two articles that share long verbatim passages."""

    article_a: str  # article_a < article_b (string order)
    article_b: str
    shared_chars_a: int  # characters of article a's text covered by passages it shares with b
    shared_chars_b: int  # the same in b's text
    share_a: float  # shared_chars_a / len(text_a), rounded to 4 places
    share_b: float


@dataclass(frozen=True)
class ArticleReprint:
    """How much of one article is shared with any other article (union over partners)."""

    article_id: str
    text_chars: int
    reprinted_chars: int


@dataclass(frozen=True)
class _Doc:
    """One article reduced to what the overlap search needs."""

    article_id: str
    text_chars: int
    starts: array  # character start of each word (array of signed 64-bit ints)
    ends: array  # character end of each word
    shingles: array  # hash of the window starting at each word position (unsigned 64-bit)


def find_overlaps(
    articles: Iterable[tuple[str, str]],
    *,
    shingle_words: int = 8,
    min_shared_chars: int = 200,
    max_shingle_articles: int = 50,
) -> tuple[list[Overlap], list[ArticleReprint]]:
    """Return the article pairs sharing long passages and one reprint row per article.

    `articles` are (article_id, cleaned text) pairs with unique ids. Overlaps are sorted by
    (article_a, article_b); reprint rows are sorted by article id and include articles that
    share nothing (reprinted_chars 0). Only kept pairs (both sides >= min_shared_chars)
    contribute to reprinted_chars.
    """
    overlaps, reprints, _ = find_overlaps_with_spans(
        articles, shingle_words=shingle_words, min_shared_chars=min_shared_chars,
        max_shingle_articles=max_shingle_articles)
    return overlaps, reprints


def find_overlaps_with_spans(
    articles: Iterable[tuple[str, str]],
    *,
    shingle_words: int = 8,
    min_shared_chars: int = 200,
    max_shingle_articles: int = 50,
) -> tuple[list[Overlap], list[ArticleReprint], dict[str, list[Interval]]]:
    """`find_overlaps`, and each article's reprinted intervals (the union its reprint row counts)."""
    _check_parameters(shingle_words, min_shared_chars, max_shingle_articles)
    docs = _load_docs(articles, shingle_words)
    postings = _build_index(docs)
    candidates = _candidate_pairs(postings, max_shingle_articles)
    covered = _pair_coverage(docs, candidates, shingle_words)
    kept = _kept_pairs(covered, min_shared_chars)
    overlaps = [_make_overlap(docs, pair, covered) for pair in kept]
    spans = _reprint_spans(kept, covered)
    reprints = [
        ArticleReprint(doc.article_id, doc.text_chars, _total(spans.get(index, [])))
        for index, doc in enumerate(docs)
    ]
    return overlaps, reprints, {docs[index].article_id: merged for index, merged in spans.items()}


def _check_parameters(shingle_words: int, min_shared_chars: int, max_shingle_articles: int) -> None:
    if shingle_words < 1:
        raise ValueError(f"shingle_words must be at least 1, got {shingle_words}")
    if min_shared_chars < 0:
        raise ValueError(f"min_shared_chars must not be negative, got {min_shared_chars}")
    if max_shingle_articles < 2:
        raise ValueError(f"max_shingle_articles must be at least 2, got {max_shingle_articles}")


def _load_docs(articles: Iterable[tuple[str, str]], shingle_words: int) -> list[_Doc]:
    """Tokenise and shingle every article, in article-id order; reject duplicate ids."""
    items = list(articles)
    counts = Counter(article_id for article_id, _ in items)
    duplicates = sorted(article_id for article_id, n in counts.items() if n > 1)
    if duplicates:
        shown = ", ".join(repr(d) for d in duplicates[:10])
        raise ValueError(f"duplicate article ids in input ({len(duplicates)}): {shown}")
    items.sort(key=lambda item: item[0])
    word_values: dict[str, int] = {}
    return [_make_doc(article_id, text, shingle_words, word_values) for article_id, text in items]


def _make_doc(article_id: str, text: str, shingle_words: int, word_values: dict[str, int]) -> _Doc:
    starts = array("q")
    ends = array("q")
    values: list[int] = []
    for match in _WORD.finditer(text):
        starts.append(match.start())
        ends.append(match.end())
        values.append(_word_value(match.group().casefold(), word_values))
    shingles = array("Q", _shingle_hashes(values, shingle_words))
    return _Doc(article_id, len(text), starts, ends, shingles)


def _word_value(word: str, cache: dict[str, int]) -> int:
    """A stable 64-bit value for a case-folded word (memoised per call of find_overlaps)."""
    value = cache.get(word)
    if value is None:
        digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
        value = cache[word] = int.from_bytes(digest, "big")
    return value


def _shingle_hashes(values: Sequence[int], k: int) -> list[int]:
    """Rolling polynomial hash (mod 2**64) of every window of k consecutive word values."""
    if len(values) < k:
        return []
    top = pow(_BASE, k - 1, 1 << 64)
    h = 0
    for value in values[:k]:
        h = (h * _BASE + value) & _MASK
    hashes = [h]
    for i in range(k, len(values)):
        h = ((h - values[i - k] * top) * _BASE + values[i]) & _MASK
        hashes.append(h)
    return hashes


def _build_index(docs: Sequence[_Doc]) -> dict[int, list[int]]:
    """Inverted index of the shingles held by 2+ docs: hash -> ascending doc indices (once each).

    Most shingles occur in one article only, so the first holder is kept as a bare int and a
    list is made only for shingles seen again; this roughly halves the index's memory.
    """
    first: dict[int, int] = {}
    shared: dict[int, list[int]] = {}
    for index, doc in enumerate(docs):
        for h in set(doc.shingles):
            holder = first.setdefault(h, index)
            if holder != index:
                holders = shared.get(h)
                if holders is None:
                    shared[h] = [holder, index]
                else:
                    holders.append(index)
    return shared


def _candidate_pairs(postings: dict[int, list[int]], max_shingle_articles: int) -> dict[Pair, list[int]]:
    """(doc i, doc j) with i < j -> the shingle hashes they share, boilerplate excluded."""
    shared: dict[Pair, list[int]] = defaultdict(list)
    for h, holders in postings.items():
        if 2 <= len(holders) <= max_shingle_articles:
            for pair in combinations(holders, 2):
                shared[pair].append(h)
    return shared


def _pair_coverage(
    docs: Sequence[_Doc], candidates: dict[Pair, list[int]], shingle_words: int
) -> dict[tuple[int, int], list[Interval]]:
    """(doc, partner) -> merged character intervals of doc covered by shingles shared with partner."""
    by_doc: dict[int, list[tuple[int, list[int]]]] = defaultdict(list)
    for (i, j), hashes in candidates.items():
        by_doc[i].append((j, hashes))
        by_doc[j].append((i, hashes))
    covered: dict[tuple[int, int], list[Interval]] = {}
    for index, partners in by_doc.items():
        doc = docs[index]
        positions = _positions_of(doc, {h for _, hashes in partners for h in hashes})
        for partner, hashes in partners:
            spans = [
                (doc.starts[p], doc.ends[p + shingle_words - 1]) for h in hashes for p in positions[h]
            ]
            covered[(index, partner)] = _merge(spans)
    return covered


def _positions_of(doc: _Doc, wanted: set[int]) -> dict[int, list[int]]:
    """Word positions at which each wanted shingle starts in doc."""
    positions: dict[int, list[int]] = defaultdict(list)
    for position, h in enumerate(doc.shingles):
        if h in wanted:
            positions[h].append(position)
    return positions


def _merge(spans: Iterable[Interval]) -> list[Interval]:
    """Union of half-open character intervals as sorted, disjoint intervals."""
    merged: list[Interval] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _total(intervals: Iterable[Interval]) -> int:
    return sum(end - start for start, end in intervals)


def _kept_pairs(covered: dict[tuple[int, int], list[Interval]], min_shared_chars: int) -> list[Pair]:
    """Candidate pairs (i < j) where both sides cover at least min_shared_chars characters."""
    return sorted(
        (i, j)
        for (i, j), intervals in covered.items()
        if i < j
        and _total(intervals) >= min_shared_chars
        and _total(covered[(j, i)]) >= min_shared_chars
    )


def _share(chars: int, text_chars: int) -> float:
    return round(chars / text_chars, 4) if text_chars else 0.0


def _make_overlap(docs: Sequence[_Doc], pair: Pair, covered: dict[tuple[int, int], list[Interval]]) -> Overlap:
    i, j = pair
    chars_a = _total(covered[(i, j)])
    chars_b = _total(covered[(j, i)])
    return Overlap(
        article_a=docs[i].article_id,
        article_b=docs[j].article_id,
        shared_chars_a=chars_a,
        shared_chars_b=chars_b,
        share_a=_share(chars_a, docs[i].text_chars),
        share_b=_share(chars_b, docs[j].text_chars),
    )


def _reprint_spans(kept: Iterable[Pair], covered: dict[tuple[int, int], list[Interval]]) -> dict[int, list[Interval]]:
    """Doc index -> the union of its intervals over all kept partners (docs with a partner only)."""
    spans: dict[int, list[Interval]] = defaultdict(list)
    for i, j in kept:
        spans[i].extend(covered[(i, j)])
        spans[j].extend(covered[(j, i)])
    return {index: _merge(intervals) for index, intervals in spans.items()}
