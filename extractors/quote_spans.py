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


def _looks_opening(text: str, start: int, end: int) -> bool:
    """A straight mark after a space (or bracket, dash) and before a word opens a quotation."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return (before.isspace() or before in "([—–-") and (after.isalnum() or after in "‘'(")


def _paragraph_spans(text: str, p_start: int, p_end: int) -> list[QuoteSpan]:
    """Pair the marks of one paragraph.

    Curly and straight marks are two families, so a curly quotation inside a straight one
    ('"PENCE: ... an episode of “Shark Tank.” ..."') nests instead of breaking the pairing.
    Sloppy typing still pairs: a curly quotation closed by a straight mark, or the reverse.
    A closing mark that opens a paragraph is taken for an opening one, as some sites print it.
    """
    spans: list[QuoteSpan] = []
    stack: list[tuple[str, int, int]] = []  # (family, mark start, content start)

    def close(at_mark: int, mark_end: int, closed: bool) -> None:
        _, mark_start, content_start = stack.pop()
        start, end = _trimmed(text, content_start, at_mark)
        if start < end:
            spans.append(QuoteSpan(start, end, mark_start, mark_end, p_start, p_end, closed, False))

    for mark in _MARK.finditer(text, p_start, p_end):
        symbol = mark.group()
        family = "curly" if symbol in _OPENERS or symbol in _CLOSERS else "straight"
        if symbol in _OPENERS:
            if stack and stack[-1][0] == "curly":
                stack.pop()  # an opening mark while one is open: the earlier one was stray
            stack.append(("curly", mark.start(), mark.end()))
        elif symbol in _CLOSERS:
            if stack:
                close(mark.start(), mark.end(), True)
            elif text[p_start:mark.start()].strip() == "":
                stack.append(("curly", mark.start(), mark.end()))
        elif stack and (stack[-1][0] == "straight" or not _looks_opening(text, mark.start(), mark.end())):
            close(mark.start(), mark.end(), True)
        else:
            stack.append((family, mark.start(), mark.end()))
    if stack:
        # Unclosed at the paragraph's end: the outermost quotation runs to it.
        del stack[1:]
        close(p_end, p_end, False)
    # A quotation inside another is part of it.
    return [
        s for s in spans
        if not any(o is not s and o.mark_start <= s.mark_start and s.mark_end <= o.mark_end for o in spans)
    ]


def find_quote_spans(text: str) -> list[QuoteSpan]:
    spans: list[QuoteSpan] = []
    for paragraph in _PARAGRAPH.finditer(text):
        spans.extend(_paragraph_spans(text, *paragraph.span()))
    return _link_continuations(text, sorted(spans, key=lambda s: s.start))


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
