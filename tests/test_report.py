"""The nightly report: its pure parts, and the seed run's report as a reader sees it in Chromium."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from extractors.report import write_atomically
from extractors.report.queries import Claim, Printing, ReportData
from extractors.report.render import render
from extractors.report.text import context_html, mark_changes, sentence_around

PESKOV = "first telephone contact"


# --- pure parts ---------------------------------------------------------------------------

def test_changed_words_are_marked():
    marked = mark_changes("all of that was under consideration.", "all of that is under consideration")
    assert marked == "all of that <del>was</del> <ins>is</ins> under consideration"


def test_case_punctuation_and_curly_apostrophes_are_not_changes():
    canonical = "We'll see, let's be patient."
    assert mark_changes(canonical, "We’ll see. Let’s be patient,") == "We’ll see. Let’s be patient,"
    assert mark_changes("Mr Trump... said it", "Mr Trump .... said it") == "Mr Trump .... said it"


def test_added_and_dropped_words_and_cut_ends():
    assert mark_changes("one two three four five", "one two four five six") == \
        "one two <del>three</del> four five <ins>six</ins>"
    # A truncation is a cut at either end, not a change of words.
    assert mark_changes("one two three four five", "two three four") == \
        '<span class="cut" title="not printed">…</span> two three four <span class="cut" title="not printed">…</span>'


def test_marked_wordings_are_escaped():
    marked = mark_changes("a <b>safe</b> text", "a <script>alert(1)</script> text")
    assert "<script>" not in marked and "&lt;script&gt;" in marked


ARTICLE = ("Moscow said little. Putin's press secretary Dmitry Peskov said talks were unlikely. "
           "“This is the first telephone contact. We'll see.”\n\n"
           "Asked about Ukraine, he said “it is too early” to say. Then he left.")


def _offsets(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def test_a_quote_alone_in_its_sentence_brings_the_sentence_before_it():
    context = sentence_around(ARTICLE, *_offsets(ARTICLE, "This is the first telephone contact. We'll see."))
    assert context.before == "Putin's press secretary Dmitry Peskov said talks were unlikely. “"
    assert context.after == "”"
    assert context.quote == "This is the first telephone contact. We'll see."


def test_a_partial_quote_gets_its_own_sentence_only():
    context = sentence_around(ARTICLE, *_offsets(ARTICLE, "it is too early"))
    assert (context.before, context.after) == ("Asked about Ukraine, he said “", "” to say.")
    assert context_html(context) == "Asked about Ukraine, he said “<mark>it is too early</mark>” to say."


def test_long_sentences_are_cut_and_offsets_are_checked():
    text = "x" * 1000
    context = sentence_around(text, 500, 510, limit=100)
    assert (len(context.before), len(context.after), context.cut_before, context.cut_after) == (100, 100, True, True)
    assert context_html(context).startswith("… ") and context_html(context).endswith(" …")
    with pytest.raises(ValueError):
        sentence_around("short", 2, 9)


def _data(text: str) -> ReportData:
    """A night with one claim whose every text field carries markup."""
    when = datetime(2017, 1, 27, 11, 55)
    context = sentence_around(text, 0, len(text))
    printing = Printing(
        quote_id="q1", article_id="a1", outlet=text, title=text, source_file=text, time=when, dated=True,
        quote_text=text, start_char=0, end_char=len(text), variant_id="v1", relation="canonical",
        material_change=False, context=context)
    claim = Claim(claim_id="c1", speaker=text, claim_text=text, n_quotes=2, n_articles=2, n_outlets=1,
                  first_outlet=text, first_seen_at=when, has_material_change=False,
                  variants=[{"variant_text": text, "is_canonical": True, "relation": "canonical",
                             "changed_words": [], "material_change": False, "n_articles": 2, "outlets": [text]}],
                  printings=[printing, Printing(**{**printing.__dict__, "quote_id": "q2", "article_id": "a2"})])
    night = {"run_id": text, "status": "published", "started_at": when, "wall_seconds": 1.0, "files_seen": 1,
             "articles_new": 1, "files_quarantined": 1, "quotes_new": 1, "n_speakers": 1, "n_claims": 1,
             "raw_gate": "passed", "dbt_build": "passed", "mart_gate": "passed", "message": text}
    return ReportData(
        warehouse=text, night=night, runs=[night], totals={"articles": 1}, claims=[claim],
        speakers=[{"speaker": text, "speaker_type": "PERSON", "n_quotes": 1, "n_claims": 1, "n_articles": 1,
                   "n_outlets": 1, "example": {"quote_text": text, "n_articles": 1, "outlet": text, "title": text,
                                               "context": context}}],
        sources={"named": 1, "unnamed": 1}, unnamed_mentions=[{"mention": text, "n_quotes": 1, "n_outlets": 1}],
        outlets=[{"outlet": text, "domain": text, "n_articles": 1, "n_quotes": 1, "n_speakers": 1,
                  "quotes_per_article": 1.0, "reprinted_share": 0.5, "unnamed_share": 0.5}],
        quarantine_reasons=[{"reason": text, "n": 1, "n_night": 1}],
        quarantine_files=[{"source_file": text, "reason": text, "detail": text, "run_id": text,
                           "quarantined_at": when}],
    )


def test_every_text_of_the_warehouse_is_escaped_in_the_page():
    hostile = '<img src=x onerror="alert(1)"></script><script>alert(2)</script>'
    page = render(_data(hostile))
    assert "<img src=x" not in page and "<script>alert" not in page
    assert page.count("&lt;img src=x onerror=") >= 15  # title, outlet, quote, speaker, reason, ...


def test_a_failed_write_leaves_the_previous_report(tmp_path):
    report = tmp_path / "report" / "index.html"
    write_atomically(report, "<p>last night</p>")
    with pytest.raises(UnicodeEncodeError):
        write_atomically(report, "<p>half a page \ud800</p>")  # a lone surrogate cannot be written
    assert report.read_text() == "<p>last night</p>"
    assert [p.name for p in report.parent.iterdir()] == ["index.html"]  # no temporary file left


def test_the_report_exposure_lists_every_mart_the_report_reads():
    exposures = yaml.safe_load((ROOT / "dbt_project/models/marts/_exposures.yml").read_text())["exposures"]
    report = next(e for e in exposures if e["name"] == "nightly_report")
    declared = {re.fullmatch(r"ref\('(\w+)'\)", ref).group(1) for ref in report["depends_on"]}
    source = (ROOT / "extractors/report/queries.py").read_text()
    read = set(re.findall(r"\bmarts\.(\w+)", source)) - {"runs"}  # runs is written by publish, not dbt
    assert read == declared


# --- the seed run's report in a real browser -----------------------------------------------

@pytest.fixture(scope="module")
def seed_report(seeded) -> Path:
    report = seeded.root / "warehouse" / "report" / "index.html"
    assert report.is_file(), "the DAG's report task did not write the report"
    return report


def test_the_seed_report_opens_from_disk_and_every_chart_draws(seed_report, tmp_path):
    from extractors.report.browser import chromium_page, open_report

    requests, errors = [], []
    with chromium_page() as page:
        page.on("request", lambda request: requests.append(request.url))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        open_report(page, seed_report)
        charts = _charts_drawn(page)
        claim = page.locator("article.claim", has_text=PESKOV)
        n_articles = claim.get_attribute("data-n-articles")
        printed_in = claim.locator("ol.printings > li").evaluate_all("items => items.map(i => i.dataset.articleId)")
        timeline_points = claim.locator(".chart .point").count()
        facts = claim.locator(".facts").inner_text()
        # Open the first printing: its sentence in the article, the quote highlighted.
        claim.locator("ol.printings summary").first.click()
        context = claim.locator("blockquote.context").first
        context.wait_for(state="visible")
        highlighted, sentence = context.locator("mark").inner_text(), context.inner_text()
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=True)

    names = {c["name"] for c in charts}
    assert {"nights", "speakers", "outlets"} <= names and any(n.startswith("claim-") for n in names)
    for chart in charts:
        assert chart["width"] > 100 and chart["height"] > 100 and chart["marks"] > 0, chart
    assert n_articles == "4" and len(set(printed_in)) == 4 and timeline_points == 4
    assert facts.startswith("4 articles")
    assert PESKOV in highlighted and "Peskov" in sentence.replace(highlighted, "")
    assert errors == []
    assert requests == [seed_report.resolve().as_uri()]
    assert shot.stat().st_size > 50_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_failed_report_fails_the_dag_run_but_the_night_stays_published(deployment):
    blocker = deployment.root / "not-a-folder"
    blocker.write_text("a file where the report's folder should be")
    before = deployment.query("select count(*) from marts.runs")[0][0]
    done = deployment.run(QUOTEWIRE_REPORT=str(blocker / "index.html"))
    logs = re.findall(r"full Airflow log is in (\S+)", done.stdout)
    assert len(logs) == 1, done.stdout[-3000:]
    log = Path(logs[0]).read_text(encoding="utf-8")
    assert "FileExistsError" in log and re.search(r"DagRun Finished: .*state=failed", log), log[-3000:]
    assert re.search(r"report +failed", done.stdout), done.stdout[-3000:]
    # The publish happened before the report and stands: the run is recorded and exits as published.
    assert done.returncode == 0 and "PUBLISHED" in done.stdout
    runs = deployment.query("select count(*), arg_max(status, started_at) from marts.runs")
    assert runs == [(before + 1, "published")]


def _charts_drawn(page) -> list[dict]:
    return page.evaluate("""() => [...document.querySelectorAll('.chart')].map(chart => {
        const svg = chart.querySelector('svg.main-svg');
        const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
        return {name: chart.dataset.chart, width: box.width, height: box.height,
                marks: chart.querySelectorAll('.point').length};
    })""")


def test_hostile_text_stays_text_in_the_browser_and_the_quarantine_chart_draws(tmp_path):
    from extractors.report.browser import chromium_page, open_report

    hostile = '<img src=x onerror="alert(1)"></script><script>alert(2)</script>'
    report = tmp_path / "index.html"
    write_atomically(report, render(_data(hostile)))
    dialogs, errors = [], []
    with chromium_page() as page:
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda error: errors.append(str(error)))
        open_report(page, report)
        charts = _charts_drawn(page)
        title = page.locator("article.claim h3").inner_text()
    assert dialogs == [] and errors == []
    assert hostile in title
    assert {c["name"] for c in charts} == {"nights", "claim-c1", "speakers", "outlets", "quarantine"}
    assert all(c["width"] > 100 and c["height"] > 100 and c["marks"] > 0 for c in charts), charts
