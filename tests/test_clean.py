"""Cleaning and metadata: boilerplate as data, titles, dates and outlet signatures."""

from __future__ import annotations

import pytest

from extractors.clean import clean_article, detect_outlet, parse_date_line

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
    assert (cleaned.outlet, cleaned.outlet_method) == ("The Independent", "text_signature")


def test_metadata_outlet_wins_over_text(rules):
    assert detect_outlet(INDEPENDENT, rules, metadata_outlet="Reuters") == ("Reuters", "metadata")


def test_unknown_outlet(rules):
    assert detect_outlet("Plain text with no signature.", rules) == ("unknown", "unknown")


def test_credit_line_names_the_outlet_and_leaves_the_text(rules):
    cleaned = clean_article("A long first sentence of the story ends here.\nGuardian/Reuters", rules)
    assert cleaned.outlet == "The Guardian"
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
