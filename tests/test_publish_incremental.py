"""Publishing writes what the night changed, and readers still see old or new marts, never a mix.

The work database is the seed run's (its marts grown by copying rows under new ids, so that the
published file is large next to a night's change); nights are made by changing its marts, then
published with the pipeline's own steps (`prepare_candidate`, `publish`), as the DAG does.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import duckdb
from extractors.publish import candidate_path, prepare_candidate, publish, slot_path, standby_path

ROOT = Path(__file__).resolve().parent.parent
GROW = {"articles": ("article_id", 2000), "quotes": ("quote_id", 200), "entity_mentions": ("mention_id", 200)}


def _as_built(con: duckdb.DuckDBPyConnection) -> None:
    """Record the changed marts as a new dbt build's, as a passing build does (publishing leaves
    alone a table that already holds the last build)."""
    con.execute("update ops.dbt_last_build set built_at = now()")


def _grow(work_db: Path) -> None:
    with duckdb.connect(str(work_db)) as con:
        for table, (key, times) in GROW.items():
            con.execute(f"""insert into marts.{table}
                select t.* replace (t.{key} || '-' || r.i as {key}) from marts.{table} t, range(1, {times}) r(i)""")
        _as_built(con)


def _night(work_db: Path, night: int, new_articles: int = 1) -> None:
    """A small night: new articles (counted in their outlet), a relinked speaker, a mention gone."""
    with duckdb.connect(str(work_db)) as con:
        con.execute(f"""insert into marts.articles
            select a.* replace (a.article_id || '-night{night}-' || r.i as article_id, 'unknown' as outlet)
            from (select * from marts.articles order by article_id limit 1) a, range({new_articles}) r(i)""")
        con.execute(f"update marts.outlets set n_articles = n_articles + {new_articles} where outlet = 'unknown'")
        con.execute(f"""update marts.quotes set speaker = 'Speaker {night}'
            where quote_id in (select quote_id from marts.quotes order by hash(quote_id) limit 5)""")
        con.execute("""delete from marts.entity_mentions
            where mention_id in (select mention_id from marts.entity_mentions order by hash(mention_id) limit 5)""")
        _as_built(con)


def _publish(deployment):
    prepared = prepare_candidate(deployment.work_db, deployment.warehouse, "v1.0.0")
    publish(deployment.work_db, candidate_path(deployment.warehouse), deployment.warehouse, "v1.0.0")
    return prepared


def _same_marts(work_db: Path, published: Path) -> bool:
    with duckdb.connect() as con:
        con.execute(f"attach '{work_db}' as work (read_only)")
        con.execute(f"attach '{published}' as pub (read_only)")
        for table in ("articles", "quotes", "entity_mentions", "outlets", "claims"):
            # Published timestamps are plain UTC; compare everything else.
            columns = [c for (c,) in con.execute(
                "select column_name from duckdb_columns() where database_name = 'pub' and schema_name = 'marts' "
                "and table_name = ? and data_type <> 'TIMESTAMP' order by column_index", [table]).fetchall()]
            listed = ", ".join(f'"{c}"' for c in columns)
            differ = con.execute(f"""select count(*) from (
                (select {listed} from work.marts.{table} except all select {listed} from pub.marts.{table})
                union all
                (select {listed} from pub.marts.{table} except all select {listed} from work.marts.{table}))""").fetchone()[0]
            if differ:
                return False
    return True


def test_a_small_night_writes_a_small_part_of_the_published_file(deployment):
    assert deployment.warehouse.is_symlink()  # the seed run published through the link
    _grow(deployment.work_db)
    assert _publish(deployment).mode == "full"  # the other file did not exist yet
    assert _publish(deployment).mode == "incremental"  # the seed-size file, brought up to the grown marts
    _night(deployment.work_db, 1)
    prepared = prepare_candidate(deployment.work_db, deployment.warehouse, "v1.0.0")
    assert prepared.mode == "incremental", prepared.reason
    assert prepared.bytes_written < 0.1 * prepared.file_bytes, prepared
    candidate = candidate_path(deployment.warehouse)
    assert _same_marts(deployment.work_db, candidate)
    before = deployment.warehouse.resolve()
    publish(deployment.work_db, candidate, deployment.warehouse, "v1.0.0")
    assert deployment.warehouse.resolve() != before and _same_marts(deployment.work_db, deployment.warehouse)
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "duckdb"), "-readonly", "-csv", "-noheader",
                           str(deployment.warehouse), "select count(*) from marts.articles"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and int(done.stdout) == 5 * 2000 + 1, done.stdout + done.stderr


READER = textwrap.dedent("""
    import sys, time, duckdb
    path, seconds = sys.argv[1], float(sys.argv[2])
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with duckdb.connect(path, read_only=True) as con:
            articles = con.execute("select count(*) from marts.articles").fetchone()[0]
            by_outlet = con.execute("select sum(n_articles) from marts.outlets").fetchone()[0]
        print(articles, by_outlet, flush=True)
        time.sleep(0.02)
