"""What each published file holds, row by row, so a night finds its changed rows without reading
the file: a 64-bit hash of every published row, by table and key, kept in the work database.

`ops.published_rows(file, table_name, row_key, row_hash, row_group)` holds, for each of the two
published files (by name: `.quotewire.blue.duckdb`, ...), the key and hash of every row of its
keyed tables, and for the large marts the article or claim the row belongs to (`row_group`);
`ops.published_stamps(file, table_name, stamp)` the stamp written, in the same transaction as the
rows, as the comment of that table in the file. A night hashes the work database's marts (one
narrow scan; for the large marts, only the rows of the articles and claims the builds since the
file's recomputed: publish_sync.GROUPS, build_log), compares them with the hashes of the file it
brings up to date and deletes and inserts in the file only the rows whose hash changed, appeared
or left.

The hashes are trusted only while the file's comment carries the stamp the work database kept
for it: a file updated by a night that failed before its hashes were recorded, copied whole, or
from elsewhere is compared row by row (`publish._sync_table`), and its hashes recorded afresh.

A stamp also names the passing dbt build whose marts the table took in (`build_marker`, from
`ops.dbt_last_build`). The marts change only in a dbt build, so a trusted table stamped with the
work database's current build already holds its marts: a night after a skipped build (nothing
new) leaves it as it is without hashing the marts at all.
"""

from __future__ import annotations

import logging
import uuid

import duckdb

from extractors import build_log

log = logging.getLogger(__name__)

ROWS, STAMPS = "ops.published_rows", "ops.published_stamps"


def key_expression(key: tuple[str, ...], alias: str) -> str:
    """The row key as one string: the column itself, or JSON of several (unambiguous, NULL included)."""
    if len(key) == 1:
        return f'coalesce({alias}."{key[0]}"::varchar, chr(0))'
    return f"to_json(struct_pack({', '.join(f'{alias}.{chr(34)}{k}{chr(34)}' for k in key)}))::varchar"


def hash_rows(con: duckdb.DuckDBPyConnection, name: str, source: str, key: tuple[str, ...],
              group: str | None = None, within: str | None = None) -> None:
    """A temp table `name(row_key, row_hash, row_group)` of the rows of a `select` (as they are
    published); with `within` (a table of ids), only the rows whose `group` column is among them."""
    row_group = f's."{group}"::varchar' if group else "null::varchar"
    where = f' where s."{group}" in (select id from {within})' if group and within else ""
    con.execute(f"create or replace temp table {name} as "
                f"select {key_expression(key, 's')} as row_key, hash(s) as row_hash, {row_group} as row_group "
                f"from ({source}) as s{where}")


def build_marker(con: duckdb.DuckDBPyConnection) -> str | None:
    """The passing dbt build the attached `work` database's marts come from, or None (no build
    recorded: a build is running, failed, or the database has none)."""
    (n,) = con.execute("""select count(*) from duckdb_tables() where database_name = 'work'
                          and schema_name = 'ops' and table_name = 'dbt_last_build'""").fetchone()
    built = con.execute("select generation, project_digest, built_at from work.ops.dbt_last_build").fetchall() if n else []
    if len(built) != 1:
        return None
    generation, digest, built_at = built[0]
    return build_log.marker(generation, digest, built_at)


def new_stamp(build: str | None) -> str:
    """A fresh stamp for a table written now, naming the build its rows come from."""
    return f"quotewire rows {uuid.uuid4().hex}" + (f" build {build}" if build else "")


def held_build(stamp: str | None) -> str | None:
    """The build a stamp says its table holds, if any."""
    return stamp.rsplit(" build ", 1)[1] if stamp and " build " in stamp else None


def holds_build(stamp: str | None, build: str | None) -> bool:
    """True when a trusted table's stamp says it already holds the marts of `build`."""
    return bool(stamp and build) and stamp.endswith(f" build {build}")


def trusted(con: duckdb.DuckDBPyConnection, file: str, schema: str, table: str) -> bool:
    """True when the recorded hashes describe the attached `target` file's table as it is."""
    return trusted_stamp(con, file, schema, table) is not None


def trusted_stamp(con: duckdb.DuckDBPyConnection, file: str, schema: str, table: str) -> str | None:
    """The stamp of the attached `target` file's table when the recorded hashes describe it, else None."""
    found = con.execute(
        "select comment from duckdb_tables() where database_name = 'target' and schema_name = $s and table_name = $t",
        {"s": schema, "t": table}).fetchall()
    if not found or not found[0][0]:
        return None
    stamp = con.execute(f"select stamp from work.{STAMPS} where file = $f and table_name = $t",
                        {"f": file, "t": f"{schema}.{table}"}).fetchall() if _has_tables(con) else []
    return found[0][0] if stamp and stamp[0][0] == found[0][0] else None


def _has_tables(con: duckdb.DuckDBPyConnection) -> bool:
    (n,) = con.execute("""select count(*) from duckdb_tables() where database_name = 'work' and schema_name = 'ops'
                          and table_name in ('published_rows', 'published_stamps')""").fetchone()
    return n == 2


