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


def test_one_bad_manifest_row_costs_only_that_row():
    problems: list[str] = []
    data = (
        "file,url,outlet\n"
        "a.txt,https://x.com/a,X\n"
        "b.txt,https://x.com/b,Y,one field too many\n"
        ",https://x.com/c,Z\n"
        "d.txt,http://[oops/story,W\n"
        "e.txt," + "x" * 140_000 + ",Q\n"
        "f.txt,https://f.com/,F\n"
        'g.txt,"never closed,Z\n'
        "h.txt,https://h.com/,H\n"
    ).encode()
    manifest = parse_manifest("manifest.csv", data, problems)
    assert sorted(manifest) == ["a.txt", "f.txt", "h.txt"]
    assert manifest["h.txt"] == {"url": "https://h.com/", "outlet": "H"}
    assert problems == [
        "line 3: 4 fields, the header has 3",
        "line 4: no file name",
        "line 5 (d.txt): url 'http://[oops/story' does not parse: Invalid IPv6 URL",
        "line 6: field larger than field limit (131072)",
        "line 8: unexpected end of data",
    ]


def test_an_unreadable_manifest_raises():
    for name, data in [("manifest.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
                       ("manifest.csv", b"url,outlet\nhttps://x.com,X\n"),
                       ("manifest.json", b"[" * 10_000),
                       ("manifest.json", b'"just a string"')]:
        try:
            parse_manifest(name, data)
        except (ValueError, TypeError):
            continue
        raise AssertionError(f"{name} {data[:20]!r} was accepted")


def test_hostile_json_records_are_quarantined_one_by_one():
    lines = [
        json.dumps({"text": "a lone \ud800 surrogate"}, ensure_ascii=True),
        "[" * 10_000,
        json.dumps({"url": "http://[oops/story", "text": "bad url"}),
        json.dumps({"text": "nested", "extra": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}),
        json.dumps({"text": "kept\u0000 without\u001b its control characters"}),
    ]
    out = read_articles("feed.jsonl", "\n".join(lines).encode(), {})
    reasons = [(getattr(r, "reason", None), getattr(r, "detail", "")[:7]) for r in out]
    assert reasons == [("bad_record", "line 1:"), ("bad_json", "line 2:"), ("bad_record", "line 3:"),
                       ("bad_record", "line 4:"), (None, "")]
    assert "surrogate" in out[0].detail and "parse" in out[2].detail and "deep" in out[3].detail
    assert out[4].text == "kept without its control characters" and out[4].encoding == "utf-8"
    deep = read_articles("deep.json", b"[" * 10_000 + b"]" * 10_000, {})
    assert [(r.reason, r.detail) for r in deep] == [("bad_json", "line 1: nested too deep for the JSON parser")]


def test_text_files_keep_their_encoding_and_lose_control_characters():
    (article,) = read_articles("a.txt", "Caf\u00e9 \u00a35 \u201cquoted\u201d\x00".encode("cp1252"), {})
    assert article.text == "Caf\u00e9 \u00a35 \u201cquoted\u201d" and article.encoding == "cp1252"
    (article,) = read_articles("b.txt", "English news, said he.".encode("utf-16"), {})
    assert article.text == "English news, said he." and article.encoding == "utf-16-le (BOM)"
