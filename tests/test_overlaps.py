"""Reprint detection: articles sharing long verbatim passages (extractors.linking.overlaps)."""

from __future__ import annotations

import random
from itertools import combinations
from pathlib import Path

import pytest

from extractors.linking.overlaps import ArticleReprint, Overlap, find_overlaps

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
_SYLLABLES = ["ka", "lo", "mi", "ten", "ra", "vu", "sel", "do", "pri", "na", "gor", "e", "zu", "bal", "fi", "mon"]


def words(seed: int, count: int) -> list[str]:
    """count pseudo-words; different seeds practically never share an 8-word run."""
    rng = random.Random(seed)
    return ["".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 3))) for _ in range(count)]


def paragraph(seed: int, count: int = 60) -> str:
    """A paragraph of sentences that starts and ends with a word character (no final stop)."""
    tokens = words(seed, count)
    sentences = [" ".join(tokens[i : i + 10]) for i in range(0, count, 10)]
    return ". ".join(s[0].upper() + s[1:] for s in sentences)


def article(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs)


def by_pair(overlaps: list[Overlap]) -> dict[tuple[str, str], Overlap]:
    return {(o.article_a, o.article_b): o for o in overlaps}


def by_id(reprints: list[ArticleReprint]) -> dict[str, ArticleReprint]:
    return {r.article_id: r for r in reprints}


# A quoted paragraph in two house styles: straight vs curly quotes, different punctuation.
STRAIGHT = (
    'Asked by reporters if the treaty would come up, the spokesman said: "This is the first '
    "telephone contact since the president took office, so one should hardly expect that this "
    "phone call will involve substantive discussions across the whole range of issues. We'll see, "
    "let's be patient.\" He added that the talks -- which were planned weeks ago -- would go ahead "
    "on Saturday as scheduled, whatever the critics in the capital had to say about them"
)
CURLY = (
    "Asked by reporters if the treaty would come up, the spokesman said, \u201cThis is the first "
    "telephone contact since the president took office; so one should hardly expect that this "
    "phone call will involve substantive discussions across the whole range of issues \u2026 "
    "We\u2019ll see \u2014 let\u2019s be patient!\u201d He added that the talks \u2014 which were "
    "planned weeks ago \u2014 would go ahead on Saturday as scheduled, whatever the critics in the "
    "capital had to say about them"
)


def test_shared_paragraph_with_other_quote_marks_is_one_overlap_covering_it():
    a = article(paragraph(1), STRAIGHT, paragraph(2))
    b = article(paragraph(3), CURLY, paragraph(4), paragraph(5))
    overlaps, _ = find_overlaps([("a", a), ("b", b)])
    assert len(overlaps) == 1
    found = overlaps[0]
    assert (found.article_a, found.article_b) == ("a", "b")
    # The whole paragraph is covered (first word to last word) and nothing else.
    assert found.shared_chars_a == len(STRAIGHT)
    assert found.shared_chars_b == len(CURLY)


def test_unrelated_articles_share_nothing():
    texts = [("x", article(paragraph(10), paragraph(11))), ("y", article(paragraph(12), paragraph(13)))]
    overlaps, reprints = find_overlaps(texts)
    assert overlaps == []
    assert [(r.article_id, r.reprinted_chars) for r in reprints] == [("x", 0), ("y", 0)]


def test_short_shared_phrase_is_below_min_shared_chars():
    phrase = " ".join(words(20, 14))  # one 14-word sentence, well under 200 characters
    assert len(phrase) < 200
    a = article(paragraph(21), phrase, paragraph(22))
    b = article(paragraph(23), phrase, paragraph(24))
    assert find_overlaps([("a", a), ("b", b)])[0] == []
    # The phrase is detected once the threshold is below its length, so the test above is
    # about the threshold and not about a failure to match.
    lowered, _ = find_overlaps([("a", a), ("b", b)], min_shared_chars=len(phrase))
    assert [(o.shared_chars_a, o.shared_chars_b) for o in lowered] == [(len(phrase), len(phrase))]


