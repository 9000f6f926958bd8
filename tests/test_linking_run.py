"""Claims across outlets in the seed run: the registry, claim variants and reprinted copy."""

from __future__ import annotations

from tests.test_incremental_linking import LINK_TABLES

PESKOV = "This is the first telephone contact since President Trump took office"


def test_the_spokesman_statement_is_one_claim_carried_by_four_articles(seeded):
    rows = seeded.query(
        """select speaker, n_articles, n_outlets, first_outlet, n_variants
           from marts.claims where claim_text like ?""", [PESKOV + "%"])
    assert len(rows) == 1
    speaker, n_articles, n_outlets, first_outlet, n_variants = rows[0]
    assert (speaker, n_articles) == ("Dmitry Peskov", 4)
    assert first_outlet is not None and n_variants >= 1


def test_the_under_consideration_variants_are_one_claim_with_a_material_change(seeded):
    claims = seeded.query(
        """select claim_id, speaker, has_material_change from marts.claims
           where claim_id in (select claim_id from marts.quotes where quote_text ilike '%all of that%under consideration%')""")
    assert len(claims) == 1
    claim_id, speaker, has_material_change = claims[0]
    assert (speaker, has_material_change) == ("Kellyanne Conway", True)
    variants = seeded.query(
        """select wording, relation, material_change, changed_words from marts.claim_variants
           where claim_id = ? order by wording""", [claim_id])
    by_wording = {w: (relation, material, list(changed)) for w, relation, material, changed in variants}
    assert by_wording["all of that was under consideration"][1] != by_wording["all of that is under consideration"][1]
    changed = [v for v in by_wording.values() if v[1]]
    assert changed and all(v[0] == "reworded" for v in changed)
    assert any("is -> was" in c or "was -> is" in c for v in changed for c in v[2])


def test_the_misspelt_name_is_merged_into_dmitry_peskov_with_its_evidence(seeded):
    entities = seeded.query(
        "select entity_id, aliases from marts.entities where canonical_name = 'Dmitry Peskov' and entity_type = 'PERSON'")
    assert len(entities) == 1
    entity_id, aliases = entities[0]
    assert "Dimitry Peskov" in aliases
    evidence = seeded.query(
        "select match_rule, matched_alias from marts.entity_aliases where entity_id = ? and alias = 'Dimitry Peskov'",
        [entity_id])
    assert evidence == [("first_name_spelling", "Dmitry Peskov")]
    # No second Peskov anywhere in the registry.
    assert seeded.query("select count(*) from marts.entities where canonical_name ilike '%peskov%'") == [(1,)]


def test_speakers_count_one_person_across_the_ways_articles_name_him(seeded):
    rows = seeded.query("select speaker, n_articles from marts.speakers where speaker ilike '%peskov%'")
    assert len(rows) == 1 and rows[0][0] == "Dmitry Peskov" and rows[0][1] >= 4
    mentions = seeded.query(
        """select count(distinct m.entity_text) from marts.entity_mentions m
           join marts.entities e using (entity_id) where e.canonical_name = 'Dmitry Peskov'""")
    assert mentions[0][0] >= 2


def test_reprinted_paragraphs_are_found_between_two_seed_articles(seeded):
    pairs = seeded.query(
        """select a.source_file, b.source_file, o.shared_chars_a, o.share_a, o.share_b
           from marts.article_overlaps o
           join marts.articles a on a.article_id = o.article_a
           join marts.articles b on b.article_id = o.article_b""")
    assert len(pairs) >= 1
    assert all(shared >= 500 and 0 < share_a <= 1 and 0 < share_b <= 1 for _, _, shared, share_a, share_b in pairs)
    reprinted = dict(seeded.query("select outlet, reprinted_share from marts.outlets"))
    assert max(reprinted.values()) > 0
    assert min(reprinted.values()) >= 0


def test_claim_ids_survive_a_night_that_adds_articles(deployment):
    before = dict(deployment.query("select quote_id, claim_id from marts.quotes"))
    extra = deployment.landing / "006_reprint.txt"
    extra.write_text(
        "Kellyanne Conway told reporters on Sunday that \u201call of that is under consideration\u201d, "
        "adding that no decision had been made.\n\n"
        "The White House gave no timetable for a decision on the sanctions against Moscow this week.\n",
        encoding="utf-8",
    )
    done = deployment.run()
    assert done.returncode == 0, done.stdout[-3000:]
    after = dict(deployment.query("select quote_id, claim_id from marts.quotes"))
    assert {q: after[q] for q in before} == before
    new = deployment.query(
        """select q.claim_id, c.n_articles from marts.quotes q join marts.claims c using (claim_id)
           where q.source_file = '006_reprint.txt' and q.quote_text ilike 'all of that%'""")
    assert len(new) == 1
    claim_id, n_articles = new[0]
    assert claim_id in before.values() and n_articles >= 3


def _link_counts(done) -> dict:
    """The counts the link task logged ("linked in 0.4 s: {...}") in the run's Airflow log file."""
    import ast
    import re
    from pathlib import Path

    logs = re.findall(r"full Airflow log is in (\S+)", done.stdout)
    assert len(logs) == 1, done.stdout[-3000:]
    log = Path(logs[0]).read_text(encoding="utf-8")
    found = re.findall(r"linked in [\d.]+ s: (\{[^}]*\})", log)
    assert len(found) == 1, log[-3000:]
    return ast.literal_eval(found[0])


def test_a_night_links_only_what_it_brings_and_equals_a_full_relink(deployment, tmp_path):
    import shutil

    from extractors.linking.nightly import link

    changed = deployment.landing / "002_4db0c1f0cd98019d.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("Dmitry Peskov", "Dimitry Peskov", 1),
                       encoding="utf-8")
    (deployment.landing / "006_new.txt").write_text(
        "Dmitry Peskov told reporters on Monday that \u201cthe telephone contact went well\u201d, "
        "adding that no further call had been planned and that the Kremlin would say more about "
        "the conversation later in the week.\n", encoding="utf-8")
    done = deployment.run()
    assert done.returncode == 0, done.stdout[-3000:]
    night = _link_counts(done)
    # Two articles became current (the new file, the changed file's new version), one stopped.
    assert (night["full"], night["articles_added"], night["articles_removed"]) == (0, 2, 1)
    assert night["rows_read_articles"] == 2
    assert deployment.query(
        "select count(*) from marts.articles where source_file = '002_4db0c1f0cd98019d.txt'") == [(1,)]

    full = tmp_path / "full.duckdb"
    shutil.copy(deployment.work_db, full)
    link(full, "full-relink", full=True)
    tables = ("entity_links", "claim_variants", "quote_variants", "article_overlaps", "article_reprints",
              "link_articles", "link_mentions", "link_shingles", "link_reprint_spans", "link_forms",
              "link_claim_quotes", "link_claim_pairs")
    for table in tables:
        columns = LINK_TABLES.get(table, "*")
        assert (sorted(deployment.query(f"select {columns} from raw.{table}", database=deployment.work_db), key=repr)
                == sorted(deployment.query(f"select {columns} from raw.{table}", database=full), key=repr)), table

    quiet = deployment.run()
    assert quiet.returncode == 0, quiet.stdout[-3000:]
    nothing = _link_counts(quiet)
    assert (nothing["articles_added"], nothing["articles_removed"], nothing["rows_read"]) == (0, 0, 0)
