"""Publishing the marts: two files behind one name, the one no reader uses brought up to date.

`warehouse/quotewire.duckdb` (the path readers and BI tools open, read-only) is a symbolic link
to one of two files beside it, `.quotewire.blue.duckdb` and `.quotewire.green.duckdb`. The
published one is never opened for writing. Each night the other one (the candidate) is brought
up to the work database's marts: only the rows that changed are deleted and inserted, so the
night writes in proportion to its change, not to the warehouse. The changed rows of the keyed
tables are found from row hashes recorded for that file in the work database (publish_rows), so
the file itself is not read whole; a table whose hashes do not describe the file is compared
with the marts row by row. The gate then checks it, and
publishing swaps the link with an atomic rename: a reader sees the old or the new marts
complete, never a mix, and a reader that opened the old file keeps it.

A full copy into a fresh file is made instead when the other file does not exist yet, when a
reader still holds it (a connection opened before the last swap: DuckDB's file lock says so),
or when it cannot be opened; the fresh file is renamed over that name at publication, and a
reader that still holds the old one keeps it.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from extractors import publish_rows

log = logging.getLogger(__name__)

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
    "marts.speakers": ("speaker",),
    "marts.outlets": ("outlet",),
    "marts.article_overlaps": ("article_a", "article_b"),
}
SLOTS = ("blue", "green")


@dataclass(frozen=True)
class Prepared:
    mode: str  # "incremental" (the other file brought up to date) or "full" (a fresh copy)
    reason: str
    bytes_written: int | None  # bytes this process wrote while preparing (/proc/self/io wchar)
    file_bytes: int


def candidate_path(warehouse: Path) -> Path:
    """Beside the published file, so that publishing is a rename on one file system."""
    return warehouse.with_name(f".{warehouse.stem}.candidate{warehouse.suffix}")


def slot_path(warehouse: Path, slot: str) -> Path:
    return warehouse.with_name(f".{warehouse.stem}.{slot}{warehouse.suffix}")


def standby_path(warehouse: Path) -> Path:
    """The file the published link does not point to (blue before the first publication)."""
    published = os.readlink(warehouse) if warehouse.is_symlink() else None
    return next(slot_path(warehouse, s) for s in SLOTS if slot_path(warehouse, s).name != published)


def written_bytes() -> int | None:
    """Bytes this process has passed to write calls so far (Linux), or None where unknown."""
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("wchar:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


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


def _naive_utc(value):
    """A time-zone-aware datetime as the plain UTC timestamp the published tables hold."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


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
                publish_rows.hash_rows(con, f"rows_{n}", source, KEYS[f"{schema}.{table}"])
                stamp = publish_rows.stamp_table(con, schema, table, build, database="candidate")
                hashed[f"{schema}.{table}"] = (n, stamp, True)
        con.execute("detach candidate")
        if hashed:
            publish_rows.record(con, str(work_db), file, hashed)
    finally:
        con.close()


class NotUpdatable(Exception):
    """The earlier published file cannot be brought up to date in place."""


