"""Measure quote extraction on PolNeAR dev and compare it with textacy on the same articles.

    python scripts/evaluate.py [--gold ../shared/eval/polnear/dev.jsonl] [--peer .venv-peer/bin/python]
    (or: make eval)

Beside the dev figures it prints the 5-fold cross-validation figures over train that `make train`
measured and stored in the model file, so that CV and dev can be compared (dev is never tuned on).

Prints, for direct and indirect attributions, detection precision/recall/F1, speaker accuracy
on matched quotes and attributed F1 (quote matched AND speaker right), for Quotewire and for
textacy's direct_quotations with the same spaCy model, with words/s for each and Quotewire's
cost over bare nlp.pipe on the same texts. See extractors/evaluation.py for the matching rules.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _polnear(name: str) -> Path:
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "eval" / "polnear" / name).exists():
            return base / "shared" / "eval" / "polnear" / name
    return ROOT.parent / "shared" / "eval" / "polnear" / name


DEFAULT_GOLD = _polnear("dev.jsonl")


def table(results: dict[str, dict], kind: str) -> list[str]:
    names = list(results)
    lines = [f"| {kind} | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for metric in ("gold", "predicted", "precision", "recall", "f1", "speaker_accuracy", "attributed_f1"):
        cells = []
        for name in names:
            value = results[name][kind].get(metric) if kind in results[name] else None
            cells.append("-" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value)))
        lines.append(f"| {metric} | " + " | ".join(cells) + " |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description="Quotewire extraction evaluation")
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--peer", type=Path, help="python of the virtualenv that has textacy")
    args = parser.parse_args()
    if not args.gold.exists():
        print(f"SKIPPED: {args.gold} is absent (the PolNeAR corpus lives in ../shared/eval/polnear/)")
        return 0

    sys.path.insert(0, str(ROOT))
    from extractors.evaluation import evaluate
    from extractors.extract import load_pipeline
    from extractors.predict import predict, read_jsonl, write_jsonl
    from extractors.rules import load_rules
    from extractors.settings import Settings

    settings = Settings.from_env()
    spacy_model = settings.spacy_model
    gold = read_jsonl(args.gold)
    words = sum(len(d["text"].split()) for d in gold)
    nlp = load_pipeline(spacy_model)
    rules = load_rules()
    list(nlp.pipe(d["text"] for d in gold[:3]))  # warm up

    bare = float("inf")
    for _ in range(2):  # the faster of two runs, so that warm-up does not flatter extraction
        started = time.perf_counter()
        for _ in nlp.pipe((d["text"] for d in gold), batch_size=settings.spacy_batch_size):
            pass
        bare = min(bare, time.perf_counter() - started)

    started = time.perf_counter()
    ours = {row["doc_id"]: row["quotes"] for row in predict(gold, nlp, rules, settings.spacy_batch_size)}
    ours_seconds = time.perf_counter() - started

    from extractors.attribution.model import load_model

    model = load_model()
    cv = getattr(model, "data", {}).get("figures", {})
    results = {}
    speed = {}
    if "CV learned" in cv:
        results["quotewire CV (train, 5-fold)"] = cv["CV learned"]
        speed["quotewire CV (train, 5-fold)"] = "-"
    if "CV rules" in cv:
        results["hand rules CV (train)"] = cv["CV rules"]
        speed["hand rules CV (train)"] = "-"
    results["quotewire dev"] = evaluate(gold, ours)
    speed["quotewire dev"] = f"{words / ours_seconds:,.0f} words/s"
    notes = []
    if args.peer and args.peer.exists():
        with tempfile.TemporaryDirectory() as tmp:
            source, out = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
            write_jsonl(source, ({"doc_id": d["doc_id"], "text": d["text"]} for d in gold))
            done = subprocess.run(
                [str(args.peer), str(ROOT / "scripts" / "peer_textacy.py"), str(source), str(out), "--model", spacy_model],
                capture_output=True, text=True, check=True)
            stats = json.loads(done.stdout.strip().splitlines()[-1])
            peer = {row["doc_id"]: row["quotes"] for row in read_jsonl(out)}
        results["textacy dev"] = {"direct": evaluate(gold, peer)["direct"]}
        speed["textacy dev"] = f"{stats['words_per_second']:,.0f} words/s"
        notes.append(f"textacy rejected {stats['rejected']} of {stats['articles']} articles (odd number of quote marks)")
    else:
        notes.append("textacy peer not run (make eval creates .venv-peer for it)")

    print(f"{args.gold.name}: {len(gold)} articles, {words:,} words, spaCy model {spacy_model}; attribution model {model.name}")
    print()
    print("\n".join(table(results, "direct")))
    print("| words/s | " + " | ".join(speed[n] for n in results) + " |")
    print()
    print("\n".join(table({k: v for k, v in results.items() if "indirect" in v}, "indirect")))
    print()
    print(f"bare nlp.pipe (batch_size={settings.spacy_batch_size}): {words / bare:,.0f} words/s; Quotewire extraction: {words / ours_seconds:,.0f} words/s "
          f"({100 * (ours_seconds / bare - 1):+.0f}% time over bare parsing)")
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
