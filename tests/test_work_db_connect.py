"""The work database's connections wait out a brief writer in another process instead of failing."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest

from extractors import warehouse

HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("create or replace table t as select 42 as answer")
print("held", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def _hold(path, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_reader_waits_for_another_process_writer_to_let_go(tmp_path):
    path = tmp_path / "work.duckdb"
    holder = _hold(path, 2)
    try:
        with warehouse.connect(path, read_only=True) as con:
            assert con.execute("select answer from t").fetchone() == (42,)
    finally:
        holder.wait(timeout=30)


def test_a_writer_held_longer_than_the_wait_still_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(warehouse, "LOCK_WAIT_SECONDS", 0)
    path = tmp_path / "work.duckdb"
    holder = _hold(path, 30)
    try:
        with pytest.raises(duckdb.IOException, match="Could not set lock"):
            with warehouse.connect(path, read_only=True):
                pass
    finally:
        holder.kill()
        holder.wait(timeout=30)
