"""Staging through an object store: the run log, batch files and their record, against a real
S3 server (moto's server mode on 127.0.0.1), and the DAG's queues."""

from __future__ import annotations

import socket
import threading
from datetime import datetime, timezone

import pytest

BUCKET = "quotewire-test"


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def staging_url(s3_server, monkeypatch, request):
    import fsspec

    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    fsspec.filesystem("s3").clear_instance_cache()
    fs, _ = fsspec.core.url_to_fs(f"s3://{BUCKET}", use_listings_cache=False)
    if not fs.exists(BUCKET):
        fs.mkdir(BUCKET)
    return f"s3://{BUCKET}/{request.node.name}/staging"


def _night(log) -> None:
    log.start()
    log.keep("logical_date", "2026-11-01")
    log.count(files_seen=7, files_new=5)
    log.step("preflight", True, "ready")
    log.fail("load", RuntimeError("disk full"))
    log.succeed("load")
    log.count(articles_new=5)
    log.step("raw_gate", False, "2 expectations failed")
    log.fail("raw_gate", RuntimeError("GateFailed"))  # the gate said why already
    log.fail("extract batch-1", OSError("landing unreachable"))


def test_run_log_in_an_object_store_reads_as_the_local_file(staging_url, tmp_path):
    from extractors.runlog import RunLog, failure_message, run_row

    run_id = "scheduled__2026-11-01T00:00:00+00:00"
    local, remote = RunLog(tmp_path, run_id), RunLog(staging_url, run_id)
    _night(local)
    _night(remote)
    a, b = local.read(), remote.read()
    assert a.pop("started_at") and b.pop("started_at")
    assert a == b
    assert b["failures"] == {"extract batch-1": "OSError: landing unreachable"}
    assert failure_message(remote.read()) == failure_message(local.read())
    row = run_row(staging_url, run_id, "failed", "x")
    assert (row["files_seen"], row["articles_new"], row["raw_gate"]) == (7, 5, "failed")
    # A retried first task starts the record afresh.
    remote.start()
    assert remote.read()["counts"] == {}


def test_updates_from_many_workers_at_once_are_all_kept(staging_url):
    from extractors.runlog import RunLog

    RunLog(staging_url, "night").start()

    def worker(i: int) -> None:
        log = RunLog(staging_url, "night")  # each worker has its own handle, as on its own machine
        for j in range(3):
            log.count(**{f"w{i}_{j}": i * 10 + j})
        log.fail(f"extract batch-{i}", RuntimeError(str(i)))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    record = RunLog(staging_url, "night").read()
    assert record["counts"] == {f"w{i}_{j}": i * 10 + j for i in range(6) for j in range(3)}
    assert set(record["failures"]) == {f"extract batch-{i}" for i in range(6)}


def test_unfinished_runs_are_found_in_the_object_store(staging_url):
    from extractors.runlog import RunLog, unfinished_runs

    for run_id in ("manual__2026-11-01T01:00:00+00:00", "killed:night", "current"):
        RunLog(staging_url, run_id).start()
    RunLog(staging_url, "killed:night").count(files_seen=3)
    found = unfinished_runs(staging_url, {"manual__2026-11-01T01:00:00+00:00"}, "current")
    assert [(record["run_id"], record["counts"]) for record, _ in found] == [("killed:night", {"files_seen": 3})]
    assert abs(found[0][1] - datetime.now(timezone.utc).timestamp()) < 600


def test_a_batch_staged_in_the_object_store_loads_and_records_its_worker(staging_url, tmp_path, monkeypatch):
    import duckdb

    from extractors.extract import BatchResult
    from extractors.records import QuarantineRecord
    from extractors.staging import Staging
    from extractors.staging_batches import TABLES, record_batches, stage_batch
    from extractors.warehouse import load_batches

    monkeypatch.setenv("QUOTEWIRE_WORKER_NAME", "extract-b")
    staging = Staging(staging_url)
    result = BatchResult(quarantined=[QuarantineRecord("a.txt", "h1", "too_short", "3 words")])
    staged = stage_batch(staging, "night", "batch-1", result, 1, datetime.now(timezone.utc))
    assert all(staged[t].startswith(f"{staging_url}/batches/night/batch-1.") for t in TABLES)
    assert staging.children("batches") == ["night"]
    work_db = tmp_path / "work.duckdb"
    with staging.local_copies([staged], TABLES) as local:
        assert all(not path.startswith("s3://") for batch in local for path in batch.values())
        added = load_batches(work_db, "night", local, [])
    assert added["quarantine"] == 1
    assert record_batches(work_db, "night", [staged]) == 1
    assert record_batches(work_db, "night", [staged]) == 1  # a repeated load replaces the rows
    with duckdb.connect(str(work_db), read_only=True) as con:
        assert con.execute("select batch, worker, n_files, n_articles, n_quarantined "
                           "from ops.extraction_batches").fetchall() == [("batch-1", "extract-b", 1, 0, 1)]
    staging.remove(staging.batch_key("night"))
    assert staging.children("batches") == [] and staging.count("batches") == 0


def test_a_batch_file_from_elsewhere_is_refused(staging_url):
    from extractors.staging import Staging

    with pytest.raises(ValueError, match="not in the staging area"):
        with Staging(staging_url).local_copies([{"articles": "s3://other-bucket/x.parquet"}], ("articles",)):
            pass


def test_staging_defaults_to_the_state_folder(monkeypatch, tmp_path):
    from extractors.settings import Settings

    monkeypatch.setenv("QUOTEWIRE_WAREHOUSE", str(tmp_path / "w" / "quotewire.duckdb"))
    monkeypatch.delenv("QUOTEWIRE_STAGING_URL", raising=False)
    settings = Settings.from_env()
    assert settings.staging == str(tmp_path / "w" / "state") and not settings.staging_is_shared
    monkeypatch.setenv("QUOTEWIRE_STAGING_URL", "s3://bucket/quotewire/staging")
    settings = Settings.from_env()
    assert settings.staging == "s3://bucket/quotewire/staging" and settings.staging_is_shared


@pytest.mark.parametrize("names", [{}, {"QUOTEWIRE_EXTRACT_QUEUE": "nlp", "QUOTEWIRE_WAREHOUSE_QUEUE": "duckdb-host"}])
def test_extraction_goes_to_its_queue_and_every_other_task_to_the_warehouse(names, monkeypatch):
    from airflow.dag_processing.dagbag import DagBag
    from conftest import ROOT

    for key, value in names.items():
        monkeypatch.setenv(key, value)
    bag = DagBag(dag_folder=str(ROOT / "dags"))
    dag = bag.dags["quotewire_nightly"]
    queues = {t.task_id: t.queue for t in dag.tasks}
    extract, warehouse = names.get("QUOTEWIRE_EXTRACT_QUEUE", "extract"), names.get("QUOTEWIRE_WAREHOUSE_QUEUE", "warehouse")
    assert queues.pop("extract") == extract
    assert set(queues.values()) == {warehouse}
