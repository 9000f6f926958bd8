"""Every dbt data test can fail: each one passes on the seed run and fails once its data is broken.

The tests' SQL is what dbt compiled in the seed run (target/manifest.json), run on a copy of that
run's work database inside a transaction that is rolled back after each case.
"""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

MIN_QUOTE = "(select min(quote_id) from marts.quotes)"
MIN_CLAIM = "(select min(claim_id) from marts.claims)"
MIN_VARIANT = "(select min(variant_id) from marts.claim_variants)"
MIN_ENTITY = "(select min(entity_id) from marts.entities)"
MIN_OUTLET = "(select min(outlet) from reference.outlet_registry)"

# dbt test name (its unique_id without the hash) -> SQL that breaks what it checks.
CASES = {
    "accepted_values_claim_variants_relation__canonical__normalised__truncation__reworded":
        f"update marts.claim_variants set relation = 'copied' where variant_id = {MIN_VARIANT}",
    "accepted_values_entities_entity_type__PERSON__ORG__GPE__NORP__FAC__LOC":
        f"update marts.entities set entity_type = 'DATE' where entity_id = {MIN_ENTITY}",
    "accepted_values_quotes_claim_match_rule__new__same_words__normalised__truncation__reworded":
        f"update marts.quotes set claim_match_rule = 'guessed' where quote_id = {MIN_QUOTE}",
    "accepted_values_stg_raw__entity_links_mention_source__entity__speaker__name_scan":
        "update raw.entity_links set source = 'guessed' where entity_id = (select min(entity_id) from raw.entity_links)",
    "assert_claim_counts_match_quotes":
        f"update marts.claims set n_articles = n_articles + 1 where claim_id = {MIN_CLAIM}",
    "assert_entity_quotes_match_quotes":
        f"update marts.entities set n_quotes = n_quotes + 1 where entity_id = {MIN_ENTITY}",
    "assert_every_entity_has_alias_evidence":
        f"delete from marts.entity_aliases where entity_id = {MIN_ENTITY}",
    "assert_material_change_means_reworded":
        f"update marts.claim_variants set material_change = not material_change where variant_id = {MIN_VARIANT}",
    "assert_one_canonical_wording_per_claim":
        "update marts.claim_variants set is_canonical = true",
    "assert_outlet_totals_match_articles":
        "update marts.outlets set n_quotes = n_quotes + 1 where outlet = (select min(outlet) from marts.outlets)",
    "assert_overlap_pairs_ordered_and_unique":
        "insert into marts.article_overlaps select * from marts.article_overlaps",
    "assert_speaker_counts_match_quotes":
        "delete from marts.speakers where speaker_entity_id = (select min(speaker_entity_id) from marts.speakers)",
    "assert_variant_counts_match_claims":
        f"update marts.claims set n_variants = n_variants + 1 where claim_id = {MIN_CLAIM}",
    "between_article_overlaps_share_a__1__0": "update marts.article_overlaps set share_a = 1.5",
    "between_article_overlaps_share_b__1__0": "update marts.article_overlaps set share_b = -0.1",
    "between_quotes_speaker_confidence__1__0":
        f"update marts.quotes set speaker_confidence = 1.2 where quote_id = {MIN_QUOTE}",
    "between_quotes_speech_confidence__1__0":
        f"update marts.quotes set speech_confidence = -0.5 where quote_id = {MIN_QUOTE}",
    "between_outlets_reprinted_share__1__0":
        "update marts.outlets set reprinted_share = 2 where outlet = (select min(outlet) from marts.outlets)",
    "not_null_outlet_registry_domain": f"update reference.outlet_registry set domain = null where outlet = {MIN_OUTLET}",
    "not_null_outlet_registry_outlet": f"update reference.outlet_registry set outlet = null where outlet = {MIN_OUTLET}",
    "not_null_quotes_claim_id": f"update marts.quotes set claim_id = null where quote_id = {MIN_QUOTE}",
    "not_null_quotes_variant_id": f"update marts.quotes set variant_id = null where quote_id = {MIN_QUOTE}",
    "relationships_quotes_variant_id__variant_id__ref_claim_variants_":
        f"update marts.quotes set variant_id = 'gone' where quote_id = {MIN_QUOTE}",
    "unique_articles_article_id": "insert into marts.articles select * from marts.articles limit 1",
    "unique_claim_variants_variant_id": "insert into marts.claim_variants select * from marts.claim_variants limit 1",
    "unique_entity_mentions_mention_id": "insert into marts.entity_mentions select * from marts.entity_mentions limit 1",
    "unique_outlet_registry_domain":
        f"update reference.outlet_registry set domain = (select max(domain) from reference.outlet_registry) where outlet = {MIN_OUTLET}",
    "unique_outlet_registry_outlet":
        f"update reference.outlet_registry set outlet = (select max(outlet) from reference.outlet_registry) where outlet = {MIN_OUTLET}",
    "unique_quotes_quote_id": "insert into marts.quotes select * from marts.quotes limit 1",
    "unique_speakers_speaker_entity_id": "insert into marts.speakers select * from marts.speakers limit 1",
}


def _name(unique_id: str) -> str:
    name = unique_id.split(".", 2)[2]
    head, _, tail = name.rpartition(".")
    return head if head and len(tail) == 10 else name


@pytest.fixture(scope="module")
def compiled_tests(seeded) -> dict[str, str]:
    manifest = seeded.work_db.parent / "state" / "dbt" / "target" / "manifest.json"
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"].values()
    return {_name(n["unique_id"]): n["compiled_code"] for n in nodes if n["resource_type"] == "test"}


@pytest.fixture(scope="module")
def work(seeded, tmp_path_factory):
    # The same file name: dbt's compiled SQL names the database after it.
    copy = tmp_path_factory.mktemp("dbt-tests") / seeded.work_db.name
    shutil.copy(seeded.work_db, copy)
    with duckdb.connect(str(copy)) as con:
        yield con


def test_every_dbt_test_has_a_breaking_case(compiled_tests):
    assert set(compiled_tests) == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_dbt_test_fails_on_broken_data(work, compiled_tests, name):
    sql = compiled_tests[name]

    def failures() -> int:
        return work.execute(f"select count(*) from ({sql}) as failures").fetchone()[0]

    assert failures() == 0
    work.execute("begin transaction")
    try:
        work.execute(CASES[name])
        assert failures() > 0
    finally:
        work.execute("rollback")
