"""Shared fixtures: the real spaCy model and real pipeline runs in temporary folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
POLNEAR = ROOT.parent / "shared" / "eval" / "polnear"


@pytest.fixture(scope="session")
def nlp():
    from extractors.extract import load_pipeline
    from extractors.settings import Settings

    return load_pipeline(Settings.from_env().spacy_model)


@pytest.fixture(scope="session")
def rules():
    from extractors.rules import load_rules

    return load_rules()


@dataclass
class Deployment:
    """One installation of the pipeline: a landing folder and its warehouse files."""

    root: Path
    airflow_home: Path
    first_output: str = ""

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse" / "quotewire.duckdb"

    @property
    def work_db(self) -> Path:
        return self.root / "warehouse" / "quotewire_work.duckdb"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("QUOTEWIRE_")}
        env.update(
            AIRFLOW_HOME=str(self.airflow_home),
            QUOTEWIRE_LANDING=str(self.landing),
            QUOTEWIRE_WAREHOUSE=str(self.warehouse),
            **extra,
        )
        return env

    def run(self, *args: str, **extra: str) -> subprocess.CompletedProcess:
        """Run the nightly DAG once with dag.test(), as `make run` does.

        The session's Airflow database was migrated once by the `airflow_home` fixture.
        """
        return subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "run_nightly.py"), "--no-migrate", *args],
            env=self.env(**extra), capture_output=True, text=True, timeout=600, check=False,
        )

    def copy_to(self, root: Path) -> Deployment:
        shutil.copytree(self.root, root, symlinks=True)
        return Deployment(root, self.airflow_home)

    def query(self, sql: str, params=None, database: Path | None = None):
        import duckdb

        with duckdb.connect(str(database or self.warehouse), read_only=True) as con:
            return con.execute(sql, params).fetchall()


# Tests using these fixtures run the real DAG: they are the integration lane (`make test`);
# `make test-fast` (-m "not integration") leaves them out.
INTEGRATION_FIXTURES = {"seeded", "deployment", "airflow_home"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if INTEGRATION_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)


def _private_basetemp(config) -> None:
    """Each session's temporary folders under a folder of its own (unless --basetemp is given):
    pytest's shared numbered folders let one suite clean up another's while it still runs."""
    if config.option.basetemp is None and not hasattr(config, "workerinput"):
        config.option.basetemp = tempfile.mkdtemp(prefix="quotewire-pytest-")
        config._quotewire_basetemp = config.option.basetemp


def pytest_sessionfinish(session, exitstatus):
    basetemp = getattr(session.config, "_quotewire_basetemp", None)
    if basetemp and exitstatus == 0:  # kept for a look when something failed
        shutil.rmtree(basetemp, ignore_errors=True)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    _private_basetemp(config)
    # Airflow reads AIRFLOW_HOME when first imported: give the whole session a private one,
    # so tests never touch ~/airflow or the project's .airflow/.
    os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="quotewire-airflow-")


@pytest.fixture(scope="session")
def airflow_home() -> Path:
    """The session's Airflow home, its database migrated and the writer pool created, once."""
    home = Path(os.environ["AIRFLOW_HOME"])
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "run_nightly.py"), "--setup-only"],
                          env={**os.environ, "AIRFLOW_HOME": str(home)},
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return home


@pytest.fixture(scope="session")
def seeded(tmp_path_factory, airflow_home) -> Deployment:
    """A deployment after one successful run over the five seed articles (do not modify)."""
    deployment = Deployment(tmp_path_factory.mktemp("seeded") / "deploy", airflow_home)
    shutil.copytree(SEEDS, deployment.landing)
    done = deployment.run()
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    deployment.first_output = done.stdout
    return deployment


@pytest.fixture
def deployment(seeded, tmp_path) -> Deployment:
    """A private copy of the seeded deployment that a test may change and run again."""
    return seeded.copy_to(tmp_path / "deploy")
