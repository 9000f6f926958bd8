"""Attribution predictions for any JSONL of articles, one object per line.

A line is read like a landing-folder record: the text under `text` or an alias (`body`,
`content`, ...); the id under `doc_id`, else `id`, else the URL, else the line number. Offsets
refer to the text as given: no cleaning is applied, so that predictions can be scored against
annotations of that same text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Iterator

from extractors.attribution import attribute_quotes
from extractors.readers import FIELD_ALIASES, split_fields
from extractors.records import QuoteRecord
from extractors.rules import Rules


class BadInput(ValueError):
    """A line that is not an article; the message names the line and what is wrong."""


def as_document(record: object, line: int) -> dict:
    """{"doc_id", "text"} of one input line, whatever names the fields go by."""
    if not isinstance(record, dict):
        raise BadInput(f"line {line}: not a JSON object")
    metadata, extra = split_fields(record)
    text = metadata.get("text")
    if not isinstance(text, str) or not text.strip():
        raise BadInput(f"line {line}: no article text (looked for {', '.join(FIELD_ALIASES['text'])})")
    doc_id = extra.get("doc_id", extra.get("id", metadata.get("url")))
    return {"doc_id": str(doc_id) if doc_id is not None else str(line), "text": text}


def as_prediction(quote: QuoteRecord) -> dict:
    return {
        "quote_text": quote.quote_text,
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


def read_articles(path: Path) -> tuple[list[dict], list[str]]:
    """(documents, problems): every readable line as {"doc_id", "text"}, and why the others are not."""
    documents, problems = [], []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                documents.append(as_document(json.loads(line), number))
            except json.JSONDecodeError as error:
                problems.append(f"line {number}: not JSON ({error.msg})")
            except BadInput as error:
                problems.append(str(error))
    return documents, problems


def write_jsonl(path: Path, rows: Iterable[dict]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n
