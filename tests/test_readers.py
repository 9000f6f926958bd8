"""Landing formats and manifests: pure parsing, no NLP."""

from __future__ import annotations

import json

from extractors.readers import RawArticle, parse_manifest, read_articles, split_fields


def test_aliased_fields_are_understood_and_unknown_ones_kept():
    metadata, extra = split_fields({"Headline": "H", "body": "B", "link": "https://x.org/a",
                                    "authors": ["A", "B"], "section": "world"})
    assert metadata == {"title": "H", "text": "B", "url": "https://x.org/a", "author": "A, B"}
    assert extra == {"section": "world"}


def test_json_lines_keep_going_past_a_bad_line():
    data = b'{"text": "first"}\nnot json\n\n{"title": "no text"}\n{"text": "fourth"}\n'
    out = read_articles("feed.jsonl", data, {})
    kinds = [(type(r).__name__, getattr(r, "record_index", None), getattr(r, "reason", None)) for r in out]
    assert kinds == [("RawArticle", 1, None), ("QuarantineRecord", None, "bad_json"),
                     ("QuarantineRecord", None, "no_text"), ("RawArticle", 5, None)]


def test_json_documents_in_three_shapes():
    one = read_articles("a.json", json.dumps({"text": "t"}).encode(), {})
    many = read_articles("b.json", json.dumps([{"text": "t1"}, {"text": "t2"}]).encode(), {})
    wrapped = read_articles("c.json", json.dumps({"articles": [{"text": "t"}, 3]}).encode(), {})
    assert [r.record_index for r in one] == [0]
    assert [r.record_index for r in many] == [1, 2]
    assert isinstance(wrapped[0], RawArticle) and wrapped[1].reason == "bad_record"


def test_manifest_metadata_applies_to_plain_text():
    manifest = parse_manifest("manifest.json", json.dumps(
        [{"file": "a.txt", "url": "https://www.bbc.co.uk/news/1", "published_at": "2017-01-27"}]).encode())
    (article,) = read_articles("a.txt", b"Some text.", manifest)
    assert article.metadata == {"url": "https://www.bbc.co.uk/news/1", "published_at": "2017-01-27"}
    assert parse_manifest("manifest.csv", b"file,outlet\nb.txt,Reuters\n") == {"b.txt": {"outlet": "Reuters"}}