def test_a_pair_is_kept_only_when_both_sides_reach_min_shared_chars():
    shared = paragraph(25, 40)
    a = article(shared, shared, paragraph(27))  # printed twice in a: a covers twice as much
    b = article(shared, paragraph(26))
    overlaps, _ = find_overlaps([("a", a), ("b", b)], min_shared_chars=len(shared) + 1)
    assert overlaps == []
    overlaps, _ = find_overlaps([("a", a), ("b", b)], min_shared_chars=len(shared))
    assert [(o.shared_chars_a, o.shared_chars_b) for o in overlaps] == [(2 * len(shared), len(shared))]


def test_boilerplate_in_more_than_max_shingle_articles_is_ignored():
    boilerplate = paragraph(30, 50)
    assert len(boilerplate) > 200
    many = [(f"n{i:02d}", article(paragraph(100 + i), boilerplate)) for i in range(6)]
    overlaps, reprints = find_overlaps(many, max_shingle_articles=5)
    assert overlaps == []
    assert all(r.reprinted_chars == 0 for r in reprints)
    # At the limit (5 articles) the same line is still reported, for each of the 10 pairs.
    overlaps, _ = find_overlaps(many[:5], max_shingle_articles=5)
    assert len(overlaps) == 10


def test_boilerplate_with_the_default_limit_of_fifty_articles():
    boilerplate = paragraph(31, 50)
    texts = [(f"n{i:02d}", article(paragraph(200 + i), boilerplate)) for i in range(51)]
    assert find_overlaps(texts)[0] == []
    assert len(find_overlaps(texts[:50])[0]) == 50 * 49 // 2


def test_a_shingle_repeated_inside_one_article_counts_once_towards_the_limit():
    shared = paragraph(32, 50)
    a = article(paragraph(34), shared)
    b = article(shared, paragraph(33), shared)
    overlaps, _ = find_overlaps([("a", a), ("b", b)], max_shingle_articles=2)
    # Two articles hold the shingles, even though they occur three times.
    assert [(o.shared_chars_a, o.shared_chars_b) for o in overlaps] == [(len(shared), 2 * len(shared))]


def test_reprinted_chars_is_a_union_over_partners_not_a_sum():
    wire = paragraph(40, 60)
    other = paragraph(41, 60)
    texts = [
        ("hub", article(paragraph(42), wire, paragraph(43))),
        ("left", article(wire, paragraph(44))),
        ("right", article(paragraph(45), wire)),
    ]
    overlaps, reprints = find_overlaps(texts)
    assert sorted(by_pair(overlaps)) == [("hub", "left"), ("hub", "right"), ("left", "right")]
    assert by_id(reprints)["hub"].reprinted_chars == len(wire)  # not 2 * len(wire)
    # Different passages with different partners do add up.
    texts[2] = ("right", article(paragraph(45), other))
    texts[0] = ("hub", article(paragraph(42), wire, paragraph(43), other))
    _, reprints = find_overlaps(texts)
    assert by_id(reprints)["hub"].reprinted_chars == len(wire) + len(other)


def test_share_values_and_reprint_rows():
    shared = paragraph(50, 60)
    a = article(shared, paragraph(51, 120))
    b = article(paragraph(52, 20), shared)
    c = "too short to shingle"
    overlaps, reprints = find_overlaps([("b", b), ("a", a), ("c", c)])
    assert overlaps == [
        Overlap(
            article_a="a",
            article_b="b",
            shared_chars_a=len(shared),
            shared_chars_b=len(shared),
            share_a=round(len(shared) / len(a), 4),
            share_b=round(len(shared) / len(b), 4),
        )
    ]
    assert overlaps[0].share_a < overlaps[0].share_b < 1.0
    assert reprints == [
        ArticleReprint("a", len(a), len(shared)),
        ArticleReprint("b", len(b), len(shared)),
        ArticleReprint("c", len(c), 0),
    ]


