"""The README checks of the blocks that start servers (`scripts/check_readme.py` runs them): the
production sequence, `make airflow-ui`, `make distributed-up` and a worker joining it from
"another machine". Each stops every server it started by its process group."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from readme_scratch import CheckFailed, Scratch, busy_ports, stop_group  # noqa: E402 - importable only after the sys.path line above


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
