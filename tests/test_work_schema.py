"""The work database's schema on a warehouse created by an older version: its raw tables lose the
primary keys they were created with, and keep every row, column default and change stamp."""

import duckdb

from extractors.warehouse import connect, ensure_schema
from extractors.work_schema import raw_tables_with_keys

OLD_ENTITIES = """
create schema raw;
create schema ops;
create sequence ops.change_seq;
create table raw.entities (
    entity_id varchar primary key, article_id varchar not null, label varchar not null,
    entity_text varchar not null, start_char integer not null, end_char integer not null,
    run_id varchar not null, change_seq bigint default nextval('ops.change_seq'));
insert into raw.entities (entity_id, article_id, label, entity_text, start_char, end_char, run_id)
values ('e1', 'a1', 'PERSON', 'Ada', 0, 3, 'r1'), ('e2', 'a1', 'ORG', 'Acme', 10, 14, 'r1');
"""


def _new_entity(con, entity_id):
    con.execute("insert into raw.entities (entity_id, article_id, label, entity_text, start_char, end_char, run_id) "
                "values (?, 'a2', 'PERSON', 'Bo', 0, 2, 'r2')", [entity_id])


def test_a_keyed_raw_table_is_rebuilt_without_its_key_and_keeps_its_rows(tmp_path):
    db = tmp_path / "work.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute(OLD_ENTITIES)
        assert raw_tables_with_keys(con) == ["entities"]

    ensure_schema(db)

    with connect(db) as con:
        assert raw_tables_with_keys(con) == []
        assert con.execute("select entity_id, entity_text, change_seq from raw.entities order by entity_id").fetchall() \
            == [("e1", "Ada", 1), ("e2", "Acme", 2)]
        _new_entity(con, "e3")  # the change stamp's default survived the rebuild
        assert con.execute("select change_seq from raw.entities where entity_id = 'e3'").fetchone() == (3,)
        tables = {t for (t,) in con.execute("select table_name from duckdb_tables() where schema_name = 'raw'").fetchall()}
        assert "entities__keyed" not in tables


def test_a_new_work_database_has_no_key_on_raw_tables_and_ensuring_it_again_changes_nothing(tmp_path):
    db = tmp_path / "work.duckdb"
    ensure_schema(db)
    with connect(db) as con:
        _new_entity(con, "e1")
    ensure_schema(db)
    with connect(db) as con:
        assert raw_tables_with_keys(con) == []
        assert con.execute("select count(*) from raw.entities").fetchone() == (1,)
