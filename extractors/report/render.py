"""The report page: one self-contained HTML file, Plotly's JavaScript embedded once.

Every text from the warehouse goes through html.escape (directly or through the helpers in
extractors.report.text); charts are Plotly divs whose data Plotly serialises safely.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from pathlib import Path

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from extractors.report import charts
from extractors.report.queries import Claim, ReportData
from extractors.report.style import CSS
from extractors.report.text import context_html, mark_changes, shorten, when

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


def _chart(name: str, figure: go.Figure) -> str:
    div = figure.to_html(full_html=False, include_plotlyjs=False, config=PLOTLY_CONFIG, div_id=f"chart-{name}")
    return f'<div class="chart" data-chart="{escape(name)}">{div}</div>'


def _table(headers: list[str], rows: list[list[str]], classes: str = "") -> str:
    """A table of already-escaped cells."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{classes}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _pct(value: float | None) -> str:
    return f"{(value or 0) * 100:.0f}%"


def _gate(outcome: str | None) -> str:
    outcome = outcome or "not run"
    kind = {"passed": "ok", "failed": "bad"}.get(outcome, "muted")
    return f'<span class="badge {kind}">{escape(outcome)}</span>'


def render(data: ReportData) -> str:
    night = data.night
    title = "Quotewire nightly report"
    subtitle = (f"night of {night['started_at']:%d %B %Y, %H:%M} UTC · run {escape(night['run_id'])}"
                if night else "no published night yet")
    generated = datetime.now(UTC).strftime("%d %B %Y %H:%M UTC")
    sections = [_night(data), _claims(data.claims), _speakers(data), _outlets(data), _quarantine(data)]
    nav = "".join(f'<a href="#{anchor}">{label}</a>' for anchor, label in (
        ("night", "The night"), ("claims", "Claims that spread"), ("speakers", "Speakers"),
        ("outlets", "Outlets"), ("quarantine", "Quarantine")))
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}: {escape(night['started_at'].strftime('%d %b %Y') if night else 'empty')}</title>
<style>{CSS}</style>
<script>{get_plotlyjs()}</script>
</head>
<body>
<header>
<h1>{title}</h1>
<p class="subtitle">{subtitle}</p>
<p class="muted">Built {generated} from the published marts in <code>{escape(_shown_path(data.warehouse))}</code>.
Click any quote to read it in its article.</p>
<nav>{nav}</nav>
</header>
<main>
{''.join(sections)}
</main>
</body>
</html>
"""


def _shown_path(path: str) -> str:
    """The warehouse path, relative to the working directory when it lies below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path


def _tile(label: str, value: int | None, previous: int | None) -> str:
    if previous is None:
        delta = '<span class="delta muted">first night</span>'
    else:
        change = (value or 0) - (previous or 0)
        sign = "+" if change > 0 else "−"
        change = abs(change)
        delta = f'<span class="delta">{sign}{change} on the night before</span>' if change else \
            '<span class="delta muted">same as the night before</span>'
    return f'<div class="tile"><div class="value">{value if value is not None else "–"}</div>' \
           f'<div class="label">{escape(label)}</div>{delta}</div>'


