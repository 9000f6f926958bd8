"""Cross-validate the keep decision of quoted spans ("offline joint CV"): which spans become rows.

    .venv/bin/python scripts/keep_cv.py [--train ../shared/eval/polnear/train.jsonl]

The same folds as `make train`. Every quoted span is collected once with its speech features and
speaker candidates (the hand rules' speaker as the previous quote's, so candidates do not depend
on the model); per fold the speech decision and the speaker choice are refitted on the other
folds, and each held-out span gets p(speech), its chosen speaker and that choice's probability.
Then keep rules are scored as the pipeline scores them (direct F1 and attributed F1 over all
annotated direct quotes): p(speech) >= t alone, and p(speech) >= t1 and (choice probability >= c
or p(speech) >= t2), which drops a borderline span whose speaker is unsure and keeps one whose
speaker is clear. It reproduces `make train`'s figures within about 0.0005; only differences count.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from train_attribution import parsed, polnear

from extractors.attribution.direct import DirectQuotes
from extractors.attribution.model import LinearDecision, RuleModel, SoftmaxChoice
from extractors.attribution.training import SPEECH_THRESHOLD, Rows, fit_decision, fit_speaker_choice, folds
from extractors.evaluation import spans_match, speaker_matches


def collect(docs, gold: list[dict], rules) -> tuple[list[dict], Rows, Rows]:
    """Every quoted span (article, direct attributions it matches, which of them each candidate
    and the none row would get right) and the speech and speaker training rows."""
    spans, speech, speaker = [], Rows(), Rows()
    for article, (doc, document) in enumerate(zip(docs, gold)):
        attributions = document["attributions"]

        def on_quote(span, features, scored, none, article=article, attributions=attributions):
            matched = [k for k, a in enumerate(attributions)
                       if spans_match((span.start, span.end), [tuple(f) for f in a["content"]["fragments"]])]
            rights = [[k for k in matched if speaker_matches(
                {"speaker": o.speaker.name, "speaker_start": o.speaker.start, "speaker_end": o.speaker.end},
                attributions[k])] for o, _ in scored]
            rights.append([k for k in matched if not attributions[k].get("source")])
            speech.add(features, bool(matched), article)
            if matched:
                for (_, f), right in zip(scored + [(None, none)], rights):
                    speaker.add(f, bool(right), article, len(spans))
            spans.append({"article": article, "speech": features, "rows": [f for _, f in scored] + [none],
                          "rights": rights, "direct": {k for k in matched if attributions[k]["is_direct"]}})

        DirectQuotes(doc, str(document["doc_id"]), rules, RuleModel(), collect=on_quote).records()
    return spans, speech, speaker


def held_out(spans: list[dict], speech: Rows, speaker: Rows, gold: list[dict]) -> list[dict]:
    """Per span: p(speech), the probability of the chosen speaker row, and the attributions it
    gets right, from models fitted without the span's fold."""
    out: list[dict] = [{} for _ in spans]
    for train_idx, test_idx in folds(gold):
        train, test = set(train_idx), set(test_idx)
        decision = LinearDecision.from_json(fit_decision(speech.subset(train), SPEECH_THRESHOLD))
        fitted = fit_speaker_choice(speaker.subset(train))
        choice = SoftmaxChoice(fitted["weights"], fitted["bias"])
        for i, span in enumerate(spans):
            if span["article"] not in test:
                continue
            pick, top = choice.choose(span["rows"][:-1], span["rows"][-1])
            right = span["rights"][-1 if pick is None else pick]
            out[i] = {"p": decision.probability(span["speech"]), "top": top, "article": span["article"],
                      "direct": span["direct"], "right": right}
    return out


def score(out: list[dict], keep: list[bool], n_gold: int) -> tuple[float, float, int]:
    """(direct F1, attributed F1, rows kept), counted as `extractors.evaluation` counts them."""
    kept = matched = attributed = 0
    found, found_right = set(), set()
    for o, k in zip(out, keep):
        if not k:
            continue
        kept += 1
        if o["direct"]:
            matched += 1
            found.update((o["article"], d) for d in o["direct"])
            right = o["direct"] & set(o["right"])
            attributed += bool(right)
            found_right.update((o["article"], d) for d in right)

    def f1(p: float, r: float) -> float:
        return 2 * p * r / (p + r) if p + r else 0.0

    return f1(matched / kept, len(found) / n_gold), f1(attributed / kept, len(found_right) / n_gold), kept


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, default=polnear("train.jsonl"))
    parser.add_argument("--min-direct-f1", type=float, default=0.970)
    args = parser.parse_args()
    from extractors.rules import load_rules
    from extractors.settings import Settings

    gold = [json.loads(x) for x in args.train.read_text(encoding="utf-8").splitlines() if x.strip()]
    docs = parsed(gold, Settings.from_env().spacy_model)
    spans, speech, speaker = collect(docs, gold, load_rules())
    out = held_out(spans, speech, speaker, gold)
    n_gold = sum(a["is_direct"] for d in gold for a in d["attributions"])
    print("| keep rule | direct F1 | attributed F1 | rows kept |\n|---|---|---|---|")
    for t in (0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8):
        print("| p(speech) >= %.2f | %.4f | %.4f | %d |" % ((t,) + score(out, [o["p"] >= t for o in out], n_gold)))
    grid = []
    for t1 in (0.4, 0.5, 0.55, 0.6, 0.65):
        for t2 in (0.6, 0.65, 0.7, 0.8, 0.9, 0.95):
            for c in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
                if t2 > t1:
                    keep = [o["p"] >= t1 and (o["top"] >= c or o["p"] >= t2) for o in out]
                    grid.append((score(out, keep, n_gold), t1, t2, c))
    best_any = max(grid, key=lambda g: g[0][1])
    allowed = [g for g in grid if g[0][0] >= args.min_direct_f1]
    for label, g in (("best 2-D rule", best_any), (f"best 2-D rule with direct F1 >= {args.min_direct_f1}",
                                                    max(allowed, key=lambda g: g[0][1]) if allowed else None)):
        if g is not None:
            (f, af, n), t1, t2, c = g
            print(f"| {label}: p >= {t1} and (choice >= {c} or p >= {t2}) | {f:.4f} | {af:.4f} | {n} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
