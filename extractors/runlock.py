"""One run at a time: a lock file in the state folder, taken by a run's first task.

A run's tasks may run in different processes (or on different workers sharing the state
folder), so the lock belongs to the run, not to a process: it names the run id and is kept
alive by a heartbeat that every task of the run beats while it works. A second run finds the
lock held and is refused at its start. A run that was killed stops beating; once its last
heartbeat is older than the timeout (QUOTEWIRE_RUN_LOCK_TIMEOUT), the next run takes the lock
over, so a crash never holds it forever. The lock file is read and written under an flock on a
guard file, so two runs starting at the same moment cannot both take it.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any


class RunRefused(RuntimeError):
    """Another run holds the lock: this run must not start."""


class LockLost(RuntimeError):
    """This run's lock was taken over by another run (its heartbeat stopped for too long)."""


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


class RunLock:
    def __init__(self, state_dir: Path, timeout: float):
        self.path = state_dir / "run.lock"
        self._guard = state_dir / "run.lock.guard"
        self.timeout = timeout

    @contextmanager
    def _guarded(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self._guard, "a") as guard:
            fcntl.flock(guard, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(guard, fcntl.LOCK_UN)

    def holder(self) -> dict[str, Any] | None:
        """The lock's record ({run_id, taken_at, beat_at, host, pid}), None when free."""
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (ValueError, OSError):  # a torn or unreadable lock file holds nothing
            return None

    def _live_other(self, run_id: str, now: float) -> dict[str, Any] | None:
        held = self.holder()
        if held is None or held.get("run_id") == run_id:
            return None
        if now - float(held.get("beat_at", 0)) > self.timeout:
            return None  # its run stopped beating: crashed or killed
        return held

    def _write(self, run_id: str, taken_at: float, now: float) -> None:
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({
            "run_id": run_id, "taken_at": taken_at, "beat_at": now,
            "host": socket.gethostname(), "pid": os.getpid(),
        }), encoding="utf-8")
        os.replace(tmp, self.path)

    def acquire(self, run_id: str) -> str | None:
        """Take the lock for this run; RunRefused while another live run holds it.

        Returns a note when the lock was taken over from a run that stopped beating.
        """
        with self._guarded():
            now = time.time()
            other = self._live_other(run_id, now)
            if other is not None:
                raise RunRefused(
                    f"refused: run {other['run_id']} is running (lock taken {_iso(other['taken_at'])}, "
                    f"last heartbeat {now - other['beat_at']:.0f} s ago); a lock is taken over after "
                    f"{self.timeout:.0f} s without a heartbeat (QUOTEWIRE_RUN_LOCK_TIMEOUT)")
            held = self.holder()
            note = None
            if held is not None and held.get("run_id") != run_id:
                note = (f"took the lock over from run {held.get('run_id')}, silent since "
                        f"{_iso(float(held.get('beat_at', 0)))}")
            taken_at = float(held["taken_at"]) if held and held.get("run_id") == run_id else now
            self._write(run_id, taken_at, now)
            return note

    def beat(self, run_id: str) -> None:
        """Refresh this run's heartbeat; LockLost if another run holds the lock now."""
        with self._guarded():
            now = time.time()
            held = self.holder()
            if held is not None and held.get("run_id") != run_id:
                raise LockLost(f"run {held.get('run_id')} took the run lock over from {run_id}")
            self._write(run_id, float(held["taken_at"]) if held else now, now)

    @contextmanager
    def held(self, run_id: str) -> Iterator[None]:
        """Beat for this run while the block runs (every quarter of the timeout)."""
        self.beat(run_id)
        stop = threading.Event()

        def keep_beating() -> None:
            while not stop.wait(max(0.5, self.timeout / 4)):
                try:
                    self.beat(run_id)
                except (LockLost, OSError):
                    return

        beater = threading.Thread(target=keep_beating, name="run-lock-heartbeat", daemon=True)
        beater.start()
        try:
            yield
        finally:
            stop.set()
            beater.join()

    def release(self, run_id: str) -> None:
        """Give the lock up, if this run holds it."""
        with self._guarded():
            held = self.holder()
            if held is not None and held.get("run_id") == run_id:
                self.path.unlink(missing_ok=True)
