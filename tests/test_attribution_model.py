"""The learned attribution layer: its model file, its loading and its decisions."""

from __future__ import annotations

import json
import re

import pytest

from extractors.attribution import attribute_quotes
from extractors.attribution.model import (
    DEFAULT_MODEL,
    LearnedModel,
    LinearDecision,
    RuleModel,
    load_model,
)

TEXT = "“We will talk on Saturday and we will see what happens,” Mr Peskov told reporters on Friday."


def test_a_linear_decision_is_a_logistic_of_the_weighted_features():
    decision = LinearDecision({"kind=pronoun": 2.0, "n": 0.5}, bias=-1.0, threshold=0.5)
    assert decision.probability({"kind": "pronoun", "n": 2}) == pytest.approx(1 / (1 + pow(2.718281828, -2.0)), rel=1e-6)
    assert decision.probability({"kind": "noun"}) == pytest.approx(1 / (1 + pow(2.718281828, 1.0)), rel=1e-6)
    assert decision.probability({"flag": False, "kind": "pronoun"}) > decision.probability({"kind": "noun"})


def test_the_shipped_model_holds_weights_and_figures_only():
    data = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    assert set(data) >= {"speech", "speaker", "reported", "figures", "format"}
    for decision in ("speech", "speaker", "reported"):
        weights = data[decision]["weights"]
        assert weights and all(isinstance(w, float) for w in weights.values())
        # feature names are "name" or "name=value" with a short value: no sentence of any text
        assert all(re.fullmatch(r"[\w.]+(=[^\s]{0,40})?", name) for name in weights), decision
    assert data["figures"]["CV learned"]["direct"]["f1"] > 0.9


def test_the_model_is_loaded_once_per_process():
    assert load_model() is load_model()
    assert isinstance(load_model("rules"), RuleModel)


def test_records_carry_both_confidences(nlp, rules):
    quotes = attribute_quotes(nlp(TEXT), "a", rules, indirect=False)
    assert len(quotes) == 1
    assert quotes[0].speaker == "Peskov"
    assert 0.5 <= quotes[0].speech_confidence <= 1.0
    assert 0.5 <= quotes[0].speaker_confidence <= 1.0


def test_a_model_that_rejects_all_speech_keeps_no_quote(nlp, rules):
    data = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    data["speech"] = {"weights": {}, "bias": -10.0, "threshold": 0.5}
    assert attribute_quotes(nlp(TEXT), "a", rules, indirect=False, model=LearnedModel(data)) == []


def test_the_speaker_model_decides_who_said_it(nlp, rules):
    """Weights that favour a later candidate over the rules' pick change the speaker."""
    text = "Angela Merkel spoke first. “We will talk on Saturday and we will see,” Mr Peskov said."
    data = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    data["speaker"] = {"weights": {"from_entity_before": 5.0}, "bias": -2.0, "threshold": 0.05}
    rules_pick = attribute_quotes(nlp(text), "a", rules, indirect=False, model=RuleModel())[0]
    learned = attribute_quotes(nlp(text), "a", rules, indirect=False, model=LearnedModel(data))[0]
    assert rules_pick.speaker == "Peskov"
    assert learned.speaker == "Angela Merkel"
