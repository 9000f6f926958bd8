"""Speaker resolution: from a subject mention to a canonical, typed speaker with a role.

A pronoun resolves to the nearest compatible earlier subject; a relative "who" to its noun; a
definite description to the one person an earlier mention gave that role; an unnamed
description keeps speaker NULL and its mention text (an unnamed source, never guessed).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from extractors.attribution.candidates import SUBJECT_DEPS
from extractors.attribution.roles import RolesAndPeople
from extractors.rules import Rules

_RELATIVE_PRONOUNS = {"who", "that", "which"}
# How many sentences back a pronoun looks for its antecedent.
_PRONOUN_LOOKBACK_SENTENCES = 4


@dataclass(frozen=True)
class Speaker:
    name: str | None
    mention: str | None
    start: int | None
    end: int | None
    type: str | None = None  # PERSON | ORG | GPE | NORP when named
    role: str | None = None  # "Putin's spokesman"


NO_SPEAKER = Speaker(None, None, None, None)


class ArticleAttributor(RolesAndPeople):
    """Per-article state: the people named in it, their roles, and speaker resolution."""

    def __init__(self, doc: Doc, rules: Rules):
        super().__init__(doc, rules)

    def resolve_pronoun(self, pronoun: Token, inside_quote) -> str | None:
        wanted = self.rules.pronoun_gender.get(pronoun.lower_)
        if pronoun.lower_ not in self.rules.pronoun_gender or pronoun.lower_ in {"they", "we", "i"}:
            return None
        sentences = self.sents
        here = bisect_right(self._sent_starts, pronoun.i) - 1
        for sentence in reversed(sentences[max(0, here - _PRONOUN_LOOKBACK_SENTENCES):here + 1]):
            tokens = [t for t in sentence if t.i < pronoun.i and not inside_quote(t)]
            subjects = [t for t in tokens if t.dep_ in SUBJECT_DEPS]
            if sentence.start > pronoun.i or pronoun.i >= sentence.end:
                # an earlier sentence: its subjects in text order, the first first (tried after
                # `reversed` below); ordering by parse depth instead was never in effect (the depth
                # helper compared spaCy tokens by identity) and is not measured here
                subjects.sort(key=lambda t: -t.i)
            others = [t for t in reversed(tokens) if t.ent_type_ == "PERSON" and t.dep_ not in SUBJECT_DEPS]
            for candidate in [*reversed(subjects), *others]:
                if candidate.lower_ in self.rules.pronoun_gender:
                    name = self.resolve_pronoun(candidate, inside_quote)
                    is_person = name is not None
                else:
                    name, is_person = self.name_of(candidate)
                if not name or not is_person:
                    continue
                gender = self.gender_of(name)
                if wanted and gender and gender != wanted:
                    continue
                return name
        return None

    def speaker_of(self, subject: Token, inside_quote) -> Speaker:
        """Mention, canonical name, type and role of the speaker a subject token stands for."""
        start, end = self._mention_span(subject)
        mention = self.text[start:end]
        if subject.lower_ in self.rules.pronoun_gender:
            name = self.resolve_pronoun(subject, inside_quote)
            return self._with_name(name, "PERSON" if name else None, None, mention, start, end, subject.i)
        if subject.lower_ in _RELATIVE_PRONOUNS and subject.head.dep_ == "relcl":
            # "an architect who said": the mention is "who", the name is the architect's.
            subject = subject.head.head
        name, label = self.named(subject)
        role, _ = self.role_of(subject)
        if name is None:
            resolved = self.resolve_description(subject)
            if resolved is not None:
                return Speaker(resolved.name, mention, start, end, "PERSON", resolved.role)
        return self._with_name(name, label, role, mention, start, end, subject.i)

    def _with_name(self, name, label, role, mention, start, end, position) -> Speaker:
        if name is None:
            return Speaker(None, mention, start, end)
        if role is None and label == "PERSON":
            role = self.earlier_role(name, position)
        return Speaker(name, mention, start, end, label, role)
