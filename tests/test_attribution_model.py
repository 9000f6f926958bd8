"""The learned attribution layer: its model file, its loading and its decisions."""

from __future__ import annotations

import json
import math
import re

import pytest

from extractors.attribution import attribute_quotes
from extractors.attribution.listwise import fit_choice
from extractors.attribution.model import (
    DEFAULT_MODEL,
    LearnedModel,
    LinearDecision,
    RuleModel,
    SoftmaxChoice,
    load_model,
)

TEXT = "“We will talk on Saturday and we will see what happens,” Mr Peskov told reporters on Friday."


def test_a_linear_decision_is_a_logistic_of_the_weighted_features():
    decision = LinearDecision({"kind=pronoun": 2.0, "n": 0.5}, bias=-1.0, threshold=0.5)
    assert decision.probability({"kind": "pronoun", "n": 2}) == pytest.approx(1 / (1 + pow(2.718281828, -2.0)), rel=1e-6)
    assert decision.probability({"kind": "noun"}) == pytest.approx(1 / (1 + pow(2.718281828, 1.0)), rel=1e-6)
    assert decision.probability({"flag": False, "kind": "pronoun"}) > decision.probability({"kind": "noun"})


def test_the_speaker_choice_is_a_softmax_over_candidates_and_none():
    choice = SoftmaxChoice({"kind=propn": 2.0, "kind=pronoun": 1.0, "none.bias": 1.5}, bias=0.0)
    pick, p = choice.choose([{"kind": "pronoun"}, {"kind": "propn"}], {"none.bias": True})
    assert pick == 1
    assert p == pytest.approx(math.exp(2.0) / (math.exp(1.0) + math.exp(2.0) + math.exp(1.5)))
    pick, p = choice.choose([{"kind": "pronoun"}], {"none.bias": True})
    assert pick is None  # none outscores the only candidate: an unnamed source
    assert p == pytest.approx(math.exp(1.5) / (math.exp(1.0) + math.exp(1.5)))
    assert choice.choose([], {"none.bias": True}) == (None, 1.0)


def test_the_listwise_fit_learns_to_rank_within_each_quote():
    """Rows of three quotes: the right row is the subject in two and none in the third; the
    fitted weights rank the subject first and pick none for a quote without a subject."""
    from sklearn.feature_extraction import DictVectorizer

    rows = [({"dep=nsubj": True}, 1, 0), ({"dep=pobj": True}, 0, 0), ({"none.bias": True}, 0, 0),
            ({"dep=pobj": True}, 0, 1), ({"dep=nsubj": True}, 1, 1), ({"none.bias": True}, 0, 1),
            ({"dep=pobj": True}, 0, 2), ({"none.bias": True}, 1, 2)]
    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform([f for f, _, _ in rows])
    weights = fit_choice(matrix, [g for _, _, g in rows], [y for _, y, _ in rows], c=10.0)
    choice = SoftmaxChoice(dict(zip(vectorizer.get_feature_names_out(), weights)), 0.0)
    assert choice.choose([{"dep": "pobj"}, {"dep": "nsubj"}], {"none.bias": True})[0] == 1
    assert choice.choose([{"dep": "pobj"}], {"none.bias": True})[0] is None


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
