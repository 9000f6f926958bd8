"""The Great Expectations gates pass on good data and fail, naming the expectation, on bad."""

from __future__ import annotations

import duckdb
import pytest

from extractors.gates import run_gate
from extractors.settings import PROJECT_ROOT

SUITES = PROJECT_ROOT / "expectations"
PARAMETERS = {"max_quarantine_share": 0.5}


def _run_id(deployment):
    return deployment.query("select run_id from raw.articles limit 1", database=deployment.work_db)[0][0]


def _corrupt(database, sql):
    with duckdb.connect(str(database)) as con:
        con.execute(sql)


def test_gates_pass_on_the_seed_run(seeded):
    raw = run_gate("raw_gate", SUITES / "raw", seeded.work_db, _run_id(seeded), PARAMETERS)
    marts = run_gate("mart_gate", SUITES / "marts", seeded.warehouse, _run_id(seeded), PARAMETERS)
    assert raw.passed, raw.message
    assert marts.passed, marts.message
    assert raw.n_expectations >= 15 and marts.n_expectations >= 20


@pytest.mark.parametrize(
    "corruption, failed",
    [
        ("update raw.quotes set start_char = start_char + 1 where quote_id = (select min(quote_id) from raw.quotes)",
         "raw_quotes.expect_column_values_to_be_in_set"),
        ("update raw.entities set entity_text = 'Nobody' where entity_id = (select min(entity_id) from raw.entities)",
         "raw_entities.expect_column_values_to_be_in_set"),
        ("update raw.articles set n_words = 0, text = '' where article_id = (select min(article_id) from raw.articles)",
         "raw_articles.expect_column_values_to_be_between"),
        ("insert into ops.quarantine select 'x' || i, null, 'empty', 'no text', (select min(run_id) from raw.articles), now()"
         " from range(6) t(i)", "raw_night.expect_column_values_to_be_between"),
    ],
)
def test_raw_gate_fails_on_broken_rows(deployment, corruption, failed):
    _corrupt(deployment.work_db, corruption)
    result = run_gate("raw_gate", SUITES / "raw", deployment.work_db, _run_id(deployment), PARAMETERS)
    assert not result.passed
    assert failed in result.message


@pytest.mark.parametrize(
    "corruption, failed",
    [
        ("update marts.claims set n_articles = n_articles + 1 where claim_id = (select min(claim_id) from marts.claims)",
         "counts_match_quotes"),
        ("delete from marts.claims where claim_id = (select min(claim_id) from marts.claims)", "claim_exists"),
        ("insert into marts.speakers select * from marts.speakers limit 1", "marts_speakers.expect_column_values_to_be_unique"),
        ("update marts.outlets set n_quotes = n_quotes + 1 where outlet = 'unknown'", "quotes_add_up"),
        # claims across outlets: variants of a missing claim, two canonical wordings, counts
        ("update marts.claim_variants set claim_id = 'gone' where variant_id = (select min(variant_id) from marts.claim_variants)",
         "marts_claim_variants.expect_column_values_to_be_in_set"),
        ("update marts.claim_variants set is_canonical = true", "one_canonical_wording"),
        ("update marts.claims set n_variants = n_variants + 1 where claim_id = (select min(claim_id) from marts.claims)",
         "variants_match"),
        ("update marts.claims set n_quotes = 0 where claim_id = (select min(claim_id) from marts.claims)",
         "marts_claims.expect_column_values_to_be_between"),
        ("update marts.entities set n_quotes = n_quotes + 1 where canonical_name = 'Dmitry Peskov'", "quotes_match_quotes_mart"),
        ("delete from marts.entity_aliases where canonical_name = 'Dmitry Peskov'", "has_alias_evidence"),
        ("insert into marts.article_overlaps select * from marts.article_overlaps", "marts_article_overlaps.expect_column_values_to_be_unique"),
    ],
)
def test_mart_gate_fails_on_inconsistent_marts(deployment, corruption, failed):
    _corrupt(deployment.warehouse, corruption)
    result = run_gate("mart_gate", SUITES / "marts", deployment.warehouse, "any", PARAMETERS)
    assert not result.passed
    assert failed in result.message
