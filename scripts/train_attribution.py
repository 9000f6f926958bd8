"""Train the attribution model from annotated articles and print cross-validated figures.

    python scripts/train_attribution.py [--train ../shared/eval/polnear/train.jsonl]
        [--dev ../shared/eval/polnear/dev.jsonl] [--out extractors/attribution/models/attribution-v1.json]
    (or: make train)

Deterministic: the same data, spaCy model and code give the same file. Parsed articles are
cached (spaCy DocBin) outside the repository, in $QUOTEWIRE_PARSE_CACHE (default
~/.cache/quotewire/), keyed by the texts and the spaCy model, so a second run skips parsing and
no annotated text ever sits in the working tree. The dev split, when given, is scored once with the final model and
reported beside cross-validation; it is never used to choose anything.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

from extractors.attribution.model import DEFAULT_MODEL, LearnedModel
from extractors.attribution.training import (
    N_FOLDS,
    collect_rows,
    cross_validate,
    fit_model,
    predict_with,
    reported_speaker_accuracy,
)
from extractors.evaluation import evaluate

ROOT = Path(__file__).resolve().parent.parent


def polnear(name: str) -> Path:
    """The PolNeAR split next to the project, wherever its checkout sits."""
    for base in (ROOT.parent, ROOT.parent.parent):
        path = base / "shared" / "eval" / "polnear" / name
        if path.exists():
            return path
    return ROOT.parent / "shared" / "eval" / "polnear" / name


def parsed(rows: list[dict], model_name: str):
    """spaCy Docs of the rows' texts, from the cache when it holds them."""
    from spacy.tokens import DocBin

    from extractors.extract import load_pipeline

    nlp = load_pipeline(model_name)
    key = hashlib.sha256((model_name + nlp.meta.get("version", "") + "".join(r["text"] for r in rows)).encode()).hexdigest()[:16]
    folder = Path(os.environ.get("QUOTEWIRE_PARSE_CACHE") or Path.home() / ".cache" / "quotewire")
    cache = folder / f"parsed-{key}.spacy"
    if cache.exists():
        return list(DocBin().from_disk(cache).get_docs(nlp.vocab))
    docs = list(nlp.pipe((r["text"] for r in rows), batch_size=16, n_process=1))
    cache.parent.mkdir(parents=True, exist_ok=True)
    bin_ = DocBin(store_user_data=False)
    for doc in docs:
        bin_.add(doc)
    bin_.to_disk(cache)
    return docs


def line(name: str, m: dict) -> str:
    return (f"| {name} | {m['gold']} | {m['predicted']} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} "
            f"| {m['speaker_accuracy']:.3f} | {m['attributed_f1']:.3f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description="Train the attribution model")
    parser.add_argument("--train", type=Path, default=polnear("train.jsonl"))
    parser.add_argument("--dev", type=Path, default=polnear("dev.jsonl"))
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--no-cv", action="store_true", help="skip cross-validation")
    args = parser.parse_args()
    from extractors.rules import load_rules
    from extractors.settings import Settings

    spacy_model = Settings.from_env().spacy_model
    rules = load_rules()
    gold = [json.loads(x) for x in args.train.read_text(encoding="utf-8").splitlines() if x.strip()]
    docs = parsed(gold, spacy_model)
    rows = collect_rows(docs, gold, rules)
    print(f"{args.train.name}: {len(gold)} articles; candidates: "
          + ", ".join(f"{k} {len(r.labels)} ({sum(r.labels)} positive)" for k, r in rows.items()))
    sys.stdout.flush()
    rows["reported_speaker"] = reported_speaker_accuracy(docs, gold, rules)
    header = ["| figure | gold | predicted | precision | recall | F1 | speaker accuracy | attributed F1 |",
              "|---|---|---|---|---|---|---|---|"]
    results = {}
    if not args.no_cv:
        cv = cross_validate(docs, gold, rules, rows)
        results["CV learned"] = cv["learned"]
        results["CV rules"] = cv["rules"]
    model_data = fit_model(rows)
    figures = {name: r for name, r in results.items()}
    if args.dev and args.dev.exists():
        dev_gold = [json.loads(x) for x in args.dev.read_text(encoding="utf-8").splitlines() if x.strip()]
        results["dev learned"] = evaluate(dev_gold, predict_with(LearnedModel(model_data), parsed(dev_gold, spacy_model), dev_gold, rules))
        figures["dev learned"] = results["dev learned"]
    for kind in ("direct", "indirect"):
        print(f"\n{kind} ({N_FOLDS}-fold CV over {args.train.name}, grouped by article, stratified by publisher)")
        print("\n".join(header))
        for name, r in results.items():
            print(line(name, r[kind]))
    model_data = {
        "format": "quotewire-attribution-linear/2",
        "spacy_model": spacy_model,
        "trained_on": f"{args.train.name} ({len(gold)} articles)",
        "figures": {name: {kind: {k: round(v, 4) if isinstance(v, float) else v for k, v in r[kind].items()}
                           for kind in r} for name, r in figures.items()},
        **model_data,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model_data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    n = sum(len(model_data[k]["weights"]) for k in ("speech", "speaker", "reported"))
    print(f"\nwrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}: {n} weights")
    return 0


if __name__ == "__main__":
    sys.exit(main())
