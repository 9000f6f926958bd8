"""The canary articles: the live model passes them, a broken model fails them by name."""

from __future__ import annotations

import json

from extractors.attribution.canary import MIN_ATTRIBUTED_F1, check_canary, load_canary
from extractors.attribution.model import DEFAULT_MODEL, LearnedModel


def _model(**replace) -> LearnedModel:
    data = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    data.update(replace)
    return LearnedModel(data)


def test_every_canary_quote_occurs_once_in_its_article():
    articles = load_canary()
    assert len(articles) >= 5
    for article in articles:
        for quote in article["quotes"]:
            assert article["text"].count(quote["quote"]) == 1, quote


def test_the_live_model_passes_the_canary(nlp, rules):
    result = check_canary(nlp, rules)
    assert result.passed, result.broken
    assert result.attributed_f1 >= MIN_ATTRIBUTED_F1
    assert result.broken == []


def test_a_model_that_finds_no_speech_fails_and_names_every_quote(nlp, rules):
    result = check_canary(nlp, rules, model=_model(speech={"weights": {}, "bias": -10.0, "threshold": 0.5}))
    assert not result.passed
    assert result.attributed_f1 == 0.0
    assert len(result.broken) == result.n_gold
    assert all("not extracted" in line for line in result.broken)


def test_a_model_that_picks_the_wrong_speakers_fails(nlp, rules):
    """Weights that prefer any named entity before the quote over the cue's subject."""
    bad = _model(speaker={"weights": {"from_entity_before": 6.0, "from_cue_subject": -6.0}, "bias": 0.0,
                          "threshold": 0.05})
    result = check_canary(nlp, rules, model=bad)
    assert not result.passed
    assert any("Feldmann" in line or "Orlov" in line or "Grant" in line for line in result.broken)
