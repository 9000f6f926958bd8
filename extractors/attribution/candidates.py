"""Speaker candidates from the parse: the token that names who used a cue.

These rules generate candidates (a reporting verb's subject, the object of "according to", a
name between a quote and its cue, a name after an inverted cue); speaker resolution turns a
candidate token into a speaker.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from extractors.attribution.people import NAMED_LABELS

SUBJECT_DEPS = {"nsubj", "nsubjpass"}
# Clauses that share the subject of their head verb ("..., but added:", "..., saying").
_SUBJECT_SHARING_DEPS = {"conj", "advcl", "xcomp"}


def subject_of(verb: Token, inside_quote) -> Token | None:
    """Grammatical subject of a reporting verb, following shared-subject clauses upwards."""
    if verb.lower_ == "according":
        for child in verb.children:
            for grandchild in child.children:
                if grandchild.dep_ == "pobj" and not inside_quote(grandchild):
                    return grandchild
        return None
    shown = _shown_speaker(verb)
    if shown is not None and not inside_quote(shown):
        return shown
    current = verb
    for _ in range(4):
        for child in current.children:
            if child.dep_ in SUBJECT_DEPS and not inside_quote(child) and _can_speak(child):
                return child
        if current.dep_ == "pcomp" and current.head.dep_ == "prep" and current.head.head.pos_ in {"VERB", "AUX"}:
            current = current.head.head  # "began by saying", "after saying ..., she was"
            continue
        if current.dep_ not in _SUBJECT_SHARING_DEPS or current.head is current:
            return None
        current = current.head
    return None


def _shown_speaker(verb: Token) -> Token | None:
    """'footage of Hillary Clinton asking, "..."': the person a participle cue directly follows
    when that person is the object of "of" (a recording, a video, a clip of someone speaking)."""
    if verb.tag_ != "VBG" or verb.i == 0:
        return None
    before = verb.doc[verb.i - 1]
    if before.ent_type_ != "PERSON":
        return None
    name = before
    while name.dep_ in {"compound", "flat"} and name.head.i > name.i:
        name = name.head
    if name.dep_ == "pobj" and name.head.lower_ == "of":
        return name
    return None


def _can_speak(token: Token) -> bool:
    """Nouns, names and pronouns can be speakers; a parse error such as "5:45 p.m." cannot."""
    return (
        token.pos_ in {"NOUN", "PROPN", "PRON"}
        and any(c.isalpha() for c in token.text)
        and token.lower_ not in {"a.m.", "p.m.", "am", "pm"}
    )


def name_between(doc: Doc, start: int, cue: Token) -> Token | None:
    """The last token of the first named entity between a quote's end and its cue.

    For '"...", Portman, co-chairman of the caucus, said' when the parse gave "said" no subject.
    """
    if cue.idx < start:
        return None
    for ent in doc.ents:
        if start <= ent.start_char and ent.end_char <= cue.idx and ent.label_ in NAMED_LABELS:
            return ent[-1]
    return None


def name_after(cue: Token) -> Token | None:
    """'Said Ellis: "..."': the last word of the name right after a cue the parse gave no subject.

    NER often misses the name or swallows the cue into it ("Said Mark Ellis"), so the name is
    the run of proper nouns after the cue, up to the first punctuation.
    """
    doc = cue.doc
    run: list[Token] = []
    for token in doc[cue.i + 1:cue.i + 6]:
        if token.pos_ != "PROPN" or token.is_space:
            break
        run.append(token)
        if "\n" in token.whitespace_:
            break
    if run:
        return run[-1]
    for ent in doc.ents:
        if cue.i < ent.start <= cue.i + 2 and ent.label_ in NAMED_LABELS:
            return ent[-1]
    return None
