"""Attribute quotations and reported speech to speakers with a spaCy parse.

One job per module:
- `direct`: quoted spans (from `extractors.quote_spans`) -> cue and speaker, in text order;
- `reported`: reported speech ("X said that ...", "according to X, ...") from candidates, kept
  by the model;
- `reported_content`: the reported-speech candidates (what a cue, verb, noun or adjective may
  report);
- `cues`: which tokens are reporting cues;
- `speech_filter`: which quoted spans are titles, names or stage directions, not speech;
- `candidates`: the token that names who used a cue (subject, "according to" object, ...);
- `people`, `roles`, `speakers`: from a mention to a canonical, typed speaker with a role
  ("Mr Peskov" -> "Dmitry Peskov", "she" -> the nearest compatible earlier subject, "the
  spokesman" -> the one person an earlier mention gave that role; an unnamed description
  keeps speaker NULL and its mention text);
- `names`: strip titles and honorifics from the front of a name;
- `record`: the one factory of QuoteRecord.
"""

from __future__ import annotations

from spacy.tokens import Doc

from extractors.attribution.direct import DirectQuotes
from extractors.attribution.names import strip_titles
from extractors.attribution.reported import ReportedSpeech
from extractors.records import QuoteRecord
from extractors.rules import Rules

__all__ = ["attribute_quotes", "strip_titles"]


def attribute_quotes(doc: Doc, article_id: str, rules: Rules, indirect: bool = True, model=None) -> list[QuoteRecord]:
    """Direct and partial quotations with their speakers, then reported speech, in text order.

    `model` decides (default: the shipped model, loaded once per process; see `model`)."""
    quotes = DirectQuotes(doc, article_id, rules, model)
    records = quotes.records()
    if indirect:
        records += ReportedSpeech(quotes).records()
    return sorted(records, key=lambda r: (r.start_char, r.end_char))
