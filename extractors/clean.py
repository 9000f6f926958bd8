"""Turn a raw article into clean text plus metadata (title, publication date, outlet).

Pure string logic driven by `extractors/rules/`: no spaCy here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timezone

from dateutil import parser as date_parser

from extractors.rules import Rules

# A first line this short that does not end a sentence is a headline.
_MAX_TITLE_WORDS = 25
# Date lines are looked for among the first lines of an article only.
_DATE_SEARCH_LINES = 12
_SENTENCE_END = re.compile(r"[.!?][\"”’']?$")


@dataclass(frozen=True)
class CleanedArticle:
    text: str
    title: str | None
    published_at: str | None
    outlet: str
    outlet_method: str


def parse_date_line(line: str, rules: Rules) -> str | None:
    """ISO 8601 UTC timestamp when the line is a date line, else None."""
    stripped = line.strip()
    if not any(p.fullmatch(stripped) for p in rules.date_lines):
        return None
    try:
        parsed = date_parser.parse(stripped, fuzzy=True)
    except (ValueError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def detect_outlet(raw_text: str, rules: Rules, metadata_outlet: str | None = None) -> tuple[str, str]:
    """(outlet, method): metadata first, then a text signature, else 'unknown'."""
    if metadata_outlet and metadata_outlet.strip():
        return metadata_outlet.strip(), "metadata"
    for pattern, outlet in rules.outlet_signatures:
        if pattern.search(raw_text):
            return outlet, "text_signature"
    return "unknown", "unknown"


def clean_article(
    raw_text: str,
    rules: Rules,
    metadata_outlet: str | None = None,
    metadata_title: str | None = None,
    metadata_published_at: str | None = None,
) -> CleanedArticle:
    """Drop boilerplate lines, lift the headline and date line out of the body.

    The body keeps one paragraph per non-empty source line, separated by a blank line, so
    paragraph boundaries stay visible to the quote finder.
    """
    lines = [line.strip() for line in raw_text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    kept = [line for line in lines if line and not rules.is_boilerplate(line)]

    published_at = metadata_published_at
    for index, line in enumerate(kept[:_DATE_SEARCH_LINES]):
        found = parse_date_line(line, rules)
        if found:
            kept.pop(index)
            published_at = published_at or found
            break

    title = metadata_title
    if kept and title is None:
        first = kept[0]
        if len(first.split()) <= _MAX_TITLE_WORDS and not _SENTENCE_END.search(first):
            title = kept.pop(0)
    elif kept and title is not None and kept[0] == title.strip():
        kept.pop(0)

    # Signature lines name the outlet but are not article text either.
    outlet, method = detect_outlet(raw_text, rules, metadata_outlet)
    body = [
        line for line in kept
        if not any(p.fullmatch(line) for p, _ in rules.outlet_signatures)
    ]
    return CleanedArticle(
        text="\n\n".join(body),
        title=title,
        published_at=published_at,
        outlet=outlet,
        outlet_method=method,
    )
