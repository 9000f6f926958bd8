"""The one place a QuoteRecord is built from a span, its cue token and its speaker."""

from __future__ import annotations

from spacy.tokens import Token

from extractors.attribution.speakers import Speaker
from extractors.quote_spans import normalize_statement
from extractors.records import QuoteRecord, stable_id


def make_record(
    article_id: str,
    text: str,
    start: int,
    end: int,
    quote_type: str,
    speaker: Speaker,
    cue: Token | None,
    speech_confidence: float = 1.0,
    speaker_confidence: float = 1.0,
) -> QuoteRecord:
    """A quote record: `text[start:end]` said by `speaker`, introduced by `cue` (or none)."""
    quote_text = text[start:end]
    id_parts = (article_id, start, end, "indirect") if quote_type == "indirect" else (article_id, start, end)
    return QuoteRecord(
        quote_id=stable_id(*id_parts),
        article_id=article_id,
        quote_text=quote_text,
        start_char=start,
        end_char=end,
        quote_type=quote_type,
        speaker=speaker.name,
        speaker_mention=speaker.mention,
        speaker_start=speaker.start,
        speaker_end=speaker.end,
        cue=cue.text if cue is not None else None,
        cue_start=cue.idx if cue is not None else None,
        cue_end=cue.idx + len(cue.text) if cue is not None else None,
        normalized_text=normalize_statement(quote_text),
        speaker_type=speaker.type,
        speaker_role=speaker.role,
        speech_confidence=round(float(speech_confidence), 4),
        speaker_confidence=round(float(speaker_confidence), 4),
    )