def sync_file(work_db: Path, target: Path, storage_version: str) -> dict[str, int | None]:
    """Bring an earlier published file to the work database's marts, writing only what differs.

    Per table, rows whose key is gone or whose values changed are deleted and the work
    database's rows missing from the file are inserted; a table whose columns changed is copied
    whole; a table that already holds the marts of the last passing dbt build is left alone.
    Raises duckdb.Error when the file cannot be opened for writing (a reader holds it),
    NotUpdatable when it is in another storage format than the one asked for.
    Returns the rows deleted plus inserted per table, None for a table left alone.
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
        for schema, table in published:
            changed[f"{schema}.{table}"] = _sync_table(con, schema, table, target.name, hashed, build)
        con.execute("commit")
        con.execute("detach target")
        if hashed:
            publish_rows.record(con, str(work_db), target.name, hashed)
    finally:
        con.close()
    return changed


def _sync_table(con: duckdb.DuckDBPyConnection, schema: str, table: str, file: str,
                hashed: dict[str, tuple[int, str, bool]], build: str | None) -> int | None:
    """Bring one table of the target file up to date: not at all when its trusted stamp names the
    current build (None), through the recorded row hashes when they describe it (publish_rows),
    else row by row; a keyed table it writes gets a new stamp either way."""
    source = _utc_select(con, "work", schema, table)
    columns = _published_columns(_columns(con, "work", schema, table))
    name = f"{schema}.{table}"
    if name in KEYS and _columns(con, "target", schema, table) == columns:
        stamp = publish_rows.trusted_stamp(con, file, schema, table)
        if publish_rows.holds_build(stamp, build):
            return None
        if stamp is not None:
            n = len(hashed)
            rows = publish_rows.sync_changed(con, file, schema, table, source, KEYS[name], n)
            hashed[name] = (n, publish_rows.stamp_table(con, schema, table, build), False)
            return rows
    rows = _sync_whole(con, schema, table, source, columns)
    if name in KEYS:
        n = len(hashed)
        publish_rows.hash_rows(con, f"rows_{n}", source, KEYS[name])
        hashed[name] = (n, publish_rows.stamp_table(con, schema, table, build), True)
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


def prepare_candidate(work_db: Path, warehouse: Path, storage_version: str) -> Prepared:
    """Make the candidate: the standby file brought up to date, or else a fresh full copy.

    The candidate path is a link to the standby file, or a fresh file that `publish` renames
    over the standby file's name.
    """
    candidate = candidate_path(warehouse)
    candidate.unlink(missing_ok=True)
    standby = standby_path(warehouse)
    before = written_bytes()
    mode, reason = "full", "no earlier file to update"
    if standby.exists():
        try:
            changed = sync_file(work_db, standby, storage_version)
            held = sum(1 for rows in changed.values() if rows is None)
            mode, reason = "incremental", f"{sum(rows or 0 for rows in changed.values())} rows deleted or inserted" + (
                f", {held} tables already held the last build's marts" if held else "")
            os.symlink(standby.name, candidate)
        except (duckdb.Error, NotUpdatable) as error:  # most often: a reader opened it before the last swap
            reason = f"{standby.name} could not be updated ({str(error).splitlines()[0]})"
            log.warning("publishing a full copy: %s", reason)
    if mode == "full":
        build_candidate(work_db, candidate, storage_version, standby.name)
    after = written_bytes()
    written = after - before if before is not None and after is not None else None
    log.info("candidate prepared (%s: %s): %s bytes written, file %d bytes",
             mode, reason, written, candidate.resolve().stat().st_size)
    return Prepared(mode, reason, written, candidate.resolve().stat().st_size)


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def publish(work_db: Path, candidate: Path, warehouse: Path, storage_version: str, run_row: dict | None = None) -> Path:
    """Add the audit table to the validated candidate and point the published link at it.

    run_row is this run's row as it stands once published: the candidate carries it, since the
    candidate is published exactly when the link is swapped. Returns the file now published.
    """
    con = duckdb.connect()
    try:
        con.execute(f"attach '{work_db}' as work (read_only)")
        con.execute(f"attach '{candidate}' as candidate (storage_version '{storage_version}')")
        con.execute("create or replace table candidate.marts.runs as "
                    f"{_utc_select(con, 'work', 'ops', 'runs')} order by started_at")
        if run_row is not None:
            con.execute("delete from candidate.marts.runs where run_id = $run_id", {"run_id": run_row["run_id"]})
            columns = list(run_row)
            con.execute(f"insert into candidate.marts.runs ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})",
                        [_naive_utc(run_row[c]) for c in columns])
        con.execute("detach candidate")
    finally:
        con.close()
    _fsync(candidate.resolve())
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    if candidate.is_symlink():
        target = candidate.parent / os.readlink(candidate)
        candidate.unlink()
    else:
        target = standby_path(warehouse)
        os.replace(candidate, target)
    link = warehouse.with_name(f".{warehouse.stem}.link.tmp")
    link.unlink(missing_ok=True)
    os.symlink(target.name, link)
    os.replace(link, warehouse)  # atomic: readers resolve the old link or the new one
    _fsync(warehouse.parent)
    return target
