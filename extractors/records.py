"""Typed records the extractors return and the loader writes to the raw tables.

Every span is a pair of integer character offsets into `ArticleRecord.text` (the stored clean
text), end exclusive, so `text[start_char:end_char]` is exactly the recorded string.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, fields
from typing import Any


def stable_id(*parts: object) -> str:
    """A short deterministic id: the same inputs give the same id in every run."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class ArticleRecord:
    """One article version. The outlet is decided in dbt, from these columns and the registry."""

    article_id: str
    content_hash: str  # of the landing file the article came from
    source_file: str
    record_index: int  # 0 for one-article files; the line or item number in .jsonl/.json
    text_hash: str  # of the article text, to spot the same article under two names
    metadata_outlet: str | None
    url: str | None
    domain: str | None  # the URL's host without "www."
    signature_outlet: str | None  # outlet named by site chrome in the text
    title: str | None
    author: str | None
    published_at: str | None  # ISO 8601, UTC
    language: str | None  # as stated by metadata
    extra_metadata: str | None  # JSON of the fields Quotewire does not use
    raw_text: str
    text: str
    n_words: int
    encoding: str | None = None  # of the landing file's bytes, as decided by extractors/decode.py
    truncated: str | None = None  # why and where the text was cut, when it was too long to parse


@dataclass(frozen=True)
class EntityRecord:
    entity_id: str
    article_id: str
    label: str
    entity_text: str
    start_char: int
    end_char: int


@dataclass(frozen=True)
class QuoteRecord:
    quote_id: str
    article_id: str
    quote_text: str
    start_char: int
    end_char: int
    quote_type: str  # direct | partial | indirect
    speaker: str | None  # the fullest name the article uses for the speaker; None if unnamed
    speaker_mention: str | None
    speaker_start: int | None
    speaker_end: int | None
    cue: str | None
    cue_start: int | None
    cue_end: int | None
    normalized_text: str
    speaker_type: str | None = None  # PERSON | ORG | GPE | NORP for a named speaker
    speaker_role: str | None = None  # role or title given in apposition: "Putin's spokesman"
    speech_confidence: float = 1.0  # the model's probability that the span is attributed speech
    speaker_confidence: float = 1.0  # its probability that `speaker_mention` is who said it


@dataclass(frozen=True)
class QuarantineRecord:
    source_file: str
    content_hash: str | None
    reason: str
    detail: str


def as_rows(records: list[Any], record_type: type) -> dict[str, list[Any]]:
    """Column-oriented dict of a list of records (empty lists keep every column)."""
    names = [f.name for f in fields(record_type)]
    columns: dict[str, list[Any]] = {name: [] for name in names}
    for record in records:
        for name, value in asdict(record).items():
            columns[name].append(value)
    return columns
