"""What a run settles first, once it holds the run lock: the leftovers of runs that stopped.

A run killed mid-way leaves no row in ops.runs, a row still saying "publishing", its staged
batch files and perhaps a candidate file. The next run records the first two truthfully (the
published file says whether a rename happened) and deletes the others.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

from extractors.runlog import failure_message, run_row, safe_run_id, unfinished_runs
from extractors.settings import Settings
from extractors.staging import Staging
from extractors.warehouse import connect, ensure_schema, record_run

log = logging.getLogger(__name__)


def recover(settings: Settings, run_id: str, candidate: Path) -> None:
    staging = Staging(settings.staging)
    for name in staging.children("batches"):
        if name == safe_run_id(run_id):
            continue
        log.warning("removing %d batch files left by run %s, which stopped",
                    staging.count(f"batches/{name}"), name)
        staging.remove(f"batches/{name}")
    candidate.unlink(missing_ok=True)
    if not settings.work_db.exists():
        return
    for confirmed in confirm_publishing(settings.work_db, settings.warehouse):
        log.warning("run %s was recorded as publishing: now %s", *confirmed)
    for record, last_written in unfinished_runs(settings.staging, recorded_runs(settings.work_db), run_id):
        refused = record.get("refused")
        if refused:
            message, status = refused, "refused"
        elif record.get("failures"):
            message, status = failure_message(record), "failed"
        else:
            message, status = "not published; stopped before it finished (killed?)", "failed"
        finished = datetime.fromtimestamp(last_written, timezone.utc)
        record_run(settings.work_db, run_row(settings.staging, record["run_id"], status, message, finished))
        log.warning("recorded run %s, which left no record: %s", record["run_id"], message)


def recorded_runs(work_db: Path) -> set[str]:
    """Run ids with a row in ops.runs."""
    ensure_schema(work_db)
    with connect(work_db, read_only=True) as con:
        return {r[0] for r in con.execute("select run_id from ops.runs").fetchall()}


def confirm_publishing(work_db: Path, warehouse: Path) -> list[tuple[str, str]]:
    """Settle runs recorded as "publishing" (killed between marking and confirming the rename).

    The published file says whether the rename happened: its marts.runs lists the run as
    published exactly when it is that run's candidate. Returns (run_id, status decided).
    """
    ensure_schema(work_db)
    with connect(work_db, read_only=True) as con:
        pending = [r[0] for r in con.execute("select run_id from ops.runs where status = 'publishing'").fetchall()]
    if not pending:
        return []
    published: set[str] = set()
    if warehouse.exists():
        with connect(warehouse, read_only=True) as con:
            published = {r[0] for r in con.execute(
                "select run_id from marts.runs where status = 'published' and run_id in (select unnest($ids))",
                {"ids": pending}).fetchall()}
    decided = []
    with connect(work_db) as con:
        for run_id in pending:
            if run_id in published:
                con.execute("update ops.runs set status = 'published', message = 'published (confirmed by the next run)' "
                            "where run_id = ?", [run_id])
                decided.append((run_id, "published"))
            else:
                con.execute("update ops.runs set status = 'failed', message = 'not published; stopped before the "
                            "published file was replaced (killed?)' where run_id = ?", [run_id])
                decided.append((run_id, "failed"))
    return decided


