"""What a night costs as the warehouse grows: build a warehouse of W articles, then time a night
of 100 new articles and a night with nothing new, task by task.

    python scripts/bench_scale.py --articles 1000 --keep /tmp/scale-1k      (make bench-scale W=1000)
    python scripts/bench_scale.py --articles 100000 --keep /tmp/scale-100k --build-only
    python scripts/bench_scale.py --articles 100000 --keep /tmp/scale-100k --against /tmp/scale-1k

1. Extracts B real PolNeAR train articles (../shared/eval/polnear/train.jsonl, read in place)
   once with the real pipeline (kept as base.pkl), then builds the history: replicas of their
   rows, loaded and linked chunk by chunk by the real incremental linking step
   (scripts/scale_history.py; resumable).
2. Runs the real night (`scripts/run_nightly.py`, dag.test()) over an empty landing folder: it
   gates, builds and publishes the W articles (the build night, timed too but not the point),
   then a no-change night (so both published files exist, as on any later night), and copies the
   built folder aside (built/), so the nights can be timed again and again.
3. Times a night of 100 new articles (the first 100 train articles after the base that no
   timed folder's landing folder holds, as .txt files: real extraction; the run stops if the
   night does not load or quarantine every one of them) and then two nights with no new file,
   from a fresh copy of the built folder, each task from the run's own lines, with the peak memory of the run's largest process, the
   1-minute load average before the night, the sizes of the files, the bytes of the published
   files that changed (compared in 64 KiB blocks with a copy taken before the night) and dbt's
   slowest nodes (from its run_results.json).
   With `--against DIR` (another kept, built folder, e.g. W = 1,000) the nights of both are
   timed in turn, `--rounds` times (DIR, this, DIR, this), and the ratio of the 100-article
   nights is printed: both see the same shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, so its own folder (scripts/) is on sys.path.
from benchmark import task_seconds
from scale_measure import changed_bytes, dbt_slowest, link_rows_read, print_table, published_files, run_night, size_mb, snapshot

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "eval" / "polnear" / "train.jsonl"
NIGHT_ARTICLES = 100


def _env(live: Path) -> dict:
    return {**os.environ, "AIRFLOW_HOME": str(live / "airflow"), "QUOTEWIRE_LANDING": str(live / "landing"),
            "QUOTEWIRE_WAREHOUSE": str(live / "warehouse" / "quotewire.duckdb")}


def _base(root: Path, articles: list[dict], settings):
    """The base articles' extraction, made once per kept folder."""
    cached = root / "base.pkl"
    if cached.exists():
        return pickle.loads(cached.read_bytes())
    from extractors import extract_pool
    from extractors.extract import extract_batch
    from extractors.landing import Landing, LandingFile, content_hash

    folder = root / "base"
    folder.mkdir(parents=True, exist_ok=True)
    for article in articles:
        (folder / f"{article['doc_id']}.txt").write_text(article["text"], encoding="utf-8")
    files = [LandingFile(p.name, content_hash(p.read_bytes())) for p in sorted(folder.iterdir())]
    started = time.perf_counter()
    base = extract_batch(Landing(str(folder)), files, settings.spacy_model, settings.max_file_bytes,
                         settings.spacy_batch_size, processes=settings.extract_processes)
    extract_pool.shutdown()
    print(f"extracted {len(base.articles)} base articles in {time.perf_counter() - started:.1f} s", flush=True)
    cached.write_bytes(pickle.dumps(base))
    return base


def history(root: Path, target: int, chunk: int, base_articles: list[dict]) -> tuple[dict, int]:
    """Build (or resume) the history of root/live's work database up to `target` articles; returns
    the progress and the number of base articles."""
    sys.path.insert(0, str(ROOT))
    from extractors.settings import Settings
    from scale_history import build_history

    live = root / "live"
    settings = Settings.from_env()
    base = _base(root, base_articles, settings)
    (live / "warehouse").mkdir(parents=True, exist_ok=True)
    (live / "landing").mkdir(exist_ok=True)
    return build_history(root, base, target, chunk, live / "warehouse" / "quotewire_work.duckdb", settings), \
        len(base.articles)


