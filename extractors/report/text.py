"""Pure text helpers of the report: every string they return is HTML-escaped.

- `mark_changes` shows a wording against the claim's canonical wording, word by word;
- `sentence_around` cuts the sentence(s) around a quote from the article's stored offsets;
- `context_html` renders that cut with the quote highlighted.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime
from html import escape

_WORD = re.compile(r"\S+")
# Characters that do not make a word different: punctuation and quote marks at either end.
_EDGE = re.compile(r"^[^\w]+|[^\w]+$")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
# The end of a sentence: a stop, optionally closed by a quote mark or bracket, then a space;
# or a line break (paragraphs).
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*\s+|\n+")


def _key(token: str) -> str:
    return _EDGE.sub("", token.translate(_APOSTROPHES).lower())


def _words(text: str) -> list[str]:
    """Whitespace-separated tokens, a token of punctuation only ("...") joined to its neighbour."""
    tokens: list[str] = []
    for token in _WORD.findall(text):
        if tokens and not (_key(token) and _key(tokens[-1])):
            tokens[-1] += " " + token
        else:
            tokens.append(token)
    return tokens


def mark_changes(canonical: str, variant: str) -> str:
    """The variant as HTML, its words that differ from the canonical wording marked.

    Replaced or added words are wrapped in <ins>, canonical words the variant dropped inside it
    are shown struck through in <del>, and a cut at either end (a truncation) is shown as an
    ellipsis. Case, punctuation at word edges and curly apostrophes do not count as changes.
    """
    canon_tokens = _words(canonical)
    variant_tokens = _words(variant)
    matcher = difflib.SequenceMatcher(
        a=[_key(t) for t in canon_tokens], b=[_key(t) for t in variant_tokens], autojunk=False)
    opcodes = matcher.get_opcodes()
    parts: list[str] = []
    for index, (tag, a0, a1, b0, b1) in enumerate(opcodes):
        at_edge = index == 0 or index == len(opcodes) - 1
        if tag == "equal":
            parts.append(escape(" ".join(variant_tokens[b0:b1])))
        elif tag == "delete" and at_edge:
            parts.append('<span class="cut" title="not printed">…</span>')
        elif tag == "delete":
            parts.append(f"<del>{escape(' '.join(canon_tokens[a0:a1]))}</del>")
        elif tag == "insert":
            parts.append(f"<ins>{escape(' '.join(variant_tokens[b0:b1]))}</ins>")
        else:  # replace
            was = escape(" ".join(canon_tokens[a0:a1]))
            parts.append(f'<del>{was}</del> <ins>{escape(" ".join(variant_tokens[b0:b1]))}</ins>')
    return " ".join(parts)


@dataclass(frozen=True)
class Context:
    """A quote in its article: the text before it, the quote itself and the text after it."""

    before: str
    quote: str
    after: str
    cut_before: bool  # the sentence was longer than the limit and was cut
    cut_after: bool


def sentence_around(text: str, start: int, end: int, limit: int = 400) -> Context:
    """The sentence(s) holding text[start:end], at most `limit` characters either side.

    The quote's offsets are 0-based characters into the article's clean text; a quote spanning
    several sentences is returned whole. When the quote is a sentence of its own (nothing but
    quote marks around it), the sentence before it and the one after it come too: that is
    where the article says who spoke.
    """
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"offsets {start}:{end} are outside a text of {len(text)} characters")
    window_start = max(0, start - limit)
    ends = list(_SENTENCE_END.finditer(text, window_start, start))
    begin = ends[-1].end() if ends else window_start
    if len(ends) > 1 and not _has_words(text[begin:start]):
        begin = ends[-2].end()
    stop, found = _sentence_end(text, end, limit)
    if found and not _has_words(text[end:stop]):
        stop, found = _sentence_end(text, stop, limit - (stop - end))
    return Context(
        before=text[begin:start].lstrip(),
        quote=text[start:end],
        after=text[end:stop].rstrip(),
        cut_before=not ends and window_start > 0,
        cut_after=not found and end + limit < len(text),
    )


def _has_words(text: str) -> bool:
    return re.search(r"\w", text) is not None


def _sentence_end(text: str, position: int, limit: int) -> tuple[int, bool]:
    """Where the sentence going on at `position` ends (its stop and closing marks included)."""
    found = _SENTENCE_END.search(text, position, position + max(limit, 0))
    if found is None:
        return min(len(text), position + max(limit, 0)), False
    return found.start() + len(found.group().rstrip()), True


def context_html(context: Context) -> str:
    return (
        ("… " if context.cut_before else "")
        + escape(context.before)
        + f"<mark>{escape(context.quote)}</mark>"
        + escape(context.after)
        + (" …" if context.cut_after else "")
    )


def when(moment: datetime | None, known: bool = True) -> str:
    """A UTC time as people read it; times the article did not state are labelled as such."""
    if moment is None:
        return "unknown"
    label = moment.strftime("%d %b %Y %H:%M UTC")
    return label if known else f"no date given (loaded {moment.strftime('%d %b %Y %H:%M')})"


def shorten(text: str | None, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
