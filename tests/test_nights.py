"""A night is a date: `make run DATE=...` records it, and the landing folder may be named by it."""

from __future__ import annotations

import shutil

import pytest
from conftest import SEEDS, Deployment

from extractors.settings import render_landing


def test_landing_template_takes_the_nights_date():
    assert render_landing("/data/news/{{ ds }}/", "2026-11-01") == "/data/news/2026-11-01/"
    assert render_landing("s3://feed/{{ds_nodash}}", "2026-11-01") == "s3://feed/20261101"
    assert render_landing("/data/news/", None) == "/data/news/"
    with pytest.raises(ValueError, match="has no date"):
        render_landing("/data/news/{{ ds }}", None)


def test_a_past_night_reads_its_own_folder_and_is_recorded(tmp_path, airflow_home):
    deployment = Deployment(tmp_path / "deploy", airflow_home)
    shutil.copytree(SEEDS, deployment.landing / "2026-11-01")
    (deployment.landing / "2026-11-02").mkdir()
    (deployment.landing / "2026-11-02" / "other.txt").write_text("Not this night's news.", encoding="utf-8")
    done = deployment.run("--logical-date", "2026-11-01", "--landing", str(deployment.landing / "{{ ds }}"))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "logical date       2026-11-01" in done.stdout
    assert f"landing folder     {deployment.landing / '2026-11-01'}" in done.stdout
    rows = deployment.query("select logical_date::varchar, articles_new, files_seen from marts.runs")
    assert rows == [("2026-11-01", 5, 5)]
