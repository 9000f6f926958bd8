"""Extraction on every core: a pool of worker processes, each loading spaCy once.

The pool is started on first use and kept for the life of the process that runs tasks: under
`dag.test()` (`make run`, every mapped extract task one after another in one process) each
worker loads spaCy once for the whole night, not once per batch. Under a scheduler (the
LocalExecutor runs each task in its own process, Celery in its worker processes) each such
process keeps its own pool. `QUOTEWIRE_EXTRACT_PROCESSES` caps the workers of one process
(default: the cores the process may use, extractors/settings.py); 1 extracts in the calling process, without a pool.

Workers are spawned (never forked from a process with threads), ignore Ctrl-C (the parent
stops them), and exit on their own when the process that started them is gone, however it
ended; the parent stops them at exit (`atexit`, which Airflow's task processes run too).
Chunks of articles go to the workers and come back in the order they were sent, so the records
are the ones one process would make, in the same order.
"""

from __future__ import annotations

import atexit
import logging
import math
import multiprocessing
import os
import signal
import sys
import threading
import types
from contextlib import contextmanager
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

log = logging.getLogger(__name__)

# Each worker gets about this many chunks of a batch, so that no core idles long at its end.
CHUNKS_PER_WORKER = 4
# How often a worker checks that the process that started it is still there.
PARENT_CHECK_SECONDS = 1.0

_lock = threading.Lock()
_spawn_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_key: tuple[str, int, int] | None = None  # (model, processes, owner pid)
_exit_hook = False

# In a worker: the spaCy pipeline it loaded.
_worker_model: str | None = None


class WorkerDied(RuntimeError):
    """An extraction worker process ended abruptly (killed, out of memory): a machine failure."""


def get_pool(model: str, processes: int) -> ProcessPoolExecutor | None:
    """This process's pool of `processes` workers for `model`, started on first use; None when
    extraction should stay in this process (one process wanted, or a daemonic process, such as
    a Celery prefork child, which may not start children)."""
    global _pool, _pool_key, _exit_hook
    if processes <= 1:
        return None
    if multiprocessing.current_process().daemon:
        log.warning("this process is daemonic and may not start worker processes: extracting in it")
        return None
    key = (model, processes, os.getpid())
    with _lock:
        if _pool is not None and _pool_key == key:
            return _pool
        if _pool is not None and _pool_key[2] == os.getpid():
            _stop(_pool)  # another model or size: the old workers go
        # A pool inherited through fork belongs to the parent: leave it alone, start our own.
        _pool = ProcessPoolExecutor(
            max_workers=processes, mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker, initargs=(model, os.getpid()))
        _pool_key = key
        if not _exit_hook:
            atexit.register(shutdown)
            _exit_hook = True
        log.info("extraction pool: %d worker processes for %s", processes, model)
        return _pool


def shutdown() -> None:
    """Stop this process's pool and wait for its workers to exit (a no-op without one)."""
    global _pool, _pool_key
    with _lock:
        pool, key = _pool, _pool_key
        _pool, _pool_key = None, None
    if pool is not None and key is not None and key[2] == os.getpid():
        _stop(pool)


def _stop(pool: ProcessPoolExecutor) -> None:
    pool.shutdown(wait=True, cancel_futures=True)


def worker_pids() -> list[int]:
    """The process ids of this process's pool workers (for checks that none is left behind)."""
    with _lock:
        pool = _pool
    return sorted(getattr(pool, "_processes", None) or {}) if pool is not None else []


def chunk_size(n_articles: int, processes: int, pipe_batch_size: int) -> int:
    """Articles per chunk sent to a worker: small enough that every worker gets several, never
    more than the spaCy pipe batch (which bounds a worker's memory)."""
    return max(1, min(pipe_batch_size, math.ceil(n_articles / (processes * CHUNKS_PER_WORKER))))


def extract_in_pool(articles: list, model: str, processes: int, pipe_batch_size: int) -> list | None:
    """The BatchResult of each chunk of `articles`, in order, parsed by this process's pool; None
    when there is no pool to use (the caller extracts in its own process)."""
    pool = get_pool(model, processes)
    if pool is None:
        return None
    size = chunk_size(len(articles), processes, pipe_batch_size)
    chunks = [articles[i:i + size] for i in range(0, len(articles), size)]
    futures: list[Future] = []
    try:
        with _main_not_imported():  # workers are spawned inside submit
            futures = [pool.submit(_extract_chunk, chunk, pipe_batch_size) for chunk in chunks]
        parts = [future.result() for future in futures]
    except BrokenProcessPool as error:
        shutdown()  # the next batch starts a fresh pool
        raise WorkerDied(f"an extraction worker process died ({error}); "
                         "the machine may be out of memory") from error
    finally:
        for future in futures:
            future.cancel()
    for part, chunk in zip(parts, chunks):  # workers send back the ids of the articles they kept
        by_id = {article.article_id: article for article in chunk}
        part.articles = [by_id[article_id] for article_id in part.articles]
    return parts


@contextmanager
def _main_not_imported():
    """Spawn workers without the parent's main module. A spawned child runs the parent's
    `__main__` script again (as `__mp_main__`) before its work; for a task under a scheduler that
    script is the `airflow` command, whose import fails in a child (and costs seconds anyway),
    and a script without an `if __name__ == "__main__"` guard would run itself again. Workers
    need only extractors' modules, so while they start, `__main__` is a bare module to
    multiprocessing (it names neither a file nor a module to re-import)."""
    with _spawn_lock:
        main = sys.modules["__main__"]
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            sys.modules["__main__"] = main


def _start_worker(model: str, parent_pid: int) -> None:
    """A worker's start: load spaCy and the rules once, and watch for the parent to go."""
    global _worker_model
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from extractors.extract import load_pipeline
    from extractors.rules import load_rules

    _worker_model = model
    load_pipeline(model)
    load_rules()
    threading.Thread(target=_exit_without_parent, args=(parent_pid,), daemon=True,
                     name="quotewire-parent-watch").start()


def _exit_without_parent(parent_pid: int) -> None:
    # An orphan is re-parented, so its parent pid changes: the parent was killed (SIGKILL, OOM
    # killer) before it could stop the pool. Leave at once; the parent is not there to wait.
    while True:
        threading.Event().wait(PARENT_CHECK_SECONDS)
        if os.getppid() != parent_pid:
            os._exit(0)


def _extract_chunk(chunk: list, pipe_batch_size: int):
    from extractors.extract import extract_articles, load_pipeline
    from extractors.rules import load_rules

    part = extract_articles(chunk, load_pipeline(_worker_model), load_rules(), pipe_batch_size)
    part.articles = [article.article_id for article in part.articles]
    return part


def _loads_in_worker() -> tuple[int, int]:
    """(pid, spaCy pipelines loaded so far) of the worker that runs it: how checks see that a
    worker loaded spaCy once, however many batches it parsed."""
    from extractors.extract import load_pipeline

    return os.getpid(), load_pipeline.cache_info().misses
