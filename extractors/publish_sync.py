"""Bringing a published file to the work database's marts: a full copy into a fresh file
(`build_candidate`), or the earlier file updated in place, writing only what differs (`sync_file`).

The keyed tables' changed rows are found from the row hashes recorded for that file
(publish_rows). For the large marts the build's log (build_log) says which articles and claims
the builds since the one the file holds recomputed: only their rows are hashed and compared
(`GROUPS`); the other tables, and a large mart when the log cannot say, are hashed whole. A
table whose hashes do not describe the file is compared with the marts row by row.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from extractors import build_log, publish_rows

# Tables copied from the work database into the published file, by schema.
PUBLISHED_SCHEMAS = ("marts",)
PUBLISHED_OPS_TABLES = ("quarantine",)
# Written by `publish` itself (from ops.runs), not copied with the marts.
PUBLISH_TABLES = ("marts.runs",)
# Row keys the sync matches on; a table not listed here is matched on all its columns.
KEYS = {
    "marts.articles": ("article_id",),
    "marts.quotes": ("quote_id",),
    "marts.entity_mentions": ("mention_id",),
    "marts.claim_variants": ("variant_id",),
    "marts.claims": ("claim_id",),
    "marts.entities": ("entity_id",),
    "marts.entity_aliases": ("entity_id", "alias", "match_rule", "matched_alias"),
    "marts.speakers": ("speaker_entity_id",),
    "marts.outlets": ("outlet",),
    "marts.article_overlaps": ("article_a", "article_b"),
}
# The incremental marts: the column that says which article, claim or registry entity a row
# belongs to, and that kind in the build log. A build changes their rows only within what it
# recomputed. Every key of these tables lies in one group (a sync within some groups replaces
# every row of a changed key).
GROUPS = {
    "marts.articles": ("article_id", "article"),
    "marts.quotes": ("article_id", "article"),
    "marts.entity_mentions": ("article_id", "article"),
    "marts.claims": ("claim_id", "claim"),
    "marts.claim_variants": ("claim_id", "claim"),
    "marts.entities": ("entity_id", "entity"),
    "marts.entity_aliases": ("entity_id", "entity"),
    "marts.speakers": ("speaker_entity_id", "entity"),
}


def _utc_select(con: duckdb.DuckDBPyConnection, database: str, schema: str, table: str) -> str:
    """`select` of a table with every timestamp-with-time-zone column as a plain UTC timestamp.

    DuckDB 1.x Python clients, pandas through duckdb-engine and BI drivers need pytz to fetch
    time-zone-aware values; plain timestamps (documented as UTC) need nothing.
    """
    columns = _columns(con, database, schema, table)
    parts = [f"timezone('UTC', \"{name}\") as \"{name}\"" if kind == "TIMESTAMP WITH TIME ZONE" else f'"{name}"'
             for name, kind in columns]
    return f"select {', '.join(parts)} from {database}.{schema}.{table}"


def _columns(con: duckdb.DuckDBPyConnection, database: str, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        """select column_name, data_type from duckdb_columns()
           where database_name = $d and schema_name = $s and table_name = $t order by column_index""",
        {"d": database, "s": schema, "t": table}).fetchall()


def _published_columns(columns: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(n, "TIMESTAMP" if k == "TIMESTAMP WITH TIME ZONE" else k) for n, k in columns]


def _published_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(schema, table) of every table the work database publishes."""
    marts = con.execute(
        f"""select schema_name, table_name from duckdb_tables() where database_name = 'work'
            and schema_name in (select unnest({list(PUBLISHED_SCHEMAS)!r})) order by all""").fetchall()
    return [*marts, *(("ops", t) for t in PUBLISHED_OPS_TABLES)]


def build_candidate(work_db: Path, candidate: Path, storage_version: str, file: str | None = None) -> None:
    """Copy the dbt marts and the ops tables into a fresh candidate file; with `file`, the name it
    will be published under, record its rows' hashes for the next night's sync (publish_rows).

    The candidate is written in an older DuckDB storage format (a setting) so that BI tools
    bundling an older DuckDB can still open the published file.
    """
    candidate.parent.mkdir(parents=True, exist_ok=True)
    candidate.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        con.execute(f"attach '{work_db}' as work (read_only)")
        con.execute(f"attach '{candidate}' as candidate (storage_version '{storage_version}')")
        for schema in (*PUBLISHED_SCHEMAS, "ops"):
            con.execute(f"create schema if not exists candidate.{schema}")
        hashed = {}
        build = publish_rows.build_marker(con)
        for schema, table in _published_tables(con):
            source = _utc_select(con, "work", schema, table)
            con.execute(f"create table candidate.{schema}.{table} as {source}")
            if file and f"{schema}.{table}" in KEYS:
                n = len(hashed)
                publish_rows.hash_rows(con, f"rows_{n}", source, KEYS[f"{schema}.{table}"],
                                       GROUPS.get(f"{schema}.{table}", (None,))[0])
                stamp = publish_rows.stamp_table(con, schema, table, build, database="candidate")
                hashed[f"{schema}.{table}"] = (n, stamp, True, False, False)
        con.execute("detach candidate")
        if hashed:
            publish_rows.record(con, str(work_db), file, hashed)
    finally:
        con.close()


class NotUpdatable(Exception):
    """The earlier published file cannot be brought up to date in place."""