def _night(data: ReportData) -> str:
    night = data.night
    if night is None:
        return '<section id="night"><h2>The night</h2><p>No night has been published yet.</p></section>'
    index = data.runs.index(night)
    before = data.runs[index - 1] if index > 0 else {}
    tiles = "".join(_tile(label, night[key], before.get(key)) for label, key in (
        ("articles new", "articles_new"), ("quotes new", "quotes_new"), ("claims", "n_claims"),
        ("speakers", "n_speakers"), ("quarantined", "files_quarantined")))
    gates = " ".join(f"{name} {_gate(night[key])}" for name, key in (
        ("raw gate", "raw_gate"), ("dbt build", "dbt_build"), ("mart gate", "mart_gate")))
    rows = [[
        f"{r['started_at']:%d %b %Y %H:%M}",
        f'<span class="badge {"ok" if r["status"] == "published" else "bad"}">{escape(r["status"])}</span>',
        str(r["files_seen"] or 0), str(r["articles_new"] or 0), str(r["quotes_new"] or 0),
        str(r["n_claims"] or "–"), str(r["files_quarantined"] or 0),
        _gate(r["raw_gate"]), _gate(r["dbt_build"]), _gate(r["mart_gate"]), f"{r['wall_seconds']:.0f} s",
    ] for r in data.runs[::-1]]
    totals = ", ".join(f"{n} {escape(t)}" for t, n in data.totals.items())
    return f"""<section id="night">
<h2>The night</h2>
<div class="tiles">{tiles}</div>
<p class="gates">{gates} · the marts now hold {totals}.</p>
{_chart("nights", charts.nights(data.runs))}
<details class="more"><summary>Every night in the record ({len(data.runs)})</summary>
{_table(["night (UTC)", "status", "files", "articles new", "quotes new", "claims", "quarantined",
         "raw gate", "dbt build", "mart gate", "took"], rows, "numbers")}
</details>
</section>"""


def _claims(claims: list[Claim]) -> str:
    if not claims:
        return '<section id="claims"><h2>Claims that spread</h2><p>No statement has been printed ' \
               'by more than one article yet.</p></section>'
    cards = "".join(_claim(c) for c in claims)
    return f"""<section id="claims">
<h2>Claims that spread</h2>
<p class="muted">The statements printed by the most articles. Each point is an article carrying the
statement: the star had it first. Words that differ from the fullest wording are
<ins>marked</ins>; <del>struck</del> words were dropped.</p>
{cards}
</section>"""


def _claim(claim: Claim) -> str:
    canonical = next((v["variant_text"] for v in claim.variants if v["is_canonical"]), claim.claim_text)
    first = claim.printings[0] if claim.printings else None
    flag = '<span class="badge bad">words changed</span>' if claim.has_material_change else ""
    who = escape(claim.speaker or "unattributed")
    first_line = ""
    if first:
        first_line = (f"first printed by <b>{escape(charts.outlet_name(first.outlet))}</b>, "
                      f"{escape(when(first.time, first.dated))}")
    printings = "".join(
        f"""<li data-article-id="{escape(p.article_id)}"><details><summary>
<span class="when">{escape(when(p.time, p.dated))}</span> <b>{escape(charts.outlet_name(p.outlet))}</b>
<span class="muted">{escape(shorten(p.title or p.source_file, 80))}</span>
{'<span class="badge ok">first</span>' if i == 0 else ''}
{'<span class="badge bad">words changed</span>' if p.material_change else ''}
<q>{mark_changes(canonical, p.quote_text)}</q></summary>
<blockquote class="context">{context_html(p.context)}</blockquote>
<p class="meta">{escape(p.source_file)} · characters {p.start_char}–{p.end_char} of the article's text</p>
</details></li>""" for i, p in enumerate(claim.printings))
    variants = [[
        f"<q>{mark_changes(canonical, v['variant_text'])}</q>",
        f'<span class="badge {"bad" if v["material_change"] else "muted"}">{escape(v["relation"])}</span>',
        escape("; ".join(c.replace(" -> ", " → ") for c in v["changed_words"] or [])) or "–",
        f"{v['n_articles']} ({escape(', '.join(v['outlets'] or []) or 'unknown outlet')})",
    ] for v in claim.variants]
    return f"""<article class="claim" id="claim-{escape(claim.claim_id)}" data-claim-id="{escape(claim.claim_id)}"
 data-n-articles="{claim.n_articles}">
<h3>{who}: <q>{escape(shorten(claim.claim_text, 220))}</q></h3>
<p class="facts"><b>{_plural(claim.n_articles, "article")}</b> · {_plural(claim.n_outlets, "known outlet")}
 · {first_line} {flag}</p>
{_chart("claim-" + claim.claim_id, charts.claim_timeline(claim))}
<h4>Printings</h4>
<ol class="printings">{printings}</ol>
<h4>Wordings</h4>
{_table(["wording", "relation", "changed words", "articles"], variants, "wordings")}
</article>"""


