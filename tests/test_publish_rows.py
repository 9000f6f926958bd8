"""The standby file is brought up to date through the row hashes recorded for it, and only while
they describe it: a file changed behind their back is compared row by row, and ends equal to
the marts either way."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb

from extractors import publish_rows
from extractors.publish import candidate_path, prepare_candidate, publish, sync_file


def _work_db(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create schema ops")
        con.execute("create table marts.articles (article_id varchar, title varchar, seen_at timestamptz)")
        con.execute("""insert into marts.articles
            select 'a' || i, 'title ' || i, timestamptz '2026-01-01 10:00:00+00' from range(50) r(i)""")
        # Two rows under one name (two entities of one name), keyed by their entity.
        con.execute("create table marts.speakers (speaker varchar, speaker_entity_id varchar, n_quotes integer)")
        con.execute("insert into marts.speakers values ('Georgia', 'e1', 3), ('Georgia', 'e2', 1), ('Peskov', 'e3', 9)")
        con.execute("create table ops.quarantine (source_file varchar, reason varchar)")
        con.execute("create table ops.runs (run_id varchar, started_at timestamptz)")


def _rows(db: Path, table: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return sorted(con.execute(f"select * from marts.{table}").fetchall(), key=repr)


def _night(work: Path, warehouse: Path):
    prepared = prepare_candidate(work, warehouse, "v1.0.0")
    publish(work, candidate_path(warehouse), warehouse, "v1.0.0")
    return prepared



def _after_two_nights(tmp_path: Path) -> tuple[Path, Path]:
    """A work database and the standby published file, after two nights (both files hashed)."""
    work, warehouse = tmp_path / "work.duckdb", tmp_path / "pub" / "quotewire.duckdb"
    _work_db(work)
    _night(work, warehouse)
    _night(work, warehouse)
    return work, next(p for p in warehouse.parent.glob(".quotewire.*.duckdb") if p.name != warehouse.resolve().name)

def test_changed_rows_only_through_the_hashes(tmp_path):
    work, warehouse = tmp_path / "work.duckdb", tmp_path / "pub" / "quotewire.duckdb"
    _work_db(work)
    assert _night(work, warehouse).mode == "full"
    assert _night(work, warehouse).mode == "full"  # both files exist now, each with its hashes
    with duckdb.connect(str(work)) as con:
        con.execute("update marts.articles set title = 'changed' where article_id = 'a7'")
        con.execute("insert into marts.articles values ('new', 'new', '2026-01-02 10:00:00+00')")
        con.execute("delete from marts.speakers where speaker_entity_id = 'e2'")  # one of two rows of a key
    prepared = _night(work, warehouse)
    # The changed, new and gone rows (one deleted and inserted, one inserted, one deleted), not
    # the 50 articles.
    assert prepared.mode == "incremental" and prepared.reason == "4 rows deleted or inserted", prepared
    assert _rows(warehouse, "speakers") == [("Georgia", "e1", 3), ("Peskov", "e3", 9)]
    titles = {r[0]: r[1] for r in _rows(warehouse, "articles")}
    assert titles["a7"] == "changed" and titles["new"] == "new" and len(titles) == 51


def test_a_file_changed_behind_the_hashes_is_compared_row_by_row(tmp_path):
    work, standby = _after_two_nights(tmp_path)
    with duckdb.connect(str(standby)) as con:  # e.g. a night that failed after writing the file
        con.execute("delete from marts.articles where article_id = 'a3'")
        con.execute("comment on table marts.articles is 'written by someone else'")
    changed = sync_file(work, standby, "v1.0.0")
    assert changed["marts.articles"] == 1  # found row by row: the hashes no longer describe the file
    assert len(_rows(standby, "articles")) == 50
    with duckdb.connect(str(standby), read_only=True) as con:
        (stamp,) = con.execute("select comment from duckdb_tables() where table_name = 'articles'").fetchone()
    assert stamp.startswith("quotewire rows ")  # stamped anew with the hashes just recorded
    with duckdb.connect(str(work)) as con:
        con.execute("update marts.articles set title = 'again' where article_id = 'a9'")
    assert sync_file(work, standby, "v1.0.0")["marts.articles"] == 2  # trusted again: the changed row only
    assert dict((r[0], r[1]) for r in _rows(standby, "articles"))["a9"] == "again"


def test_hashes_that_cannot_be_recorded_leave_the_next_night_row_by_row(tmp_path):
    work, standby = _after_two_nights(tmp_path)
    with duckdb.connect(str(work)) as con:
        con.execute("update marts.articles set title = 'held' where article_id = 'a1'")
    holder = subprocess.Popen(  # a reader of the work database: it cannot be opened for writing
        [sys.executable, "-c", f"import duckdb, sys; c = duckdb.connect({str(work)!r}, read_only=True); "
                               "print('open', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        assert sync_file(work, standby, "v1.0.0")["marts.articles"] == 2  # the file is written all the same
    finally:
        holder.communicate("", timeout=30)
    with duckdb.connect() as con:
        con.execute(f"attach '{work}' as work (read_only)")
        con.execute(f"attach '{standby}' as target (read_only)")
        assert not publish_rows.trusted(con, standby.name, "marts", "articles")
    assert dict((r[0], r[1]) for r in _rows(standby, "articles"))["a1"] == "held"


def _record_build(work: Path, generation: int) -> None:
    """What a passing dbt build leaves (extractors.transform): the build the marts now come from."""
    with duckdb.connect(str(work)) as con:
        con.execute("""create table if not exists ops.dbt_last_build (generation bigint, input_rows varchar,
                       project_digest varchar, built_at timestamptz)""")
        con.execute("delete from ops.dbt_last_build")
        con.execute("insert into ops.dbt_last_build values (?, '{}', 'digest', now())", [generation])


def test_tables_that_hold_the_last_build_are_left_alone_until_the_next_build(tmp_path):
    work, warehouse = tmp_path / "work.duckdb", tmp_path / "pub" / "quotewire.duckdb"
    _work_db(work)
    _record_build(work, 1)
    _night(work, warehouse)
    _night(work, warehouse)  # both files hold build 1 now
    prepared = _night(work, warehouse)  # a night whose dbt build was skipped: nothing to hash or write
    assert prepared.reason == "0 rows deleted or inserted, 2 tables already held the last build's marts", prepared
    with duckdb.connect(str(work)) as con:  # the next build changes a row
        con.execute("update marts.articles set title = 'rebuilt' where article_id = 'a4'")
    _record_build(work, 2)
    prepared = _night(work, warehouse)
    assert prepared.reason == "2 rows deleted or inserted", prepared  # the changed row; speakers hashed, unchanged
    assert dict((r[0], r[1]) for r in _rows(warehouse, "articles"))["a4"] == "rebuilt"
    prepared = _night(work, warehouse)  # the other file takes in build 2 the same way
    assert prepared.reason == "2 rows deleted or inserted", prepared
    assert [r[:2] for r in _rows(warehouse, "articles")] == [r[:2] for r in _rows(work, "articles")]


def _claims_work_db(path: Path) -> None:
    """Marts of two large kinds (articles with their quotes, claims) and what a build reads."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create schema ops; create schema raw; create schema intermediate")
        con.execute("create table marts.articles (article_id varchar, title varchar)")
        con.execute("insert into marts.articles select 'a' || i, 'title ' || i from range(20) r(i)")
        con.execute("create table marts.quotes (quote_id varchar, article_id varchar, quote_text varchar)")
        con.execute("insert into marts.quotes select 'q' || i || '-' || j, 'a' || i, 'said ' || j from range(20) r(i), range(3) s(j)")
        con.execute("create table marts.claims (claim_id varchar, claim_text varchar)")
        con.execute("insert into marts.claims select 'c' || i, 'claim ' || i from range(10) r(i)")
        # Two registry entities of one name: a build that recomputes one leaves the other's row.
        con.execute("create table marts.speakers (speaker varchar, speaker_entity_id varchar, n_quotes integer)")
        con.execute("insert into marts.speakers values ('Georgia', 'e1', 3), ('Georgia', 'e2', 1)")
        con.execute("create table raw.claim_variants (claim_id varchar)")
        con.execute("insert into raw.claim_variants select 'c' || i from range(10) r(i)")
        con.execute("create table ops.quarantine (source_file varchar, reason varchar)")
        con.execute("create table ops.runs (run_id varchar, started_at timestamptz)")


