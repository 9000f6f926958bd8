"""Claim grouping and wording variants: pure logic on short statements."""

from __future__ import annotations

import random

import pytest

from extractors.linking.claim_blocks import assign_claims
from extractors.linking.claims import (
    Occurrence,
    describe_variants,
    load_statement_rules,
    statement_words,
)


@pytest.fixture(scope="module")
def statement_rules():
    return load_statement_rules()


def group(statement_rules, texts, speaker="peskov", existing=None):
    occurrences = [Occurrence(f"q{i}", speaker, text) for i, text in enumerate(texts)]
    return assign_claims(occurrences, existing or {}, statement_rules)


@pytest.mark.parametrize(
    "first, second, rule",
    [
        # quote marks, punctuation and case
        ("“We’ll see. Let’s be patient.”", "\"we'll see, let's be patient\"", "same_words"),
        # contractions
        ("Let us be patient", "let's be patient", "normalised"),
        ("We will not lift them", "We won't lift them", "normalised"),
        # British and American spelling
        ("We must normalise relations with our neighbours", "We must normalize relations with our neighbors",
         "normalised"),
        ("the defence programme is cancelled", "the defense program is canceled", "normalised"),
        # one outlet printed half of the sentence
        ("This is the first telephone contact since President Trump took office",
         "first telephone contact since President Trump took office", "truncation"),
        # a word changed
        ("all of that is under consideration", "all of that was under consideration", "reworded"),
    ],
)
def test_the_same_statement_joins_one_claim(statement_rules, first, second, rule):
    founded, joined = group(statement_rules, [first, second])
    assert founded.match_rule == "new"
    assert (joined.claim_id, joined.match_rule, joined.matched_quote_id) == (founded.claim_id, rule, "q0")


@pytest.mark.parametrize(
    "first, second",
    [
        # different statements that share a few words
        ("We will talk about terrorism on Saturday", "We will not talk about sanctions at all"),
        # too short to call a rewording: one word of two changed
        ("fake news", "real news"),
        # a short quote is not a truncation of an unrelated one that happens to contain a word
        ("sanctions", "We are not discussing the lifting of sanctions now"),
        # two short quotes sharing a frame are not one statement
        ("to leave the exchanges", "to leave the scene"),
        # a long run of other words in the middle is another statement, not a changed word
        ("we will defund the group which provides health services for millions of women now",
         "we will act now"),
        # a paraphrase keeping a few words of a long statement is not a rewording of it
        ("even if Trump told Merkel he would lift sanctions the chancellor is not necessarily ready to follow suit",
         "she would not necessarily follow suit"),
    ],
)
def test_different_statements_stay_apart(statement_rules, first, second):
    a, b = group(statement_rules, [first, second])
    assert a.claim_id != b.claim_id
    assert b.match_rule == "new"


def test_a_two_word_partial_quote_is_too_short_to_tie_statements_together(statement_rules):
    a, b, c = group(statement_rules, [
        "all of that is under consideration",
        "under consideration",
        "a border wall is under consideration by the White House",
    ], speaker="conway")
    assert len({a.claim_id, b.claim_id, c.claim_id}) == 3
    assert b.match_rule == c.match_rule == "new"


def test_a_shared_phrase_does_not_chain_statements_into_one_claim(statement_rules):
    a, b, c = group(statement_rules, [
        "make America great again",
        "in our shared mission to make America great again",
        "the Super Bowl is boring so far, make America great again",
    ], speaker="trump")
    assert b.claim_id == a.claim_id and b.match_rule == "truncation"
    # It contains the slogan, but is not a printing of the claim's longest wording.
    assert c.claim_id != a.claim_id and c.match_rule == "new"


def test_the_same_words_by_another_speaker_are_another_claim(statement_rules):
    occurrences = [
        Occurrence("q1", "peskov", "Let us be patient"),
        Occurrence("q2", "conway", "Let us be patient"),
        Occurrence("q3", None, "Let us be patient"),
    ]
    claims = {a.claim_id for a in assign_claims(occurrences, {}, statement_rules)}
    assert len(claims) == 3


