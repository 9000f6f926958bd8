"""Mentions and their aliases: the normalised names the registry compares.

Aliases
    Every mention is normalised to an alias: whitespace collapsed, punctuation stripped at both
    ends (a trailing full stop is kept on an abbreviation such as "U.S." or "J."), a possessive
    "'s" / "’s" / trailing apostrophe dropped, and a leading "the" dropped. For PERSON mentions,
    honorifics and title words at the front are dropped as well ("President Donald Trump" ->
    "Donald Trump", "Mr Peskov" -> "Peskov"); which words those are comes only from the rules
    data (`rules.is_honorific`, `rules.is_title`), never from this module. The last word of a
    name is kept unless it is an honorific ("Mr King" -> "King", "Mr" -> empty). A mention whose
    alias is empty is skipped. The alias keeps its capitalisation for display; comparisons use a
    key that ignores case, accents and full stops ("José", "Jose"; "J.D.", "JD").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.lang.en.stop_words import STOP_WORDS  # English function words, as data

from extractors.rules import Rules

LINKED_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"})
PERSON = "PERSON"

APOSTROPHES = ("'", "’")
POSSESSIVES = ("'s", "’s")
_ABBREVIATION = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]")  # "U.S" or "J" before a final "."

Key = tuple[str, ...]


@dataclass(frozen=True)
class Mention:
    article_id: str
    start_char: int
    end_char: int
    text: str
    label: str
    source: str  # "entity" (NER), "speaker" (a quote's speaker name) or "name_scan"


NAME_SCAN = "name_scan"  # the source of a name found by the scan of article texts (`name_scan`)


@dataclass(frozen=True)
class Alias:
    """A mention with its normalised alias."""

    mention: Mention
    display: str  # the alias as written ("Donald Trump")
    key: Key  # comparison words: case-, accent- and full-stop-insensitive
    dropped: bool  # honorifics or titles (not just "the") were dropped from its front
    # A background form (`entities.link_registry`): the mentions of this form it stands for, and
    # its place in the background list; a mention to link has n = 1 and no form.
    n: int = 1
    form: int | None = None


def _strip_ends(text: str) -> str:
    start, end = 0, len(text)
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return text[start:end]


def _drop_possessive(text: str) -> str:
    """'Trump's' -> 'Trump', 'Jones'' -> 'Jones' (text has no trailing punctuation but quotes)."""
    if text.lower().endswith(POSSESSIVES) and len(text) > 2 and text[-3].isalnum():
        return text[:-2]
    if text.endswith(APOSTROPHES):
        return text[:-1]
    return text


def _clean_text(text: str) -> str:
    """Collapse whitespace, drop a possessive and punctuation at the ends, keep 'U.S.'."""
    text = " ".join(text.split())
    end = len(text)
    while end > 0 and not (text[end - 1].isalnum() or text[end - 1] in APOSTROPHES):
        end -= 1
    kept_stop = text[end:].startswith(".")
    text = _strip_ends(_drop_possessive(text[:end]))
    if kept_stop and text and _ABBREVIATION.fullmatch(text.split()[-1]):
        text += "."
    return text


def _is_front_word(word: str, is_person: bool, rules: Rules) -> bool:
    if word.lower() == "the":
        return True
    return is_person and (rules.is_honorific(word) or rules.is_title(word))


def _strip_front(words: list[str], is_person: bool, rules: Rules) -> list[str]:
    """Drop 'the' (and for people honorifics, titles and function words the NER swept into
    the name: "Then Trump", "That Hillary") from the front, keeping a last name."""
    while len(words) > 1 and (_is_front_word(words[0], is_person, rules)
                              or (is_person and words[0].lower() in STOP_WORDS)):
        words = words[1:]
    if words and (words[0].lower() == "the" or (is_person and rules.is_honorific(words[0]))):
        return []
    return words


def key_word(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.replace("’", "'"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _strip_ends(plain.casefold().replace(".", ""))


def make_key(words: Iterable[str]) -> Key:
    return tuple(k for k in (key_word(w) for w in words) if k)


def normalise(mention: Mention, rules: Rules) -> Alias | None:
    words = _clean_text(mention.text).split()
    kept = _strip_front(words, mention.label == PERSON, rules)
    key = make_key(kept)
    if not key:
        return None
    dropped = any(w.lower() != "the" for w in words[: len(words) - len(kept)])
    return Alias(mention, " ".join(kept), key, dropped=dropped)