def _build(work: Path, number: int, articles: list[str] = (), claims: list[str] = (), change=None,
           every_row: bool = False, entities: list[str] = ()) -> None:
    """What a passing dbt build leaves, through the pipeline's own recording (transform._record_build):
    `change` (SQL) rewrites the marts of the `articles` and `claims` it recomputed (left in the views an
    incremental build leaves, int_changed_*); `every_row`: a build that recomputed everything."""
    from extractors.transform import _record_build

    with duckdb.connect(str(work)) as con:
        found = con.execute("select change_seq from ops.dbt_last_build").fetchall() if con.execute(
            "select count(*) from duckdb_tables() where table_name = 'dbt_last_build'").fetchone()[0] else []
    since = None if every_row or not found else found[0][0]
    leaving = _record_build(work, None, None, since)
    with duckdb.connect(str(work)) as con:
        con.execute("create or replace view intermediate.int_changed_articles as "
                    f"select unnest({list(articles) or ['none']!r}) as article_id")
        con.execute("create or replace view intermediate.int_changed_claims as "
                    f"select unnest({list(claims) or ['none']!r}) as claim_id")
        con.execute("create or replace view intermediate.int_changed_entities as "
                    f"select unnest({list(entities) or ['none']!r}) as entity_id")
        if change:
            con.execute(change)
    inputs = {"generation": number, "rows": {}, "change_seq": 100 * number}
    _record_build(work, inputs, "digest", since, leaving)