def test_claims_keep_their_ids_when_new_occurrences_arrive(statement_rules):
    night_one = [Occurrence("q1", "conway", "all of that is under consideration")]
    first = assign_claims(night_one, {}, statement_rules)
    existing = {a.quote_id: a.claim_id for a in first}
    # The longer wording arrives later: it joins the existing claim, whose id does not move.
    night_two = night_one + [Occurrence("q2", "conway", "Ms Conway said all of that is under consideration now")]
    second = assign_claims(night_two, existing, statement_rules)
    assert [a.quote_id for a in second] == ["q2"]
    assert second[0].claim_id == existing["q1"]
    # Grouping from scratch gives the same ids as grouping night by night.
    from_scratch = {a.quote_id: a.claim_id for a in assign_claims(night_two, {}, statement_rules)}
    assert from_scratch == {**existing, "q2": second[0].claim_id}


def test_statement_words_apply_the_rule_files(statement_rules):
    assert statement_words("“I’d say they’ve organised it. Let’s go!”", statement_rules) == (
        "i", "would", "say", "they", "have", "organized", "it", "let", "us", "go")


def test_variants_flag_material_changes_only(statement_rules):
    texts = [
        "all of that is under consideration",
        "“All of that is under consideration.”",
        "all of that was under consideration",
        "that is under consideration",
    ]
    assignments = group(statement_rules, texts, speaker="conway")
    assert len({a.claim_id for a in assignments}) == 1
    variants, variant_of_quote = describe_variants(
        [(a.quote_id, a.claim_id, t) for a, t in zip(assignments, texts)], statement_rules)
    by_wording = {v.wording: v for v in variants}
    assert len(variants) == 3  # the first two print the same words
    canonical = by_wording["all of that is under consideration"]
    assert (canonical.is_canonical, canonical.relation, canonical.material_change) == (True, "canonical", False)
    changed = by_wording["all of that was under consideration"]
    assert (changed.relation, changed.material_change, changed.changed_words) == ("reworded", True, ("is -> was",))
    cut = by_wording["that is under consideration"]
    assert (cut.relation, cut.material_change, cut.changed_words) == ("truncation", False, ())
    assert variant_of_quote["q0"] == variant_of_quote["q1"] == canonical.variant_id


def test_contraction_variant_is_not_material(statement_rules):
    texts = ["Let us be patient", "let's be patient"]
    assignments = group(statement_rules, texts)
    variants, _ = describe_variants([(a.quote_id, a.claim_id, t) for a, t in zip(assignments, texts)], statement_rules)
    other = next(v for v in variants if not v.is_canonical)
    assert (other.relation, other.material_change, other.changed_words) == ("normalised", False, ("let us -> let's",))


def test_the_most_complete_wording_is_canonical(statement_rules):
    texts = ["first telephone contact", "This is the first telephone contact since he took office"]
    assignments = group(statement_rules, texts)
    variants, _ = describe_variants([(a.quote_id, a.claim_id, t) for a, t in zip(assignments, texts)], statement_rules)
    canonical = [v.wording for v in variants if v.is_canonical]
    assert canonical == ["this is the first telephone contact since he took office"]


def test_grouping_is_not_quadratic(statement_rules, monkeypatch):
    """20,000 occurrences of 2,000 speakers: each is aligned with a few candidates only."""
    from extractors.linking import claim_blocks

    compared = 0
    relation = claim_blocks._relation

    def counting_relation(words, other):
        nonlocal compared
        compared += 1
        return relation(words, other)

    monkeypatch.setattr(claim_blocks, "_relation", counting_relation)
    rng = random.Random(7)
    vocabulary = [f"word{i}" for i in range(3000)]
    occurrences = []
    for i in range(20_000):
        words = rng.sample(vocabulary, 12)
        occurrences.append(Occurrence(f"q{i}", f"speaker{i % 2000}", " ".join(words)))
        if i % 10 == 0:  # every tenth statement is reprinted with its last word changed
            occurrences.append(Occurrence(f"r{i}", f"speaker{i % 2000}", " ".join(words[:-1] + ["changed"])))
    assignments = assign_claims(occurrences, {}, statement_rules)
    claim_of = {a.quote_id: a.claim_id for a in assignments}
    assert len(set(claim_of.values())) == 20_000
    assert all(claim_of[f"r{i}"] == claim_of[f"q{i}"] for i in range(0, 20_000, 10))
    # All pairs within a speaker would be 2,000 * C(11, 2) = 110,000 alignments; the word-pair
    # index finds the one candidate of each reprint and fewer than one per occurrence overall.
    assert 2_000 <= compared < len(occurrences), f"{compared} wording pairs aligned for {len(occurrences)} occurrences"
