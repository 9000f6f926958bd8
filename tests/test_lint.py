"""The repository passes its linters: ruff over Python, sqlfluff (dbt templater, DuckDB dialect)
over the dbt project. Their rules are in pyproject.toml and .sqlfluff."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_python_passes_ruff():
    done = subprocess.run([str(BIN / "ruff"), "check", "--output-format", "concise", "."],
                          cwd=ROOT, capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.integration  # the dbt templater compiles the whole project
def test_dbt_sql_passes_sqlfluff(tmp_path):
    env = {**os.environ, "QUOTEWIRE_WORK_DB": str(tmp_path / "lint.duckdb"),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    done = subprocess.run([str(BIN / "sqlfluff"), "lint", "dbt_project", "--format", "github-annotation-native"],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=900)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
