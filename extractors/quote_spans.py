"""Find quoted spans in text and normalise statements. Pure string logic, no NLP.

Quote marks are paired paragraph by paragraph, so one unbalanced mark costs at most the rest of
its paragraph, never the article. Recognised marks: curly double quotes, low-9 and guillemets,
straight double quotes, and the two-apostrophe mark some newspapers print ('').
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

_OPENERS = {"“", "„", "«"}
_CLOSERS = {"”", "»"}
# Marks that open when no quote is open and close when one is.
_MARK = re.compile(r"''|[“„«”»\"]")
_PARAGRAPH = re.compile(r"[^\n]+")


@dataclass(frozen=True)
class QuoteSpan:
    start: int  # first character of the quoted content (after the opening mark)
    end: int  # one past its last character (before the closing mark)
    mark_start: int  # position of the opening mark
    mark_end: int  # one past the closing mark (or the paragraph end when unclosed)
    paragraph_start: int
    paragraph_end: int
    closed: bool  # False when the paragraph ended before a closing mark
    continues_previous: bool  # a paragraph reopening a quote the previous one left open


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def find_quote_spans(text: str) -> list[QuoteSpan]:
    spans: list[QuoteSpan] = []
    for paragraph in _PARAGRAPH.finditer(text):
        p_start, p_end = paragraph.span()
        open_at: int | None = None  # index just after the opening mark
        open_mark = 0
        for mark in _MARK.finditer(text, p_start, p_end):
            symbol = mark.group()
            if open_at is None:
                if symbol in _CLOSERS:
                    continue  # stray closing mark: nothing to close
                open_at, open_mark = mark.end(), mark.start()
                continue
            if symbol in _OPENERS:
                # An opening mark while a quote is open: the earlier one was stray.
                open_at, open_mark = mark.end(), mark.start()
                continue
            start, end = _trimmed(text, open_at, mark.start())
            if start < end:
                spans.append(QuoteSpan(start, end, open_mark, mark.end(), p_start, p_end, True, False))
            open_at = None
        if open_at is not None:
            start, end = _trimmed(text, open_at, p_end)
            if start < end:
                spans.append(QuoteSpan(start, end, open_mark, p_end, p_start, p_end, False, False))
    return _link_continuations(text, spans)


def _link_continuations(text: str, spans: list[QuoteSpan]) -> list[QuoteSpan]:
    """Mark spans that reopen, at the start of a paragraph, a quote left open above."""
    linked: list[QuoteSpan] = []
    for index, span in enumerate(spans):
        previous = spans[index - 1] if index else None
        continues = (
            previous is not None
            and not previous.closed
            and span.mark_start == span.paragraph_start
            and text[previous.paragraph_end:span.paragraph_start].strip() == ""
        )
        linked.append(replace(span, continues_previous=continues))
    return linked


_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_NOT_WORD = re.compile(r"[^\w\s']")
_LOOSE_APOSTROPHE = re.compile(r"(?<!\w)'|'(?!\w)")
_SPACES = re.compile(r"\s+")


def normalize_statement(text: str) -> str:
    """The words of a statement, free of case, quote-mark and punctuation differences.

    "We’ll see. Let’s be patient." and "we'll see, let's be patient" normalise alike.
    """
    folded = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).lower()
    folded = _NOT_WORD.sub(" ", folded)
    folded = _LOOSE_APOSTROPHE.sub(" ", folded)
    return _SPACES.sub(" ", folded).strip()
