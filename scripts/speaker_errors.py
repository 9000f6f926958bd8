"""Break the cross-validated speaker errors of direct quotes down by kind.

    python scripts/speaker_errors.py [--train ../shared/eval/polnear/train.jsonl]

Same folds and model as `make train` (5-fold CV over train, grouped by article, stratified by
publisher). For every extracted quote that matches an annotated direct attribution, the speaker
is right, wrong with no right candidate among the rules' options ("missing candidate"), or
wrong although a right candidate was there ("misranked"); a wrong quote where the model chose
"none" (an unnamed source) while the annotation names one is also counted apart. Each is counted
under the kind of its right speaker, read from the annotation: where the source stands against the quote and what it
is (pronoun, name, description, document, ...). Prints a Markdown table for the model card.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

from train_attribution import parsed, polnear

from extractors.attribution.direct import DirectQuotes
from extractors.attribution.model import LearnedModel
from extractors.attribution.training import Rows, collect_rows, fit_model, folds, reported_speaker_accuracy
from extractors.evaluation import spans_match, speaker_matches

_PRONOUNS = {"he", "she", "they", "i", "we", "it", "him", "her", "them", "you", "who"}
_DOCUMENTS = re.compile(r"\b(report|e-?mail|memo|letter|statement|poll|survey|study|document|analysis|tweet|"
                        r"post|article|book|ad|video|release|filing|complaint|lawsuit|indictment|bill|platform|"
                        r"website|page|story|transcript|speech|interview)s?\b", re.I)
_OUTER_CUE = re.compile(r"\b(reports?|reported|writes|wrote|according)\b")
_INNER_CUE = re.compile(r"\b(said|says|told|added|asked)\b")


def kind_of(text: str, span, source: dict | None) -> str:
    """The kind of a quote's right speaker, from the annotated source and the text around it."""
    if not source:
        return "no source annotated (none is right)"
    start = source["fragments"][0][0]
    words = source["text"].strip()
    lower = words.lower()
    if lower in _PRONOUNS:
        return "pronoun"
    if start < span.paragraph_start:
        if text[start:span.paragraph_start].rstrip().endswith(":"):
            return "colon lead-in, previous paragraph"
        return "earlier paragraph (previous speaker, chain)"
    if start >= span.paragraph_end:
        return "later paragraph (\"Name, title\" line)"
    description = words[:1].islower() or lower.startswith(("the ", "a ", "an "))
    if start >= span.mark_end:
        if _OUTER_CUE.search(text[span.mark_end:span.paragraph_end]) and _INNER_CUE.search(text[span.mark_end:start]):
            return "outer reporter after the quote (\"X said, CNN reports\")"
        if _DOCUMENTS.search(lower):
            return "document or medium, after"
        return "description after the quote" if description else "name after the quote"
    if text[start:span.mark_start].rstrip().endswith(":"):
        return "colon lead-in, same paragraph"
    if _DOCUMENTS.search(lower):
        return "document or medium, before"
    return "description before the quote" if description else "name before the quote"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, default=polnear("train.jsonl"))
    args = parser.parse_args()
    from extractors.rules import load_rules
    from extractors.settings import Settings

    rules = load_rules()
    gold = [json.loads(x) for x in args.train.read_text(encoding="utf-8").splitlines() if x.strip()]
    docs = parsed(gold, Settings.from_env().spacy_model)
    rows = collect_rows(docs, gold, rules)
    rows["reported_speaker"] = reported_speaker_accuracy(docs, gold, rules)
    total, missing, misranked, chose_none = Counter(), Counter(), Counter(), Counter()
    for train_idx, test_idx in folds(gold):
        fold_rows = {k: r.subset(set(train_idx)) if isinstance(r, Rows) else r for k, r in rows.items()}
        model = LearnedModel(fit_model(fold_rows), "fold")
        for i in test_idx:
            direct = [a for a in gold[i]["attributions"] if a["is_direct"]]
            seen = {}

            def on_quote(span, features, scored, none, seen=seen):
                seen[(span.start, span.end)] = (span, [o.speaker for o, _ in scored])

            quotes = DirectQuotes(docs[i], str(gold[i]["doc_id"]), rules, model, collect=on_quote)
            for record in quotes.records():
                span, options = seen[(record.start_char, record.end_char)]
                matched = [a for a in direct if spans_match((span.start, span.end),
                                                            [tuple(f) for f in a["content"]["fragments"]])]
                if not matched:
                    continue
                kind = kind_of(docs[i].text, span, next((a["source"] for a in matched if a.get("source")), None))
                total[kind] += 1
                prediction = {"speaker": record.speaker, "speaker_start": record.speaker_start,
                              "speaker_end": record.speaker_end}
                if any(speaker_matches(prediction, a) for a in matched):
                    continue
                reachable = any(not a.get("source") for a in matched) or any(
                    speaker_matches({"speaker": s.name, "speaker_start": s.start, "speaker_end": s.end}, a)
                    for s in options for a in matched)
                (misranked if reachable else missing)[kind] += 1
                chose_none[kind] += record.speaker_mention is None
    n = sum(total.values())
    print(f"{n} extracted quotes matching a direct attribution; speaker accuracy "
          f"{1 - (sum(missing.values()) + sum(misranked.values())) / n:.3f}\n")
    print("| right speaker's kind | quotes | missing candidate | misranked | of the wrong: none chosen | accuracy |")
    print("|---|---|---|---|---|---|")
    for kind, count in total.most_common():
        print(f"| {kind} | {count:,} | {missing[kind]} | {misranked[kind]} | {chose_none[kind]} "
              f"| {1 - (missing[kind] + misranked[kind]) / count:.3f} |")
    print(f"| all | {n:,} | {sum(missing.values())} ({sum(missing.values()) / n:.1%}) "
          f"| {sum(misranked.values())} ({sum(misranked.values()) / n:.1%}) | {sum(chose_none.values())} | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
