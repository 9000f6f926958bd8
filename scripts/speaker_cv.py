"""Cross-validate the speaker choice alone, quickly ("offline CV").

    .venv/bin/python scripts/speaker_cv.py [--train ../shared/eval/polnear/train.jsonl] [--c 0.5 ...]

The same folds as `make train` (5, grouped by article, stratified by publisher). Every quoted
span that matches an annotated direct attribution is collected once with its speaker candidates
and labels (with the hand rules' speaker as the previous quote's, so the candidates do not depend
on the model), then the conditional logit is refitted per fold and scored on the held-out quotes:
the share whose chosen row (a candidate or none) is right. The speech decision is left out, so
the figure is lower than `make train`'s speaker accuracy (about 0.007) and only its differences
mean something; it takes about a minute against several for `make train`. Prints the accuracy
per C (inverse L2 strength) and by kind of right speaker (as `speaker_errors.py` sorts them).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from speaker_errors import kind_of
from train_attribution import parsed, polnear

import extractors.attribution.training as training
from extractors.attribution.direct import DirectQuotes
from extractors.attribution.model import RuleModel, SoftmaxChoice
from extractors.attribution.training import Rows, fit_speaker_choice, folds
from extractors.evaluation import spans_match, speaker_matches


def collect(docs, gold: list[dict], rules) -> tuple[Rows, list[tuple[int, str]]]:
    """Speaker rows of every matched direct quote (candidates, then the none row, per group) and
    each group's (article, kind of right speaker)."""
    rows, groups = Rows(), []
    for article, (doc, document) in enumerate(zip(docs, gold)):
        def on_quote(span, features, scored, none, article=article, document=document, text=doc.text):
            matched = [a for a in document["attributions"]
                       if spans_match((span.start, span.end), [tuple(f) for f in a["content"]["fragments"]])]
            if not matched or not any(a["is_direct"] for a in matched):
                return
            group = len(groups)
            for option, option_features in scored:
                s = option.speaker
                prediction = {"speaker": s.name, "speaker_start": s.start, "speaker_end": s.end}
                rows.add(option_features, any(speaker_matches(prediction, a) for a in matched), article, group)
            rows.add(none, any(not a.get("source") for a in matched), article, group)
            groups.append((article, kind_of(text, span, next((a["source"] for a in matched if a.get("source")), None))))

        DirectQuotes(doc, str(document["doc_id"]), rules, RuleModel(), collect=on_quote).records()
    return rows, groups


def score(rows: Rows, groups: list[tuple[int, str]], gold: list[dict]) -> tuple[float, Counter, Counter]:
    members = defaultdict(list)
    for i, group in enumerate(rows.groups):
        members[group].append(i)
    total, right = Counter(), Counter()
    for train_idx, test_idx in folds(gold):
        fitted = fit_speaker_choice(rows.subset(set(train_idx)))
        choice = SoftmaxChoice(fitted["weights"], fitted["bias"])
        held_out = set(test_idx)
        for group, (article, kind) in enumerate(groups):
            if article not in held_out:
                continue
            ids = members[group]
            pick, _ = choice.choose([rows.features[i] for i in ids[:-1]], rows.features[ids[-1]])
            total[kind] += 1
            right[kind] += rows.labels[ids[-1] if pick is None else ids[pick]]
    return sum(right.values()) / sum(total.values()), total, right


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, default=polnear("train.jsonl"))
    parser.add_argument("--c", type=float, nargs="+", default=[training.C_SPEAKER])
    args = parser.parse_args()
    from extractors.rules import load_rules
    from extractors.settings import Settings

    gold = [json.loads(x) for x in args.train.read_text(encoding="utf-8").splitlines() if x.strip()]
    docs = parsed(gold, Settings.from_env().spacy_model)
    rows, groups = collect(docs, gold, load_rules())
    for c in args.c:
        training.C_SPEAKER = c
        accuracy, total, right = score(rows, groups, gold)
        print(f"C={c}: offline speaker accuracy {accuracy:.4f} ({sum(right.values())} of {sum(total.values())} quotes)")
    for kind, n in total.most_common():
        print(f"  {kind}: {n} quotes, {right[kind] / n:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
