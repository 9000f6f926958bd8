"""Publishing the marts: two files behind one name, the one no reader uses brought up to date.

`warehouse/quotewire.duckdb` (the path readers and BI tools open, read-only) is a symbolic link
to one of two files beside it, `.quotewire.blue.duckdb` and `.quotewire.green.duckdb`. The
published one is never opened for writing. Each night the other one (the candidate) is brought
up to the work database's marts: only the rows that changed are deleted and inserted, so the
night writes in proportion to its change, not to the warehouse (publish_sync). The changed rows
of the keyed tables are found from row hashes recorded for that file in the work database
(publish_rows), so the file itself is not read whole; for the large marts only the rows of the
articles and claims the dbt builds since the file's last update recomputed are hashed
(build_log); a table whose hashes do not describe the file is compared with the marts row by
row. The gate then checks it, and
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

from extractors.publish_sync import (  # noqa: F401 - PUBLISHED_* and sync_file are this module's API too
    PUBLISHED_OPS_TABLES,
    PUBLISHED_SCHEMAS,
    NotUpdatable,
    _utc_select,
    build_candidate,
    sync_file,
)

log = logging.getLogger(__name__)

SLOTS = ("blue", "green")


@dataclass(frozen=True)
class Prepared:
    mode: str  # "incremental" (the other file brought up to date) or "full" (a fresh copy)
    reason: str
    bytes_written: int | None  # bytes this process wrote while preparing (/proc/self/io wchar)
    file_bytes: int
    rows_hashed: int | None = None  # rows of the marts hashed to find what changed (an update in place)


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


def _naive_utc(value):
    """A time-zone-aware datetime as the plain UTC timestamp the published tables hold."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def prepare_candidate(work_db: Path, warehouse: Path, storage_version: str) -> Prepared:
    """Make the candidate: the standby file brought up to date, or else a fresh full copy.

    The candidate path is a link to the standby file, or a fresh file that `publish` renames
    over the standby file's name.
    """
    candidate = candidate_path(warehouse)
    candidate.unlink(missing_ok=True)
    standby = standby_path(warehouse)
    before = written_bytes()
    mode, reason, stats = "full", "no earlier file to update", {}  # stats: sync_file's
    if standby.exists():
        try:
            changed = sync_file(work_db, standby, storage_version, stats)
            windowed = stats["windowed"]
            held = sum(1 for rows in changed.values() if rows is None)
            mode, reason = "incremental", f"{sum(rows or 0 for rows in changed.values())} rows deleted or inserted" + (
                f", {held} tables already held the last build's marts" if held else "") + (
                f", {len(windowed)} compared within what the builds since recomputed" if windowed else "")
            os.symlink(standby.name, candidate)
        except (duckdb.Error, NotUpdatable) as error:  # most often: a reader opened it before the last swap
            reason, stats = f"{standby.name} could not be updated ({str(error).splitlines()[0]})", {}
            log.warning("publishing a full copy: %s", reason)
    if mode == "full":
        build_candidate(work_db, candidate, storage_version, standby.name)
    after = written_bytes()
    written = after - before if before is not None and after is not None else None
    log.info("candidate prepared (%s: %s): %s rows hashed, %s bytes written, file %d bytes",
             mode, reason, stats.get("rows_hashed"), written, candidate.resolve().stat().st_size)
    return Prepared(mode, reason, written, candidate.resolve().stat().st_size, stats.get("rows_hashed"))


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
