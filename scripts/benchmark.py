"""Benchmark the whole nightly run against bare spaCy parsing on the same texts.

    python scripts/benchmark.py --articles 840      (or: make bench N=840)

Takes N real articles from the PolNeAR train split (../shared/eval/polnear/train.jsonl; the
texts stay outside the repository), writes them as .txt files into a temporary landing folder,
and measures in one run, on this machine:
  1. bare `nlp.pipe` over the texts, one process, then two (`n_process=2`): words/s;
  2. Quotewire's extraction (cleaning, spaCy, quote attribution) in this process with the
     extraction pool of QUOTEWIRE_EXTRACT_PROCESSES workers: words/s;
  3. the whole DAG run (`scripts/run_nightly.py`, dag.test(), dbt, GX, publish): wall time,
     articles/s, words/s, peak memory (largest process, max RSS) and seconds per task;
and prints each throughput as a ratio of bare `nlp.pipe` on two processes, measured in the
same run (absolute figures move with the machine's load; the ratios much less).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "eval" / "polnear" / "train.jsonl"


# The run's own lines, one per task: "  extract x17    success          126.9 s".
_TASK_LINE = re.compile(r"^  (\w+)( x\d+)?\s+\S+\s+([\d.]+) s$", re.MULTILINE)


def task_seconds(output: str) -> dict[str, float]:
    """Seconds of each task (a mapped task: first start to last end), from run_nightly's lines."""
    return {task + (mapped or ""): float(seconds) for task, mapped, seconds in _TASK_LINE.findall(output)}


def _drain(docs) -> None:
    for _ in docs:
        pass


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description="Quotewire benchmark")
    parser.add_argument("--articles", type=int, default=840)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    args = parser.parse_args()
    if not args.source.exists():
        print(f"SKIPPED: {args.source} is absent (the PolNeAR corpus lives in ../shared/eval/polnear/)")
        return 0

    sys.path.insert(0, str(ROOT))
    from extractors import extract_pool
    from extractors.extract import extract_batch, load_pipeline
    from extractors.landing import Landing, LandingFile, content_hash
    from extractors.predict import read_jsonl
    from extractors.settings import Settings

    settings = Settings.from_env()
    articles = read_jsonl(args.source)[:args.articles]
    texts = [a["text"] for a in articles]
    words = sum(len(t.split()) for t in texts)
    print(f"{len(texts)} articles, {words} words from {args.source.name}")

    with tempfile.TemporaryDirectory(prefix="quotewire-bench-") as tmp:
        tmp_path = Path(tmp)
        landing = tmp_path / "landing"
        landing.mkdir()
        files = []
        for article in articles:
            path = landing / f"{article['doc_id']}.txt"
            data = article["text"].encode("utf-8")
            path.write_bytes(data)
            files.append(LandingFile(path.name, content_hash(data)))

        nlp = load_pipeline(settings.spacy_model)
        list(nlp.pipe(texts[:5]))  # warm up
        bare = _timed(lambda: _drain(nlp.pipe(texts, batch_size=settings.spacy_batch_size)))
        # Two processes as spaCy makes them (forked from this one, the model already loaded).
        print(f"bare nlp.pipe, 1 process: {bare:.1f} s", flush=True)
        bare2 = _timed(lambda: _drain(nlp.pipe(texts, batch_size=settings.spacy_batch_size, n_process=2)))
        print(f"bare nlp.pipe, 2 processes: {bare2:.1f} s", flush=True)

        processes = settings.extract_processes
        started = time.perf_counter()
        result = extract_batch(Landing(landing), files, settings.spacy_model, settings.max_file_bytes,
                               settings.spacy_batch_size, processes=processes)
        extraction = time.perf_counter() - started  # includes starting the pool's workers
        extract_pool.shutdown()
        print(f"extraction, {processes} worker processes: {extraction:.1f} s", flush=True)

        env = {
            **os.environ,
            "AIRFLOW_HOME": str(tmp_path / "airflow"),
            "QUOTEWIRE_LANDING": str(landing),
            "QUOTEWIRE_WAREHOUSE": str(tmp_path / "warehouse" / "quotewire.duckdb"),
        }
        # Airflow's metadata database first, outside the timing: a deployment migrates it once.
        started = time.perf_counter()
        setup = subprocess.run([sys.executable, str(ROOT / "scripts" / "run_nightly.py"), "--setup-only"],
                               env=env, capture_output=True, text=True, check=False)
        if setup.returncode != 0:
            print(setup.stdout[-3000:], setup.stderr[-3000:])
            return 1
        setup_seconds = time.perf_counter() - started
        started = time.perf_counter()
        done = subprocess.run([sys.executable, str(ROOT / "scripts" / "run_nightly.py"), "--no-migrate"],
                              env=env, capture_output=True, text=True, check=False)
        whole = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if done.returncode != 0:
            print(done.stdout[-5000:], done.stderr[-3000:])
            return 1
        summary = done.stdout[done.stdout.rfind("Quotewire run"):]
        tasks = task_seconds(done.stdout)

    def row(name: str, seconds: float) -> str:
        return (f"| {name} | {seconds:.1f} | {len(texts) / seconds:.1f} | {words / seconds:,.0f} "
                f"| {bare2 / seconds:.2f} |")

    batch = settings.spacy_batch_size
    print()
    print("| measure | seconds | articles/s | words/s | throughput vs bare nlp.pipe, 2 processes |")
    print("|---|---|---|---|---|")
    print(row(f"bare nlp.pipe, 1 process (batch_size={batch})", bare))
    print(row(f"bare nlp.pipe, 2 processes (n_process=2, batch_size={batch})", bare2))
    print(row(f"extraction (clean + spaCy + attribution), {processes} worker processes", extraction))
    print(row("whole DAG run (dag.test, link, dbt, GX, publish)", whole))
    print()
    print(f"whole run / bare nlp.pipe on 2 processes: {bare2 / whole:.2f}x the throughput "
          f"(1 process: {bare / whole:.2f}x)")
    print(f"not timed: migrating the fresh Airflow metadata database took {setup_seconds:.1f} s "
          "(`make run` repeats it, a no-op on a migrated database; a scheduled night does not)")
    print(f"quotes found: {len(result.quotes)}; peak memory (largest process of the run): {peak_mb:,.0f} MB")
    print("seconds per task of the whole run: " + ", ".join(f"{task} {sec:.1f}" for task, sec in tasks.items()))
    print()
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
