"""Turn a raw article into clean text plus metadata (title, publication date, outlet).

Pure string logic driven by `extractors/rules/` (spaCy's English stop-word list is the only
thing borrowed; no model is loaded here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timezone

from dateutil import parser as date_parser
from dateutil.tz import UTC, gettz

from extractors.rules import Rules

# A first line this short that does not end a sentence is a headline.
_MAX_TITLE_WORDS = 25
# Date lines are looked for among the first lines of an article only.
_DATE_SEARCH_LINES = 12
_SENTENCE_END = re.compile(r"[.!?][\"”’']?$")
# Zone abbreviations news sites print after a time; dateutil does not know them by itself.
_ZONES = {
    "ET": gettz("America/New_York"), "EST": gettz("America/New_York"), "EDT": gettz("America/New_York"),
    "CT": gettz("America/Chicago"), "PT": gettz("America/Los_Angeles"),
    "GMT": UTC, "UTC": UTC, "BST": gettz("Europe/London"), "CET": gettz("Europe/Paris"),
}


@dataclass(frozen=True)
class CleanedArticle:
    text: str
    title: str | None
    published_at: str | None
    author: str | None
    signature_outlet: str | None


def to_utc_iso(value: str | None) -> str | None:
    """A stated date or time as ISO 8601 UTC ('2017-01-27T14:13:00Z'), or None if unreadable."""
    if not value:
        return None
    try:
        parsed = date_parser.parse(value, fuzzy=True, tzinfos=_ZONES)
    except (ValueError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_date_line(line: str, rules: Rules) -> str | None:
    """ISO 8601 UTC timestamp when the line is a date line, else None."""
    stripped = line.strip()
    if not any(p.fullmatch(stripped) for p in rules.date_lines):
        return None
    return to_utc_iso(stripped)


def signature_outlet(raw_text: str, rules: Rules) -> str | None:
    """The outlet named by site chrome or a credit line in the text, if any."""
    for pattern, outlet in rules.outlet_signatures:
        if pattern.search(raw_text):
            return outlet
    return None


_NAME = r"[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){1,3}"
_BYLINE = re.compile(rf"(?:By\s+)?({_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*)")


def _byline(line: str) -> str | None:
    match = _BYLINE.fullmatch(line.strip())
    return match.group(1) if match else None


def english_share(text: str) -> float:
    """Share of words that are English stop words: about 0.4 in English news, near 0 otherwise."""
    from spacy.lang.en.stop_words import STOP_WORDS

    words = [w.strip(".,;:!?\"'“”‘’()").lower() for w in text.split()]
    words = [w for w in words if w]
    return sum(w in STOP_WORDS for w in words) / len(words) if words else 0.0


def clean_article(
    raw_text: str,
    rules: Rules,
    metadata_title: str | None = None,
    metadata_published_at: str | None = None,
    metadata_author: str | None = None,
) -> CleanedArticle:
    """Drop boilerplate lines; lift the headline, byline and date line out of the body.

    Metadata wins over what the text says. The body keeps one paragraph per non-empty source
    line, separated by a blank line, so paragraph boundaries stay visible to the quote finder.
    """
    lines = [line.strip() for line in raw_text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    kept = [line for line in lines if line and not rules.is_boilerplate(line)]

    published_at = to_utc_iso(metadata_published_at)
    author = metadata_author
    for index, line in enumerate(kept[:_DATE_SEARCH_LINES]):
        found = parse_date_line(line, rules)
        if found:
            kept.pop(index)
            published_at = published_at or found
            # A byline stands right above the date line ("Christian Lowe,Noah Barkin").
            # Only below a headline or after "By", so a title-case headline is not taken for one.
            above = kept[index - 1] if index > 0 else ""
            if _byline(above) and (index > 1 or above.startswith("By ")):
                author = author or _byline(kept.pop(index - 1))
            break

    title = metadata_title
    if kept and title is None:
        first = kept[0]
        if len(first.split()) <= _MAX_TITLE_WORDS and not _SENTENCE_END.search(first):
            title = kept.pop(0)
    elif kept and title is not None and kept[0] == title.strip():
        kept.pop(0)

    # Signature lines name the outlet but are not article text either.
    body = [
        line for line in kept
        if not any(p.fullmatch(line) for p, _ in rules.outlet_signatures)
    ]
    return CleanedArticle(
        text="\n\n".join(body),
        title=title,
        published_at=published_at,
        author=author,
        signature_outlet=signature_outlet(raw_text, rules),
    )
