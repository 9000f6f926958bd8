"""Re-extract the articles an older spaCy pipeline or older rules extracted, then run the night.

    python scripts/reprocess.py [--landing DIR] [--warehouse FILE] [--verbose] [--dry-run]

Lists the current articles whose recorded pipeline (`package==version`) or rules digest differs
from the live ones; unless `--dry-run`, runs the nightly DAG once with `{"reprocess": true}`
(as `scripts/run_nightly.py --reprocess`): new files are loaded as on any night, the stale
articles are extracted again from their stored text, linked as replaced articles, gated, built
and published. Nothing stale: nothing is run. Exits as `run_nightly.py` does (0 when published).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _stale(settings) -> tuple[object, list[tuple]]:
    from extractors.reprocess import live_versions, stale_summary

    live = live_versions(settings.spacy_model)
    return live, stale_summary(settings.work_db, live)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", help="landing folder or fsspec URL (default: seeds/)")
    parser.add_argument("--warehouse", help="published DuckDB file (default: warehouse/quotewire.duckdb)")
    parser.add_argument("--verbose", action="store_true", help="stream the full Airflow log instead of a file")
    parser.add_argument("--dry-run", action="store_true", help="only list what would be re-extracted")
    args = parser.parse_args()
    if args.warehouse:
        os.environ["QUOTEWIRE_WAREHOUSE"] = str(Path(args.warehouse).resolve())
    sys.path.insert(0, str(ROOT))
    from extractors.settings import Settings

    settings = Settings.from_env()
    live, stale = _stale(settings)
    print(f"live extractor: {live.model}, rules {live.rules}")
    if not stale:
        print(f"every current article in {settings.work_db} was extracted by it: nothing to re-extract")
        return 0
    before = sum(n for _, _, n in stale)
    for model, rules, n in stale:
        print(f"  {n:6d} articles extracted by {model or 'an unrecorded pipeline'}, rules {rules or 'unrecorded'}")
    if args.dry_run:
        return 0
    sys.path.insert(0, str(ROOT / "scripts"))
    import run_nightly

    sys.argv = [sys.argv[0], "--reprocess", *(["--landing", args.landing] if args.landing else []),
                *(["--warehouse", args.warehouse] if args.warehouse else []), *(["--verbose"] if args.verbose else [])]
    code = run_nightly.main()
    after = sum(n for _, _, n in _stale(settings)[1])
    print(f"  re-extracted       {before - after} of {before} articles" + (f" ({after} still stale: see the log)" if after else ""))
    return code


if __name__ == "__main__":
    sys.exit(main())
