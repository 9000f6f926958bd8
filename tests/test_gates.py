"""The Great Expectations gates pass on good data and fail, naming the expectation, on bad.

Every expectation in expectations/ has a case here that breaks real run data and sees it fail.
"""

from __future__ import annotations

import json

import duckdb
import pytest

from extractors.gates import candidate_file_frame, last_published_at, raw_gate_parameters, run_gate
from extractors.settings import PROJECT_ROOT
from extractors.publish import build_candidate

SUITES = PROJECT_ROOT / "expectations"
PARAMETERS = {"max_quarantine_share": 0.5}


def _every_row(work_db):
    """The raw gate's parameters as the first night has them: nothing published yet, every row is new."""
    return raw_gate_parameters(work_db, None)


def _corrupt(database, sql):
    with duckdb.connect(str(database)) as con:
        con.execute(sql)


def _candidate(deployment, storage_version="v1.0.0"):
    candidate = deployment.root / "candidate.duckdb"
    build_candidate(deployment.work_db, candidate, storage_version)
    return candidate


def _expectations(gate):
    """(suite, expectation type, column) of every expectation of a gate."""
    found = set()
    for path in sorted((SUITES / gate).glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        found |= {(spec["name"], e["type"], e["kwargs"]["column"]) for e in spec["expectations"]}
    return found


FIRST_QUOTE = "(select min(quote_id) from raw.quotes)"
RAW_CASES = {
    ("raw_articles", "expect_column_values_to_be_between", "text_length"):
        "update raw.articles set text = '' where article_id = (select min(article_id) from raw.articles)",
    ("raw_articles", "expect_column_values_to_be_between", "n_words"):
        "update raw.articles set n_words = 0 where article_id = (select min(article_id) from raw.articles)",
    ("raw_entities", "expect_column_values_to_be_in_set", "article_exists"):
        "update raw.entities set article_id = 'gone' where entity_id = (select min(entity_id) from raw.entities)",
    ("raw_entities", "expect_column_values_to_be_in_set", "text_matches_offsets"):
        "update raw.entities set entity_text = 'Nobody' where entity_id = (select min(entity_id) from raw.entities)",
    ("raw_quotes", "expect_column_values_to_be_in_set", "article_exists"):
        f"update raw.quotes set article_id = 'gone' where quote_id = {FIRST_QUOTE}",
    ("raw_quotes", "expect_column_values_to_be_in_set", "offsets_inside_text"):
        f"update raw.quotes set end_char = 10000000 where quote_id = {FIRST_QUOTE}",
    ("raw_quotes", "expect_column_values_to_be_in_set", "text_matches_offsets"):
        f"update raw.quotes set start_char = start_char + 1 where quote_id = {FIRST_QUOTE}",
    ("raw_quotes", "expect_column_values_to_be_in_set", "speaker_matches_offsets"):
        "update raw.quotes set speaker_start = speaker_start + 1"
        " where quote_id = (select min(quote_id) from raw.quotes where speaker_start is not null)",
    ("raw_quotes", "expect_column_values_to_be_in_set", "quote_type"):
        f"update raw.quotes set quote_type = 'rumour' where quote_id = {FIRST_QUOTE}",
    ("raw_quotes", "expect_column_values_to_be_between", "normalized_length"):
        f"update raw.quotes set normalized_text = '' where quote_id = {FIRST_QUOTE}",
    ("raw_night", "expect_column_values_to_be_between", "quarantined_share"):
        "insert into ops.quarantine select 'x' || i, null, 'empty', 'no text', 'another night', now()"
        " from range(6) t(i)",
}


def test_every_raw_expectation_has_a_breaking_case():
    assert set(RAW_CASES) == _expectations("raw")


def test_gates_pass_on_the_seed_run(seeded, tmp_path):
    raw = run_gate("raw_gate", SUITES / "raw", seeded.work_db, PARAMETERS, _every_row(seeded.work_db))
    assert raw.passed, raw.message
    assert raw.n_expectations == len(RAW_CASES)
    candidate = tmp_path / "candidate.duckdb"
    build_candidate(seeded.work_db, candidate, "v1.0.0")
    marts = run_gate("mart_gate", SUITES / "marts", candidate, PARAMETERS, work_db=seeded.work_db)
    assert marts.passed, marts.message


@pytest.mark.parametrize("expectation", sorted(RAW_CASES), ids=lambda e: f"{e[0]}.{e[2]}")
def test_raw_gate_fails_on_broken_rows(deployment, expectation):
    suite, kind, column = expectation
    _corrupt(deployment.work_db, RAW_CASES[expectation])
    result = run_gate("raw_gate", SUITES / "raw", deployment.work_db, PARAMETERS, _every_row(deployment.work_db))
    assert not result.passed
    assert f"{suite}.{kind}" in result.message and f'"column": "{column}"' in result.message, result.message


def test_raw_gate_compares_a_later_run_s_rows_of_an_older_article_with_its_text(deployment):
    """Rows a later run wrote for an article published before (as a reprocess writes them) are
    checked against that article's text, though the gate reads texts from `$texts_since` only."""
    published = last_published_at(deployment.work_db)
    copy_of_first = ("insert into raw.entities by name select * replace (entity_id || '-again' as entity_id, "
                     "'later run' as run_id{}) from raw.entities where entity_id = (select min(entity_id) from raw.entities)")
    _corrupt(deployment.work_db, copy_of_first.format(""))
    tonight = raw_gate_parameters(deployment.work_db, published)
    assert tonight["texts_since"] is not None and tonight["texts_since"] <= published
    sound = run_gate("raw_gate", SUITES / "raw", deployment.work_db, PARAMETERS, tonight)
    assert sound.passed, sound.message

    _corrupt(deployment.work_db, copy_of_first.format(", 'Nobody' as entity_text").replace("-again", "-wrong"))
    broken = run_gate("raw_gate", SUITES / "raw", deployment.work_db, PARAMETERS,
                      raw_gate_parameters(deployment.work_db, published))
    assert not broken.passed and "raw_entities" in broken.message and "text_matches_offsets" in broken.message


def test_raw_gate_checks_every_row_not_yet_published(deployment):
    """Rows of a night the gate rejected are checked again by the next night, not skipped."""
    _corrupt(deployment.work_db, RAW_CASES[("raw_quotes", "expect_column_values_to_be_in_set", "text_matches_offsets")])
    # Published rows were checked by the run that published them: a later night leaves them be.
    published = last_published_at(deployment.work_db)
    assert published is not None
    later_night = run_gate("raw_gate", SUITES / "raw", deployment.work_db, PARAMETERS,
                           raw_gate_parameters(deployment.work_db, published))
    assert later_night.passed, later_night.message
    # Had that night been rejected, nothing is published yet and its rows are exposed next time.
    _corrupt(deployment.work_db, "update ops.runs set status = 'failed'")
    assert last_published_at(deployment.work_db) is None
    next_night = run_gate("raw_gate", SUITES / "raw", deployment.work_db, PARAMETERS,
                          raw_gate_parameters(deployment.work_db, last_published_at(deployment.work_db)))
    assert not next_night.passed
    assert "text_matches_offsets" in next_night.message


def test_a_rejected_night_is_not_published_by_the_next_one(deployment):
    """The real DAG: a night loads a broken quote and is rejected; the next night, with no new
    file, must fail the raw gate on that row too and leave the published file untouched."""
    _corrupt(deployment.work_db, RAW_CASES[("raw_quotes", "expect_column_values_to_be_in_set", "text_matches_offsets")]
             + "; update ops.runs set status = 'failed'")
    deployment.warehouse.unlink()  # as if no night had published yet
    done = deployment.run()
    assert done.returncode != 0
    assert not deployment.warehouse.exists()
    status, raw_gate, message = deployment.query(
        "select status, raw_gate, message from ops.runs order by started_at desc limit 1", database=deployment.work_db)[0]
    assert (status, raw_gate) == ("failed", "failed")
    assert "text_matches_offsets" in message


def test_candidate_frame_reads_the_file_as_a_duckdb_1x_reader_would(tmp_path):
    work = tmp_path / "work.duckdb"
    with duckdb.connect(str(work)) as con:
        con.execute("create schema marts; create schema ops; create schema raw")
        con.execute("create table marts.claims as select range as claim_id from range(3)")
        con.execute("create table ops.quarantine as select 'a.txt' as source_file")
        con.execute("create table raw.articles as select 1 as article_id")  # not published
    candidate = tmp_path / "candidate.duckdb"
    build_candidate(work, candidate, "v1.0.0")
    frame = candidate_file_frame(candidate, work).set_index("table_name")
    assert sorted(frame.index) == ["marts.claims", "ops.quarantine"]
    assert frame.rows_match.all() and frame.reader_error.isna().all()
    assert frame.loc["marts.claims", "candidate_rows"] == 3
    _corrupt(candidate, "delete from marts.claims where claim_id = 0")
    frame = candidate_file_frame(candidate, work).set_index("table_name")
    assert not frame.loc["marts.claims", "rows_match"] and frame.loc["ops.quarantine", "rows_match"]
    build_candidate(work, candidate, "latest")
    frame = candidate_file_frame(candidate, work)
    assert frame.reader_error.str.contains("version").all() and not frame.in_candidate.any()


MART_CASES = {
    ("candidate_file", "expect_column_values_to_be_null", "reader_error"):
        ("latest", None, None),
    ("candidate_file", "expect_column_distinct_values_to_contain_set", "table_name"):
        ("v1.0.0", "drop table marts.speakers", None),
    ("candidate_file", "expect_column_values_to_be_in_set", "in_candidate"):
        ("v1.0.0", None, "drop table marts.claim_variants"),
    ("candidate_file", "expect_column_values_to_be_in_set", "rows_match"):
        ("v1.0.0", None, "delete from marts.quotes where quote_id = (select min(quote_id) from marts.quotes)"),
}


def test_every_mart_expectation_has_a_breaking_case():
    assert set(MART_CASES) == _expectations("marts")


@pytest.mark.parametrize("expectation", sorted(MART_CASES), ids=lambda e: e[2])
def test_mart_gate_fails_on_a_broken_candidate(deployment, expectation):
    suite, kind, column = expectation
    storage_version, in_work, in_candidate = MART_CASES[expectation]
    if in_work:
        _corrupt(deployment.work_db, in_work)
    # "latest" is DuckDB 2's own format, which no DuckDB 1.x reader opens.
    candidate = _candidate(deployment, storage_version)
    if in_candidate:
        _corrupt(candidate, in_candidate)
    result = run_gate("mart_gate", SUITES / "marts", candidate, PARAMETERS, work_db=deployment.work_db)
    assert not result.passed
    assert f"{suite}.{kind}" in result.message and f'"column": "{column}"' in result.message, result.message


def test_the_raw_gate_fails_a_night_whose_attribution_model_breaks_the_canary(deployment, tmp_path):
    """The real DAG with an attribution model that finds no speech: the raw gate's canary check
    fails the night by name, and the published file stays as it was."""
    from extractors.attribution.model import DEFAULT_MODEL

    bad = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    bad["speech"] = {"weights": {}, "bias": -10.0, "threshold": 0.5}
    bad_model = tmp_path / "no-speech.json"
    bad_model.write_text(json.dumps(bad), encoding="utf-8")
    published = deployment.warehouse.read_bytes()
    done = deployment.run(QUOTEWIRE_ATTRIBUTION_MODEL=str(bad_model))
    assert done.returncode != 0
    assert deployment.warehouse.read_bytes() == published
    status, raw_gate, message = deployment.query(
        "select status, raw_gate, message from ops.runs order by started_at desc limit 1", database=deployment.work_db)[0]
    assert (status, raw_gate) == ("failed", "failed")
    assert "canary attributed F1 0.00" in message and "not extracted" in message, message