def sync_file(work_db: Path, target: Path, storage_version: str,
              stats: dict | None = None) -> dict[str, int | None]:
    """Bring an earlier published file to the work database's marts, writing only what differs.

    Per table, rows whose key is gone or whose values changed are deleted and the work
    database's rows missing from the file are inserted; a table whose columns changed is copied
    whole; a table that already holds the marts of the last passing dbt build is left alone.
    Raises duckdb.Error when the file cannot be opened for writing (a reader holds it),
    NotUpdatable when it is in another storage format than the one asked for.
    Returns the rows deleted plus inserted per table, None for a table left alone; fills `stats`
    with `windowed` (the incremental marts compared only within what the builds since the file's
    recomputed) and `rows_hashed` (the marts' rows hashed to find what changed).
    """
    changed: dict[str, int | None] = {}
    con = duckdb.connect()
    try:
        con.execute(f"attach '{work_db}' as work (read_only)")
        con.execute(f"attach '{target}' as target")
        (tags,) = con.execute("select tags from duckdb_databases() where database_name = 'target'").fetchone()
        if tags.get("storage_version", "").rstrip("+") != storage_version:
            raise NotUpdatable(f"it is in storage format {tags.get('storage_version')}, not {storage_version}")
        con.execute("begin transaction")
        for schema in (*PUBLISHED_SCHEMAS, "ops"):
            con.execute(f"create schema if not exists target.{schema}")
        published = _published_tables(con)
        names = {f"{s}.{t}" for s, t in published} | set(PUBLISH_TABLES)
        for schema, table in con.execute(
                "select schema_name, table_name from duckdb_tables() where database_name = 'target'").fetchall():
            if f"{schema}.{table}" not in names:
                con.execute(f"drop table target.{schema}.{table}")
        hashed: dict[str, tuple[int, str, bool]] = {}
        build = publish_rows.build_marker(con)
        windows: dict[str, str | None] = {}
        for schema, table in published:
            changed[f"{schema}.{table}"] = _sync_table(con, schema, table, target.name, hashed, build, windows)
        if stats is not None:
            stats["windowed"] = sorted(name for name, (_, _, _, within, _) in hashed.items() if within)
            stats["rows_hashed"] = sum(con.execute(f"select count(*) from rows_{n}").fetchone()[0]
                                       for n, *_ in hashed.values())
        con.execute("commit")
        con.execute("detach target")
        if hashed:
            publish_rows.record(con, str(work_db), target.name, hashed)
    finally:
        con.close()
    return changed


def _window(con: duckdb.DuckDBPyConnection, windows: dict[str, str | None], held: str | None,
            build: str | None, kind: str) -> str | None:
    """The temp table of the `kind` ids the builds after `held` up to `build` recomputed (made
    once per held build), or None when the build log cannot say."""
    if held not in windows:
        name = f"window_{len(windows)}"
        windows[held] = name if build_log.window(con, held, build, name) else None
    return f"{windows[held]}_{kind}" if windows[held] else None


def _sync_table(con: duckdb.DuckDBPyConnection, schema: str, table: str, file: str,
                hashed: dict[str, tuple], build: str | None, windows: dict[str, str | None]) -> int | None:
    """Bring one table of the target file up to date: not at all when its trusted stamp names the
    current build (None), through the recorded row hashes when they describe it (publish_rows:
    for a large mart, within the articles or claims recomputed since the build the stamp names,
    when the build log says which), else row by row; a keyed table it writes gets a new stamp
    either way. Records in `hashed` (n, stamp, whole, within a window, groups to fill in)."""
    source = _utc_select(con, "work", schema, table)
    columns = _published_columns(_columns(con, "work", schema, table))
    name = f"{schema}.{table}"
    group, kind = GROUPS.get(name, (None, None))
    if name in KEYS and _columns(con, "target", schema, table) == columns:
        stamp = publish_rows.trusted_stamp(con, file, schema, table)
        if publish_rows.holds_build(stamp, build):
            return None
        if stamp is not None:
            n = len(hashed)
            within = _window(con, windows, publish_rows.held_build(stamp), build, kind) if group else None
            rows = publish_rows.sync_changed(con, file, schema, table, source, KEYS[name], n, group, within)
            # Outside a window every row was hashed: the recorded rows that lack their group (hashes
            # recorded before groups were) get it, or a later window would never find them.
            fill_groups = group is not None and within is None
            hashed[name] = (n, publish_rows.stamp_table(con, schema, table, build), False, within is not None,
                            fill_groups)
            return rows
    rows = _sync_whole(con, schema, table, source, columns)
    if name in KEYS:
        n = len(hashed)
        publish_rows.hash_rows(con, f"rows_{n}", source, KEYS[name], group)
        hashed[name] = (n, publish_rows.stamp_table(con, schema, table, build), True, False, False)
    return rows


def _sync_whole(con: duckdb.DuckDBPyConnection, schema: str, table: str, source: str, columns) -> int:
    if _columns(con, "target", schema, table) != columns:
        con.execute(f"create or replace table target.{schema}.{table} as {source}")
        return con.execute(f"select count(*) from target.{schema}.{table}").fetchone()[0]
    key = KEYS.get(f"{schema}.{table}") or tuple(name for name, _ in columns)
    on = " and ".join(f'd."{k}" is not distinct from s."{k}"' for k in key)
    (deleted,) = con.execute(f"""
        merge into target.{schema}.{table} as d using ({source}) as s on {on}
        when matched and d is distinct from s then delete
        when not matched by source then delete""").fetchone()
    (inserted,) = con.execute(f"""
        insert into target.{schema}.{table}
        select * from ({source}) as s
        where not exists (select 1 from target.{schema}.{table} as d where {on})""").fetchone()
    return deleted + inserted