def _speakers(data: ReportData) -> str:
    rows = []
    for s in data.speakers:
        example = s["example"]
        quote = "–"
        if example:
            quote = (f"<details><summary><q>{escape(shorten(example['quote_text'], 110))}</q> "
                     f"<span class=\"muted\">({_plural(example['n_articles'], 'article')})</span></summary>"
                     f"<blockquote class=\"context\">{context_html(example['context'])}</blockquote>"
                     f"<p class=\"meta\">{escape(charts.outlet_name(example['outlet']))} · "
                     f"{escape(shorten(example['title'], 90))}</p>"
                     "</details>")
        rows.append([escape(s["speaker"]), escape(s["speaker_type"] or ""), str(s["n_quotes"]),
                     str(s["n_claims"]), str(s["n_articles"]), str(s["n_outlets"]), quote])
    named, unnamed = data.sources.get("named", 0), data.sources.get("unnamed", 0)
    mentions = [[escape(m["mention"]), str(m["n_quotes"]), str(m["n_outlets"])] for m in data.unnamed_mentions]
    chart = _chart("speakers", charts.speakers(data.speakers, data.sources)) if data.speakers else \
        "<p>No named speaker yet.</p>"
    return f"""<section id="speakers">
<h2>Speakers</h2>
<p class="muted">{named} quotes have a named speaker and {unnamed} an unnamed one
({_pct(unnamed / max(1, named + unnamed))}). Bars: quotes per speaker, and in how many known outlets.</p>
{chart}
{_table(["speaker", "type", "quotes", "statements", "articles", "outlets", "most printed statement"], rows, "speakers")}
<h4>Unnamed sources, as the articles describe them</h4>
{_table(["described as", "quotes", "outlets"], mentions, "numbers")}
</section>"""


def _outlets(data: ReportData) -> str:
    rows = [[escape(o["outlet"]), escape(o["domain"] or "–"), str(o["n_articles"]), str(o["n_quotes"]),
             f"{o['quotes_per_article']:.1f}", str(o["n_speakers"]), _pct(o["reprinted_share"]),
             _pct(o["unnamed_share"])] for o in data.outlets]
    chart = _chart("outlets", charts.outlets(data.outlets)) if data.outlets else "<p>No outlet yet.</p>"
    return f"""<section id="outlets">
<h2>Outlets</h2>
<p class="muted">Reprinted: the share of an outlet's text found word for word in another article
(shared wire copy or reprinting). "unknown" gathers articles whose outlet could not be told.</p>
{chart}
{_table(["outlet", "domain", "articles", "quotes", "quotes per article", "named speakers",
         "text reprinted", "unnamed sources"], rows, "numbers")}
</section>"""


def _quarantine(data: ReportData) -> str:
    if not data.quarantine_reasons:
        return """<section id="quarantine"><h2>Quarantine</h2>
<p class="empty">Nothing has been quarantined: every input file became articles.</p></section>"""
    rows = [[escape(q["source_file"]), f'<span class="badge muted">{escape(q["reason"])}</span>',
             escape(shorten(q["detail"], 140)), f"{q['quarantined_at']:%d %b %Y %H:%M}"]
            for q in data.quarantine_files]
    total = sum(r["n"] for r in data.quarantine_reasons)
    night = sum(r["n_night"] for r in data.quarantine_reasons)
    return f"""<section id="quarantine">
<h2>Quarantine</h2>
<p class="muted">{total} inputs kept aside with their reason ({night} this night); they are in
<code>ops.quarantine</code>.</p>
{_chart("quarantine", charts.quarantine(data.quarantine_reasons))}
<h4>The latest quarantined inputs</h4>
{_table(["file", "reason", "detail", "when (UTC)"], rows)}
</section>"""
