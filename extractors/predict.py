"""Attribution predictions for any JSONL of articles ({"doc_id", "text"} per line).

Offsets refer to the text as given: no cleaning is applied, so that predictions can be scored
against annotations of that same text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Iterator

from extractors.attribution import attribute_quotes
from extractors.records import QuoteRecord
from extractors.rules import Rules


def as_prediction(quote: QuoteRecord) -> dict:
    return {
        "start": quote.start_char,
        "end": quote.end_char,
        "quote_type": quote.quote_type,
        "speaker": quote.speaker,
        "speaker_start": quote.speaker_start,
        "speaker_end": quote.speaker_end,
        "speaker_text": quote.speaker_mention,
        "speaker_type": quote.speaker_type,
        "speaker_role": quote.speaker_role,
        "cue": quote.cue,
    }


def predict(documents: Iterable[dict], nlp, rules: Rules, pipe_batch_size: int = 16) -> Iterator[dict]:
    documents = list(documents)
    texts = (d["text"] for d in documents)
    for document, doc in zip(documents, nlp.pipe(texts, batch_size=pipe_batch_size)):
        quotes = attribute_quotes(doc, str(document["doc_id"]), rules)
        yield {"doc_id": document["doc_id"], "quotes": [as_prediction(q) for q in quotes]}


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write_jsonl(path: Path, rows: Iterable[dict]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n
