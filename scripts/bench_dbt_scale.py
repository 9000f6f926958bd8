"""What a night's `dbt build` costs as the warehouse grows, the linking left aside.

Copies a built work database (one `make bench-scale` kept, or any night's), multiplies its raw
rows `--times` over under fresh ids (articles, mentions, quotes, their links and claims), builds
the marts once in full, then adds a night of 100 articles (copies of existing ones under new
ids, stamped as a load and a link stamp them) and times the incremental build twice on copies of
that state: computing only what the night touched (QUOTEWIRE_CHANGED_AFTER, as the pipeline
runs it) and computing every row of the large marts before merging (the variable unset). The
per-node seconds come from dbt's run_results.json.

    .venv/bin/python scripts/bench_dbt_scale.py --work-db DIR/live/warehouse/quotewire_work.duckdb \
        --times 1 20 --out /tmp/dbt_scale

The copies hold the same claims and registry entities as the source (more members each), and no
new article overlaps: the figures are those of the marts' dbt work, not of realistic linking.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import duckdb

from extractors.transform import CHANGED_AFTER_ENV, run_dbt
from extractors.warehouse import ensure_schema
from extractors.work_schema import CHANGE_STAMPED, change_seq_now

ROOT = Path(__file__).resolve().parent.parent

# Raw table -> the id columns a copy gives a suffix (registry entities and claims stay shared).
COPIED = {
    "articles": ("article_id", "source_file"), "entities": ("entity_id", "article_id"),
    "quotes": ("quote_id", "article_id"), "entity_links": ("article_id",),
    "claim_assignments": ("quote_id", "matched_quote_id"), "quote_variants": ("quote_id",),
    "article_reprints": ("article_id",),
}


def _copy_rows(con: duckdb.DuckDBPyConnection, tag: str, times: int, where: dict[str, str] | None = None) -> None:
    for table, columns in COPIED.items():
        renamed = ", ".join(f"{c} || '-{tag}' || r.i as {c}" for c in columns)
        fresh = "exclude (change_seq) " if table in CHANGE_STAMPED else ""  # numbered as they are written
        con.execute(f"""insert into raw.{table} by name
            select x.* {fresh}replace ({renamed}) from base.{table} x, range({times}) r(i)
            {(where or {}).get(table, '')}""")


def _night_filter() -> dict[str, str]:
    articles = "(select article_id from base.articles order by hash(article_id) limit 100)"
    quotes = f"(select quote_id from base.quotes where article_id in {articles})"
    return {t: f"where x.quote_id in {quotes}" if t in ("claim_assignments", "quote_variants")
            else f"where x.article_id in {articles}" for t in COPIED}


def _build(project: Path, work: Path, state: Path, since: int | None, command: str = "build") -> dict:
    started = time.perf_counter()
    code, results, tail = run_dbt(command, project, work, state, {CHANGED_AFTER_ENV: "" if since is None else str(since)})
    if code:
        raise SystemExit(f"dbt {command} failed:\n{tail}")
    nodes = sorted(((r.get("execution_time") or 0.0, r["unique_id"].split(".")[-1]) for r in results), reverse=True)
    return {"seconds": time.perf_counter() - started, "nodes": nodes}


def run(work_db: Path, times: int, out: Path, project: Path) -> None:
    folder = out / f"x{times}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    work, state = folder / "quotewire_work.duckdb", folder / "state"
    shutil.copy(work_db, work)
    ensure_schema(work)
    with duckdb.connect(str(work)) as con:
        con.execute("create schema base")
        for table in COPIED:
            con.execute(f"create table base.{table} as select * from raw.{table}")
        if times > 1:
            _copy_rows(con, "copy", times - 1)
        (articles,) = con.execute("select count(*) from raw.articles").fetchone()
    _build(project, work, state, None, "build --full-refresh")
    with duckdb.connect(str(work)) as con:
        since = change_seq_now(con)
        _copy_rows(con, "night", 1, _night_filter())
    night = folder / "night.duckdb"
    shutil.copy(work, night)
    for label, value in (("changed only", since), ("every row", None)):
        shutil.copy(night, work)
        result = _build(project, work, state, value)
        top = ", ".join(f"{name} {seconds:.1f}" for seconds, name in result["nodes"][:6])
        print(f"{articles:>8,} articles  {label:<12}  dbt build {result['seconds']:6.1f} s  "
              f"(nodes {sum(s for s, _ in result['nodes']):5.1f} s; {top})", flush=True)
    shutil.rmtree(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work-db", type=Path, required=True, help="a built work database to copy")
    parser.add_argument("--times", type=int, nargs="+", default=[1, 20], help="copies of its rows, per run")
    parser.add_argument("--out", type=Path, required=True, help="scratch folder (removed per run)")
    parser.add_argument("--project", type=Path, default=ROOT / "dbt_project")
    args = parser.parse_args()
    for times in args.times:
        run(args.work_db, times, args.out, args.project)


if __name__ == "__main__":
    main()
