"""Rows the linking step reads for one night, on histories of different sizes (no timing).

Copies each history's work database, adds the same night's raw rows (articles, NER mentions,
quotes of one run, taken from another work database) and runs the linking step on the copy in
a process of its own; prints, per history, the rows read into Python by kind, the mentions
relinked and the process's peak memory.

    .venv/bin/python scripts/link_night_rows.py --night /work/scale_runs/w1k/live/warehouse/quotewire_work.duckdb \\
        --out /tmp/link_nights /work/scale_runs/w1k/built/warehouse/quotewire_work.duckdb \\
        /work/scale_runs/w3750/built/warehouse/quotewire_work.duckdb

The night is the newest run of the night database that loaded articles (`--run-id` to choose).
`--registry-only` links the entity registry alone (its rows and memory without those of the
claims and reprinted copy). A history linked by other linking code is relinked in full by the
first night (its links might differ); `--same-links` records the current linker as the one that
made them instead, for a history whose linking code changed without changing what it links (a
split of modules, a faster way to the same links). The histories are only read. `--keep` keeps
each copy after its night (to compare the links two linkers made of the same night).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RAW_TABLES = ("articles", "entities", "quotes")


def night_run(night_db: Path) -> str:
    with duckdb.connect(str(night_db), read_only=True) as con:
        return con.execute("select run_id from raw.articles order by ingested_at desc limit 1").fetchone()[0]


def night_articles(night_db: Path, run_id: str) -> list[str]:
    with duckdb.connect(str(night_db), read_only=True) as con:
        return [r[0] for r in con.execute(
            "select article_id from raw.articles where run_id = ? order by article_id", [run_id]).fetchall()]


def add_night(db: Path, night_db: Path, article_ids: list[str]) -> int:
    with duckdb.connect(str(db)) as con:
        con.execute(f"attach '{night_db}' as night (read_only)")
        con.execute("create temp table night_ids (article_id varchar)")
        con.executemany("insert into night_ids values (?)", [(a,) for a in article_ids])
        for table in RAW_TABLES:
            con.execute(f"""insert into raw.{table} by name select * from night.raw.{table}
                            where article_id in (select article_id from night_ids)""")
        con.execute("detach night")
    return len(article_ids)


def link_one(db: Path, same_links: bool, registry_only: bool) -> dict:
    from extractors.linking import nightly
    from extractors.versions import linker_version

    if registry_only:  # the entity registry's share of the night: claims and reprints left out
        nightly.claims_night = lambda *args, **kwargs: {}
        nightly.overlaps_night = lambda *args, **kwargs: {}

    if same_links:
        with duckdb.connect(str(db)) as con:
            con.execute("update raw.link_version set linker = ?", [linker_version()])
    counts = nightly.link(db, "link-night-rows")
    return {**counts, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("histories", nargs="*", type=Path, help="work databases to add the night to (copied)")
    parser.add_argument("--night", type=Path, help="work database holding the night's raw rows")
    parser.add_argument("--run-id", help="the night's run (default: the newest)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/link_night_rows"))
    parser.add_argument("--same-links", action="store_true")
    parser.add_argument("--warm", type=int, default=0, help="link this many of the night's articles first, as a "
                        "night of their own (reported too), then the rest")
    parser.add_argument("--registry-only", action="store_true", help="link the entity registry only (no claims, "
                        "no reprints), for its rows and peak memory alone")
    parser.add_argument("--keep", action="store_true", help="keep each copy after its night")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # link this copy, print its counts
    args = parser.parse_args()
    if args.one:
        print(json.dumps(link_one(args.one, args.same_links, args.registry_only)))
        return
    run_id = args.run_id or night_run(args.night)
    args.out.mkdir(parents=True, exist_ok=True)
    for i, history in enumerate(args.histories):
        copy = args.out / f"{i}_{history.parent.parent.parent.name}.duckdb"
        shutil.copyfile(history, copy)
        ids = night_articles(args.night, run_id)
        for part in ([ids[:args.warm], ids[args.warm:]] if args.warm else [ids]):
            added = add_night(copy, args.night, part)
            flags = ["--same-links"] * args.same_links + ["--registry-only"] * args.registry_only
            done = subprocess.run([sys.executable, __file__, "--one", str(copy), *flags],
                                  check=True, capture_output=True, text=True)
            counts = json.loads(done.stdout.strip().splitlines()[-1])
            with duckdb.connect(str(copy), read_only=True) as con:
                (articles,) = con.execute("select count(*) from raw.link_articles").fetchone()
            print(json.dumps({"history": str(history), "articles_after": articles, "night_articles": added,
                              **counts}), flush=True)
        if not args.keep:
            copy.unlink()


if __name__ == "__main__":
    main()
