"""Run the nightly DAG once with `dag.test()` and print the run summary.

    python scripts/run_nightly.py [--landing DIR] [--warehouse FILE] [--logical-date YYYY-MM-DD]

Uses a project-local AIRFLOW_HOME (.airflow/, SQLite metadata) unless AIRFLOW_HOME is set,
so no Airflow server is needed. Exits 0 when the run published, 1 when it did not.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DAG_ID = "quotewire_nightly"
WRITER_POOL = "quotewire_duckdb_writer"


def configure_airflow() -> None:
    """Point Airflow at this project and make sure its metadata database is ready."""
    os.environ.setdefault("AIRFLOW_HOME", str(ROOT / ".airflow"))
    os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(ROOT / "dags"))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    airflow = str(Path(sys.executable).with_name("airflow"))
    for command in (
        [airflow, "db", "migrate"],
        [airflow, "pools", "set", WRITER_POOL, "1", "Serialises the tasks that write DuckDB"],
    ):
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"{' '.join(command[1:3])} failed:\n{done.stdout}\n{done.stderr}")


def run_once(logical_date: str | None = None):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    if bag.import_errors:
        sys.exit(f"DAG import errors: {bag.import_errors}")
    if logical_date is None:
        return bag.get_dag(DAG_ID).test()
    import pendulum

    return bag.get_dag(DAG_ID).test(logical_date=pendulum.parse(logical_date))


def print_summary(run_id: str, seconds: float) -> bool:
    import duckdb

    from extractors.settings import Settings

    settings = Settings.from_env()
    with duckdb.connect(str(settings.work_db), read_only=True) as con:
        cursor = con.execute("select * from ops.runs where run_id = ?", [run_id])
        found = cursor.fetchone()
        if found is None:
            print(f"run {run_id} left no record in {settings.work_db}; see the task logs above")
            return False
        row = dict(zip([d[0] for d in cursor.description], found))
        reasons = con.execute(
            "select reason, count(*) from ops.quarantine where run_id = ? group by reason order by reason", [run_id]
        ).fetchall()
    print()
    print(f"Quotewire run {run_id}: {row['status'].upper()} in {seconds:.1f} s")
    print(f"  landing folder     {settings.landing}")
    print(f"  files read         {row['files_seen']} ({row['files_unchanged']} already loaded)")
    print(f"  articles new       {row['articles_new']}")
    quarantined = ", ".join(f"{n} {reason}" for reason, n in reasons)
    print(f"  quarantined        {row['files_quarantined']}" + (f" ({quarantined})" if quarantined else ""))
    print(f"  entities new       {row['entities_new']}")
    print(f"  quotes new         {row['quotes_new']}")
    print(f"  gates              raw {row['raw_gate']}, dbt build {row['dbt_build']}, marts {row['mart_gate']}")
    if row["status"] == "published":
        with duckdb.connect(str(settings.warehouse), read_only=True) as con:
            counts = {
                t: con.execute(f"select count(*) from marts.{t}").fetchone()[0]
                for t in ("articles", "quotes", "claims", "speakers", "outlets")
            }
            spread = con.execute(
                """select (select count(*) from marts.entities),
                          (select count(*) from marts.claims where n_outlets > 1),
                          (select count(*) from marts.claims where has_material_change),
                          (select count(*) from marts.article_overlaps)""").fetchone()
        print("  marts              " + ", ".join(f"{n} {t}" for t, n in counts.items()))
        print(f"  across articles    {spread[0]} entities, {spread[1]} claims in 2+ outlets, "
              f"{spread[2]} with altered wording, {spread[3]} reprinted article pairs")
        print(f"  published to       {settings.warehouse}")
        print(f"  query it with      duckdb -readonly {settings.warehouse} \"select * from marts.claims order by n_articles desc limit 10\"")
    else:
        print(f"  NOT published      {row['message']}")
        print(f"  previous marts     {settings.warehouse} (unchanged)")
    print(f"  operational tables {settings.work_db} (ops.runs, ops.quarantine; open it read-only)")
    return row["status"] == "published"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", help="landing folder or fsspec URL (default: seeds/)")
    parser.add_argument("--warehouse", help="published DuckDB file (default: warehouse/quotewire.duckdb)")
    parser.add_argument("--logical-date", help="run (or re-run) the night of this date, e.g. 2026-11-01")
    parser.add_argument("--setup-only", action="store_true",
                        help="migrate the Airflow metadata database and create the pool, then stop")
    args = parser.parse_args()
    if args.landing:
        is_url = "://" in args.landing
        os.environ["QUOTEWIRE_LANDING"] = args.landing if is_url else str(Path(args.landing).resolve())
    if args.warehouse:
        os.environ["QUOTEWIRE_WAREHOUSE"] = str(Path(args.warehouse).resolve())
    sys.path.insert(0, str(ROOT))
    configure_airflow()
    if args.setup_only:
        return 0
    started = time.monotonic()
    dag_run = run_once(args.logical_date)
    published = print_summary(dag_run.run_id, time.monotonic() - started)
    return 0 if published else 1


if __name__ == "__main__":
    sys.exit(main())