""")

HOLDER = textwrap.dedent("""
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(con.execute("select count(*) from marts.articles").fetchone()[0], flush=True)
    sys.stdin.readline()  # hold the file open until told
    print(con.execute("select count(*) from marts.articles").fetchone()[0], flush=True)
""")


def test_readers_see_old_or_new_marts_and_a_held_file_is_never_written(deployment):
    nights = 4
    reader = subprocess.Popen([sys.executable, "-c", READER, str(deployment.warehouse), "600"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    holder = None
    modes = []
    try:
        time.sleep(1.0)
        for night in range(1, nights + 1):
            if night == 3:  # a reader opened the published file before the last swap and still holds it
                held = standby_path(deployment.warehouse)
                holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(held)], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                held_rows = int(holder.stdout.readline())
            _night(deployment.work_db, night)
            modes.append(_publish(deployment).mode)
            assert deployment.warehouse.resolve() in {slot_path(deployment.warehouse, s) for s in ("blue", "green")}
            time.sleep(0.5)
    finally:
        time.sleep(0.5)
        reader.terminate()
        out, err = reader.communicate(timeout=30)
        if holder is not None:
            holder_out, holder_err = holder.communicate("\n", timeout=30)
    assert "Error" not in err, err[-2000:]
    seen = {tuple(map(int, line.split())) for line in out.splitlines()}
    assert all(articles == by_outlet for articles, by_outlet in seen), seen  # never a mix
    assert {a for a, _ in seen} <= {5 + n for n in range(nights + 1)} and 5 + nights in {a for a, _ in seen}, seen
    # Night 1 had no other file yet; night 2 updated the seed run's file; night 3 found its
    # other file held by a reader, so it copied in full; night 4 updated night 2's file.
    assert modes == ["full", "incremental", "full", "incremental"], modes
    assert holder_err == "" and int(holder_out.split()[0]) == held_rows == 6  # its snapshot is intact


def _tiny_work_db(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create schema ops")
        con.execute("create table marts.articles (article_id varchar, title varchar, seen_at timestamptz)")
        con.execute("insert into marts.articles values ('a', 'first', '2026-01-01 10:00:00+00')")
        con.execute("create table marts.article_notes (article_id varchar, note varchar, noted_by varchar)  -- no key: matched on all columns")
        con.execute("insert into marts.article_notes values ('a', 'Peskov', null)")
        con.execute("create table ops.quarantine (source_file varchar, reason varchar)")
        con.execute("create table ops.runs (run_id varchar, started_at timestamptz)")


def test_the_link_alternates_and_a_changed_format_or_schema_is_copied_whole(tmp_path):
    work, warehouse = tmp_path / "work.duckdb", tmp_path / "pub" / "quotewire.duckdb"
    _tiny_work_db(work)

    def night(storage_version: str = "v1.0.0"):
        prepared = prepare_candidate(work, warehouse, storage_version)
        published = publish(work, candidate_path(warehouse), warehouse, storage_version)
        assert warehouse.resolve() == published and not candidate_path(warehouse).exists()
        return prepared.mode, published.name

    assert night() == ("full", ".quotewire.blue.duckdb")
    assert night() == ("full", ".quotewire.green.duckdb")
    with duckdb.connect(str(work)) as con:
        con.execute("update marts.articles set title = 'changed'")
        con.execute("insert into marts.article_notes values ('a', 'Mr Peskov', 'Peskov')")
    assert night() == ("incremental", ".quotewire.blue.duckdb")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select title, seen_at from marts.articles").fetchall() == [
            ("changed", datetime(2026, 1, 1, 10, 0))]  # a plain UTC timestamp
        assert sorted(con.execute("select * from marts.article_notes").fetchall(), key=repr) == [
            ("a", "Mr Peskov", "Peskov"), ("a", "Peskov", None)]
    with duckdb.connect(str(work)) as con:  # a new column: the table is copied whole
        con.execute("alter table marts.articles add column n_words integer default 7")
    assert night() == ("incremental", ".quotewire.green.duckdb")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select title, n_words from marts.articles").fetchall() == [("changed", 7)]
    assert night("v1.2.0") == ("full", ".quotewire.blue.duckdb")  # another storage format