def _published_equals_marts(work: Path, published: Path) -> bool:
    return all(_rows(published, t) == _rows(work, t) for t in ("articles", "quotes", "claims", "speakers"))


def test_a_build_s_rows_are_hashed_only_within_what_it_recomputed_and_the_standby_catches_up(tmp_path):
    work, warehouse = tmp_path / "work.duckdb", tmp_path / "pub" / "quotewire.duckdb"
    _claims_work_db(work)
    _build(work, 1, every_row=True)
    _night(work, warehouse)
    _night(work, warehouse)  # both files hold build 1, blue is the standby
    # Build 2 rewrites a1 and its quotes and drops a quote of a2; a row of a9 also changes, which
    # no build recomputed (a build never does that): a sync that hashes only what build 2
    # recomputed leaves it as it was.
    _build(work, 2, ["a1", "a2"], [], entities=["e1"], change="""
        update marts.speakers set n_quotes = 4 where speaker_entity_id = 'e1';
        update marts.articles set title = 'two' where article_id in ('a1', 'a9');
        update marts.quotes set quote_text = 'two' where article_id = 'a1';
        delete from marts.quotes where quote_id = 'q2-0';""")
    prepared = _night(work, warehouse)
    assert prepared.reason == "11 rows deleted or inserted, 4 compared within what the builds since recomputed", prepared
    assert prepared.rows_hashed == 2 + 5 + 1  # a1 and a2 with their quotes, e1; of 20 articles, 59 quotes, 10 claims, 2 speakers
    titles = dict(_rows(warehouse, "articles"))
    assert titles["a1"] == "two" and titles["a9"] == "title 9"  # a9: outside what was recomputed
    with duckdb.connect(str(work)) as con:
        con.execute("update marts.articles set title = 'title 9' where article_id = 'a9'")
    # Build 3 drops an article with its quotes and a claim left without wordings (no
    # int_changed_claims names it: the build's merge deletes it, and the build records it).
    with duckdb.connect(str(work)) as con:
        con.execute("delete from raw.claim_variants where claim_id = 'c3'")
    _build(work, 3, ["a5"], ["c7"], """
        delete from marts.articles where article_id = 'a5';
        delete from marts.quotes where article_id = 'a5';
        delete from marts.claims where claim_id = 'c3';
        update marts.claims set claim_text = 'three' where claim_id = 'c7';""")
    # The standby (green) still holds build 1: it takes in builds 2 and 3.
    prepared = _night(work, warehouse)
    assert warehouse.resolve().name == ".quotewire.green.duckdb"
    assert prepared.reason == "18 rows deleted or inserted, 4 compared within what the builds since recomputed", prepared
    assert _published_equals_marts(work, warehouse)
    prepared = _night(work, warehouse)  # blue holds build 2: it takes in build 3 alone
    assert prepared.reason == "7 rows deleted or inserted, 4 compared within what the builds since recomputed", prepared
    assert _published_equals_marts(work, warehouse)


def test_a_build_of_every_row_in_between_means_a_whole_comparison(tmp_path):
    work, warehouse = tmp_path / "work.duckdb", tmp_path / "pub" / "quotewire.duckdb"
    _claims_work_db(work)
    _build(work, 1, every_row=True)
    _night(work, warehouse)
    _night(work, warehouse)
    _build(work, 2, ["a1"], [], "update marts.articles set title = 'two' where article_id = 'a1'")
    _build(work, 3, every_row=True, change="update marts.articles set title = 'three' where article_id = 'a4'")
    prepared = _night(work, warehouse)  # blue holds build 1; build 3 recomputed every row
    assert prepared.reason == "4 rows deleted or inserted", prepared
    assert prepared.rows_hashed == 20 + 60 + 10 + 2
    assert _published_equals_marts(work, warehouse)


def test_a_comparison_outside_a_window_records_every_row_s_group(tmp_path):
    """Hashes recorded without their groups (by a version before groups, or for the changed keys
    only) would hide their rows from every later window: a whole comparison records all of them."""
    work, warehouse = tmp_path / "work.duckdb", tmp_path / "pub" / "quotewire.duckdb"
    _claims_work_db(work)
    _build(work, 1, every_row=True)
    _night(work, warehouse)
    _night(work, warehouse)
    with duckdb.connect(str(work)) as con:
        con.execute("update ops.published_rows set row_group = null")
    _build(work, 2, every_row=True, change="update marts.articles set title = 'two' where article_id = 'a1'")
    _night(work, warehouse)
    _night(work, warehouse)  # both files compared whole, outside any window
    _build(work, 3, [], [], entities=["e2"], change="delete from marts.speakers where speaker_entity_id = 'e2'")
    for _ in range(2):
        prepared = _night(work, warehouse)
        assert "compared within what the builds since recomputed" in prepared.reason, prepared
        assert _published_equals_marts(work, warehouse), prepared
