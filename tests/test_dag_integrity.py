"""The DAG file imports cleanly, cheaply, and wires the tasks the nightly run needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT

DAG_ID = "quotewire_nightly"
HEAVY_MODULES = ["spacy", "duckdb", "great_expectations", "dbt", "pandas"]


@pytest.fixture(scope="module")
def dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.import_errors == {}
    return bag.dags[DAG_ID]


def test_dag_has_the_nightly_tasks_in_order(dag):
    assert set(dag.task_ids) == {
        "preflight", "discover", "extract", "load", "link", "raw_gate", "dbt_build", "mart_gate", "publish",
        "run_summary", "report"}
    chain = ["preflight", "discover", "extract", "load", "link", "raw_gate", "dbt_build", "mart_gate", "publish",
             "run_summary"]
    for upstream, downstream in zip(chain, chain[1:]):
        assert dag.get_task(downstream).upstream_task_ids == {upstream}, downstream


def test_dag_is_safe_to_schedule(dag):
    assert dag.max_active_runs == 1
    assert dag.catchup is False
    assert dag.get_task("extract").is_mapped
    writers = {"load", "link", "dbt_build", "publish", "run_summary"}
    assert {t.task_id for t in dag.tasks if t.pool == "quotewire_duckdb_writer"} == writers
    # The summary must run after a failed gate, and a failed gate is not retried.
    assert dag.get_task("run_summary").trigger_rule == "all_done"
    assert dag.get_task("raw_gate").retries == 0
    assert dag.get_task("mart_gate").retries == 0
    assert dag.get_task("preflight").retries == 0
    assert dag.get_task("extract").retries > 0


def test_parsing_the_dag_file_imports_no_heavy_library(tmp_path):
    probe = (
        "import sys, json, runpy\n"
        f"runpy.run_path({str(ROOT / 'dags' / 'quotewire_nightly.py')!r})\n"
        f"print(json.dumps([m for m in {HEAVY_MODULES!r} if m in sys.modules]))\n"
    )
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_reprocess_is_a_run_parameter_off_by_default(dag):
    # `make reprocess` and `airflow dags trigger --conf '{"reprocess": true}'` turn it on.
    assert dag.params["reprocess"] is False
