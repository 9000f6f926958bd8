"""Cues: the reporting verbs (and "according to", "as X put it") that introduce speech."""

from __future__ import annotations

from spacy.tokens import Token

from extractors.attribution.candidates import SUBJECT_DEPS
from extractors.rules import Rules


def is_bare_clause(clause: Token) -> bool:
    """A finite clause with its own subject and no subordinating conjunction ("he would go")."""
    return (
        not any(c.dep_ == "mark" for c in clause.children)
        and any(c.dep_ in SUBJECT_DEPS for c in clause.children)
        and clause.tag_ not in {"VBG", "VBN"}
    )


def _follows_phrase(token: Token, phrases: tuple[tuple[str, ...], ...]) -> bool:
    for phrase in phrases:
        start = token.i - len(phrase) + 1
        if start >= 0 and tuple(t.lower_ for t in token.doc[start:token.i + 1]) == phrase:
            return True
    return False


def _is_as_put_it(token: Token) -> bool:
    """'As Ms. Simonyan put it, "..."': "put it" introduced by "as" reports words."""
    return (
        token.lemma_.lower() == "put"
        and any(c.dep_ == "dobj" and c.lower_ == "it" for c in token.children)
        and any(c.dep_ in {"mark", "advmod"} and c.lower_ == "as" for c in token.children)
    )


def is_cue(token: Token, rules: Rules, lemmas: frozenset[str] | None = None) -> bool:
    if token.lower_ == "according" and token.i + 1 < len(token.doc) and token.nbor().lower_ == "to":
        return True
    if _is_as_put_it(token):
        return True
    if token.pos_ not in {"VERB", "AUX"} or token.lemma_.lower() not in (lemmas or rules.cue_lemmas):
        return False
    return not _follows_phrase(token, rules.not_cues)  # "so-called" is no reporting verb

