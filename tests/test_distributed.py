"""The DAG on two Celery workers with real servers on 127.0.0.1 (scripts/distributed.py):
Postgres, Redis, an S3 endpoint (moto), api-server, dag-processor, scheduler, and two workers
with separate scratch folders sharing nothing but the S3 endpoint. A night of 25 articles in
batches of 5 is triggered through the scheduler; its marts must equal those of a one-machine
`dag.test()` run over the same articles.

Not in the default pytest run (marker `distributed`): `make test-distributed` runs it, and
`make test` calls that. Every process is stopped by its process group.
"""

from __future__ import annotations

import shutil
import sys
import time

import duckdb
import pytest
from conftest import ROOT, Deployment

sys.path.insert(0, str(ROOT / "scripts"))
import airflow_local  # noqa: E402
import distributed  # noqa: E402

pytestmark = [pytest.mark.distributed, pytest.mark.integration]

RUN_ID = "distributed_night"
N_ARTICLES, BATCH_SIZE = 25, 5
DEADLINE_SECONDS = 900
# Columns holding when this run happened (load times, and times that fall back to them for
# undated articles): they differ between any two runs, whatever the machines.
RUN_TIME_COLUMNS = {"run_id", "ingested_at", "seen_at", "first_seen_at", "last_seen_at", "quarantined_at"}


def _published_tables(warehouse) -> dict[str, list[str]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select table_schema, table_name, column_name from information_schema.columns "
                           "where table_schema in ('marts', 'ops') order by ordinal_position").fetchall()
    tables: dict[str, list[str]] = {}
    for schema, table, column in rows:
        tables.setdefault(f"{schema}.{table}", []).append(column)
    return tables


def _differences(one_machine, several) -> dict[str, str]:
    """Per published table (marts.runs aside): rows present in one warehouse and not the other."""
    tables = _published_tables(one_machine)
    assert tables == _published_tables(several)
    found = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{one_machine}' as one (read_only)")
        con.execute(f"attach '{several}' as several (read_only)")
        for table, columns in tables.items():
            if table == "marts.runs":
                continue
            compared = ", ".join(f'"{c}"' for c in columns if c not in RUN_TIME_COLUMNS)
            n = con.execute(f"select count(*) from one.{table}").fetchone()[0]
            only = [con.execute(f"select count(*) from (select {compared} from {a}.{table} "
                                f"except all select {compared} from {b}.{table})").fetchone()[0]
                    for a, b in (("one", "several"), ("several", "one"))]
            if only != [0, 0] or n != con.execute(f"select count(*) from several.{table}").fetchone()[0]:
                found[table] = f"{n} rows; only one machine: {only[0]}, only several: {only[1]}"
    return found


def test_two_celery_workers_publish_the_marts_of_one_machine(airflow_home, tmp_path):
    articles = distributed.make_articles(tmp_path / "articles", N_ARTICLES)
    # The one-machine reference (dag.test, as `make run`) runs while the servers start.
    reference = Deployment(tmp_path / "one-machine", airflow_home)
    shutil.copytree(tmp_path / "articles", reference.landing)
    servers = distributed.Servers(tmp_path / "several", batch_size=BATCH_SIZE)
    one_machine, stopped = None, []  # the processes, once started
    try:
        one_machine = airflow_local.start_group(
            [sys.executable, str(ROOT / "scripts" / "run_nightly.py"), "--no-migrate"],
            env=reference.env(QUOTEWIRE_BATCH_SIZE=str(BATCH_SIZE)), log=tmp_path / "one-machine.log")
        servers.start()
        assert servers.fill_landing(tmp_path / "articles") == len(articles)
        servers.trigger(RUN_ID)
        state = servers.wait_for_run(RUN_ID, DEADLINE_SECONDS)
        tasks = servers.metadata("select task_id, map_index, state, hostname, queue from task_instance "
                                 "where run_id = %s", [RUN_ID])
        assert state == "success", f"run {state}: {tasks}\n{servers.logs()}"
        staged = servers.s3().find(f"{distributed.BUCKET}/staging/batches")
        deadline = time.monotonic() + DEADLINE_SECONDS
        while one_machine.poll() is None:
            assert time.monotonic() < deadline, "the one-machine run did not finish"
            time.sleep(2)
    finally:
        stopped = servers.stop()
        if one_machine is not None:
            airflow_local.stop_group(one_machine)
    assert one_machine.returncode == 0, (tmp_path / "one-machine.log").read_text(errors="replace")[-4000:]
    # Nothing started here is left running.
    assert stopped and all(p.poll() is not None for p in stopped)

    # Extraction went to both workers, every other task to the warehouse worker, by queue.
    extract_hosts = {host for task, _, _, host, _ in tasks if task == "extract"}
    assert extract_hosts == set(distributed.WORKERS), tasks
    assert {(host, queue) for task, _, _, host, queue in tasks if task != "extract"} == {("warehouse-1", "warehouse")}
    assert {queue for task, _, _, _, queue in tasks if task == "extract"} == {"extract"}
    # The warehouse worker recorded where each batch was extracted, as Airflow saw it.
    work_db = servers.warehouse().with_name("quotewire_work.duckdb")
    with duckdb.connect(str(work_db), read_only=True) as con:
        batches = con.execute("select worker, n_files, n_articles from ops.extraction_batches "
                              "where run_id = ?", [RUN_ID]).fetchall()
    assert len(batches) == N_ARTICLES // BATCH_SIZE and {w for w, _, _ in batches} == extract_hosts
    assert sum(n for _, n, _ in batches) == N_ARTICLES == sum(a for _, _, a in batches)
    # The extract worker's folder holds no DuckDB file; the staged batches were cleaned up.
    assert list(servers.worker_root("extract-1").rglob("*.duckdb")) == []
    assert staged == []

    with duckdb.connect(str(servers.warehouse()), read_only=True) as con:
        assert con.execute("select count(*) from marts.articles").fetchone() == (N_ARTICLES,)
        assert (RUN_ID, "published") in con.execute("select run_id, status from marts.runs").fetchall()
    assert _differences(reference.warehouse, servers.warehouse()) == {}