def sync_changed(con: duckdb.DuckDBPyConnection, file: str, schema: str, table: str, source: str,
                 key: tuple[str, ...], n: int, group: str | None = None, within: str | None = None) -> int:
    """Delete and insert in target.<schema>.<table> only the rows of the keys whose rows' hashes
    changed (a row new, gone or different: every row of such a key is replaced, so a key held by
    two rows stays right); leaves temp tables `rows_<n>` (the hashes of the rows compared) and
    `keys_<n>` (the changed keys) for `record`. With `within`, a table of ids of the `group`
    column, only the rows of those groups are hashed and compared, on both sides: the caller
    knows the others did not change. Returns the rows deleted plus inserted."""
    hash_rows(con, f"rows_{n}", source, key, group, within)
    con.execute(f"""create or replace temp table recorded as
        select row_key, row_hash from work.{ROWS} where file = $f and table_name = $t"""
                + (f" and row_group in (select id from {within})" if group and within else ""),
                {"f": file, "t": f"{schema}.{table}"})
    con.execute(f"""create or replace temp table keys_{n} as
        select row_key from rows_{n} n
        where not exists (select 1 from recorded r where r.row_key = n.row_key and r.row_hash = n.row_hash)
        union
        select row_key from recorded r
        where not exists (select 1 from rows_{n} n where n.row_key = r.row_key and n.row_hash = r.row_hash)""")
    (deleted,) = con.execute(f"""delete from target.{schema}.{table} as d
        where {key_expression(key, 'd')} in (select row_key from keys_{n})""").fetchone()
    among = f's."{group}" in (select id from {within}) and ' if group and within else ""
    (inserted,) = con.execute(f"""insert into target.{schema}.{table}
        select * from ({source}) as s
        where {among}{key_expression(key, 's')} in (select row_key from keys_{n})""").fetchone()
    return deleted + inserted


def stamp_table(con: duckdb.DuckDBPyConnection, schema: str, table: str, build: str | None,
                database: str = "target") -> str:
    """Mark the file's table (inside the sync's transaction) as holding `build`; returns the stamp."""
    stamp = new_stamp(build)
    con.execute(f"comment on table {database}.{schema}.{table} is '{stamp}'")
    return stamp


def record(con: duckdb.DuckDBPyConnection, work_db: str, file: str, hashed: dict[str, tuple]) -> None:
    """`_record`, or a warning when the work database cannot take the hashes: the file is
    already written, and its new stamps then match nothing, so the next night compares it row by
    row."""
    try:
        _record(con, work_db, file, hashed)
    except duckdb.Error as error:
        log.warning("row hashes of %s not recorded (%s): it will be compared row by row", file,
                    str(error).splitlines()[0])


def _record(con: duckdb.DuckDBPyConnection, work_db: str, file: str, hashed: dict[str, tuple]) -> None:
    """Record, once the target file committed, the hashes of its tables: `hashed` maps each table
    to (n, stamp, whole, windowed, fill_groups), `con` holds its temp tables `rows_<n>` and `keys_<n>`;
    a table is recorded in full (`whole`) or for its changed keys only, then (`fill_groups`) the
    groups its recorded rows lack are filled in from an unwindowed hashing of every row. Attaches the work database for
    writing in place of the read-only `work`."""
    con.execute("detach work")
    con.execute(f"attach '{work_db}' as work")
    con.execute("use work")
    con.execute(f"create table if not exists {ROWS} (file varchar, table_name varchar, row_key varchar, row_hash ubigint)")
    con.execute(f"alter table {ROWS} add column if not exists row_group varchar")
    con.execute(f"create table if not exists {STAMPS} (file varchar, table_name varchar, stamp varchar)")
    work = con
    work.execute("begin transaction")
    for name, (n, stamp, whole, _windowed, fill_groups) in sorted(hashed.items()):
        params = {"f": file, "t": name}
        if whole:
            work.execute(f"delete from {ROWS} where file = $f and table_name = $t", params)
            work.execute(f"insert into {ROWS} by name select $f as file, $t as table_name, * from rows_{n}", params)
        else:
            work.execute(f"""delete from {ROWS} where file = $f and table_name = $t
                             and row_key in (select row_key from keys_{n})""", params)
            work.execute(f"""insert into {ROWS} by name select $f as file, $t as table_name, * from rows_{n}
                             where row_key in (select row_key from keys_{n})""", params)
            if fill_groups:  # every row was hashed: give the recorded rows without a group theirs
                work.execute(f"""update {ROWS} as p set row_group = r.row_group from rows_{n} as r
                                 where p.file = $f and p.table_name = $t and p.row_group is null
                                 and p.row_key = r.row_key""", params)
        work.execute(f"delete from {STAMPS} where file = $f and table_name = $t", params)
        work.execute(f"insert into {STAMPS} values ($f, $t, $s)", {**params, "s": stamp})
    work.execute("commit")
