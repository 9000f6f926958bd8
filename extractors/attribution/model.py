"""The learned decisions: a small linear model per decision, loaded once per process.

Three decisions, each a logistic regression over sparse feature dicts (see `features`):
- `speech`: is a quoted span attributed speech (or thought), rather than a title, a scare
  quote, a nickname or a slogan?
- `speaker`: which of a quote's candidate speaker mentions said it, or none of them? A
  conditional logit (softmax) over the candidates and a "none" row: each candidate's score is
  the weighted sum of its features, the none row's that of the quote's features (named
  "none.*"); the best row wins and its softmax probability is the confidence. When none wins,
  the quote is kept with an unnamed source (never guessed).
- `reported`: is a clause governed by a verb attributed content ("X said that ...")?

A model file is JSON holding weights only: {feature name: weight}, a bias and a threshold per
decision (the speaker decision: weights and a bias added to the candidates' scores), with the
training figures. `RuleModel` reproduces the hand rules' decisions and is
what the training script uses to collect candidates.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from extractors.versions import ATTRIBUTION_MODEL_ENV as MODEL_ENV  # a model file, or "rules" for the hand rules alone
from extractors.versions import SHIPPED_ATTRIBUTION_MODEL as DEFAULT_MODEL

MODELS_DIR = DEFAULT_MODEL.parent


def _vectorize(features: dict) -> list[tuple[str, float]]:
    """Feature dict -> (name, value) pairs the way scikit-learn's DictVectorizer names them."""
    pairs = []
    for key, value in features.items():
        if isinstance(value, bool):
            if value:
                pairs.append((key, 1.0))
        elif isinstance(value, str):
            pairs.append((f"{key}={value}", 1.0))
        elif value is not None:
            pairs.append((key, float(value)))
    return pairs


@dataclass(frozen=True)
class LinearDecision:
    weights: dict[str, float]
    bias: float
    threshold: float

    def probability(self, features: dict) -> float:
        z = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in _vectorize(features))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def score(self, features: dict) -> float:
        return self.bias + sum(self.weights.get(name, 0.0) * value for name, value in _vectorize(features))

    @classmethod
    def from_json(cls, data: dict) -> LinearDecision:
        return cls({k: float(v) for k, v in data["weights"].items()}, float(data.get("bias", 0.0)),
                   float(data.get("threshold", 0.0)))


@dataclass(frozen=True)
class SoftmaxChoice:
    """Pick one of a quote's candidates or none: a conditional logit over their feature dicts."""

    weights: dict[str, float]
    bias: float  # added to every candidate's score (not to none's)

    def _score(self, features: dict) -> float:
        return sum(self.weights.get(name, 0.0) * value for name, value in _vectorize(features))

    def choose(self, candidates: list[dict], none: dict) -> tuple[int | None, float]:
        """(index of the chosen candidate or None, its softmax probability)."""
        scores = [self.bias + self._score(f) for f in candidates] + [self._score(none)]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        best = max(range(len(scores)), key=lambda i: (scores[i], -i))
        probability = exps[best] / sum(exps)
        return (None if best == len(candidates) else best), probability

    @classmethod
    def from_json(cls, data: dict) -> SoftmaxChoice:
        return cls({k: float(v) for k, v in data["weights"].items()}, float(data.get("bias", 0.0)))


class RuleModel:
    """The hand rules' decisions as probabilities 0 or 1 (no learned weights)."""

    name = "rules"

    def speech(self, features: dict) -> float:
        return 1.0 if features.get("rule_keep") else 0.0

    def speaker_choice(self, candidates: list[dict], none: dict) -> tuple[int | None, float]:
        pick = next((i for i, f in enumerate(candidates) if f.get("rule_rank") == "0"), None)
        return pick, 1.0

    def reported(self, features: dict) -> float:
        return 1.0 if features.get("rule_keep") else 0.0

    def reported_speaker(self, kind: str) -> float:
        return 1.0

    speech_threshold = 0.5
    reported_threshold = 0.5


class LearnedModel:
    """Weights read from a model file."""

    def __init__(self, data: dict, name: str = "learned"):
        self.name = name
        self.data = data
        self._speech = LinearDecision.from_json(data["speech"])
        self._speaker = SoftmaxChoice.from_json(data["speaker"])
        self._reported = LinearDecision.from_json(data["reported"])
        self.speech_threshold = self._speech.threshold
        self.reported_threshold = self._reported.threshold

    def speech(self, features: dict) -> float:
        return self._speech.probability(features)

    def speaker_choice(self, candidates: list[dict], none: dict) -> tuple[int | None, float]:
        """The chosen candidate's index (None for an unnamed source) and its probability."""
        return self._speaker.choose(candidates, none)

    def reported(self, features: dict) -> float:
        return self._reported.probability(features)

    def reported_speaker(self, kind: str) -> float:
        """Share of reported clauses with a speaker of this kind whose speaker was right in
        cross-validation (a calibrated constant per kind: none, pronoun, named, ...)."""
        return float(self.data.get("reported_speaker", {}).get(kind, 0.5))

    @classmethod
    def from_file(cls, path: Path) -> LearnedModel:
        return cls(json.loads(Path(path).read_text(encoding="utf-8")), Path(path).name)


@cache
def load_model(path: str | None = None):
    """The model the extractor uses, read once per process: `path`, else the file named by
    $QUOTEWIRE_ATTRIBUTION_MODEL ("rules" for the hand rules alone), else the shipped model."""
    chosen = path or os.environ.get(MODEL_ENV) or str(DEFAULT_MODEL)
    if chosen == "rules":
        return RuleModel()
    return LearnedModel.from_file(Path(chosen))
