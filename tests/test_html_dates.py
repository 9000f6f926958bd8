"""A saved web page keeps its publication time of day, not only its day."""

from __future__ import annotations

from extractors.readers import read_html

BODY = "<p>" + "The spokesman spoke to reporters about the call on Friday afternoon. " * 8 + "</p>"


def _page(head: str) -> str:
    return f"<html><head><title>Call</title>{head}</head><body><article>{BODY}</article></body></html>"


def test_time_of_day_from_the_page_metadata_is_kept():
    [article] = read_html("a.html", _page('<meta property="article:published_time" content="2017-01-27T14:13:05+00:00">'))
    assert article.metadata["published_at"].startswith("2017-01-27T14:13:05")


def test_time_zone_of_the_page_is_kept():
    [article] = read_html("b.html", _page('<meta property="article:published_time" content="2017-01-27T09:05:00-05:00">'))
    assert article.metadata["published_at"] == "2017-01-27T09:05:00-0500"
