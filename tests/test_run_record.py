"""The run record tells the truth: one run at a time, failures by task and error, kills settled."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import ROOT, Deployment

from extractors.runlock import LockLost, RunLock, RunRefused
from extractors.runlog import RunLog, failure_message, run_row, unfinished_runs


def test_a_second_run_is_refused_while_the_first_beats(tmp_path):
    lock = RunLock(tmp_path, timeout=60)
    assert lock.acquire("night-1") is None
    with pytest.raises(RunRefused, match="run night-1 is running"):
        RunLock(tmp_path, timeout=60).acquire("night-2")
    assert lock.acquire("night-1") is None  # a retried first task takes its own lock again
    lock.release("night-2")  # not the holder: nothing happens
    assert lock.holder()["run_id"] == "night-1"
    lock.release("night-1")
    assert lock.holder() is None
    assert lock.acquire("night-2") is None


def test_a_run_that_stops_beating_loses_the_lock(tmp_path):
    lock = RunLock(tmp_path, timeout=0.5)
    lock.acquire("killed")
    time.sleep(0.7)
    note = RunLock(tmp_path, timeout=0.5).acquire("next")
    assert note.startswith("took the lock over from run killed")
    with pytest.raises(LockLost):
        lock.beat("killed")


def test_the_heartbeat_keeps_a_long_task_s_lock(tmp_path):
    lock = RunLock(tmp_path, timeout=2)
    lock.acquire("long")
    with lock.held("long"):
        time.sleep(3)  # longer than the timeout: only the heartbeat keeps the lock alive
        with pytest.raises(RunRefused):
            RunLock(tmp_path, timeout=2).acquire("other")


HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from extractors.runlock import RunLock
    lock = RunLock(Path(sys.argv[1]), timeout=1.0)
    lock.acquire("holder")
    with lock.held("holder"):
        print("holding", flush=True)
        time.sleep(600)
""")


def test_a_killed_process_does_not_hold_the_lock_forever(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], stdout=subprocess.PIPE,
                              text=True, start_new_session=True,
                              env={**os.environ, "PYTHONPATH": str(os.getcwd())})
    try:
        assert holder.stdout.readline().strip() == "holding"
        time.sleep(1.5)  # beyond the timeout, but the holder beats
        with pytest.raises(RunRefused):
            RunLock(tmp_path, timeout=1.0).acquire("second")
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
    deadline = time.monotonic() + 30
    while True:
        try:
            RunLock(tmp_path, timeout=1.0).acquire("second")
            break
        except RunRefused:
            assert time.monotonic() < deadline
            time.sleep(0.3)
    assert RunLock(tmp_path, timeout=1.0).holder()["run_id"] == "second"


def test_a_failed_task_is_recorded_by_its_name_and_error(tmp_path):
    log = RunLog(tmp_path, "night")
    log.start()
    log.step("raw_gate", True, "raw_gate: 12 expectations passed")
    log.step("dbt_build", True, "dbt build: 90 nodes passed")
    log.fail("dbt_build", OSError(errno.ENOSPC, "No space left on device"))
    log.fail("extract batch-1", ValueError("first try"))
    log.succeed("extract batch-1")  # retried and passed: no longer a failure
    record = log.read()
    assert failure_message(record) == "not published; dbt_build failed: OSError: [Errno 28] No space left on device"
    row = run_row(tmp_path, "night", "failed", failure_message(record))
    assert (row["raw_gate"], row["dbt_build"], row["mart_gate"]) == ("passed", "failed", "not run")


def test_a_gate_s_own_verdict_is_not_repeated_as_an_error(tmp_path):
    log = RunLog(tmp_path, "night")
    log.start()
    log.step("raw_gate", False, "raw_gate failed: raw_night.expect_column_values_to_be_between(...)")
    log.fail("raw_gate", RuntimeError("raw_gate failed: raw_night.expect_column_values_to_be_between(...)"))
    assert failure_message(log.read()) == (
        "not published; raw_gate: raw_gate failed: raw_night.expect_column_values_to_be_between(...)")


def test_runs_that_left_no_row_are_found(tmp_path):
    for run_id in ("recorded", "killed", "current"):
        RunLog(tmp_path, run_id).start()
    RunLog(tmp_path, "killed").keep("refused", "refused: run x is running")
    found = unfinished_runs(tmp_path, {"recorded"}, "current")
    assert [(r["run_id"], r.get("refused")) for r, _ in found] == [("killed", "refused: run x is running")]
    assert json.loads((tmp_path / "runs" / "killed.json").read_text())["run_id"] == "killed"


