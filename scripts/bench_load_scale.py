"""What the night's writes and first reads of the raw tables cost as the warehouse grows: the load
of a 100-article night, the raw gate's queries, and reading the night's current texts.

Makes a work database with the code's own schema (`ensure_schema`), fills its raw articles,
entities and quotes with a built work database's rows `--times` over under fresh ids (one
`make bench-scale` kept, W = 10,000 times 10 is 100,000 articles), writes a night of 100 of its
articles under new ids as extraction batch files, then times, each step in a process of its own
(so each peak RSS is that step's): loading the night (`load_batches` and the extraction stamp),
the raw gate's suite queries over the night and over a night with nothing new, and reading the
night's texts through `CURRENT_ARTICLES` as the link step does. Nothing else is linked or built.

    .venv/bin/python scripts/bench_load_scale.py --work-db DIR/built/warehouse/quotewire_work.duckdb \
        --times 10 --out /tmp/load_scale

Run it from another checkout (PYTHONPATH set to it) to time that code on the same rows.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import fields
from pathlib import Path

import duckdb

from extractors import warehouse
from extractors.records import ArticleRecord, EntityRecord, QuoteRecord
from extractors.warehouse import connect, ensure_schema, load_batches, stamp_extraction
from extractors.work_schema import CURRENT_ARTICLES

# The code being timed (this checkout, or the one PYTHONPATH names) and its expectation suites.
CODE = Path(warehouse.__file__).resolve().parent.parent
RECORDS = {"articles": ArticleRecord, "entities": EntityRecord, "quotes": QuoteRecord}
IDS = {"articles": ("article_id", "source_file", "text_hash"), "entities": ("entity_id", "article_id"),
       "quotes": ("quote_id", "article_id")}
NIGHT = "(select article_id from src.raw.articles order by hash(article_id) limit 100)"


def prepare(source: Path, times: int, out: Path) -> None:
    """The multiplied work database (out/work.duckdb) and the night's batch files (out/batch/)."""
    shutil.rmtree(out, ignore_errors=True)
    (out / "batch").mkdir(parents=True)
    work = out / "work.duckdb"
    ensure_schema(work)
    with connect(work) as con:
        con.execute(f"attach '{source}' as src (read_only)")
        for table, ids in IDS.items():
            record = ", ".join(f.name for f in fields(RECORDS[table]))
            renamed = ", ".join(f"{c} || '-c' || r.i as {c}" for c in ids)
            con.execute(f"""insert into raw.{table} by name
                select x.* replace ({renamed}) from (select {record}, run_id{', ingested_at' if table == 'articles' else ''}
                from src.raw.{table}) x, range({times}) r(i)""")
            night = ", ".join(f"{c} || '-night' as {c}" for c in ids)
            con.execute(f"""copy (select * replace ({night}) from (select {record} from src.raw.{table}
                where article_id in {NIGHT})) to '{out / 'batch' / table}.parquet' (format parquet)""")
        con.execute(f"""copy (select ''::varchar as source_file, ''::varchar as content_hash, ''::varchar as reason,
            ''::varchar as detail where false) to '{out / 'batch' / 'quarantine'}.parquet' (format parquet)""")


def step(name: str, out: Path) -> dict:
    """One timed step, run in this process (see main)."""
    work = out / "work.duckdb"
    started = time.perf_counter()
    if name == "load":
        batch = {t: str(out / "batch" / f"{t}.parquet") for t in ("articles", "entities", "quotes", "quarantine")}
        added = load_batches(work, "night", [batch], [])
        stamp_extraction(work, "night", "model", "rules")
        detail = {"added": added}
    elif name == "texts":
        with connect(work, read_only=True) as con:
            n = con.execute(f"""select count(*), sum(length(text)) from ({CURRENT_ARTICLES})
                                where article_id like '%-night'""").fetchone()
        detail = {"articles": n[0], "chars": n[1]}
    else:  # gate, gate_nothing_new: the suites' queries with the raw gate's parameters
        with connect(work, read_only=True) as con:
            (before,) = con.execute("select max(ingested_at) from raw.articles where run_id <> 'night'").fetchone()
            (after,) = con.execute("select max(ingested_at) from raw.articles").fetchone()
        exposed = after if name == "gate_nothing_new" else before
        try:
            from extractors.gates import raw_gate_parameters
        except ImportError:  # a checkout whose suites take `$exposed_after` only
            parameters = {"exposed_after": exposed}
        else:
            parameters = raw_gate_parameters(work, exposed)
        detail = {}
        with connect(work, read_only=True) as con:
            for suite in sorted((CODE / "expectations" / "raw").glob("*.json")):
                query = json.loads(suite.read_text(encoding="utf-8"))["meta"].get("query", "")
                used = {k: v for k, v in parameters.items() if f"${k}" in query}
                if used:
                    detail[suite.stem] = len(con.execute(query, used).fetchall())
    return {"step": name, "seconds": round(time.perf_counter() - started, 2),
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), **detail}


def main() -> int:
    parser = argparse.ArgumentParser(description="Quotewire: the load and the raw gate's reads at warehouse size")
    parser.add_argument("--work-db", type=Path, help="a built work database whose raw rows are multiplied")
    parser.add_argument("--times", type=int, default=10)
    parser.add_argument("--out", type=Path, required=True, help="scratch folder (emptied first)")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.work_db is None and args.step in (None, "prepare"):
        parser.error("--work-db is needed: the built work database whose rows are multiplied")
    if args.step == "prepare":
        prepare(args.work_db.resolve(), args.times, args.out.resolve())
        return 0
    if args.step:
        print(json.dumps(step(args.step, args.out)))
        return 0
    # Every step in a child process, this one staying small: Linux carries a process's peak RSS
    # over into the programs it starts.
    started = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--work-db", str(args.work_db), "--times", str(args.times),
                    "--out", str(args.out), "--step", "prepare"], check=True)
    with duckdb.connect(str(args.out / "work.duckdb"), read_only=True) as con:
        counts = {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in IDS}
        # Asked here rather than through work_schema.raw_tables_with_keys: older checkouts lack it.
        keyed = [t for (t,) in con.execute("select distinct table_name from duckdb_constraints() "
                                           "where schema_name = 'raw' and constraint_type = 'PRIMARY KEY'").fetchall()]
    print(f"code: {CODE}")
    print(f"prepared in {time.perf_counter() - started:.0f} s: {counts}; raw tables with a primary key: {keyed or 'none'}")
    # The night's steps in order: the gate runs after the load, as in the DAG.
    for name in ("load", "gate", "gate_nothing_new", "texts"):
        done = subprocess.run([sys.executable, __file__, "--out", str(args.out), "--step", name],
                              capture_output=True, text=True, check=True)
        print(done.stdout.strip().splitlines()[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
