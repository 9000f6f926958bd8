"""A run's own record of what each task counted and each gate decided.

Tasks of one DAG run update a small JSON file in the staging area (by default the state
folder); the summary task reads it to write the run's row in `ops.runs` whether the run
published or a gate stopped it. A task that fails records its own name and error here, so the
run's row says which task failed and why. Mapped tasks of one run update the file at the same
time: updates hold an flock.

In an object store (QUOTEWIRE_STAGING_URL=s3://...), where tasks on several machines write and
nothing like an flock exists, the record is a journal instead: each update is a new small object
(`runs/<run>/<time>-<random>.json`) that nobody overwrites, and reading replays them in order.
Updates from two machines at once therefore never lose each other.
"""

from __future__ import annotations

import fcntl
import json
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

# The longest error text kept for a failed task (the task's log has all of it).
MAX_ERROR_CHARS = 500


def safe_run_id(run_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", run_id)


def _is_url(location: str | Path) -> bool:
    return "://" in str(location) and not str(location).startswith("file://")


def _fresh(run_id: str) -> dict[str, Any]:
    return {"run_id": run_id, "counts": {}, "steps": {}}


def _apply(data: dict[str, Any], op: str, args: dict[str, Any]) -> dict[str, Any]:
    """One update of the record (the same for the file and the journal)."""
    if op == "start":
        return {**_fresh(data["run_id"]), "started_at": args["started_at"]}
    if op == "count":
        data["counts"].update(args["counts"])
    elif op == "keep":
        data[args["key"]] = args["value"]
    elif op == "step":
        data["steps"][args["name"]] = {"passed": args["passed"], "message": args["message"]}
    elif op == "fail":
        step = data["steps"].get(args["task"])
        if step is None or step["passed"]:  # a gate or dbt that failed on data already said why
            data.setdefault("failures", {})[args["task"]] = args["text"]
    elif op == "succeed":
        data.get("failures", {}).pop(args["task"], None)
    return data


class RunLog:
    def __init__(self, location: str | Path, run_id: str):
        """location: the staging area (a local folder, or an fsspec URL such as s3://bucket/prefix)."""
        self.run_id = run_id
        self.journal: _Journal | None = None
        if _is_url(location):
            self.journal = _Journal(str(location), run_id)
            self.path = None
        else:
            self.path = Path(str(location).removeprefix("file://")) / "runs" / f"{safe_run_id(run_id)}.json"

    def read(self) -> dict[str, Any]:
        if self.journal is not None:
            return self.journal.read()
        if self.path.exists():
            try:
                return json.loads(self.path.read_text(encoding="utf-8"))
            except ValueError:  # torn by a kill mid-write (writes are atomic, but be safe)
                pass
        return {"run_id": self.run_id, "counts": {}, "steps": {}}

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(self.path)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "a") as guard:
            fcntl.flock(guard, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(guard, fcntl.LOCK_UN)

    def _update(self, op: str, **args: Any) -> None:
        if self.journal is not None:
            self.journal.append(op, args)
            return
        with self._locked():
            self._write(_apply(self.read(), op, args))

    def start(self) -> None:
        """Begin the run's record afresh (a retried first task starts it again)."""
        self._update("start", started_at=datetime.now(timezone.utc).isoformat())

    def count(self, **counts: int) -> None:
        self._update("count", counts=counts)

    def keep(self, key: str, value: Any) -> None:
        self._update("keep", key=key, value=value)

    def step(self, name: str, passed: bool, message: str = "") -> None:
        self._update("step", name=name, passed=passed, message=message)

    def fail(self, task: str, error: BaseException) -> None:
        """Record that a task failed, with its error (unless the task recorded its verdict itself)."""
        self._update("fail", task=task, text=f"{type(error).__name__}: {error}"[:MAX_ERROR_CHARS])

    def succeed(self, task: str) -> None:
        """A retried task that now passed is no longer a failure of the run."""
        if task in self.read().get("failures", {}):
            self._update("succeed", task=task)

    def last_written(self) -> float:
        """When the record last changed, as epoch seconds."""
        if self.journal is not None:
            return self.journal.last_written()
        return self.path.stat().st_mtime


class _Journal:
    """The run log in an object store: one object per update, replayed in name order.

    Names start with the writer's clock in nanoseconds; tasks of one run that follow each other
    are seconds apart, far more than the clocks of NTP-synchronised machines disagree.
    """

    def __init__(self, location: str, run_id: str):
        import fsspec

        self.run_id = run_id
        self.fs, root = fsspec.core.url_to_fs(location, use_listings_cache=False)
        self.folder = f"{root.rstrip('/')}/runs/{safe_run_id(run_id)}"

    def append(self, op: str, args: dict[str, Any]) -> None:
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:12]}.json"
        self.fs.pipe_file(f"{self.folder}/{name}", json.dumps({"run_id": self.run_id, "op": op, "args": args}).encode("utf-8"))

    def _entries(self) -> list[str]:
        try:
            names = self.fs.ls(self.folder, detail=False)
        except FileNotFoundError:
            return []
        return sorted(n for n in names if n.endswith(".json"))

    def read(self) -> dict[str, Any]:
        data = _fresh(self.run_id)
        entries = self._entries()
        blobs = self.fs.cat(entries) if entries else {}  # fetched concurrently
        for name in entries:
            try:
                entry = json.loads(blobs[name])
            except (KeyError, ValueError):
                continue
            data = _apply(data, entry["op"], entry["args"])
        return data

    def last_written(self) -> float:
        entries = self._entries()
        return int(entries[-1].rsplit("/", 1)[1].split("-", 1)[0]) / 1e9 if entries else 0.0


