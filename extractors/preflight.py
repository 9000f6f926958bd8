"""Checks made before a night starts, so that a broken set-up fails at once with one clear message.

Each check returns None when all is well, or the problem in one sentence saying what to do. None
of these problems goes away by retrying: the DAG runs the preflight task without retries.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

WRITER_POOL = "quotewire_duckdb_writer"


class PreflightFailed(RuntimeError):
    """The set-up cannot run a night; the message says what to fix."""


@dataclass(frozen=True)
class Check:
    name: str
    problem: str | None
    detail: str = ""


# What Airflow 3 puts in a task's environment instead of the metadata database's URL.
_DB_BLOCKED = "airflow-db-not-allowed"


def _pool_exists(name: str) -> bool:
    from airflow.models.pool import Pool

    return Pool.get_pool(name) is not None


def _create_pool(name: str) -> None:
    from airflow.models.pool import Pool

    Pool.create_or_update_pool(name, slots=1, description="Serialises the tasks that write DuckDB",
                               include_deferred=False)


def ensure_pool(name: str = WRITER_POOL, exists=_pool_exists, create=_create_pool, environ=os.environ) -> Check:
    """The one-slot pool the DuckDB writers queue in; created when missing.

    Without it the scheduler leaves the writer tasks "scheduled" forever with an empty log.
    Airflow 3 gives tasks run by a scheduler no access to its metadata database: there the pool
    is the deployment's job (`airflow pools set`, done by `make run`, `make airflow-ui` and the
    README's production sequence) and this check can only say so. Under `dag.test()` it looks.
    """
    if environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "").startswith(_DB_BLOCKED):
        return Check("writer pool", None, f"{name}: not visible to tasks under a scheduler; "
                     "created at deployment with `airflow pools set`")
    try:
        if exists(name):
            return Check("writer pool", None, f"{name} exists")
        create(name)
    except Exception as error:  # noqa: BLE001 - no database, no rights: say how to fix it by hand
        return Check("writer pool", (
            f"the Airflow pool {name!r} could not be checked or created ({type(error).__name__}: {error}); "
            f"create it once with: airflow pools set {name} 1 \"DuckDB writers\""))
    return Check("writer pool", None, f"{name} created with 1 slot")


def check_model(model: str) -> Check:
    """The spaCy pipeline package is installed, its data folder is there and its meta.json accepts
    the installed spaCy, read without importing spaCy (loading the pipeline is extraction's job).
    A package without a meta.json beside its __init__.py is imported instead."""
    if not model:
        return Check("spaCy model", "QUOTEWIRE_SPACY_MODEL is empty: name an installed spaCy pipeline package")
    try:
        spec = importlib.util.find_spec(model)
    except (ImportError, ValueError) as error:
        spec, found_error = None, error
    else:
        found_error = "no such module"
    if spec is None or spec.origin is None:
        return Check("spaCy model", (
            f"the spaCy pipeline package {model!r} (QUOTEWIRE_SPACY_MODEL) cannot be imported: {found_error}; "
            f"install it into this environment (pip install <its package>) or set QUOTEWIRE_SPACY_MODEL"))
    meta_file = Path(spec.origin).parent / "meta.json"
    if not meta_file.is_file():
        return _import_model(model)
    return _check_model_meta(model, json.loads(meta_file.read_text(encoding="utf-8")), meta_file.parent)


def _check_model_meta(model: str, meta: dict, package_dir: Path) -> Check:
    from importlib.metadata import PackageNotFoundError, version

    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        spacy_version = version("spacy")
    except PackageNotFoundError:
        return Check("spaCy model", "spaCy is not installed in this environment (pip install spacy)")
    wanted = meta.get("spacy_version", "")
    try:
        fits = not wanted or SpecifierSet(wanted).contains(spacy_version, prereleases=True)
    except InvalidSpecifier:
        fits = False
    if not fits:
        return Check("spaCy model", (
            f"the spaCy pipeline package {model!r} {meta.get('version', '')} wants spaCy {wanted!r} but "
            f"spaCy {spacy_version} is installed; install a matching pipeline package or spaCy version"))
    data_dir = package_dir / f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}"
    if not (data_dir / "config.cfg").is_file():
        return Check("spaCy model", f"the spaCy pipeline package {model!r} has no pipeline data at {data_dir}: reinstall it")
    return Check("spaCy model", None, f"{model} {meta.get('version', '')} (spaCy {spacy_version} fits {wanted or 'any'})")


def _import_model(model: str) -> Check:
    try:
        module = importlib.import_module(model)
    except ImportError as error:
        return Check("spaCy model", (
            f"the spaCy pipeline package {model!r} (QUOTEWIRE_SPACY_MODEL) cannot be imported: {error}; "
            f"install it into this environment (pip install <its package>) or set QUOTEWIRE_SPACY_MODEL"))
    return Check("spaCy model", None, f"{model} {getattr(module, '__version__', '')}".strip())


def check_landing(location: str) -> Check:
    from extractors.landing import Landing

    try:
        reachable = Landing(location).exists()
    except Exception as error:  # noqa: BLE001 - an fsspec filesystem fails in many ways: report it
        return Check("landing folder", f"the landing folder {location} cannot be reached: {error}")
    if not reachable:
        return Check("landing folder", (
            f"the landing folder {location} does not exist (QUOTEWIRE_LANDING); "
            "create it or point QUOTEWIRE_LANDING at the folder articles arrive in"))
    return Check("landing folder", None, location)


def parse_key(project_dir: Path, env: dict[str, str]) -> str:
    """What decides whether `dbt parse` passes: the project's files and profiles.yml, the values of
    the environment variables they read, and the versions of dbt-core and dbt-duckdb."""
    from importlib.metadata import version

    from extractors.transform import project_digest

    digest = hashlib.sha256(project_digest(project_dir).encode())
    profiles = project_dir / "profiles.yml"
    texts = [profiles.read_bytes()] if profiles.is_file() else []
    digest.update(b"profiles.yml\0" + b"".join(texts))
    texts += [p.read_bytes() for p in project_dir.rglob("*") if p.suffix in {".yml", ".sql"} and p.is_file()
              and not {"target", "logs", "dbt_packages"} & set(p.relative_to(project_dir).parts)]
    names = sorted({m.decode() for t in texts for m in re.findall(rb"env_var\(\s*['\"]([A-Za-z0-9_]+)['\"]", t)})
    for name in names:
        digest.update(f"{name}={env.get(name)!r}\0".encode())
    for package in ("dbt-core", "dbt-duckdb"):
        digest.update(f"{package}=={version(package)}\0".encode())
    return digest.hexdigest()


def _parsed_file(state_dir: Path) -> Path:
    return state_dir / "dbt" / "parsed.sha256"


def check_dbt_project(project_dir: Path, work_db: Path, state_dir: Path) -> Check:
    """`dbt parse`: the project, its YAML and its SQL templates are valid (no database is opened).

    It writes into dbt_build's target folder, so the build that follows re-parses only what changed.
    A project that parsed before from this state folder with the same `parse_key` (files, profile,
    the environment variables they read, dbt versions) is not parsed again: the answer is the same.
    """
    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "QUOTEWIRE_WORK_DB": str(work_db),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_VERSION_CHECK": "false"}
    key = parse_key(project_dir, env)
    parsed = _parsed_file(state_dir)
    if parsed.is_file() and parsed.read_text(encoding="utf-8").strip() == key:
        return Check("dbt project", None, f"parsed before from {state_dir} with the same project, profile and dbt")
    parsed.unlink(missing_ok=True)
    done = subprocess.run(
        [str(dbt), "parse", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir),
         "--target-path", str(state_dir / "dbt" / "target"), "--log-path", str(state_dir / "dbt" / "logs"), "--no-use-colors"],
        env=env, capture_output=True, text=True, check=False, timeout=600)
    if done.returncode != 0:
        lines = [re.sub(r"^\d\d:\d\d:\d\d\s+", "", line).strip()
                 for line in (done.stdout + done.stderr).splitlines() if line.strip()]
        start = next((i for i, line in enumerate(lines) if "Encountered an error" in line), max(0, len(lines) - 4))
        said = " ".join(lines[start + 1:start + 6] or lines[-3:])
        return Check("dbt project", f"the dbt project in {project_dir} does not parse: {said}")
    parsed.parent.mkdir(parents=True, exist_ok=True)
    parsed.write_text(key + "\n", encoding="utf-8")
    return Check("dbt project", None, "parses")


def raise_on_problems(checks: list[Check]) -> str:
    """One message naming every problem, or a one-line summary of what was checked."""
    problems = [f"{c.name}: {c.problem}" for c in checks if c.problem]
    if problems:
        raise PreflightFailed("preflight failed: " + "; ".join(problems))
    return "; ".join(f"{c.name} ok ({c.detail})" for c in checks)
