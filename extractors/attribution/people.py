"""The people an article names: canonical names, genders and the mention a subject heads."""

from __future__ import annotations

from bisect import bisect_right

from spacy.tokens import Doc, Span, Token

from extractors.attribution.names import strip_titles
from extractors.rules import Rules

NAMED_LABELS = {"PERSON", "ORG", "GPE", "NORP"}


class People:
    """Per-article state: the people named in it, their fullest names and genders."""

    def __init__(self, doc: Doc, rules: Rules):
        self.doc = doc
        self.text = doc.text  # Doc.text joins every token on each access
        self.rules = rules
        self.full_names: list[list[str]] = []
        self.gender_by_surname: dict[str, str] = {}
        self.ents: list[Span] = list(doc.ents)  # Doc.ents and Token.sent rebuild on each access
        self._entity_at: dict[int, Span] = {t: ent for ent in self.ents for t in range(ent.start, ent.end)}
        self.sents: list[Span] = list(doc.sents)
        self._sent_starts = [sentence.start for sentence in self.sents]
        self._index_people()

    # ----- names -------------------------------------------------------------------------
    def _name_tokens(self, tokens: list[Token]) -> list[str]:
        """Words of a name without honorifics, titles, determiners or a possessive."""
        # An entity may run over a paragraph break ("Angela Merkel\n\nMs Conway"): keep the
        # part after the last break.
        breaks = [i for i, t in enumerate(tokens) if t.is_space or "\n" in t.whitespace_]
        if breaks:
            tokens = tokens[breaks[-1] + 1:] or tokens[:breaks[-1] + 1]
        while tokens and self._is_cue_word(tokens[0]):
            tokens = tokens[1:]  # 'Said Mark Ellis: "..."': NER takes the cue into the name
        words = [t.text for t in tokens if t.text not in {"'s", "’s", "'", "’"} and not t.is_punct and not t.is_space]
        return strip_titles(words, self.rules)

    def _is_cue_word(self, token: Token) -> bool:
        return token.pos_ in {"VERB", "AUX"} or token.lemma_.lower() in self.rules.cue_lemmas

    def sent(self, token: Token) -> Span:
        """The sentence of a token (Token.sent without its scan)."""
        return self.sents[bisect_right(self._sent_starts, token.i) - 1]

    def _index_people(self) -> None:
        for ent in self.ents:
            if ent.label_ != "PERSON":
                continue
            words = self._name_tokens(list(ent))
            if words:
                self.full_names.append(words)
            previous = self.doc[ent.start - 1] if ent.start > 0 else None
            if previous is not None and words:
                gender = self.rules.honorific_gender.get(previous.lower_)
                if gender:
                    self.gender_by_surname.setdefault(words[-1].lower(), gender)
        for token in self.doc:
            gender = self.rules.honorific_gender.get(token.lower_)
            if gender and token.i + 1 < len(self.doc) and self.doc[token.i + 1].pos_ == "PROPN":
                self.gender_by_surname.setdefault(self.doc[token.i + 1].lower_, gender)

    def canonical_person(self, words: list[str]) -> str:
        """The fullest name in the article with the same surname and a compatible first name."""
        surname = words[-1].lower()
        best = words
        for candidate in self.full_names:
            if candidate[-1].lower() != surname or len(candidate) <= len(best):
                continue
            if len(words) > 1 and candidate[0].lower()[:1] != words[0].lower()[:1]:
                continue
            best = candidate
        return " ".join(best)

    def is_known_surname(self, word: str) -> bool:
        return any(name[-1].lower() == word.lower() for name in self.full_names)

    def gender_of(self, name: str | None) -> str | None:
        if not name:
            return None
        return self.gender_by_surname.get(name.split()[-1].lower())

    # ----- mentions ----------------------------------------------------------------------
    def _entity_of(self, token: Token) -> Span | None:
        return self._entity_at.get(token.i)

    def _mention_span(self, head: Token) -> tuple[int, int]:
        """Character span of the noun phrase a subject heads, up to and including its name."""
        left = head
        for child in head.lefts:
            if child.dep_ in {"det", "amod", "compound", "poss", "nmod", "case", "flat", "nummod"}:
                left = min(left, child.left_edge, key=lambda t: t.i)
                break
        right = head
        ent = self._entity_of(head)
        if ent is not None:
            left = min(left, ent[0], key=lambda t: t.i)
            right = max(right, ent[-1], key=lambda t: t.i)
        while left.i < head.i and self._is_cue_word(left):
            left = self.doc[left.i + 1]  # "Said Ellis": the cue is no part of the mention
        if head.pos_ == "NOUN" and ent is None:
            # "a source in Berlin", "the head of the agency"
            for child in head.rights:
                phrase = self.text[head.idx:child.right_edge.idx]
                if child.dep_ == "prep" and child.i == right.i + 1 and "\n" not in phrase \
                        and not any(mark in phrase for mark in ('"', "“", "”", "''")):
                    right = child.right_edge  # never over a quotation ('seen by organizers as a "lifeboat"')
                break
        start, end = left.idx, right.idx + len(right.text)
        start = max(start, self.text.rfind("\n", start, head.idx) + 1)
        while start < head.idx and not self.text[start].isalnum():
            start += 1  # no leading dash, quote mark or space in a mention
        return start, end

    def _proper_noun_run(self, head: Token) -> list[Token]:
        """The proper nouns written right before `head` on the same line, and `head`."""
        run = [head]
        while run[0].i > 0:
            previous = self.doc[run[0].i - 1]
            if previous.pos_ != "PROPN" or previous.is_space or "\n" in previous.whitespace_ or self._is_cue_word(previous):
                break
            run.insert(0, previous)
        return run

    def name_of(self, head: Token) -> tuple[str | None, bool]:
        """(canonical name, is_person) of a subject token, or (None, False) if unnamed.

        Stricter than `named` for pronoun antecedents: a proper noun NER left untyped counts
        as a person only when its surname is a person's elsewhere in the article.
        """
        name, label = self.named(head)
        if name and label == "PERSON" and head.pos_ == "PROPN" and self._entity_of(head) is None:
            return name, self.is_known_surname(name.split()[-1])
        return name, label == "PERSON"

    def named(self, head: Token) -> tuple[str | None, str | None]:
        """(canonical name, entity type) of a subject token, or (None, None) if unnamed.

        "Mr Peskov" -> ("Dmitry Peskov", "PERSON"); "the Kremlin" -> ("Kremlin", "ORG");
        "Russia" -> ("Russia", "GPE"); a proper noun NER missed counts as a person's name.
        """
        ent = self._entity_of(head)
        if ent is not None and ent.label_ in NAMED_LABELS:
            words = self._name_tokens(list(ent))
            if not words:
                return None, None
            if ent.label_ == "PERSON" or self.is_known_surname(words[-1]):
                return self.canonical_person(words), "PERSON"
            return " ".join(words), ent.label_
        if head.pos_ == "PROPN":
            words = self._name_tokens(self._proper_noun_run(head))
            if words:
                # A proper noun NER left untyped, in a speaker's place, is taken for a person.
                return self.canonical_person(words), "PERSON"
        # A description with a named apposition: "Putin's spokesman, Dmitry Peskov".
        for child in head.children:
            if child.dep_ == "appos":
                name, label = self.named(child)
                if name:
                    return name, label
        return None, None
