"""What `bench_scale.py` measures of a night: its peak memory, the bytes of the published files it
changed, the rows its link read, its slowest dbt nodes, and the table of the timed nights."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = 64 * 1024


def run_night(env: dict, *args: str) -> tuple[subprocess.CompletedProcess, float, float]:
    """run_nightly.py in a wrapper that reports the peak RSS of its largest process (MB)."""
    wrapper = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
               "print('PEAK_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
               "sys.exit(done.returncode)")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", wrapper, sys.executable, str(ROOT / "scripts" / "run_nightly.py"), *args],
                          env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    peak = re.search(r"PEAK_KB (\d+)", done.stderr)
    return done, seconds, int(peak.group(1)) / 1024 if peak else float("nan")


def published_files(warehouse: Path) -> list[Path]:
    """The files readers open: the published file and any file beside it that extends its name
    (not the work database, which readers never open)."""
    return sorted(p for p in warehouse.parent.glob("*quotewire*.duckdb*")
                  if p.is_file() and not p.is_symlink() and "work" not in p.name)


def snapshot(warehouse: Path, into: Path) -> None:
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    for path in published_files(warehouse):
        shutil.copy2(path, into / path.name)


def changed_bytes(warehouse: Path, before: Path) -> int:
    """Bytes of the published files that differ from the copy taken before the night (whole
    64 KiB blocks), counting a new or grown file's new part whole."""
    changed = 0
    for path in published_files(warehouse):
        old = before / path.name
        with open(path, "rb") as new_file, (open(old, "rb") if old.exists() else open(os.devnull, "rb")) as old_file:
            while block := new_file.read(BLOCK):
                if block != old_file.read(BLOCK):
                    changed += len(block)
    return changed


def size_mb(path: Path) -> float:
    return path.stat().st_size / 1e6 if path.exists() else 0.0


def link_rows_read(live: Path) -> int | None:
    """rows_read of the night's link task, from the newest run log of the warehouse."""
    logs = sorted((live / "warehouse" / "state" / "logs").glob("*.log"), key=lambda p: p.stat().st_mtime)
    found = re.findall(r"'rows_read': (\d+)", logs[-1].read_text(errors="replace")) if logs else []
    return int(found[-1]) if found else None


def dbt_slowest(live: Path, since: float, n: int = 6) -> list[list]:
    """The night's slowest dbt nodes (models and tests) with their seconds, from dbt's own
    run_results.json in the warehouse's state folder: where `dbt_build` spends its time. Empty
    when no build wrote it since `since` (a night with nothing to build skips `dbt build`)."""
    found = live / "warehouse" / "state" / "dbt" / "target" / "run_results.json"
    if not found.exists() or found.stat().st_mtime < since:
        return []
    results = json.loads(found.read_text(encoding="utf-8"))["results"]
    timed = sorted(results, key=lambda r: r["execution_time"], reverse=True)[:n]
    return [[r["unique_id"].split(".", 2)[-1], round(r["execution_time"], 2)] for r in timed]


def print_table(results: list[tuple[str, int, int, dict]]) -> None:
    tasks = list(dict.fromkeys(t for *_, row in results for t in row["tasks"]))
    print("| W | round | night | load (1 min) | " + " | ".join(tasks) + " | tasks after preflight (s) | whole run (s) | peak RSS (MB) "
          "| link rows read | published bytes changed (MB) | published file (MB) | work DB (MB) |")
    print("|---" * (len(tasks) + 11) + "|")
    for _, w, round_, row in results:
        cells = [f"{row['tasks'][t]:.1f}" if t in row["tasks"] else "-" for t in tasks]
        # what a night costs beyond Airflow's start-up, which preflight's time includes
        cells.append(f"{sum(v for t, v in row['tasks'].items() if t != 'preflight'):.1f}")
        print(f"| {w:,} | {round_} | {row['night']} | {row['load_before']:.2f} | " + " | ".join(cells)
              + f" | {row['seconds']:.1f} | {row['peak_mb']:,} | {'-' if row['link_rows_read'] is None else row['link_rows_read']} "
              f"| {row['published_bytes_changed'] / 1e6:.1f} | {row['published_mb']:.1f} | {row['work_db_mb']:.1f} |")