def build(root: Path, target: int, chunk: int, base_articles: list[dict]) -> dict:
    """The built folder of W articles (root/built), made unless it exists; returns the build's record."""
    done_file = root / "built.json"
    if done_file.exists():
        return json.loads(done_file.read_text())
    live = root / "live"
    started = time.perf_counter()
    progress, n_base = history(root, target, chunk, base_articles)
    history_s = time.perf_counter() - started
    env = _env(live)
    setup = subprocess.run([sys.executable, str(ROOT / "scripts" / "run_nightly.py"), "--setup-only"],
                           env=env, capture_output=True, text=True, check=False)
    if setup.returncode != 0:
        sys.exit(f"airflow setup failed:\n{setup.stdout[-3000:]}\n{setup.stderr[-3000:]}")
    done, seconds, peak = run_night(env, "--no-migrate", "--logical-date", "2026-01-01")
    if done.returncode != 0:
        sys.exit(f"the build night failed:\n{done.stdout[-5000:]}\n{done.stderr[-3000:]}")
    print(f"build night: {seconds:.1f} s, peak {peak:,.0f} MB", flush=True)
    _settle(live)
    shutil.rmtree(root / "built", ignore_errors=True)
    shutil.copytree(live, root / "built", symlinks=True)
    record = {"W": progress["articles"], "base_articles": n_base, "history_s": round(history_s, 1),
              "chunks": progress["chunks"], "build_night_s": round(seconds, 1), "build_night_peak_mb": round(peak),
              "build_night_tasks": task_seconds(done.stdout)}
    done_file.write_text(json.dumps(record, indent=1))
    return record


def _settle(live: Path, night: str = "2026-01-02") -> None:
    """A no-change night after the build night, so that both published files exist and the timed
    nights update the standby file as every later night does (the first publication after the
    build has no standby file yet and copies everything)."""
    done, seconds, _ = run_night(_env(live), "--no-migrate", "--logical-date", night)
    if done.returncode != 0:
        sys.exit(f"the settling night failed:\n{done.stdout[-5000:]}\n{done.stderr[-3000:]}")
    print(f"settling night (no new file, fills the standby file): {seconds:.1f} s", flush=True)


