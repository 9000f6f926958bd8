"""`dbt source freshness` on raw.articles.ingested_at: a dead feed warns, then stops publishing."""

from __future__ import annotations

import duckdb
import pytest

from extractors.settings import PROJECT_ROOT
from extractors.transform import dbt_build, judge_freshness, source_freshness
from extractors.warehouse import ensure_schema

PROJECT = PROJECT_ROOT / "dbt_project"


def _result(status, hours_ago=None, **extra):
    return {"unique_id": "source.quotewire.raw_extraction.articles", "status": status,
            "max_loaded_at": "2026-01-01T00:00:00+00:00" if hours_ago is not None else "0001-01-01T00:00:00+00:00",
            "max_loaded_at_time_ago_in_s": (hours_ago or 0) * 3600.0, **extra}


def test_judging_dbt_freshness_results():
    assert judge_freshness([_result("pass", 1)], 26, 50) == ([], [])
    assert judge_freshness([_result("warn", 30)], 26, 50) == (
        [], ["raw_extraction.articles last loaded 30.0 h ago (warning after 26 h)"])
    errors, warnings = judge_freshness([_result("error", 60)], 26, 50)
    assert warnings == [] and errors[0].startswith("raw_extraction.articles last loaded 60.0 h ago (error after 50 h)")
    assert judge_freshness([_result("error")], 26, 50) == ([], ["raw_extraction.articles: nothing loaded yet"])
    errors, _ = judge_freshness([_result("runtime error", error="\x1b[31mCatalog Error\x1b[0m: no table")], 26, 50)
    assert errors == ["freshness of raw_extraction.articles could not be measured: Catalog Error: no table"]


def _last_load(work_db, hours_ago: int) -> None:
    with duckdb.connect(str(work_db)) as con:
        con.execute(f"update raw.articles set ingested_at = now() - interval {hours_ago} hours")


def _freshness(deployment, warn=26, error=50):
    return source_freshness(PROJECT, deployment.work_db, deployment.root / "state", warn, error)


def test_a_fresh_feed_passes(deployment):
    result = _freshness(deployment)
    assert (result.errors, result.warnings) == ([], [])


def test_a_feed_quiet_past_the_warning_threshold_warns(deployment):
    _last_load(deployment.work_db, 30)
    result = _freshness(deployment)
    assert result.errors == []
    assert len(result.warnings) == 1 and "raw_extraction.articles last loaded 30.0 h ago" in result.warnings[0]


def test_thresholds_are_settings(deployment):
    _last_load(deployment.work_db, 30)
    result = _freshness(deployment, warn=10, error=20)
    assert len(result.errors) == 1 and "error after 20 h" in result.errors[0]


def test_a_dead_feed_fails_the_build_before_it_runs(deployment):
    _last_load(deployment.work_db, 60)
    state = deployment.root / "state"
    result = dbt_build(PROJECT, deployment.work_db, state, 26, 50)
    assert not result.passed
    assert "feed looks dead" in result.message
    assert result.n_nodes == 0  # no model rebuilt from stale data
    assert not (state / "dbt" / "target" / "run_results.json").exists()


@pytest.mark.integration  # runs dbt
def test_nothing_loaded_yet_is_a_warning(tmp_path):
    work_db = tmp_path / "work.duckdb"
    ensure_schema(work_db)
    result = source_freshness(PROJECT, work_db, tmp_path / "state", 26, 50)
    assert result.errors == []
    assert result.warnings == ["raw_extraction.articles: nothing loaded yet"]


def test_a_dead_feed_leaves_the_published_marts_as_they_were(deployment):
    """The real DAG, a night with no new file after 60 hours of silence: not published."""
    before = deployment.warehouse.read_bytes()
    _last_load(deployment.work_db, 60)
    done = deployment.run()
    assert done.returncode != 0
    assert deployment.warehouse.read_bytes() == before
    status, dbt_step, message = deployment.query(
        "select status, dbt_build, message from ops.runs order by started_at desc limit 1", database=deployment.work_db)[0]
    assert (status, dbt_step) == ("failed", "failed")
    assert "feed looks dead" in message
