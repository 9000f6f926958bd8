"""The report's charts as Plotly figures; `render` turns each into a div of the page.

Hover texts are escaped: Plotly reads them as a small subset of HTML.
"""

from __future__ import annotations

from datetime import timedelta
from html import escape

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from extractors.report.queries import Claim, Printing
from extractors.report.text import shorten, when

FONT = dict(family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size=13, color="#1f2933")
BLUE, ORANGE, GREY, RED, GREEN = "#2563eb", "#ea580c", "#9ca3af", "#dc2626", "#16a34a"


def _layout(fig: go.Figure, height: int, **extra) -> go.Figure:
    extra.setdefault("margin", dict(l=10, r=20, t=40, b=30))
    fig.update_layout(height=height, font=FONT, plot_bgcolor="white", paper_bgcolor="white",
                      hoverlabel=dict(align="left"), **extra)
    fig.update_xaxes(gridcolor="#eef0f3", zeroline=False, automargin=True)
    fig.update_yaxes(gridcolor="#eef0f3", zeroline=False, automargin=True)
    return fig


def nights(runs: list[dict]) -> go.Figure:
    """One small panel per figure of the night, a bar per night; failed nights in red."""
    labels = [r["started_at"].strftime("%d %b %H:%M") for r in runs]
    panels = (("articles new", "articles_new", BLUE), ("quotes new", "quotes_new", GREEN),
              ("claims in the marts", "n_claims", BLUE), ("quarantined", "files_quarantined", ORANGE))
    fig = make_subplots(rows=1, cols=len(panels), horizontal_spacing=0.05, subplot_titles=[p[0] for p in panels])
    for column, (name, key, colour) in enumerate(panels, start=1):
        values = [r[key] or 0 for r in runs]
        fig.add_bar(x=labels, y=values, name=name, text=values, textposition="outside", cliponaxis=False,
                    marker_color=[colour if r["status"] == "published" else RED for r in runs],
                    customdata=[r["status"] for r in runs],
                    hovertemplate="%{x}: %{y} " + name + " (%{customdata})<extra></extra>",
                    row=1, col=column)
        fig.update_yaxes(range=[0, max(values + [1]) * 1.25], row=1, col=column)
    fig.update_xaxes(type="category")
    for annotation in fig.layout.annotations:
        annotation.font = dict(size=12, color="#52606d")
    return _layout(fig, 210, showlegend=False)


def outlet_name(outlet: str) -> str:
    return "unknown outlet" if outlet == "unknown" else outlet


def _article_label(p: Printing) -> str:
    return f"{outlet_name(p.outlet)} · {shorten(p.title or p.source_file, 38)}"


def claim_timeline(claim: Claim) -> go.Figure:
    """Each article printing the claim, in the order they were printed: who had it first.

    Articles stating their publication time sit on a time axis; articles that give no date
    sit in a narrow panel of their own at the time they were loaded, so that years between
    the two do not squash the axis.
    """
    labels: list[str] = []
    for p in claim.printings:  # oldest first
        label = _article_label(p)
        while label in labels:
            label += " "
        labels.append(label)
    dated = [(label, p) for label, p in zip(labels, claim.printings) if p.dated]
    undated = [(label, p) for label, p in zip(labels, claim.printings) if not p.dated]
    columns = [part for part in (dated, undated) if part]
    fig = make_subplots(rows=1, cols=len(columns), shared_yaxes=True, horizontal_spacing=0.03,
                        column_widths=[0.78, 0.22] if len(columns) == 2 else [1.0])
    first_id = claim.printings[0].quote_id if claim.printings else None
    legend_seen: set[str] = set()
    for column, part in enumerate(columns, start=1):
        for kind, colour, symbol, size in (("first printing", BLUE, "star", 18),
                                           ("same words", BLUE, "circle", 12),
                                           ("changed words", RED, "diamond", 13)):
            points = [(label, p) for label, p in part if _kind(p, first_id) == kind]
            if not points:
                continue
            fig.add_scatter(
                x=[p.time if p.dated else f"loaded {p.time:%d %b %Y}" for _, p in points],
                y=[label for label, _ in points], mode="markers",
                name=kind, legendgroup=kind, showlegend=kind not in legend_seen,
                marker=dict(color=colour, symbol=symbol, size=size, line=dict(color="white", width=1)),
                hovertext=[_hover(p) for _, p in points], hoverinfo="text",
                row=1, col=column)
            legend_seen.add(kind)
        if part is dated:
            times = [p.time for _, p in part]
            pad = max((max(times) - min(times)) * 0.08, timedelta(minutes=30))
            fig.update_xaxes(type="date", range=[min(times) - pad, max(times) + pad],
                             title_text="stated publication time (UTC)", row=1, col=column)
        else:
            fig.update_xaxes(type="category", title_text="no date given", row=1, col=column)
    fig.update_xaxes(title_font=dict(size=12, color="#52606d"))
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed")
    return _layout(fig, 120 + 34 * len(labels), legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
                   margin=dict(l=10, r=20, t=30, b=10))


