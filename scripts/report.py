"""Build the HTML report from the published warehouse, as the nightly DAG's report task does.

    python scripts/report.py [--warehouse FILE] [--output FILE] [--run-id RUN_ID] [--screenshot PNG]

Defaults come from the settings: QUOTEWIRE_WAREHOUSE (warehouse/quotewire.duckdb) and
QUOTEWIRE_REPORT (warehouse/report/index.html). The report is about the latest published night
unless --run-id names another night in marts.runs. --screenshot also saves a picture of the
report's top as Chromium shows it (the README's docs/report.png; needs `make browser`).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", help="published DuckDB file (default: warehouse/quotewire.duckdb)")
    parser.add_argument("--output", help="HTML file to write (default: warehouse/report/index.html)")
    parser.add_argument("--run-id", help="the night to report on (default: the latest published one)")
    parser.add_argument("--screenshot", help="also save a PNG of the report's top, as Chromium shows it")
    args = parser.parse_args()
    if args.warehouse:
        os.environ["QUOTEWIRE_WAREHOUSE"] = str(Path(args.warehouse).resolve())
    if args.output:
        os.environ["QUOTEWIRE_REPORT"] = str(Path(args.output).resolve())
    sys.path.insert(0, str(ROOT))
    from extractors.report import build_report
    from extractors.settings import Settings

    settings = Settings.from_env()
    try:
        written = build_report(settings.warehouse, settings.report, args.run_id)
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"report written to {written}")
    print(f"open it with     xdg-open {written.as_uri()}")
    if args.screenshot:
        from extractors.report.browser import screenshot

        print(f"screenshot       {screenshot(written, Path(args.screenshot).resolve())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
