"""The report's stylesheet: system fonts only, so the page needs nothing from the network."""

CSS = """
:root { --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; --blue: #2563eb; --red: #dc2626;
        --green: #15803d; --bg: #f7f8fa; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
       font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header { background: #111827; color: #f9fafb; padding: 22px 32px 0; }
header h1 { margin: 0; font-size: 24px; }
header .subtitle { margin: 2px 0 4px; font-size: 16px; }
header .muted { color: #cbd2d9; }
header code { color: #f9fafb; }
nav { margin-top: 12px; display: flex; gap: 4px; flex-wrap: wrap; }
nav a { color: #f9fafb; text-decoration: none; padding: 8px 14px; border-radius: 6px 6px 0 0;
        background: #1f2937; }
nav a:hover { background: var(--blue); }
main { max-width: 1180px; margin: 0 auto; padding: 8px 24px 48px; }
section { background: white; border: 1px solid var(--line); border-radius: 10px; padding: 18px 24px;
          margin: 20px 0; }
h2 { margin: 0 0 8px; font-size: 20px; }
h3 { margin: 0 0 4px; font-size: 16px; font-weight: 600; }
h4 { margin: 16px 0 6px; font-size: 14px; color: var(--muted); text-transform: uppercase;
     letter-spacing: .04em; }
.muted { color: var(--muted); }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin: 10px 0; }
.tile { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.tile .value { font-size: 28px; font-weight: 700; }
.tile .label { color: var(--muted); }
.tile .delta { font-size: 12px; }
.gates { margin: 6px 0 0; }
.badge { display: inline-block; font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 999px;
         background: #e5e7eb; color: #374151; white-space: nowrap; }
.badge.ok { background: #dcfce7; color: var(--green); }
.badge.bad { background: #fee2e2; color: var(--red); }
.chart { min-height: 120px; margin: 8px 0; }
.claim { border-top: 1px solid var(--line); padding: 16px 0 4px; }
.claim:first-of-type { border-top: 0; }
.claim .facts { margin: 0 0 4px; }
q { quotes: "\\201C" "\\201D"; }
ins { background: #fde68a; text-decoration: none; padding: 0 2px; border-radius: 3px; }
del { color: var(--red); }
.cut { color: var(--muted); }
ol.printings { padding-left: 22px; margin: 0; }
ol.printings li { margin: 6px 0; }
ol.printings summary q { display: block; margin: 2px 0 0 18px; }
details > summary { cursor: pointer; }
details[open] > summary { margin-bottom: 6px; }
.when { font-variant-numeric: tabular-nums; color: var(--muted); font-size: 13px; }
blockquote.context { margin: 4px 0 4px 4px; padding: 8px 14px; border-left: 4px solid var(--blue);
                     background: #f3f6fc; white-space: pre-line; }
blockquote.context mark { background: #bfdbfe; }
.meta { margin: 0 0 8px 4px; font-size: 12px; color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 6px 0 4px; font-size: 14px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
table.numbers td:not(:first-child) { font-variant-numeric: tabular-nums; }
table.speakers td:last-child { width: 45%; }
.empty { font-size: 16px; color: var(--green); }
details.more { margin-top: 8px; }
"""