def unfinished_runs(location: str | Path, recorded: set[str], current: str) -> list[tuple[dict[str, Any], float]]:
    """(record, last written as epoch seconds) of every earlier run that left no ops.runs row."""
    if _is_url(location):
        return _unfinished_in_journals(str(location), recorded, current)
    found = []
    for path in sorted((Path(str(location).removeprefix("file://")) / "runs").glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            continue
        run_id = record.get("run_id")
        if run_id and run_id != current and run_id not in recorded:
            found.append((record, path.stat().st_mtime))
    return found


def _unfinished_in_journals(location: str, recorded: set[str], current: str) -> list[tuple[dict[str, Any], float]]:
    import fsspec

    fs, root = fsspec.core.url_to_fs(location, use_listings_cache=False)
    try:
        folders = fs.ls(f"{root.rstrip('/')}/runs", detail=False)
    except FileNotFoundError:
        return []
    known = {safe_run_id(r) for r in recorded} | {safe_run_id(current)}
    found = []
    for folder in sorted(folders):
        if folder.rstrip("/").rsplit("/", 1)[-1] in known:
            continue
        first = sorted(n for n in fs.ls(folder, detail=False) if n.endswith(".json"))[:1]
        if not first:
            continue
        # The journal is named by the safe form of the run id: the record keeps the real one.
        run_id = _run_id_of(fs, first[0])
        if run_id is None or run_id in recorded or run_id == current:
            continue
        log = RunLog(location, run_id)
        found.append((log.read(), log.last_written()))
    return found


def _run_id_of(fs, first_entry: str) -> str | None:
    try:
        entry = json.loads(fs.cat_file(first_entry))
    except (ValueError, OSError):
        return None
    return entry.get("run_id")


def run_row(location: str | Path, run_id: str, status: str, message: str, finished: datetime | None = None) -> dict:
    """The run's row for ops.runs, from its record."""
    record = RunLog(location, run_id).read()
    counts, steps, failures = record["counts"], record["steps"], record.get("failures", {})
    finished = finished or datetime.now(timezone.utc)
    started = datetime.fromisoformat(record.get("started_at") or finished.isoformat())

    def outcome(step: str) -> str:
        if step in failures:
            return "failed"
        if step not in steps:
            return "not run"
        return "passed" if steps[step]["passed"] else "failed"

    return {
        "run_id": run_id,
        "status": status,
        "started_at": started,
        "finished_at": finished,
        "wall_seconds": round((finished - started).total_seconds(), 3),
        "files_seen": counts.get("files_seen"),
        "files_unchanged": counts.get("files_unchanged"),
        "articles_new": counts.get("articles_new"),
        "files_quarantined": counts.get("files_quarantined"),
        "entities_new": counts.get("entities_new"),
        "quotes_new": counts.get("quotes_new"),
        "n_speakers": counts.get("n_speakers"),
        "n_claims": counts.get("n_claims"),
        "raw_gate": outcome("raw_gate"),
        "dbt_build": outcome("dbt_build"),
        "mart_gate": outcome("mart_gate"),
        "message": message,
        "logical_date": record.get("logical_date"),
    }


def failure_message(record: dict[str, Any]) -> str:
    """Which task failed and why: gates and dbt name their failed checks, other tasks their error."""
    failed = [f"{name}: {s['message']}" for name, s in record["steps"].items() if not s["passed"]]
    failed += [f"{task} failed: {error}" for task, error in record.get("failures", {}).items()]
    return "not published; " + ("; ".join(failed) or "a task failed without recording why (see its log)")
