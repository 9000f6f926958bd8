"""Cross-validate the reported-speech decision alone, quickly, and show where recall is lost.

    .venv/bin/python scripts/reported_cv.py [--train ../shared/eval/polnear/train.jsonl]
        [--thresholds 0.5 0.55 0.6 0.65]

The same folds as `make train` (5, grouped by article, stratified by publisher). Reported-speech
candidates do not depend on the direct-quote decisions, so collecting them once and refitting
only the `reported` logistic regression per fold gives the same indirect figures as `make
train`, in a fraction of the time. Prints indirect precision, recall and F1 per threshold (with
the "only the outermost" rule), then, at the model's threshold, what became of each annotated
attribution: found, rejected by the model, dropped as nested, a candidate on its cue with
another span, or no candidate.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from train_attribution import parsed, polnear

from extractors.attribution.direct import DirectQuotes
from extractors.attribution.model import LinearDecision, RuleModel
from extractors.attribution.reported import ReportedSpeech
from extractors.attribution.training import REPORTED_THRESHOLD, Rows, fit_decision, folds
from extractors.evaluation import spans_match


def _indirect(document: dict) -> list[tuple[list[tuple[int, int]], list]]:
    return [([tuple(f) for f in a["content"]["fragments"]], (a.get("cue") or {}).get("fragments") or [])
            for a in document["attributions"] if not a["is_direct"]]


def _kept(candidates, probabilities, threshold: float, nested: bool = True) -> list[tuple[int, int]]:
    found = [(s, e, cue) for (s, e, cue, _), p in zip(candidates, probabilities) if p >= threshold]
    return [(s, e) for s, e, cue in found
            if not nested or not any(s2 <= cue < e2 for s2, e2, c2 in found if c2 != cue)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, default=polnear("train.jsonl"))
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.5, 0.55, 0.6, 0.65])
    args = parser.parse_args()
    from extractors.rules import load_rules
    from extractors.settings import Settings

    rules = load_rules()
    gold = [json.loads(x) for x in args.train.read_text(encoding="utf-8").splitlines() if x.strip()]
    docs = parsed(gold, Settings.from_env().spacy_model)
    candidates = []
    for doc, document in zip(docs, gold):
        found: list = []
        quotes = DirectQuotes(doc, str(document["doc_id"]), rules, RuleModel())
        ReportedSpeech(quotes, collect=lambda s, e, f, cue, found=found: found.append((s, e, cue.idx, f))).records()
        candidates.append(found)
    attributions = [_indirect(d) for d in gold]
    probabilities: list = [None] * len(gold)
    for train_idx, test_idx in folds(gold):
        rows = Rows()
        for i in train_idx:
            for s, e, _, f in candidates[i]:
                rows.add(f, any(spans_match((s, e), fr) for fr, _ in attributions[i]), i)
        model = LinearDecision.from_json(fit_decision(rows, REPORTED_THRESHOLD))
        for i in test_idx:
            probabilities[i] = [model.probability(f) for *_, f in candidates[i]]
    print(f"{sum(map(len, candidates))} candidates; {sum(map(len, attributions))} annotated indirect attributions")
    print("| threshold | predicted | precision | recall | F1 |\n|---|---|---|---|---|")
    for threshold in args.thresholds:
        predicted = matched = found = 0
        for cands, probs, gold_spans in zip(candidates, probabilities, attributions):
            kept = _kept(cands, probs, threshold)
            predicted += len(kept)
            matched += sum(any(spans_match(k, fr) for fr, _ in gold_spans) for k in kept)
            found += sum(any(spans_match(k, fr) for k in kept) for fr, _ in gold_spans)
        p, r = matched / max(1, predicted), found / max(1, sum(map(len, attributions)))
        print(f"| {threshold} | {predicted} | {p:.3f} | {r:.3f} | {2 * p * r / max(1e-9, p + r):.3f} |")
    fate: Counter = Counter()
    for cands, probs, gold_spans in zip(candidates, probabilities, attributions):
        kept, unnested = _kept(cands, probs, REPORTED_THRESHOLD), _kept(cands, probs, REPORTED_THRESHOLD, False)
        for fragments, cue in gold_spans:
            if any(spans_match(k, fragments) for k in kept):
                fate["found"] += 1
            elif any(spans_match(k, fragments) for k in unnested):
                fate["dropped as nested"] += 1
            elif any(spans_match((s, e), fragments) for s, e, _, _ in cands):
                fate["rejected by the model"] += 1
            elif any(any(a <= c < b for a, b in cue) for _, _, c, _ in cands):
                fate["candidate on its cue, another span"] += 1
            else:
                fate["no candidate"] += 1
    print(f"\nat threshold {REPORTED_THRESHOLD}: " + ", ".join(f"{k} {v}" for k, v in fate.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
