"""Benchmark claim grouping on 100,000 quote occurrences synthesised from PolNeAR.

    .venv/bin/python scripts/benchmark_claims.py [--quotes 100000] [--polnear ../shared/eval/polnear]

Every annotated attribution of PolNeAR train and dev (its content span and source text) is a
statement; the benchmark reprints them until it has --quotes occurrences, the way outlets do:
the same words with other quote marks and case, a truncated half, a contraction, one word
changed. Speakers are the annotated source texts. It then times `assign_claims` (grouping,
in two nights: 90% then the last 10% against the claims of the first) and `describe_variants`,
and prints occurrences/s, claims found and peak memory. The PolNeAR texts are only read; it
prints SKIPPED when they are absent.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POLNEAR = ROOT.parent / "shared" / "eval" / "polnear"


def statements(polnear: Path) -> list[tuple[str | None, str]]:
    """(speaker, statement) of every annotated attribution of 3+ words in train and dev.

    Read with json directly: `extractors.predict.read_jsonl` would import spaCy and count its
    memory in the figure this benchmark reports.
    """
    found = []
    for split in ("train.jsonl", "dev.jsonl"):
        lines = (polnear / split).read_text(encoding="utf-8").splitlines()
        for article in (json.loads(line) for line in lines if line.strip()):
            for attribution in article["attributions"]:
                source = attribution.get("source") or {}
                text = attribution["content"]["text"]
                if len(text.split()) >= 3:
                    found.append(((source.get("text") or "").lower() or None, text))
    return found


def reprint(text: str, rng: random.Random) -> tuple[str, str]:
    """One outlet's printing of a statement: (kind of change, printed text)."""
    words = text.split()
    kind = rng.random()
    if kind < 0.4:
        return "quote marks", f"“{text}”"
    if kind < 0.6:
        return "case and punctuation", text.lower().rstrip(".") + "."
    if kind < 0.8 and len(words) > 6:
        return "second half only", " ".join(words[len(words) // 2:])
    if kind < 0.9:
        return "contractions", text.replace("let us", "let's").replace("do not", "don't").replace("will not", "won't")
    position = rng.randrange(len(words))
    return "one word changed", " ".join(words[:position] + ["reportedly"] + words[position + 1:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=100_000)
    parser.add_argument("--polnear", type=Path, default=DEFAULT_POLNEAR)
    args = parser.parse_args()
    if not (args.polnear / "train.jsonl").exists():
        print(f"SKIPPED: {args.polnear} is absent (the PolNeAR corpus lives in ../shared/eval/polnear/)")
        return 0

    sys.path.insert(0, str(ROOT))
    from extractors.linking.claim_blocks import assign_claims
    from extractors.linking.claims import Occurrence, describe_variants, load_statement_rules

    rng = random.Random(2026)
    base = statements(args.polnear)
    occurrences, kinds = [], []
    while len(occurrences) < args.quotes:
        speaker, text = base[len(occurrences) % len(base)]
        kind, printed = ("original", text) if len(occurrences) < len(base) else reprint(text, rng)
        occurrences.append(Occurrence(f"q{len(occurrences)}", speaker, printed))
        kinds.append(kind)
    rules = load_statement_rules()
    words = sum(len(o.text.split()) for o in occurrences)
    print(f"{len(base):,} PolNeAR statements reprinted into {len(occurrences):,} occurrences ({words:,} words)")

    first_night = int(len(occurrences) * 0.9)
    started = time.perf_counter()
    night_one = assign_claims(occurrences[:first_night], {}, rules)
    existing = {a.quote_id: a.claim_id for a in night_one}
    one = time.perf_counter() - started
    started = time.perf_counter()
    night_two = assign_claims(occurrences, existing, rules)
    two = time.perf_counter() - started
    claim_of = {**existing, **{a.quote_id: a.claim_id for a in night_two}}
    started = time.perf_counter()
    variants, _ = describe_variants([(o.quote_id, claim_of[o.quote_id], o.text) for o in occurrences], rules)
    describe = time.perf_counter() - started

    n_claims = len(set(claim_of.values()))
    print(f"grouping night 1 ({first_night:,} occurrences): {one:.1f} s, {first_night / one:,.0f} occurrences/s")
    print(f"grouping night 2 ({len(occurrences) - first_night:,} new against {len(existing):,} placed): {two:.1f} s")
    print(f"variants of every claim: {describe:.1f} s")
    print(f"total {one + two + describe:.1f} s; {n_claims:,} claims, {len(variants):,} variants, "
          f"{sum(v.material_change for v in variants):,} material changes")
    # Does each reprint land in the claim of the statement it was made from?
    grouped, printed = Counter(), Counter()
    for i in range(len(base), len(occurrences)):
        printed[kinds[i]] += 1
        grouped[kinds[i]] += claim_of[f"q{i}"] == claim_of[f"q{i % len(base)}"]
    print("reprints in their statement's claim: " + ", ".join(
        f"{kind} {grouped[kind] / printed[kind]:.1%} of {printed[kind]:,}" for kind in sorted(printed)))
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
