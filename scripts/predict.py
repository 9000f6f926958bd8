"""Predict quote attributions for a JSONL of articles.

    python scripts/predict.py IN.jsonl OUT.jsonl      (or: make predict IN=... OUT=...)

IN has one article object per line, as in the landing folder: the text under `text`, `body`,
`content` (or another alias), an optional `doc_id` (else `id`, the URL or the line number).
Lines that are not articles are reported and skipped. OUT gets one line per article:
{"doc_id", "quotes": [{"quote_text", "start", "end", "quote_type", "speaker", "speaker_start",
"speaker_end", "speaker_text", "speaker_type", "speaker_role", "cue"}]}, offsets into the given text.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from extractors.extract import load_pipeline
    from extractors.predict import predict, read_articles, write_jsonl
    from extractors.rules import load_rules
    from extractors.settings import Settings

    documents, problems = read_articles(args.source)
    for problem in problems:
        print(f"{args.source}: skipped {problem}", file=sys.stderr)
    if not documents:
        sys.exit(f"{args.source}: no article to predict on")
    settings = Settings.from_env()
    nlp = load_pipeline(settings.spacy_model)
    n = write_jsonl(args.out, predict(documents, nlp, load_rules(), settings.spacy_batch_size))
    print(f"wrote predictions for {n} articles to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
