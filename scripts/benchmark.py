"""Benchmark the whole nightly run against bare spaCy parsing on the same texts.

    python scripts/benchmark.py --articles 840      (or: make bench N=840)

Takes N real articles from the PolNeAR train split (../shared/eval/polnear/train.jsonl; the
texts stay outside the repository), writes them as .txt files into a temporary landing folder,
and measures on this machine:
  1. bare `nlp.pipe` over the texts, one process: words/s;
  2. Quotewire's extraction (cleaning, spaCy, quote attribution) in-process: words/s;
  3. the whole DAG run (`scripts/run_nightly.py`, dag.test(), dbt, GX, publish): wall time,
     articles/s, words/s and peak memory (largest process, max RSS).
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
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "eval" / "polnear" / "train.jsonl"


_TASK_EVENT = re.compile(r"^(\S+Z) .*\[DAG TEST\] (starting|end task) task_id=(\w+)", re.MULTILINE)


def task_seconds(log: str) -> dict[str, float]:
    """Seconds spent in each task (mapped instances added up), from dag.test()'s log lines."""
    started: dict[str, datetime] = {}
    spent: dict[str, float] = {}
    for stamp, event, task in _TASK_EVENT.findall(log):
        at = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        if event == "starting":
            started[task] = at
        elif task in started:  # "end task"
            spent[task] = spent.get(task, 0.0) + (at - started.pop(task)).total_seconds()
    return spent


def main() -> int:
    parser = argparse.ArgumentParser(description="Quotewire benchmark")
    parser.add_argument("--articles", type=int, default=840)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    args = parser.parse_args()
    if not args.source.exists():
        print(f"SKIPPED: {args.source} is absent (the PolNeAR corpus lives in ../shared/eval/polnear/)")
        return 0

    sys.path.insert(0, str(ROOT))
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
        started = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=settings.spacy_batch_size):
            pass
        bare = time.perf_counter() - started

        started = time.perf_counter()
        result = extract_batch(Landing(landing), files, settings.spacy_model, settings.max_file_bytes,
                               settings.spacy_batch_size)
        extraction = time.perf_counter() - started

        env = {
            **os.environ,
            "AIRFLOW_HOME": str(tmp_path / "airflow"),
            "QUOTEWIRE_LANDING": str(landing),
            "QUOTEWIRE_WAREHOUSE": str(tmp_path / "warehouse" / "quotewire.duckdb"),
        }
        started = time.perf_counter()
        done = subprocess.run([sys.executable, str(ROOT / "scripts" / "run_nightly.py")],
                              env=env, capture_output=True, text=True, check=False)
        whole = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if done.returncode != 0:
            print(done.stdout[-5000:], done.stderr[-3000:])
            return 1
        summary = done.stdout[done.stdout.rfind("Quotewire run"):]
        tasks = task_seconds(done.stdout + done.stderr)

    print()
    print("| measure | seconds | articles/s | words/s | vs bare nlp.pipe |")
    print("|---|---|---|---|---|")
    print(f"| bare nlp.pipe (1 process, batch_size={settings.spacy_batch_size}) | {bare:.1f} | {len(texts) / bare:.1f} | {words / bare:,.0f} | 1.00 |")
    print(f"| extraction (clean + spaCy + attribution) | {extraction:.1f} | {len(texts) / extraction:.1f} "
          f"| {words / extraction:,.0f} | {extraction / bare:.2f} |")
    print(f"| whole DAG run (dag.test, dbt, GX, publish) | {whole:.1f} | {len(texts) / whole:.1f} "
          f"| {words / whole:,.0f} | {whole / bare:.2f} |")
    print()
    print(f"quotes found: {len(result.quotes)}; peak memory (largest process of the run): {peak_mb:,.0f} MB")
    print("seconds per task of the whole run: " + ", ".join(f"{task} {sec:.1f}" for task, sec in tasks.items()))
    print()
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
