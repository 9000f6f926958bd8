"""Which quoted spans are not speech: titles, names and nicknames, stage directions."""

from __future__ import annotations

from extractors.quote_spans import QuoteSpan
from extractors.rules import Rules

# Spans shorter than this with no reporting verb are scare quotes, not speech.
MIN_UNCUED_WORDS = 4
# Quoted titles are short and capitalise every word ("This Morning").
_MAX_TITLE_WORDS = 5


def is_title_shaped(text: str, rules: Rules) -> bool:
    """Short, every content word capitalised, no sentence end: "This Morning", "Face the Nation"."""
    words = text.rstrip(",.;:").split()
    return (
        0 < len(words) <= _MAX_TITLE_WORDS
        and words[0][:1].isupper()
        and all(w[:1].isupper() or not w[:1].isalpha() or w.lower() in rules.title_function_words for w in words)
        and text.rstrip()[-1:] not in {"!", "?"}
    )


def in_title_context(text: str, span: QuoteSpan, rules: Rules) -> bool:
    """A title or a name in quotation marks, by what stands right before the opening mark.

    CBS' "This Morning" (a possessive), the book "Make Your Kid a Millionaire" (a title word),
    Marcia "Cia" Scott (a one-word nickname between the parts of a name).
    """
    before = text[span.paragraph_start:span.mark_start].rstrip()
    if before.endswith(("'s", "’s", "’", "'")):
        return True  # CBS’ "This Morning", CNN's "State of the Union"
    words = before.split()
    if not words:
        return False
    last = words[-1].lower().strip(",:")
    if last in rules.title_context:
        return True
    after = text[span.mark_end:span.paragraph_end].lstrip()
    quoted_words = text[span.start:span.end].split()
    return (
        len(quoted_words) == 1
        and words[-1][:1].isupper() and words[-1].isalpha()
        and after[:1].isupper() and after.split()[0].strip(",.;:").isalpha()
    )


def is_stage_direction(text: str) -> bool:
    """A quotation that is only a bracketed note: "(CROSSTALK.)", "[inaudible]"."""
    stripped = text.strip().rstrip(".,")
    return len(stripped) > 2 and stripped[0] in "([" and stripped[-1] in ")]" and stripped.count(stripped[0]) == 1

