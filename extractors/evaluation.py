"""Score predicted attributions against hand-annotated ones (PolNeAR's JSONL format).

A prediction matches a gold attribution of the same kind (direct or indirect) when their
spans overlap by at least half of the shorter one; gold content is scored by its fragments,
so a quote split by its cue ('"A," he said, "B."') may be predicted as two pieces.
The speaker is right when the predicted mention overlaps the gold source span, or, for a
speaker resolved elsewhere in the text, when the predicted name ends with the gold source's
surname among the gold source's words ("Donald Trump" for gold "Trump" or
"Trump, the Republican nominee").
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_OVERLAP = 0.5


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def spans_match(predicted: tuple[int, int], fragments: list[tuple[int, int]]) -> bool:
    shared = sum(_overlap(predicted, f) for f in fragments)
    shorter = min(predicted[1] - predicted[0], sum(e - s for s, e in fragments))
    return shorter > 0 and shared >= MIN_OVERLAP * shorter


def speaker_matches(prediction: dict, gold: dict) -> bool:
    source = gold.get("source")
    if not source:
        return prediction.get("speaker_start") is None and not prediction.get("speaker")
    if prediction.get("speaker_start") is not None:
        mention = (prediction["speaker_start"], prediction["speaker_end"])
        if any(_overlap(mention, tuple(f)) > 0 for f in source["fragments"]):
            return True
    name = (prediction.get("speaker") or "").lower().split()
    gold_words = {w.strip(",.;:()") for w in source["text"].lower().replace("’s", "").replace("'s", "").split()}
    return bool(name) and name[-1] in gold_words


@dataclass
class Score:
    n_gold: int = 0
    n_predicted: int = 0
    matched_predictions: int = 0
    matched_gold: int = 0
    speaker_right: int = 0  # matched predictions whose speaker is right
    attributed_predictions: int = 0
    attributed_gold: int = 0

    @staticmethod
    def _f1(p: float, r: float) -> float:
        return 2 * p * r / (p + r) if p + r else 0.0

    def metrics(self) -> dict[str, float]:
        precision = self.matched_predictions / self.n_predicted if self.n_predicted else 0.0
        recall = self.matched_gold / self.n_gold if self.n_gold else 0.0
        a_precision = self.attributed_predictions / self.n_predicted if self.n_predicted else 0.0
        a_recall = self.attributed_gold / self.n_gold if self.n_gold else 0.0
        return {
            "gold": self.n_gold,
            "predicted": self.n_predicted,
            "precision": precision,
            "recall": recall,
            "f1": self._f1(precision, recall),
            "speaker_accuracy": self.speaker_right / self.matched_predictions if self.matched_predictions else 0.0,
            "attributed_precision": a_precision,
            "attributed_recall": a_recall,
            "attributed_f1": self._f1(a_precision, a_recall),
        }


def score_document(gold: list[dict], predicted: list[dict], score: Score) -> None:
    """Add one document's gold attributions (of one kind) and predictions to `score`."""
    score.n_gold += len(gold)
    score.n_predicted += len(predicted)
    gold_fragments = [[tuple(f) for f in g["content"]["fragments"]] for g in gold]
    matched_gold: set[int] = set()
    attributed_gold: set[int] = set()
    for prediction in predicted:
        span = (prediction["start"], prediction["end"])
        candidates = [i for i, fragments in enumerate(gold_fragments) if spans_match(span, fragments)]
        if not candidates:
            continue
        score.matched_predictions += 1
        matched_gold.update(candidates)
        right = [i for i in candidates if speaker_matches(prediction, gold[i])]
        if right:
            score.speaker_right += 1
            score.attributed_predictions += 1
            attributed_gold.update(right)
    score.matched_gold += len(matched_gold)
    score.attributed_gold += len(attributed_gold)


def evaluate(gold_documents: list[dict], predictions: dict[str, list[dict]]) -> dict[str, dict[str, float]]:
    """Metrics for direct and indirect attributions over a corpus."""
    direct, indirect = Score(), Score()
    for document in gold_documents:
        predicted = predictions.get(document["doc_id"], [])
        attributions = document["attributions"]
        score_document(
            [a for a in attributions if a["is_direct"]],
            [p for p in predicted if p["quote_type"] in {"direct", "partial"}],
            direct,
        )
        score_document(
            [a for a in attributions if not a["is_direct"]],
            [p for p in predicted if p["quote_type"] == "indirect"],
            indirect,
        )
    return {"direct": direct.metrics(), "indirect": indirect.metrics()}
