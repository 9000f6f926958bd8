"""The learned decisions: a small linear model per decision, loaded once per process.

Three decisions, each a logistic regression over sparse feature dicts (see `features`):
- `speech`: is a quoted span attributed speech (or thought), rather than a title, a scare
  quote, a nickname or a slogan?
- `speaker`: how likely is one candidate speaker mention to be who said a quote? The best
  candidate wins; below `none_below` the quote is kept with an unnamed source.
- `reported`: is a clause governed by a verb attributed content ("X said that ...")?

A model file is JSON holding weights only: {feature name: weight}, a bias and a threshold per
decision, with the training figures. `RuleModel` reproduces the hand rules' decisions and is
what the training script uses to collect candidates.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent / "models"
DEFAULT_MODEL = MODELS_DIR / "attribution-v1.json"
# Set to a model file to use another one, or to "rules" to run the hand rules alone.
MODEL_ENV = "QUOTEWIRE_ATTRIBUTION_MODEL"


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

    @classmethod
    def from_json(cls, data: dict) -> LinearDecision:
        return cls({k: float(v) for k, v in data["weights"].items()}, float(data["bias"]), float(data["threshold"]))


class RuleModel:
    """The hand rules' decisions as probabilities 0 or 1 (no learned weights)."""

    name = "rules"

    def speech(self, features: dict) -> float:
        return 1.0 if features.get("rule_keep") else 0.0

    def speaker(self, features: dict) -> float:
        return 1.0 if features.get("rule_rank") == "0" else 0.0

    def reported(self, features: dict) -> float:
        return 1.0 if features.get("rule_keep") else 0.0

    def reported_speaker(self, kind: str) -> float:
        return 1.0

    speech_threshold = 0.5
    reported_threshold = 0.5
    none_below = 0.5


class LearnedModel:
    """Weights read from a model file."""

    def __init__(self, data: dict, name: str = "learned"):
        self.name = name
        self.data = data
        self._speech = LinearDecision.from_json(data["speech"])
        self._speaker = LinearDecision.from_json(data["speaker"])
        self._reported = LinearDecision.from_json(data["reported"])
        self.speech_threshold = self._speech.threshold
        self.reported_threshold = self._reported.threshold
        self.none_below = self._speaker.threshold

    def speech(self, features: dict) -> float:
        return self._speech.probability(features)

    def speaker(self, features: dict) -> float:
        return self._speaker.probability(features)

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
