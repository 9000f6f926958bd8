"""What a night's `dbt build` and publish sync cost as the warehouse grows, the linking left aside.

Copies a built work database (one `make bench-scale` kept, or any night's), multiplies its raw
rows `--times` over under fresh ids (articles, mentions, quotes, their links and claims), builds
the marts once in full with the pipeline's build step (extractors.transform.dbt_build) and
publishes them twice (both published files exist, each with its row hashes, as after any two
nights), then adds a night of 100 articles (copies of existing ones under new ids, stamped as a
load and a link stamp them) and times, twice from copies of that state, the build step and the
publish sync of the standby file (extractors.publish.prepare_candidate, as the `dbt_build` task
runs them): once as the pipeline runs them (the build computes only what the night touched), and
once with the record of the last build removed, so that the build computes every row of the large
marts before merging and publishing compares every row. The build step's seconds include its
`dbt source freshness`; the per-node seconds come from dbt's run_results.json.

    .venv/bin/python scripts/bench_dbt_scale.py --work-db DIR/live/warehouse/quotewire_work.duckdb \
        --times 1 20 --out /tmp/dbt_scale

The copies hold the same claims and registry entities as the source (more members each), and no
new article overlaps: the figures are those of the marts' dbt work, not of realistic linking.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path

import duckdb

from extractors.publish import candidate_path, prepare_candidate, publish
from extractors.publish_sync import _utc_select
from extractors.transform import FULL_REFRESH_ENV, dbt_build
from extractors.warehouse import ensure_schema
from extractors.work_schema import CHANGE_STAMPED

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


def _build(project: Path, work: Path, state: Path, full_refresh: bool = False) -> dict:
    """The pipeline's build step (freshness thresholds wide: the copied rows keep their load times)."""
    os.environ[FULL_REFRESH_ENV] = "1" if full_refresh else ""
    started = time.perf_counter()
    result = dbt_build(project, work, state, freshness_warn_hours=1e6, freshness_error_hours=1e6)
    seconds = time.perf_counter() - started
    if not result.passed:
        raise SystemExit(f"dbt build failed: {result.message}\n{result.output_tail}")
    results = json.loads((state / "dbt" / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    nodes = sorted(((r.get("execution_time") or 0.0, r["unique_id"].split(".")[-1]) for r in results), reverse=True)
    return {"seconds": seconds, "nodes": nodes, "mode": result.mode}


def _publish(work: Path, warehouse: Path) -> dict:
    started = time.perf_counter()
    prepared = prepare_candidate(work, warehouse, "v1.0.0")
    seconds = time.perf_counter() - started
    publish(work, candidate_path(warehouse), warehouse, "v1.0.0")
    return {"seconds": seconds, "mode": prepared.mode, "reason": prepared.reason, "rows_hashed": prepared.rows_hashed}


def _differing_rows(work: Path, warehouse: Path) -> dict[str, int]:
    """Rows that differ between each mart and the published file (untimed, with --check)."""
    with duckdb.connect() as con:
        con.execute(f"attach '{work}' as work (read_only)")
        con.execute(f"attach '{warehouse}' as pub (read_only)")
        tables = [t for (t,) in con.execute("select table_name from duckdb_tables() "
                                            "where database_name = 'work' and schema_name = 'marts'").fetchall()]
        differ = {t: con.execute(f"""select count(*) from (
            ({_utc_select(con, 'work', 'marts', t)} except all select * from pub.marts.{t})
            union all (select * from pub.marts.{t} except all {_utc_select(con, 'work', 'marts', t)}))""").fetchone()[0]
                  for t in tables}
    return {t: n for t, n in differ.items() if n}


def run(work_db: Path, times: int, out: Path, project: Path, check: bool = False, keep: bool = False) -> None:
    folder = out / f"x{times}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    work, state, pub = folder / "quotewire_work.duckdb", folder / "state", folder / "pub"
    warehouse = pub / "quotewire.duckdb"
    shutil.copy(work_db, work)
    ensure_schema(work)
    with duckdb.connect(str(work)) as con:
        for table in ("dbt_last_build", "published_rows", "published_stamps"):
            con.execute(f"drop table if exists ops.{table}")  # the source's own build and files are not these
        con.execute("create schema base")
        for table in COPIED:
            con.execute(f"create table base.{table} as select * from raw.{table}")
        if times > 1:
            _copy_rows(con, "copy", times - 1)
        (articles,) = con.execute("select count(*) from raw.articles").fetchone()
    _build(project, work, state, full_refresh=True)
    for _ in range(2):  # both published files, each with its row hashes
        _publish(work, warehouse)
    with duckdb.connect(str(work)) as con:
        _copy_rows(con, "night", 1, _night_filter())
    night = folder / "night"
    night.mkdir()
    shutil.copy(work, night / work.name)
    shutil.copytree(pub, night / "pub", symlinks=True)
    for label in ("changed only", "every row"):
        shutil.copy(night / work.name, work)
        shutil.rmtree(pub)
        shutil.copytree(night / "pub", pub, symlinks=True)
        if label == "every row":
            with duckdb.connect(str(work)) as con:
                con.execute("delete from ops.dbt_last_build")
        build = _build(project, work, state)
        synced = _publish(work, warehouse)
        top = ", ".join(f"{name} {seconds:.1f}" for seconds, name in build["nodes"][:6])
        print(f"{articles:>8,} articles  {label:<12}  dbt build {build['seconds']:6.1f} s  "
              f"(nodes {sum(s for s, _ in build['nodes']):5.1f} s; {top})  "
              f"publish sync {synced['seconds']:5.1f} s ({synced['mode']}: {synced['reason']}; "
              f"{synced['rows_hashed']} rows hashed)", flush=True)
        if check:
            differ = _differing_rows(work, warehouse)
            print(f"    published file {'differs from the marts: ' + repr(differ) if differ else 'equals the marts'}",
                  flush=True)
    if not keep:
        shutil.rmtree(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work-db", type=Path, required=True, help="a built work database to copy")
    parser.add_argument("--times", type=int, nargs="+", default=[1, 20], help="copies of its rows, per run")
    parser.add_argument("--out", type=Path, required=True, help="scratch folder (each run's removed unless --keep)")
    parser.add_argument("--keep", action="store_true",
                        help="keep each run's folder: x<times>/night holds the state before the night's build")
    parser.add_argument("--project", type=Path, default=ROOT / "dbt_project")
    parser.add_argument("--check", action="store_true", help="compare the published file with the marts after each sync")
    args = parser.parse_args()
    for times in args.times:
        run(args.work_db, times, args.out, args.project, args.check, args.keep)


if __name__ == "__main__":
    main()