def _kind(p: Printing, first_id: str | None) -> str:
    if p.quote_id == first_id:
        return "first printing"
    return "changed words" if p.material_change else "same words"


def _hover(p: Printing) -> str:
    return (f"<b>{escape(outlet_name(p.outlet))}</b> · {escape(when(p.time, p.dated))}<br>"
            f"{escape(shorten(p.title or p.source_file, 70))}<br>"
            f"<i>{escape(shorten(p.quote_text, 90))}</i><br>wording: {escape(p.relation)}")


def speakers(rows: list[dict], sources: dict[str, int]) -> go.Figure:
    """Quotes per named speaker (labelled with their outlets), beside the unnamed sources."""
    rows = rows[::-1]  # the most quoted at the top
    names = [escape(r["speaker"]) for r in rows] + ["<i>unnamed sources</i>"]
    counts = [r["n_quotes"] for r in rows] + [sources.get("unnamed", 0)]
    colours = [BLUE] * len(rows) + [GREY]
    text = [f"{r['n_quotes']} · " + (f"{r['n_outlets']} outlet{'s' if r['n_outlets'] != 1 else ''}"
                                     if r["n_outlets"] else "outlet unknown") for r in rows]
    text.append(f"{sources.get('unnamed', 0)} (of {sum(sources.values())} quotes)")
    fig = go.Figure(go.Bar(
        x=counts, y=names, orientation="h", marker_color=colours, text=text, textposition="outside",
        cliponaxis=False, hovertemplate="%{y}: %{x} quotes<extra></extra>"))
    fig.update_xaxes(title_text="quotes", range=[0, max(counts + [1]) * 1.3])
    return _layout(fig, 80 + 26 * len(names), showlegend=False)


def outlets(rows: list[dict]) -> go.Figure:
    """Quotes per article, reprinted share and unnamed-source share, one panel each."""
    names = [escape(r["outlet"]) for r in rows][::-1]
    panels = (("quotes per article", "quotes_per_article", BLUE, "{:.1f}", 1),
              ("text reprinted (%)", "reprinted_share", ORANGE, "{:.0f}%", 100),
              ("quotes from unnamed sources (%)", "unnamed_share", GREY, "{:.0f}%", 100))
    fig = make_subplots(rows=1, cols=3, shared_yaxes=True, horizontal_spacing=0.06,
                        subplot_titles=[p[0] for p in panels])
    for column, (title, key, colour, fmt, scale) in enumerate(panels, start=1):
        values = [(r[key] or 0) * scale for r in rows][::-1]
        fig.add_bar(x=values, y=names, orientation="h", marker_color=colour, name=title,
                    text=[fmt.format(v) for v in values], textposition="outside", cliponaxis=False,
                    hovertemplate="%{y}: " + fmt.replace("{:.1f}", "%{x:.1f}").replace("{:.0f}", "%{x:.0f}")
                    + "<extra></extra>", row=1, col=column)
        fig.update_xaxes(range=[0, (max(values + [0]) or 1) * 1.35], row=1, col=column)
    for annotation in fig.layout.annotations:
        annotation.font = dict(size=12, color="#52606d")
    return _layout(fig, 90 + 34 * len(names), showlegend=False)


def quarantine(reasons: list[dict]) -> go.Figure:
    """Quarantined inputs by reason: all nights, and the report's night."""
    names = [escape(r["reason"]) for r in reasons][::-1]
    fig = go.Figure()
    for key, name, colour in (("n_night", "this night", RED), ("n", "all nights", ORANGE)):
        values = [r[key] for r in reasons][::-1]
        fig.add_bar(x=values, y=names, orientation="h", name=name, marker_color=colour, text=values,
                    textposition="outside", cliponaxis=False, hovertemplate="%{y}: %{x} " + name + "<extra></extra>")
    most = max(r["n"] for r in reasons)
    fig.update_xaxes(title_text="files or records", range=[0, most * 1.15], tickformat=",d",
                     dtick=max(1, round(most / 5)))
    return _layout(fig, 110 + 44 * len(names), barmode="group",
                   legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, traceorder="reversed"))
