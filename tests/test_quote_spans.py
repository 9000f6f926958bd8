"""Quote-mark pairing and statement normalisation: pure string logic."""

from __future__ import annotations

import pytest

from extractors.quote_spans import find_quote_spans, normalize_statement


def quoted(text):
    return [text[s.start:s.end] for s in find_quote_spans(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("He said “all of that is under consideration”.", ["all of that is under consideration"]),
        ('Peskov said: "We\'ll see, let\'s be patient."', ["We'll see, let's be patient."]),
        ("She called it ''So terrible'' on Monday.", ["So terrible"]),
        ("Putin said «nothing» at all.", ["nothing"]),
        ("“One,” he said. “Two.”", ["One,", "Two."]),
        ("No quotes in this sentence.", []),
        # nested quotations of the other family stay inside the outer one
        ('"PENCE: He thinks this is an episode of “Shark Tank.” It is not."', ['PENCE: He thinks this is an episode of “Shark Tank.” It is not.']),
        ('“He said "no" to me,” she said.', ['He said "no" to me,']),
        # sloppy typing: a curly quotation closed by a straight mark
        ('“We will see" he said.', ["We will see"]),
        # a closing mark printed where the paragraph's quotation opens
        ("”Fear. I am truly afraid,” she wrote.", ["Fear. I am truly afraid,"]),
        ("An empty “ ” pair is no quote.", []),
    ],
)
def test_marks_are_paired(text, expected):
    assert quoted(text) == expected


def test_offsets_point_into_the_text():
    text = "Intro.\n\n“First quote,” she said.\n\nThen “second” here."
    for span in find_quote_spans(text):
        assert text[span.mark_start] in "“\""
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.paragraph_start:span.paragraph_end].count("\n") == 0


def test_an_unbalanced_mark_costs_only_its_paragraph():
    text = (
        "He said “this quote never closes and runs to the end of the line\n\n"
        "Later, she said “this one is fine” and left."
    )
    spans = find_quote_spans(text)
    assert [text[s.start:s.end] for s in spans] == [
        "this quote never closes and runs to the end of the line",
        "this one is fine",
    ]
    assert [s.closed for s in spans] == [False, True]


def test_a_stray_closing_mark_is_ignored():
    assert quoted("Oops” then “a real quote” here.") == ["a real quote"]


def test_a_paragraph_reopening_an_open_quote_continues_it():
    text = "“The first paragraph of a long quote.\n\n“And its second paragraph,” he said."
    spans = find_quote_spans(text)
    assert [s.continues_previous for s in spans] == [False, True]
    assert text[spans[1].start:spans[1].end] == "And its second paragraph,"


@pytest.mark.parametrize(
    "a, b",
    [
        ("We’ll see, let’s be patient.", "we'll see. Let's be patient"),
        ("“Mr Trump... said he believes”", "Mr Trump .... said he believes"),
        ("It is GREAT!", "it is great"),
    ],
)
def test_same_statement_normalises_alike(a, b):
    assert normalize_statement(a) == normalize_statement(b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("all of that is under consideration", "all of that was under consideration"),
        ("we will see", "we'll see"),
    ],
)
def test_different_words_stay_different(a, b):
    assert normalize_statement(a) != normalize_statement(b)
