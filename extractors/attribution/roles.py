"""Roles written with a name ("Kremlin spokesman Dmitry Peskov") and the definite descriptions
they resolve later in the article ("the spokesman said")."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from extractors.attribution.people import People

# Determiners that open a definite description ("the spokesman", "the president").
_DEFINITE = frozenset({"the", "this", "that"})


@dataclass(frozen=True)
class _RoleMention:
    """A named person written with a role: "Kremlin spokesman Dmitry Peskov"."""

    position: int  # token index of the name
    name: str
    role: str
    role_head: str  # lemma of the role's head noun: "spokesman"


class RolesAndPeople(People):
    """People with the roles the article gives them."""

    def __init__(self, doc, rules):
        super().__init__(doc, rules)
        self.roles: list[_RoleMention] = self._index_roles()

    def _phrase(self, tokens: list[Token]) -> str | None:
        """Text of a run of tokens without outer punctuation; None if no noun is in it."""
        while tokens and (tokens[0].is_punct or tokens[0].is_space):
            tokens = tokens[1:]
        while tokens and (tokens[-1].is_punct or tokens[-1].is_space):
            tokens = tokens[:-1]
        if not any(t.pos_ == "NOUN" or self.rules.is_title(t.text) for t in tokens):
            return None
        if "\n" in self.text[tokens[0].idx:tokens[-1].idx]:
            return None
        return self.text[tokens[0].idx:tokens[-1].idx + len(tokens[-1].text)]

    def role_of(self, head: Token) -> tuple[str | None, Token | None]:
        """(role text, role head) given with the name `head` heads, or (None, None).

        "Dmitry Peskov, Putin's spokesman, said": the name's apposition;
        "Putin's spokesman, Dmitry Peskov, said": the description the name is in apposition to;
        "Kremlin spokesman Dmitry Peskov said": the title words written before the name.
        """
        for child in head.rights:
            if child.dep_ != "appos":
                continue
            if child.pos_ == "NOUN":
                role = self._phrase([t for t in child.subtree if t.dep_ != "relcl" or t is child])
                if role:
                    return role, child
            elif child.pos_ == "PROPN" and head.pos_ == "NOUN":
                # the subject is the description itself: "Putin's spokesman, Dmitry Peskov"
                role = self._phrase(list(self.doc[head.left_edge.i:head.i + 1]))
                if role:
                    return role, head
        if head.dep_ == "appos" and head.head.pos_ == "NOUN" and head.head.i < head.i:
            description = head.head
            role = self._phrase(list(self.doc[description.left_edge.i:description.i + 1]))
            if role:
                return role, description
        ent = self._entity_of(head)
        first_name = ent.start if ent is not None else head.i
        if ent is not None:
            # titles NER put inside the entity ("President Donald Trump") belong to the role
            while first_name < head.i and (
                self.rules.is_title(self.doc[first_name].text) or self._is_cue_word(self.doc[first_name])
            ):
                first_name += 1
        left = head.left_edge.i
        before = [t for t in self.doc[left:first_name] if not self._is_cue_word(t)]
        while before and (before[0].lower_ in _DEFINITE or before[0].lower_ in {"a", "an"}
                          or self.rules.is_honorific(before[0].text)):
            before = before[1:]
        nouns = [t for t in before if t.pos_ == "NOUN" or self.rules.is_title(t.text)]
        if before and "\n" in self.text[before[0].idx:self.doc[first_name].idx]:
            return None, None  # a crosshead on the line above is not the name's title
        if before and nouns and not self.rules.is_honorific(before[-1].text):
            role = self._phrase(before)
            if role:
                return role, nouns[-1]
        return None, None

    def _index_roles(self) -> list[_RoleMention]:
        """Every person the article names together with a role, in text order."""
        roles = []
        for ent in self.ents:
            if ent.label_ != "PERSON":
                continue
            role, role_head = self.role_of(ent.root)
            if role:
                name, _ = self.named(ent.root)
                if name:
                    roles.append(_RoleMention(ent.root.i, name, role, role_head.lemma_.lower()))
        return roles

    def earlier_role(self, name: str, before: int) -> str | None:
        """The role the article gave `name` at its nearest earlier mention."""
        found = [r.role for r in self.roles if r.name == name and r.position < before]
        return found[-1] if found else None

    def resolve_description(self, head: Token) -> _RoleMention | None:
        """The one person an earlier mention ties to a definite description, if exactly one.

        "Kremlin spokesman Dmitry Peskov ... the spokesman said" -> Dmitry Peskov. An
        indefinite description ("a senior official") introduces someone new and is never
        resolved, and neither is a description two named people fit.
        """
        if head.pos_ != "NOUN" or not any(c.dep_ == "det" and c.lower_ in _DEFINITE for c in head.children):
            return None
        if any(c.dep_ in {"amod", "compound", "prep", "poss"} for c in head.children):
            return None  # "the former spokesman of the ministry" may be someone else
        lemma = head.lemma_.lower()
        candidates = [r for r in self.roles if r.role_head == lemma and r.position < head.i]
        if len({r.name for r in candidates}) != 1:
            return None
        return candidates[-1]
