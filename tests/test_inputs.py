"""Realistic, messy input through the real DAG: every format, metadata source and bad case."""

from __future__ import annotations

import json
import os

import pytest

from conftest import Deployment

STORY = (
    "Russian President Vladimir Putin and US President Donald Trump will speak by telephone on "
    "Saturday, the Kremlin said. \u201cThis is the first telephone contact since President Trump took "
    "office,\u201d Kremlin spokesman Dmitry Peskov told reporters. {extra}"
)
GERMAN = (
    "Der russische Präsident Wladimir Putin und US-Präsident Donald Trump werden am Samstag "
    "miteinander telefonieren, teilte der Kreml mit. Es sei das erste Gespräch seit der Amtseinführung, "
    "sagte ein Sprecher in Moskau. Konkrete Vereinbarungen würden nicht erwartet, hieß es weiter."
)
HTML = """<!doctype html><html><head>
<title>Merkel to speak to Trump | The Independent</title>
<meta property="og:site_name" content="The Independent">
<meta property="og:title" content="Merkel to speak to Trump">
<meta name="author" content="Noah Barkin">
<meta property="article:published_time" content="2017-01-27T14:13:00+00:00">
<link rel="canonical" href="https://www.independent.co.uk/news/world/merkel-trump-call.html">
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article><h1>Merkel to speak to Trump</h1>
<p>German Chancellor Angela Merkel will also speak to Donald Trump on Saturday, a government spokesman said in Berlin on Friday morning.</p>
<p>\u201cThe call is expected to focus on Russia and on the future of the sanctions,\u201d the spokesman told reporters at a regular news conference.</p>
<p>European governments have argued that sanctions should only be eased if Moscow complies with the conditions agreed for Ukraine.</p>
</article><footer>Join our commenting forum</footer></body></html>"""


@pytest.fixture(scope="module")
def messy(tmp_path_factory, airflow_home) -> Deployment:
    deployment = Deployment(tmp_path_factory.mktemp("messy") / "deploy", airflow_home)
    landing = deployment.landing
    (landing / "feeds").mkdir(parents=True)
    # Valid articles, one per format, each with metadata from a different place.
    (landing / "plain.txt").write_text(STORY.format(extra="Plain text with a manifest."), encoding="utf-8")
    (landing / "manifest.csv").write_text(
        "file,url,title,published_at,author\n"
        "plain.txt,https://www.theguardian.com/world/2017/jan/27/putin-trump-call,"
        "Putin and Trump to talk,2017-01-27T09:30:00Z,Shaun Walker\n",
        encoding="utf-8")
    records = [
        {"url": "https://www.reuters.com/article/us-usa-trump-russia", "outlet": "Reuters",
         "title": "Trump and Putin to talk", "published_at": "2017-01-27T10:00:00Z", "section": "world",
         "text": STORY.format(extra="From a news API.")},
        {"link": "https://edition.cnn.com/2017/01/27/politics/trump-putin-call/",
         "headline": "Kremlin confirms the call", "date": "January 27, 2017 11:00 ET",
         "body": STORY.format(extra="Reported by CNN.")},
        "{this line is not json",
        {"title": "No text here", "url": "https://www.cnn.com/x"},
        {"title": "Auf Deutsch", "language": "de", "text": GERMAN},
    ]
    (landing / "feeds" / "night.jsonl").write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n", encoding="utf-8")
    (landing / "feeds" / "one.json").write_text(json.dumps([{
        "headline": "Call confirmed", "body": STORY.format(extra="A JSON list of one."),
        "source": "Associated Press", "date": "2017-01-27"}]), encoding="utf-8")
    (landing / "page.html").write_text(HTML, encoding="utf-8")
    (landing / "latin1.txt").write_bytes(
        STORY.format(extra="Caf\u00e9 owners in Moscow were not surprised.").encode("cp1252", errors="replace"))
    # Bad input: each must land in quarantine with its reason.
    (landing / "empty.txt").write_bytes(b"")
    (landing / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (landing / "huge.txt").write_text("word " * 5000, encoding="utf-8")
    (landing / "broken.json").write_text('{"title": "unterminated', encoding="utf-8")
    (landing / "second-copy.txt").write_bytes((landing / "plain.txt").read_bytes())
    (landing / "slides.pdf").write_bytes(b"%PDF-1.4")
    (landing / "menu.html").write_text("<html><body><nav>Home</nav></body></html>", encoding="utf-8")
    outside = deployment.root / "outside.txt"
    outside.write_text(STORY.format(extra="Outside the landing folder."), encoding="utf-8")
    os.symlink(outside, landing / "link.txt")

    settings = {"QUOTEWIRE_MAX_FILE_BYTES": "20000", "QUOTEWIRE_MAX_QUARANTINE_SHARE": "0.9"}
    first = deployment.run(**settings)
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-3000:]
    deployment.first_output = first.stdout
    deployment.settings = settings
    return deployment


