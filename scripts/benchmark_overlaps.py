"""Benchmark reprint detection (`extractors.linking.overlaps.find_overlaps`) on PolNeAR.

    .venv/bin/python scripts/benchmark_overlaps.py                 (840 train articles as they are)
    .venv/bin/python scripts/benchmark_overlaps.py --copies 3      (plus 2 altered copies of a sample)

Reads the PolNeAR train split from ../shared/eval/polnear/train.jsonl beside the project (the
texts stay outside the repository; nothing is written). With --copies K, a sample of the
articles (--sample-fraction, default 0.25) gets K-1 lightly altered copies each: the first half
of the copy's paragraphs come from the article, the second half from another article, and the
quote marks are restyled (straight <-> curly). Each copy must then be found paired with its
article and with the article that lent it the second half; the script reports how many of
those planted pairs were found (among those whose borrowed part is at least twice the
pipeline's threshold). Overlaps are found with the threshold the nightly run uses,
`REPRINT_MIN_SHARED_CHARS` (500 shared characters).

Prints: articles, words, seconds (find_overlaps only), articles/s, pairs found, planted pairs
found, peak RSS of this process (resource.getrusage, includes reading the file). Prints
SKIPPED when the corpus is absent.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "eval" / "polnear" / "train.jsonl"
_STRAIGHT_TO_CURLY = str.maketrans({"'": "\u2019", '"': "\u201d"})
_CURLY_TO_STRAIGHT = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def restyle_quotes(text: str) -> str:
    """Swap quote style: texts with curly marks get straight ones, others get curly ones."""
    if "\u2019" in text or "\u201d" in text:
        return text.translate(_CURLY_TO_STRAIGHT)
    return text.translate(_STRAIGHT_TO_CURLY)


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def make_copy(original: str, donor: str) -> tuple[str, int, int]:
    """First half of original's paragraphs, then the second half of donor's, quotes restyled.

    Also returns the characters taken from each, to tell which planted pairs are long enough
    to be findable at all.
    """
    own_paragraphs, donor_paragraphs = _paragraphs(original), _paragraphs(donor)
    own = own_paragraphs[: max(1, len(own_paragraphs) // 2)]
    lent = donor_paragraphs[len(donor_paragraphs) // 2 :]
    text = restyle_quotes("\n\n".join(own + lent))
    return text, sum(map(len, own)), sum(map(len, lent))


def add_copies(
    articles: list[tuple[str, str]], copies: int, fraction: float, seed: int, findable_chars: int
) -> tuple[list[tuple[str, str]], set[tuple[str, str]], int]:
    """The articles plus copies-1 altered copies of a sample.

    Also returns the planted (copy, source) pairs whose borrowed part holds at least
    `findable_chars` characters, and how many shorter planted pairs were left out of that set.
    """
    rng = random.Random(seed)
    sample = rng.sample(range(len(articles)), round(len(articles) * fraction)) if copies > 1 else []
    result = list(articles)
    planted: set[tuple[str, str]] = set()
    too_short = 0
    for index in sample:
        doc_id, text = articles[index]
        for number in range(1, copies):
            donor_id, donor_text = articles[rng.choice([i for i in range(len(articles)) if i != index])]
            copy_id = f"{doc_id}~copy{number}"
            copy_text, own_chars, lent_chars = make_copy(text, donor_text)
            result.append((copy_id, copy_text))
            for source_id, chars in ((doc_id, own_chars), (donor_id, lent_chars)):
                if chars >= findable_chars:
                    planted.add((min(copy_id, source_id), max(copy_id, source_id)))
                else:
                    too_short += 1
    return result, planted, too_short


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmark Quotewire reprint detection")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--copies", type=int, default=1, help="K: add K-1 altered copies of a sample")
    parser.add_argument("--sample-fraction", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    if args.copies < 1:
        parser.error("--copies must be at least 1")
    if not args.source.exists():
        print(f"SKIPPED: {args.source} is absent (the PolNeAR corpus lives in ../shared/eval/polnear/)")
        return 0

    sys.path.insert(0, str(ROOT))
    from extractors.linking.overlaps import REPRINT_MIN_SHARED_CHARS, find_overlaps

    # A planted pair counts as findable when the copy borrowed well over the threshold.
    findable_chars = 2 * REPRINT_MIN_SHARED_CHARS
    # Read with json directly: extractors.predict.read_jsonl would import spaCy and count its
    # memory in the peak this benchmark reports.
    lines = args.source.read_text(encoding="utf-8").splitlines()
    corpus = [(record["doc_id"], record["text"]) for record in (json.loads(line) for line in lines if line.strip())]
    articles, planted, too_short = add_copies(corpus, args.copies, args.sample_fraction, args.seed, findable_chars)
    words = sum(len(re.findall(r"\w+", text)) for _, text in articles)

    started = time.perf_counter()
    overlaps, reprints = find_overlaps(articles, min_shared_chars=REPRINT_MIN_SHARED_CHARS)
    seconds = time.perf_counter() - started

    found = {(o.article_a, o.article_b) for o in overlaps}
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    print(f"articles        {len(articles)}")
    print(f"words           {words}")
    print(f"seconds         {seconds:.2f}")
    print(f"articles/s      {len(articles) / seconds:.0f}")
    print(f"pairs found     {len(overlaps)}")
    print(f"reprinted arts  {sum(1 for r in reprints if r.reprinted_chars)}")
    if planted:
        print(f"planted found   {len(planted & found)}/{len(planted)} "
              f"(borrowed >= {findable_chars} chars; {too_short} shorter ones not counted)")
    print(f"peak RSS        {peak_mib:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
