"""Predict quote attributions for a JSONL of articles.

    python scripts/predict.py IN.jsonl OUT.jsonl      (or: make predict IN=... OUT=...)

IN has one {"doc_id", "text"} object per line. OUT gets one line per article:
{"doc_id", "quotes": [{"start", "end", "quote_type", "speaker", "speaker_start", "speaker_end",
"speaker_text", "cue"}]}, with offsets into the given text.
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
    from extractors.predict import predict, read_jsonl, write_jsonl
    from extractors.rules import load_rules
    from extractors.settings import Settings

    documents = read_jsonl(args.source)
    missing = [i for i, d in enumerate(documents, 1) if "doc_id" not in d or not isinstance(d.get("text"), str)]
    if missing:
        sys.exit(f"{args.source}: lines {missing[:10]} lack a doc_id or a text")
    settings = Settings.from_env()
    nlp = load_pipeline(settings.spacy_model)
    n = write_jsonl(args.out, predict(documents, nlp, load_rules(), settings.spacy_batch_size))
    print(f"wrote predictions for {n} articles to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
