"""What every step of the nightly run shares: its settings' folders, the run lock and the run's
record. `task` (or the `as_task` decorator) runs a step's body under the run lock's heartbeat and
records a failure by task and error in the run log.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext

from extractors.runlock import RunLock, RunRefused
from extractors.runlog import RunLog
from extractors.settings import Settings

log = logging.getLogger(__name__)


def candidate_file(settings: Settings):
    from extractors.publish import candidate_path

    return candidate_path(settings.warehouse)


def staging_area(settings: Settings):
    from extractors.staging import Staging

    return Staging(settings.staging)


def run_lock(settings: Settings) -> RunLock:
    return RunLock(settings.state_dir, settings.run_lock_timeout)


@contextmanager
def task(settings: Settings, run_id: str, name: str, lock: bool = True) -> Iterator[RunLog]:
    """Run a task's body under the run's lock heartbeat; a failure is recorded by task and error."""
    run_log = RunLog(settings.staging, run_id)
    try:
        with run_lock(settings).held(run_id) if lock else nullcontext():
            yield run_log
    except Exception as error:
        try:
            run_log.fail(name, error)
        except OSError:  # e.g. the disk is full: the task's own error matters more
            log.exception("could not record the failure of %s", name)
        raise
    run_log.succeed(name)


def as_task(name: str) -> Callable:
    """Decorate a step taking `run_id`: it runs as `task` (lock heartbeat, failure recorded)."""
    def decorate(step: Callable) -> Callable:
        signature = inspect.signature(step)

        @functools.wraps(step)
        def run(*args, **kwargs):
            run_id = signature.bind(*args, **kwargs).arguments["run_id"]
            with task(Settings.from_env(), run_id, name):
                return step(*args, **kwargs)
        return run
    return decorate


def start_run(settings: Settings, run_id: str) -> None:
    """Begin the run's record and take the run lock, or refuse this run."""
    run_log = RunLog(settings.staging, run_id)
    run_log.start()
    try:
        note = run_lock(settings).acquire(run_id)
    except RunRefused as refusal:
        run_log.keep("refused", str(refusal))
        log.error("%s", refusal)
        from airflow.sdk.exceptions import AirflowFailException  # no retry: the answer is the same

        raise AirflowFailException(str(refusal)) from refusal
    if note:
        log.warning("%s", note)


def night_landing(settings: Settings, run_id: str) -> str:
    """This night's landing location: `{{ ds }}` in QUOTEWIRE_LANDING becomes the run's date."""
    from extractors.settings import render_landing

    return render_landing(settings.landing, RunLog(settings.staging, run_id).read().get("logical_date"))
