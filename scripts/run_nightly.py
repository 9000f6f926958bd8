"""Run the nightly DAG once with `dag.test()` and print what each task did and the run summary.

    python scripts/run_nightly.py [--landing DIR] [--warehouse FILE] [--logical-date YYYY-MM-DD]
                                  [--verbose] [--no-migrate] [--reprocess]

Uses a project-local AIRFLOW_HOME (.airflow/, SQLite metadata) unless AIRFLOW_HOME is set,
so no Airflow server is needed. The full Airflow log goes to a file whose path is printed
(`--verbose` streams it instead). Exits 0 when the run published, 1 when it did not.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DAG_ID = "quotewire_nightly"
WRITER_POOL = "quotewire_duckdb_writer"
TASK_ORDER = ["preflight", "discover", "extract", "load", "link", "raw_gate", "dbt_build", "mart_gate",
              "publish", "run_summary"]


def configure_airflow(migrate: bool = True) -> None:
    """Point Airflow at this project and make sure its metadata database is ready."""
    os.environ.setdefault("AIRFLOW_HOME", str(ROOT / ".airflow"))
    os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(ROOT / "dags"))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    if not migrate:
        return
    airflow = str(Path(sys.executable).with_name("airflow"))
    for command in (
        [airflow, "db", "migrate"],
        [airflow, "pools", "set", WRITER_POOL, "1", "Serialises the tasks that write DuckDB"],
    ):
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"{' '.join(command[1:3])} failed:\n{done.stdout}\n{done.stderr}")


@contextmanager
def output_to(log_path: Path | None):
    """Send everything written to stdout/stderr (Airflow, GX, dbt, subprocesses) to a file.

    Yields a writer for this script's own lines, which keep going to the terminal.
    """
    if log_path is None:
        yield sys.stdout
        return
    log_path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    terminal = os.fdopen(os.dup(1), "w", buffering=1)
    with open(log_path, "ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield terminal
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
            terminal.close()


class Progress(threading.Thread):
    """Prints the run's progress while it runs: files found, extraction done / total and rate, gates."""

    def __init__(self, out, interval: float = 2.0):
        super().__init__(daemon=True)
        from extractors.settings import Settings

        self.settings = Settings.from_env()
        self.out, self.interval = out, interval
        self.done = threading.Event()
        self.said: set[str] = set()

    def _say(self, key: str, line: str) -> None:
        if key not in self.said:
            self.said.add(key)
            self.out.write(line + "\n")

    def _record(self):
        import json

        runs = sorted((self.settings.state_dir / "runs").glob("*.json"), key=lambda p: p.stat().st_mtime)
        runs = [p for p in runs if p.stat().st_mtime >= self.started - 1]
        return (json.loads(runs[-1].read_text(encoding="utf-8")), runs[-1].stem) if runs else (None, None)

    def _extracted(self, safe_run_id: str) -> tuple[int, int]:
        import duckdb

        folder = self.settings.state_dir / "batches" / safe_run_id
        articles = sorted(str(p) for p in folder.glob("*.articles.parquet"))
        if not articles:
            return 0, 0
        quarantine = sorted(str(p) for p in folder.glob("*.quarantine.parquet"))
        with duckdb.connect() as con:
            n_articles = con.execute("select count(*) from read_parquet($f)", {"f": articles}).fetchone()[0]
            files = con.execute(
                "select count(distinct source_file) from (select source_file from read_parquet($a)"
                + (" union all select source_file from read_parquet($q)" if quarantine else "") + ")",
                {"a": articles, **({"q": quarantine} if quarantine else {})}).fetchone()[0]
        return files, n_articles

    def run(self) -> None:
        self.started = time.time()
        last, extract_began = None, None
        while not self.done.wait(self.interval):
            try:
                record, safe = self._record()
                if record is None:
                    continue
                counts, steps = record.get("counts", {}), record.get("steps", {})
                if "files_new" in counts:
                    self._say("discover", f"  discover     {counts['files_seen']} files in the landing folder, "
                                          f"{counts['files_new']} new")
                    total = counts["files_new"]
                    extract_began = extract_began or time.time()
                    if "articles_new" not in counts and total:
                        files, n_articles = self._extracted(safe)
                        if files and (files, n_articles) != last:
                            last = (files, n_articles)
                            rate = n_articles / max(time.time() - extract_began, 1e-3)
                            self.out.write(f"  extract      {files}/{total} files, {n_articles} articles, "
                                           f"{rate:.1f} articles/s\n")
                for step in ("raw_gate", "dbt_build", "mart_gate"):
                    if step in steps:
                        self._say(step, f"  {step:<12} {'passed' if steps[step]['passed'] else 'FAILED'}")
            except Exception:  # noqa: BLE001, S112 - progress is a courtesy: never let it disturb the run
                continue

    def stop(self) -> None:
        self.done.set()
        self.join(timeout=10)


