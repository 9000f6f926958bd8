"""The DAG under a real Airflow: Postgres metadata database, scheduler, dag-processor and API
server with the LocalExecutor, the run triggered as an operator would trigger it.

Every server runs in its own process group and is stopped by its group afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, SEEDS

sys.path.insert(0, str(ROOT / "scripts"))
import airflow_local

DAG_ID = "quotewire_nightly"
DEADLINE_SECONDS = 900


def _metadata(db: airflow_local.MetadataDB, sql: str, params=()):
    import psycopg2

    with psycopg2.connect(host="127.0.0.1", port=db.port, user=airflow_local.PG_ROLE,
                          dbname=airflow_local.PG_DATABASE) as con, con.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


@pytest.fixture
def airflow_servers(tmp_path):
    """Postgres, then `airflow db migrate` and the pool, then dag-processor, scheduler, api-server."""
    data = Path(tempfile.mkdtemp(prefix="quotewire-pg-"))
    data.chmod(0o755)  # the server may run as another user than the test
    db = airflow_local.MetadataDB(data / "pgdata")
    home = tmp_path / "airflow"
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse" / "quotewire.duckdb"
    shutil.copytree(SEEDS, landing)
    started, postgres = [], None
    try:
        db.start()
        base = {k: v for k, v in os.environ.items() if not k.startswith(("QUOTEWIRE_", "AIRFLOW"))}
        base.update(QUOTEWIRE_LANDING=str(landing), QUOTEWIRE_WAREHOUSE=str(warehouse))
        api_port = airflow_local.free_port()
        env = airflow_local.airflow_env(home, db, api_port, base=base)
        airflow_local.prepare(env)
        for part in ("api-server", "dag-processor", "scheduler"):
            started.append(airflow_local.start_group(
                [str(airflow_local.BIN / "airflow"), part], env=env, log=tmp_path / f"{part}.log"))
            if part == "api-server":  # tasks report to it: it must listen before the scheduler starts
                _wait_for_health(api_port, started[0])
        yield env, db, warehouse, tmp_path
    finally:
        for process in reversed(started):
            airflow_local.stop_group(process)
        postgres = db.process
        db.stop()
        shutil.rmtree(data, ignore_errors=True)
    # Reached only when the test body passed: nothing it started is left running.
    assert all(p.poll() is not None for p in [*started, postgres])


def _wait_for_health(port: int, process, timeout: float = 300) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        assert process.poll() is None, "the api-server exited"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=5):
                return
        except OSError:
            assert time.monotonic() < deadline, "the api-server never answered"
            time.sleep(2)


def _logs(folder: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in folder.glob("*.log"))


def test_scheduler_runs_the_triggered_dag_and_it_publishes(airflow_servers):
    env, db, warehouse, folder = airflow_servers
    deadline = time.monotonic() + DEADLINE_SECONDS
    # The dag-processor must have parsed the DAG before an operator can unpause it.
    while not _metadata(db, "select 1 from dag where dag_id = %s", [DAG_ID]):
        assert time.monotonic() < deadline, "the DAG never reached the metadata database\n" + _logs(folder)
        time.sleep(2)
    airflow_local.airflow(env, "dags", "unpause", DAG_ID)
    triggered = airflow_local.airflow(env, "dags", "trigger", DAG_ID, "--run-id", "operator_trigger",
                                      "--output", "json")
    assert "operator_trigger" in triggered.stdout
    state = None
    while state not in ("success", "failed"):
        assert time.monotonic() < deadline, f"run still {state}\n" + _logs(folder)
        time.sleep(5)
        [(state,)] = _metadata(db, "select state from dag_run where dag_id = %s and run_id = %s",
                               [DAG_ID, "operator_trigger"])
    tasks = dict(_metadata(db, "select task_id, state from task_instance where run_id = %s", ["operator_trigger"]))
    assert state == "success", json.dumps(tasks) + "\n" + _logs(folder)
    assert tasks["publish"] == "success" and tasks["run_summary"] == "success"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from marts.articles").fetchone() == (5,)
        assert ("operator_trigger", "published") in con.execute("select run_id, status from marts.runs").fetchall()