def test_case_is_folded():
    shared = paragraph(55, 60)
    overlaps, _ = find_overlaps([("a", shared), ("b", shared.upper())])
    assert len(overlaps) == 1 and overlaps[0].shared_chars_b == len(shared)


def test_result_does_not_depend_on_input_order():
    hub = paragraph(60)
    texts = [(f"doc{i}", article(paragraph(300 + i), hub if i % 2 else paragraph(400 + i))) for i in range(9)]
    expected = find_overlaps(texts)
    assert len(expected[0]) == 6  # the four odd documents pair up with each other
    for seed in range(5):
        shuffled = texts[:]
        random.Random(seed).shuffle(shuffled)
        assert find_overlaps(shuffled) == expected
    assert all(o.article_a < o.article_b for o in expected[0])
    assert [r.article_id for r in expected[1]] == sorted(article_id for article_id, _ in texts)


def test_duplicate_article_ids_raise():
    with pytest.raises(ValueError, match=r"duplicate article ids.*'same'"):
        find_overlaps([("same", paragraph(70)), ("other", paragraph(71)), ("same", paragraph(72))])


@pytest.mark.parametrize(
    "options",
    [{"shingle_words": 0}, {"min_shared_chars": -1}, {"max_shingle_articles": 1}],
)
def test_invalid_parameters_raise(options):
    with pytest.raises(ValueError):
        find_overlaps([("a", paragraph(80))], **options)


def test_shingle_hash_is_stable_across_processes():
    # Pinned values: they change if someone swaps hashlib for the salted built-in hash().
    from extractors.linking.overlaps import _shingle_hashes, _word_value

    values = [_word_value(w, {}) for w in "the quick brown fox jumps over the lazy dog".split()]
    assert _shingle_hashes(values, 8) == [4981567751032827640, 18206100549773254681]
    # The rolled second window equals the second window hashed from scratch.
    assert _shingle_hashes(values[1:], 8) == [18206100549773254681]
    assert _shingle_hashes(values[:7], 8) == []


# The seeds: 001 (The Independent, Reuters copy) and 002 (a blog) share whole paragraphs.
# 000 (The Guardian) and 003 quote the same long statements of Peskov and Conway (about 220
# characters each), so at the default min_shared_chars=200 they also pair with 001/002, with
# small shares; 004 shares nothing long with anyone.
REPRINT_PAIR = ("001_516802e777505848.txt", "002_4db0c1f0cd98019d.txt")


def seed_articles() -> list[tuple[str, str]]:
    return [(path.name, path.read_text(encoding="utf-8")) for path in sorted(SEEDS.glob("*.txt"))]


def test_seed_reprint_pair_is_found_with_most_of_both_texts():
    articles = seed_articles()
    assert len(articles) == 5
    pairs = by_pair(find_overlaps(articles)[0])
    reprint = pairs[REPRINT_PAIR]
    assert reprint.shared_chars_a > 2500 and reprint.shared_chars_b > 2500
    assert reprint.share_a > 0.5 and reprint.share_b > 0.5
    # Pairs that merely quote the same statements cover a small part of each text.
    for pair, found in pairs.items():
        if pair != REPRINT_PAIR:
            assert max(found.share_a, found.share_b) < 0.2, pair


def test_seed_unrelated_pairs_are_not_found_above_quote_length():
    articles = seed_articles()
    names = [name for name, _ in articles]
    overlaps, reprints = find_overlaps(articles, min_shared_chars=500)
    assert [(o.article_a, o.article_b) for o in overlaps] == [REPRINT_PAIR]
    unrelated = set(combinations(names, 2)) - {REPRINT_PAIR}
    assert len(unrelated) == 9 and not unrelated & set(by_pair(overlaps))
    assert by_id(reprints)["004_bf97534d2ba4b9ee.txt"].reprinted_chars == 0
    # 004 shares nothing long with any seed even at the default threshold.
    assert all("004_bf97534d2ba4b9ee.txt" not in pair for pair in by_pair(find_overlaps(articles)[0]))