def _unused_night() -> str:
    """A logical date after the timed nights' (and after the DAG's start date: an earlier one
    creates a run with no task) that no earlier settling night of a kept folder is likely to have used."""
    from datetime import date, timedelta

    return str(date(2026, 2, 1) + timedelta(days=int(time.time() // 60) % 300))


def stale(root: Path) -> list[str]:
    """What in the code changed since the folder was built, that the first timed night would redo
    over the whole warehouse rather than time a night: the linker (a full relink) or the dbt
    project (a full refresh)."""
    import duckdb

    from extractors.transform import needs_full_refresh
    from extractors.versions import linker_version

    warehouse = root / "built" / "warehouse"
    with duckdb.connect(str(warehouse / "quotewire_work.duckdb"), read_only=True) as con:
        (linked_by,) = con.execute("select max(linker) from raw.link_version").fetchone()
    reasons = [] if linked_by == linker_version() else [f"linked by linker {linked_by}, the code is {linker_version()}"]
    dbt = needs_full_refresh(ROOT / "dbt_project", warehouse / "state")
    return reasons + ([f"dbt: {dbt}"] if dbt else [])


def new_night(candidates: list[dict], folders: list[Path]) -> list[dict]:
    """The first NIGHT_ARTICLES candidates that no folder's landing folder holds yet (a folder
    whose history began as another's timed copy holds that night's files)."""
    held = {p.name for folder in folders for p in (folder / "built" / "landing").glob("*.txt")}
    night = [a for a in candidates if f"{a['doc_id']}.txt" not in held][:NIGHT_ARTICLES]
    if len(night) < NIGHT_ARTICLES:
        sys.exit(f"only {len(night)} source articles are new to every folder; a night needs {NIGHT_ARTICLES}")
    return night


def nights(root: Path, night_articles: list[dict]) -> list[dict]:
    """A 100-article night, then two no-change nights, from a fresh copy of root/built: the first
    brings the standby file up to the night's marts, the second is the steady state (README, "A
    night that brings nothing")."""
    live = root / "live"
    shutil.rmtree(live, ignore_errors=True)
    shutil.copytree(root / "built", live, symlinks=True)
    env, warehouse = _env(live), live / "warehouse" / "quotewire.duckdb"
    rows = []
    for label, new_articles, night in ((f"{NIGHT_ARTICLES} new articles", night_articles, "2026-01-03"),
                                       ("no new file", [], "2026-01-04"),
                                       ("no new file, again", [], "2026-01-05")):
        for article in new_articles:
            (live / "landing" / f"{article['doc_id']}.txt").write_text(article["text"], encoding="utf-8")
        snapshot(warehouse, root / "before")
        load, started = os.getloadavg()[0], time.time()
        done, seconds, peak = run_night(env, "--no-migrate", "--logical-date", night)
        if done.returncode != 0:
            sys.exit(f"{label} failed:\n{done.stdout[-5000:]}\n{done.stderr[-3000:]}")
        taken = [int(m.group(1)) for m in re.finditer(r"(?:articles loaded|files quarantined)\s+(\d+)", done.stdout)]
        if len(taken) != 2 or sum(taken) != len(new_articles):
            sys.exit(f"{root.name} {label}: {taken} articles loaded and files quarantined, for {len(new_articles)} new files")
        rows.append({"night": label, "seconds": round(seconds, 1), "peak_mb": round(peak), "load_before": load,
                     "tasks": task_seconds(done.stdout), "link_rows_read": link_rows_read(live),
                     "dbt_slowest": dbt_slowest(live, started),
                     "published_bytes_changed": changed_bytes(warehouse, root / "before"),
                     "published_mb": round(size_mb(warehouse), 1),
                     "work_db_mb": round(size_mb(warehouse.with_name("quotewire_work.duckdb")), 1)})
        print(f"  {root.name} {label}: {seconds:.1f} s (load {load:.2f})", flush=True)
    shutil.rmtree(root / "before", ignore_errors=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description="Quotewire: a night's cost at warehouse size W")
    parser.add_argument("--articles", "-W", type=int, default=1000, help="articles in the warehouse before the nights")
    parser.add_argument("--base", type=int, default=100, help="real articles extracted once and replicated")
    parser.add_argument("--chunk", type=int, default=2500, help="replicated articles loaded and linked at a time")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it; a built one is reused")
    parser.add_argument("--build-only", action="store_true", help="build (or resume building) and stop")
    parser.add_argument("--history-only", action="store_true",
                        help="build (or resume) the linked history only, no build night; per-chunk figures in progress.json")
    parser.add_argument("--against", type=Path, help="a kept, built folder whose nights are timed in turn")
    parser.add_argument("--rounds", type=int, default=1, help="times each folder's nights are timed")
    args = parser.parse_args()
    if not args.source.exists():
        print(f"SKIPPED: {args.source} is absent (the PolNeAR corpus lives in ../shared/eval/polnear/)")
        return 0
    sys.path.insert(0, str(ROOT))
    from extractors.predict import read_jsonl

    source = read_jsonl(args.source)
    base_articles = source[:args.base]
    root = (args.keep or Path(tempfile.mkdtemp(prefix="quotewire-scale-"))).resolve()
    root.mkdir(parents=True, exist_ok=True)
    try:
        if args.history_only:
            progress, _ = history(root, args.articles, args.chunk, base_articles)
            print(json.dumps(progress["chunks"], indent=1))
            return 0
        record = build(root, args.articles, args.chunk, base_articles)
        print(f"W = {record['W']:,}: history {record['history_s']:.0f} s in {len(record['chunks'])} chunks, "
              f"build night {record['build_night_s']:.0f} s (peak {record['build_night_peak_mb']:,} MB)", flush=True)
        if args.build_only:
            return 0
        folders = [args.against.resolve(), root] if args.against else [root]
        for folder in folders:
            if any(reason.startswith("linked by") for reason in stale(folder)):
                sys.exit(f"{folder}: {'; '.join(stale(folder))}: its first night would relink all of it at "
                         "once; build it again (a new --keep folder) to time the new linker")
            # Built before the settling night existed, or before a change of the dbt project: one
            # no-change night (a full dbt refresh) brings it up to date before the timed nights.
            if len(published_files(folder / "built" / "warehouse" / "quotewire.duckdb")) < 2 or stale(folder):
                shutil.rmtree(folder / "live", ignore_errors=True)
                shutil.copytree(folder / "built", folder / "live", symlinks=True)
                _settle(folder / "live", _unused_night())
                shutil.rmtree(folder / "built")
                shutil.copytree(folder / "live", folder / "built", symlinks=True)
        built = {folder: json.loads((folder / "built.json").read_text())["W"] for folder in folders}
        night_articles = new_night(source[args.base:], folders)
        results = [(folder.name, built[folder], round_ + 1, row)
                   for round_ in range(args.rounds) for folder in folders for row in nights(folder, night_articles)]
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    print()
    print_table(results)
    if args.against:
        for round_ in range(1, args.rounds + 1):
            small, big = (r[3]["seconds"] for r in results if r[2] == round_ and r[3]["night"].startswith(str(NIGHT_ARTICLES)))
            print(f"round {round_}: 100-article night at W = {built[root]:,} / at W = {built[folders[0]]:,}: "
                  f"{big:.1f} / {small:.1f} s = {big / small:.2f}x (target: at most 1.5x)")
    print(json.dumps([{"folder": f, "W": w, "round": r, **row} for f, w, r, row in results]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