def test_every_valid_article_arrives_with_its_metadata(messy):
    rows = messy.query(
        """select source_file, record_index, outlet, outlet_method, title,
                  strftime(published_at at time zone 'UTC', '%Y-%m-%d %H:%M'), author
           from marts.articles order by source_file, record_index""")
    assert rows == [
        ("feeds/night.jsonl", 1, "Reuters", "metadata", "Trump and Putin to talk", "2017-01-27 10:00", None),
        ("feeds/night.jsonl", 2, "CNN", "url_domain", "Kremlin confirms the call", "2017-01-27 16:00", None),
        ("feeds/one.json", 1, "Associated Press", "metadata", "Call confirmed", "2017-01-27 00:00", None),
        ("latin1.txt", 0, "unknown", "unknown", None, None, None),
        ("page.html", 0, "The Independent", "metadata", "Merkel to speak to Trump", "2017-01-27 14:13", "Noah Barkin"),
        ("plain.txt", 0, "The Guardian", "url_domain", "Putin and Trump to talk", "2017-01-27 09:30", "Shaun Walker"),
    ]


def test_unknown_fields_and_raw_text_are_kept(messy):
    extra = messy.query("select extra_metadata from marts.articles where source_file = 'feeds/night.jsonl' and record_index = 1")
    assert json.loads(extra[0][0]) == {"section": "world"}
    latin = messy.query("select text from marts.articles where source_file = 'latin1.txt'")[0][0]
    assert "Caf\u00e9 owners" in latin
    html = messy.query("select text from marts.articles where source_file = 'page.html'")[0][0]
    assert "Home" not in html and "commenting forum" not in html
    assert "Angela Merkel will also speak" in html


def test_every_bad_input_is_quarantined_with_its_reason(messy):
    rows = messy.query("select source_file, reason, detail from ops.quarantine order by source_file, detail")
    reasons = sorted((source, reason) for source, reason, _ in rows)
    assert reasons == sorted([
        ("binary.txt", "binary"),
        ("broken.json", "bad_json"),
        ("second-copy.txt", "duplicate"),
        ("empty.txt", "empty"),
        ("feeds/night.jsonl", "bad_json"),
        ("feeds/night.jsonl", "no_text"),
        ("feeds/night.jsonl", "non_english"),
        ("huge.txt", "too_large"),
        ("link.txt", "outside_landing"),
        ("menu.html", "empty"),  # trafilatura keeps "Home"; cleaning leaves nothing
        ("slides.pdf", "unsupported_format"),
    ])
    details = {(s, r): d for s, r, d in rows}
    assert details[("feeds/night.jsonl", "bad_json")].startswith("line 3")
    assert "metadata says 'de'" in details[("feeds/night.jsonl", "non_english")]
    assert details[("second-copy.txt", "duplicate")] == "same bytes as plain.txt"


def test_the_run_summary_counts_the_quarantine(messy):
    assert "files quarantined  11" in messy.first_output
    run = messy.query("select articles_new, files_quarantined, status from marts.runs")
    assert run == [(6, 11, "published")]


def test_a_second_run_adds_nothing(messy, tmp_path):
    again = messy.copy_to(tmp_path / "again")
    counts = "select (select count(*) from raw.articles), (select count(*) from ops.quarantine), (select count(*) from raw.quotes)"
    before = again.query(counts, database=again.work_db)
    done = again.run(**messy.settings)
    assert done.returncode == 0, done.stdout[-3000:]
    assert again.query(counts, database=again.work_db) == before
    last = again.query("select articles_new, files_quarantined from marts.runs order by started_at desc limit 1")
    assert last == [(0, 0)]


def test_a_grown_feed_extracts_only_its_new_records(messy, tmp_path):
    grown = messy.copy_to(tmp_path / "grown")
    feed = grown.landing / "feeds" / "night.jsonl"
    late = {"outlet": "BBC", "title": "Late story", "text": STORY.format(extra="Added to the feed at night.")}
    feed.write_text(feed.read_text(encoding="utf-8") + json.dumps(late) + "\n", encoding="utf-8")
    before = grown.query("select count(*) from raw.articles", database=grown.work_db)[0][0]
    done = grown.run(**messy.settings)
    assert done.returncode == 0, done.stdout[-3000:]
    assert grown.query("select count(*) from raw.articles", database=grown.work_db)[0][0] == before + 1
    rows = grown.query("select record_index, outlet from marts.articles where source_file = 'feeds/night.jsonl' order by 1")
    assert rows == [(1, "Reuters"), (2, "CNN"), (6, "BBC")]
