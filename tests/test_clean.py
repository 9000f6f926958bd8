"""Cleaning and metadata: boilerplate as data, titles, dates and outlet signatures."""

from __future__ import annotations

import pytest

from extractors.clean import clean_article, english_share, parse_date_line, signature_outlet

INDEPENDENT = """Stay up to date with notifications from The Independent

Notifications can be managed in browser preferences.

Trump schedules call with Putin

Friday 27 January 2017 14:13 GMT

The Kremlin said the two leaders would speak on Saturday.

Advertisement

Join our commenting forum

Thank you for registering
"""


def test_boilerplate_title_and_date_are_lifted_out(rules):
    cleaned = clean_article(INDEPENDENT, rules)
    assert cleaned.text == "The Kremlin said the two leaders would speak on Saturday."
    assert cleaned.title == "Trump schedules call with Putin"
    assert cleaned.published_at == "2017-01-27T14:13:00Z"
    assert cleaned.signature_outlet == "The Independent"


def test_byline_above_the_date_line(rules):
    text = "Trump to call Putin\n\nChristian Lowe,Noah Barkin\nFriday 27 January 2017 14:13 GMT\nThe call is set."
    cleaned = clean_article(text, rules)
    assert cleaned.author == "Christian Lowe,Noah Barkin"
    assert cleaned.title == "Trump to call Putin"
    assert cleaned.text == "The call is set."


def test_metadata_wins_over_the_text(rules):
    cleaned = clean_article(INDEPENDENT, rules, metadata_title="Official headline",
                            metadata_published_at="2017-01-28 09:00:00+01:00", metadata_author="A. Writer")
    assert (cleaned.title, cleaned.published_at, cleaned.author) == (
        "Official headline", "2017-01-28T08:00:00Z", "A. Writer")


def test_no_signature_no_outlet(rules):
    assert signature_outlet("Plain text with no signature.", rules) is None


def test_english_share_tells_english_from_other_languages():
    assert english_share("The president said that he would call the leaders of the two countries on Saturday.") > 0.3
    assert english_share("Der Präsident sagte, dass er am Samstag die Staatschefs beider Länder anrufen werde.") < 0.1


def test_credit_line_names_the_outlet_and_leaves_the_text(rules):
    cleaned = clean_article("A long first sentence of the story ends here.\nGuardian/Reuters", rules)
    assert cleaned.signature_outlet == "The Guardian"
    assert "Guardian/Reuters" not in cleaned.text


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Friday 27 January 2017 14:13 GMT", "2017-01-27T14:13:00Z"),
        ("January 27, 2017, 11:55am", "2017-01-27T11:55:00Z"),
        ("2017-01-27", "2017-01-27T00:00:00Z"),
        ("The call is on Saturday.", None),
    ],
)
def test_date_lines(rules, line, expected):
    assert parse_date_line(line, rules) == expected


def test_a_first_line_that_is_a_sentence_is_not_a_title(rules):
    cleaned = clean_article("Vladimir Putin will speak to Donald Trump on Saturday.\nMore text.", rules)
    assert cleaned.title is None
    assert cleaned.text.startswith("Vladimir Putin")