def test_a_run_marked_publishing_is_settled_by_the_published_file(tmp_path):
    import duckdb

    from extractors.recovery import confirm_publishing
    from extractors.warehouse import ensure_schema

    work_db, warehouse = tmp_path / "work.duckdb", tmp_path / "published.duckdb"
    ensure_schema(work_db)
    with duckdb.connect(str(work_db)) as con:
        for run_id in ("renamed", "killed-before-rename"):
            con.execute("insert into ops.runs (run_id, status, started_at, finished_at, wall_seconds, message) "
                        "values (?, 'publishing', now(), now(), 1, 'publishing')", [run_id])
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.runs as select 'renamed' as run_id, 'published' as status")
    assert sorted(confirm_publishing(work_db, warehouse)) == [("killed-before-rename", "failed"), ("renamed", "published")]
    with duckdb.connect(str(work_db), read_only=True) as con:
        assert dict(con.execute("select run_id, status from ops.runs").fetchall()) == {
            "renamed": "published", "killed-before-rename": "failed"}
    assert confirm_publishing(work_db, warehouse) == []


# --- real runs ------------------------------------------------------------------------------

def _add_articles(deployment, prefix: str, n: int) -> None:
    for i in range(n):
        (deployment.landing / f"{prefix}-{i}.txt").write_text(
            f"Kremlin spokesman Dmitry Peskov told reporters in Moscow on Friday, report {prefix} {i}, that "
            "\u201cno decision has been taken yet on the sanctions or on the talks with Washington\u201d. "
            "Officials in Washington declined to comment on the call before the weekend.\n", encoding="utf-8")


def _start(deployment, **extra):
    return subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "run_nightly.py")], env=deployment.env(**extra),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _state(deployment):
    return deployment.work_db.parent / "state"


def test_a_second_concurrent_run_is_refused_and_recorded(deployment, tmp_path):
    _add_articles(deployment, "busy", 6)
    # A second installation of Airflow (its own metadata) pointed at the same warehouse.
    other = Deployment(deployment.root, tmp_path / "second-airflow")
    assert other.run("--setup-only").returncode == 0
    first = _start(deployment, QUOTEWIRE_BATCH_SIZE="1")
    try:
        lock = RunLock(_state(deployment), 600)
        _wait_for(lambda: (lock.holder() or {}).get("run_id", "").startswith("manual__"), 300, "the first run's lock")
        holder = lock.holder()["run_id"]
        second = other.run()
        out, _ = first.communicate(timeout=900)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert first.returncode == 0, out[-3000:]
    assert second.returncode == 1
    assert f"refused: run {holder} is running" in second.stdout + second.stderr
    rows = deployment.query("select run_id, status, message, articles_new from ops.runs order by started_at",
                            database=deployment.work_db)
    refused = [r for r in rows if r[1] == "refused"]
    assert len(refused) == 1 and refused[0][2].startswith(f"refused: run {holder} is running")
    assert refused[0][3] is None  # it loaded nothing
    assert [r[1:] for r in rows if r[0] == holder] == [("published", f"published {deployment.warehouse}", 6)]
    assert not RunLock(_state(deployment), 600).holder()  # released by the run that held it


def test_a_killed_run_is_recorded_its_lock_taken_over_and_its_batches_removed(deployment, tmp_path):
    _add_articles(deployment, "killed", 4)
    batches = _state(deployment) / "batches"
    other = Deployment(deployment.root, tmp_path / "killed-airflow")
    assert other.run("--setup-only").returncode == 0
    killed = _start(other, QUOTEWIRE_BATCH_SIZE="1")
    try:
        _wait_for(lambda: any(batches.glob("*/*.parquet")), 600, "a staged batch file")
    finally:
        os.killpg(killed.pid, signal.SIGKILL)
        killed.wait(timeout=60)
    killed_run = RunLock(_state(deployment), 600).holder()["run_id"]
    assert any(batches.glob("*/*.parquet"))
    time.sleep(2)
    done = deployment.run(QUOTEWIRE_RUN_LOCK_TIMEOUT="1")
    assert done.returncode == 0, done.stdout[-3000:]
    assert not any(batches.glob("*/*")), "the killed run's batch files are left"
    rows = dict(deployment.query("select run_id, message from ops.runs where status = 'failed'", database=deployment.work_db))
    assert rows == {killed_run: "not published; stopped before it finished (killed?)"}
    last = deployment.query("select articles_new, status from marts.runs order by started_at desc limit 1")
    assert last == [(4, "published")]


def test_a_task_that_fails_is_recorded_under_its_own_name(tmp_path, monkeypatch):
    from extractors.task_context import as_task

    monkeypatch.setenv("QUOTEWIRE_WAREHOUSE", str(tmp_path / "warehouse" / "quotewire.duckdb"))
    state = tmp_path / "warehouse" / "state"
    RunLog(state, "night").start()
    RunLock(state, 600).acquire("night")

    @as_task("dbt_build")
    def full_disk(run_id: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError):
        full_disk("night")
    assert failure_message(RunLog(state, "night").read()) == (
        "not published; dbt_build failed: OSError: [Errno 28] No space left on device")
    # A task of another run finds the lock held by this one and fails, recorded, without running.
    ran = []

    @as_task("load")
    def load(run_id: str) -> None:
        ran.append(run_id)

    RunLog(state, "intruder").start()
    with pytest.raises(LockLost):
        load("intruder")
    assert ran == [] and "load" in RunLog(state, "intruder").read()["failures"]
