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


def _limit(con) -> str:
    return con.execute("select current_setting('memory_limit')").fetchone()[0]


def test_connections_take_the_memory_limit_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv(warehouse.MEMORY_LIMIT_ENV, raising=False)
    path = tmp_path / "work.duckdb"
    with warehouse.connect(path) as con:
        limit = _limit(con)
    with duckdb.connect() as plain:
        assert limit == _limit(plain.execute(f"set memory_limit = '{warehouse.DEFAULT_MEMORY_LIMIT}'"))
        assert limit != _limit(duckdb.connect())  # DuckDB's own default (80% of the memory) is not it


def test_the_memory_limit_and_temp_directory_reach_writers_and_readers(tmp_path, monkeypatch):
    monkeypatch.setenv(warehouse.MEMORY_LIMIT_ENV, "300 MiB")
    monkeypatch.setenv(warehouse.TEMP_DIR_ENV, str(tmp_path / "spill"))
    path = tmp_path / "work.duckdb"
    with warehouse.connect(path) as con:
        con.execute("create table t as select 1 as x")
        assert _limit(con) == "300.0 MiB"
        assert con.execute("select current_setting('temp_directory')").fetchone()[0] == str(tmp_path / "spill")
    with warehouse.connect(path, read_only=True) as con:
        assert _limit(con) == "300.0 MiB"
        assert con.execute("select current_setting('temp_directory')").fetchone()[0] == str(tmp_path / "spill")


@pytest.mark.parametrize("value", ["lots", "1", "-1GB", "1 GBs"])
def test_a_bad_memory_limit_is_refused_with_its_name(tmp_path, monkeypatch, value):
    monkeypatch.setenv(warehouse.MEMORY_LIMIT_ENV, value)
    with pytest.raises(ValueError, match=f"{warehouse.MEMORY_LIMIT_ENV}=.*not an amount of memory"):
        with warehouse.connect(tmp_path / "work.duckdb"):
            pass
    assert not (tmp_path / "work.duckdb").exists()


def test_a_temp_directory_that_is_a_file_is_refused(tmp_path, monkeypatch):
    (tmp_path / "spill").write_text("")
    monkeypatch.setenv(warehouse.TEMP_DIR_ENV, str(tmp_path / "spill"))
    with pytest.raises(ValueError, match=f"{warehouse.TEMP_DIR_ENV}=.*is a file"):
        with warehouse.connect(tmp_path / "work.duckdb"):
            pass