def run_once(logical_date: str | None = None, conf: dict | None = None):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    if bag.import_errors:
        sys.exit(f"DAG import errors: {bag.import_errors}")
    if logical_date is None:
        return bag.get_dag(DAG_ID).test(run_conf=conf)
    import pendulum

    return bag.get_dag(DAG_ID).test(logical_date=pendulum.parse(logical_date), run_conf=conf)


def task_lines(run_id: str) -> list[str]:
    """One line per task of the run: state, seconds, and for mapped tasks how many ran."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        rows = session.execute(
            select(TaskInstance.task_id, TaskInstance.map_index, TaskInstance.state,
                   TaskInstance.start_date, TaskInstance.end_date)
            .where(TaskInstance.dag_id == DAG_ID, TaskInstance.run_id == run_id)).all()
    by_task: dict[str, list] = {}
    for task_id, map_index, state, start, end in rows:
        by_task.setdefault(task_id, []).append((map_index, str(state), start, end))
    lines = []
    for task_id in sorted(by_task, key=lambda t: TASK_ORDER.index(t) if t in TASK_ORDER else 99):
        instances = by_task[task_id]
        starts = [s for _, _, s, _ in instances if s]
        ends = [e for _, _, _, e in instances if e]
        seconds = f"{(max(ends) - min(starts)).total_seconds():6.1f} s" if starts and ends else "     - s"
        states = sorted({state for _, state, _, _ in instances})
        mapped = f" x{len(instances)}" if len(instances) > 1 or instances[0][0] >= 0 else ""
        lines.append(f"  {task_id + mapped:<14}{'/'.join(states):<16}{seconds}")
    return lines


def _n(value) -> str:
    return "-" if value is None else str(value)


def print_summary(run_id: str, out=sys.stdout) -> bool:
    import duckdb

    from extractors.settings import Settings
    from extractors.warehouse import connect

    settings = Settings.from_env()
    if not settings.work_db.exists():
        out.write(f"run {run_id} left no record: {settings.work_db} does not exist\n")
        return False
    # Another night may hold the work database (a refused run ends while the running one writes):
    # wait for its lock as the pipeline's own readers do.
    with connect(settings.work_db, read_only=True) as con:
        cursor = con.execute("select * from ops.runs where run_id = ?", [run_id])
        found = cursor.fetchone()
        if found is None:
            out.write(f"run {run_id} left no record in {settings.work_db}; see the log\n")
            return False
        row = dict(zip([d[0] for d in cursor.description], found))
        reasons = con.execute(
            "select reason, count(*) from ops.quarantine where run_id = ? group by reason order by reason", [run_id]
        ).fetchall()

    def say(text: str) -> None:
        out.write(text + "\n")

    say("")
    say(f"Quotewire run {run_id}: {row['status'].upper()} in {row['wall_seconds']:.1f} s (wall time, as in ops.runs)")
    if row.get("logical_date"):
        say(f"  logical date       {row['logical_date']}")
    from extractors.settings import render_landing

    night = str(row["logical_date"]) if row.get("logical_date") else None
    say(f"  landing folder     {render_landing(settings.landing, night) if night else settings.landing}")
    seen, unchanged = row["files_seen"], row["files_unchanged"]
    if seen is None:
        say("  files read         - (the run stopped before reading the landing folder)")
    else:
        say(f"  files read         {seen} ({_n(unchanged)} already loaded)")
    quarantined = ", ".join(f"{n} {reason}" for reason, n in reasons)
    say(f"  articles loaded    {_n(row['articles_new'])} new")
    say(f"  files quarantined  {_n(row['files_quarantined'])}" + (f" ({quarantined})" if quarantined else ""))
    say(f"  entity mentions    {_n(row['entities_new'])} new (names found in the text, every occurrence)")
    say(f"  quotes             {_n(row['quotes_new'])} new")
    say(f"  gates              raw {row['raw_gate']}, dbt build {row['dbt_build']}, marts {row['mart_gate']}")
    if row["status"] == "published":
        with duckdb.connect(str(settings.warehouse), read_only=True) as con:
            n = {t: con.execute(f"select count(*) from marts.{t}").fetchone()[0]
                 for t in ("articles", "quotes", "claims", "speakers")}
            outlets, unknown = con.execute(
                """select count(*) filter (where outlet <> 'unknown'),
                          coalesce(sum(n_articles) filter (where outlet = 'unknown'), 0)
                   from marts.outlets""").fetchone()
            spread = con.execute(
                """select (select count(*) from marts.entities),
                          (select count(*) from marts.claims where n_outlets > 1),
                          (select count(*) from marts.claims where has_material_change),
                          (select count(*) from marts.article_overlaps)""").fetchone()
        say(f"  published marts    {n['articles']} articles, {n['quotes']} quotes, {n['claims']} claims, "
            f"{n['speakers']} named speakers")
        say(f"  outlets            {outlets} known" + (f", {unknown} articles of unknown outlet" if unknown else ""))
        say(f"  across articles    {spread[0]} people and organisations in the registry, "
            f"{spread[1]} claims in 2+ outlets ({spread[2]} with altered wording), {spread[3]} reprinted article pairs")
        say(f"  published to       {settings.warehouse}")
        say(f"  query it with      {ROOT / '.venv' / 'bin' / 'duckdb'} -readonly {settings.warehouse} "
            "\"select * from marts.claims order by n_articles desc limit 10\"")
    else:
        say(f"  NOT published      {row['message']}")
        say(f"  previous marts     {settings.warehouse} " + ("(unchanged)" if settings.warehouse.exists() else "(none yet)"))
    say(f"  operational tables {settings.work_db} (ops.runs, ops.quarantine; open it read-only)")
    return row["status"] == "published"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", help="landing folder or fsspec URL (default: seeds/)")
    parser.add_argument("--warehouse", help="published DuckDB file (default: warehouse/quotewire.duckdb)")
    parser.add_argument("--logical-date", help="run (or re-run) the night of this date, e.g. 2026-11-01")
    parser.add_argument("--verbose", action="store_true", help="stream the full Airflow log instead of a file")
    parser.add_argument("--no-migrate", action="store_true",
                        help="skip `airflow db migrate` and the pool (the caller did both)")
    parser.add_argument("--reprocess", action="store_true",
                        help="also re-extract the articles an older spaCy pipeline or older rules extracted")
    parser.add_argument("--setup-only", action="store_true",
                        help="migrate the Airflow metadata database and create the pool, then stop")
    args = parser.parse_args()
    if args.landing:
        is_url = "://" in args.landing
        os.environ["QUOTEWIRE_LANDING"] = args.landing if is_url else str(Path(args.landing).resolve())
    if args.warehouse:
        os.environ["QUOTEWIRE_WAREHOUSE"] = str(Path(args.warehouse).resolve())
    sys.path.insert(0, str(ROOT))
    configure_airflow(migrate=args.setup_only or not args.no_migrate)
    if args.setup_only:
        return 0
    from extractors.settings import Settings

    log_path = None
    if not args.verbose:
        log_path = Settings.from_env().state_dir / "logs" / f"run-{time.strftime('%Y%m%dT%H%M%S')}.log"
        print(f"Running {DAG_ID}; the full Airflow log is in {log_path}", flush=True)
    with output_to(log_path) as out:
        progress = Progress(out)
        progress.start()
        try:
            dag_run = run_once(args.logical_date, {"reprocess": True} if args.reprocess else None)
        finally:
            progress.stop()
    print()
    for line in task_lines(dag_run.run_id):
        print(line)
    published = print_summary(dag_run.run_id)
    if log_path:
        print(f"  full Airflow log   {log_path}")
    return 0 if published else 1


if __name__ == "__main__":
    sys.exit(main())
