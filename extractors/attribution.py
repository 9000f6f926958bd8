"""Attribute quoted spans to speakers with a spaCy parse.

For each span found by `quote_spans.find_quote_spans` the attributor
1. drops titles and scare quotes (short spans with no reporting verb nearby),
2. finds the nearest reporting (cue) verb outside the quote in the quote's sentences,
3. takes that verb's grammatical subject as the speaker mention ("Mr Peskov", "she",
   "a senior U.S. defense official"), or the object of "according to",
4. resolves the mention to a canonical name: the fullest form of a person's name used in the
   article ("Mr Peskov" -> "Dmitry Peskov"), the nearest compatible earlier subject for a
   pronoun, the named apposition of a description, or the one person an earlier mention
   gave that description ("Kremlin spokesman Dmitry Peskov ... the spokesman said"); an
   unnamed description keeps speaker NULL and its mention text,
5. types a named speaker (PERSON, ORG, GPE, NORP) and takes the role written with the name
   ("Dmitry Peskov, Putin's spokesman", "Kremlin spokesman Dmitry Peskov"), or given at an
   earlier mention of the same person.
A quote with no cue of its own takes the speaker of a reporting sentence just before it in the
same paragraph, or of the quote it continues.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from extractors.quote_spans import QuoteSpan, find_quote_spans, normalize_statement
from extractors.records import QuoteRecord, stable_id
from extractors.rules import Rules

_SUBJECT_DEPS = {"nsubj", "nsubjpass"}
_RELATIVE_PRONOUNS = {"who", "that", "which"}
# Clauses that share the subject of their head verb ("..., but added:", "..., saying").
_SUBJECT_SHARING_DEPS = {"conj", "advcl", "xcomp"}
_NAMED_LABELS = {"PERSON", "ORG", "GPE", "NORP"}
# Spans shorter than this with no reporting verb are scare quotes, not speech.
_MIN_UNCUED_WORDS = 4
# Quoted titles are short and capitalise every word ("This Morning").
_MAX_TITLE_WORDS = 5
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


_NO_SPEAKER = Speaker(None, None, None, None)
# Determiners that open a definite description ("the spokesman", "the president").
_DEFINITE = frozenset({"the", "this", "that"})


@dataclass(frozen=True)
class _RoleMention:
    """A named person written with a role: "Kremlin spokesman Dmitry Peskov"."""

    position: int  # token index of the name
    name: str
    role: str
    role_head: str  # lemma of the role's head noun: "spokesman"


class ArticleAttributor:
    """Per-article state: the people named in it and what was resolved so far."""

    def __init__(self, doc: Doc, rules: Rules):
        self.doc = doc
        self.text = doc.text  # Doc.text joins every token on each access
        self.rules = rules
        self.full_names: list[list[str]] = []
        self.gender_by_surname: dict[str, str] = {}
        self._entity_at: dict[int, Span] = {t: ent for ent in doc.ents for t in range(ent.start, ent.end)}
        self._index_people()
        self.roles: list[_RoleMention] = self._index_roles()

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
        while words and (
            self.rules.is_honorific(words[0]) or self.rules.is_title(words[0]) or words[0].lower() == "the"
        ):
            words.pop(0)
        return words

    def _is_cue_word(self, token: Token) -> bool:
        return token.pos_ in {"VERB", "AUX"} or token.lemma_.lower() in self.rules.cue_lemmas

    def _index_people(self) -> None:
        for ent in self.doc.ents:
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
                if child.dep_ == "prep" and child.i == right.i + 1 and "\n" not in self.text[head.idx:child.right_edge.idx]:
                    right = child.right_edge
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
        if ent is not None and ent.label_ in _NAMED_LABELS:
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

    # ----- roles and descriptions -----------------------------------------------------------
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
        for ent in self.doc.ents:
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

    # ----- pronouns ----------------------------------------------------------------------
    def resolve_pronoun(self, pronoun: Token, inside_quote) -> str | None:
        wanted = self.rules.pronoun_gender.get(pronoun.lower_)
        if pronoun.lower_ not in self.rules.pronoun_gender or pronoun.lower_ in {"they", "we", "i"}:
            return None
        sentences = list(self.doc.sents)
        here = next(i for i, s in enumerate(sentences) if s.start <= pronoun.i < s.end)
        for sentence in reversed(sentences[max(0, here - _PRONOUN_LOOKBACK_SENTENCES):here + 1]):
            tokens = [t for t in sentence if t.i < pronoun.i and not inside_quote(t)]
            subjects = [t for t in tokens if t.dep_ in _SUBJECT_DEPS]
            others = [t for t in reversed(tokens) if t.ent_type_ == "PERSON" and t.dep_ not in _SUBJECT_DEPS]
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


def _subject_of(verb: Token, inside_quote) -> Token | None:
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
            if child.dep_ in _SUBJECT_DEPS and not inside_quote(child) and _can_speak(child):
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


def _name_between(doc: Doc, start: int, cue: Token) -> Token | None:
    """The last token of the first named entity between a quote's end and its cue.

    For '"...", Portman, co-chairman of the caucus, said' when the parse gave "said" no subject.
    """
    if cue.idx < start:
        return None
    for ent in doc.ents:
        if start <= ent.start_char and ent.end_char <= cue.idx and ent.label_ in _NAMED_LABELS:
            return ent[-1]
    return None


def _name_after(cue: Token) -> Token | None:
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
        if cue.i < ent.start <= cue.i + 2 and ent.label_ in _NAMED_LABELS:
            return ent[-1]
    return None


def _is_bare_clause(clause: Token) -> bool:
    """A finite clause with its own subject and no subordinating conjunction ("he would go")."""
    return (
        not any(c.dep_ == "mark" for c in clause.children)
        and any(c.dep_ in _SUBJECT_DEPS for c in clause.children)
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


def _is_cue(token: Token, rules: Rules, lemmas: frozenset[str] | None = None) -> bool:
    if token.lower_ == "according" and token.i + 1 < len(token.doc) and token.nbor().lower_ == "to":
        return True
    if _is_as_put_it(token):
        return True
    if token.pos_ not in {"VERB", "AUX"} or token.lemma_.lower() not in (lemmas or rules.cue_lemmas):
        return False
    return not _follows_phrase(token, rules.not_cues)  # "so-called" is no reporting verb


_TITLE_FUNCTION_WORDS = {"of", "the", "a", "an", "and", "in", "on", "to", "for", "at", "with", "from", "by", "is"}


def _is_title_shaped(text: str) -> bool:
    """Short, every content word capitalised, no sentence end: "This Morning", "Face the Nation"."""
    words = text.rstrip(",.;:").split()
    return (
        0 < len(words) <= _MAX_TITLE_WORDS
        and words[0][:1].isupper()
        and all(w[:1].isupper() or not w[:1].isalpha() or w.lower() in _TITLE_FUNCTION_WORDS for w in words)
        and text.rstrip()[-1:] not in {"!", "?"}
    )


def _in_title_context(text: str, span: QuoteSpan, rules: Rules) -> bool:
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


def _is_stage_direction(text: str) -> bool:
    """A quotation that is only a bracketed note: "(CROSSTALK.)", "[inaudible]"."""
    stripped = text.strip().rstrip(".,")
    return len(stripped) > 2 and stripped[0] in "([" and stripped[-1] in ")]" and stripped.count(stripped[0]) == 1


def _quote_type(text: str, span: QuoteSpan) -> str:
    before = text[span.paragraph_start:span.mark_start].rstrip()
    embedded = bool(before) and before[-1].isalnum()
    return "partial" if embedded and text[span.start:span.start + 1].islower() else "direct"


_DASHES = {"―", "—", "–", "-"}
# "PENCE:" or "SEN. TIM KAINE:" opening a quoted transcript passage.
_TRANSCRIPT_LABEL = re.compile(r"([A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,3}):\s")


class _QuoteAttributor:
    """Attributes the quotes of one article, in order, remembering the previous one."""

    def __init__(self, doc: Doc, article_id: str, rules: Rules):
        self.doc = doc
        self.text = doc.text
        self.article_id = article_id
        self.rules = rules
        self.spans = find_quote_spans(self.text)
        self.people = ArticleAttributor(doc, rules)
        self._quoted = sorted((s.mark_start, s.mark_end) for s in self.spans)
        self._quote_starts = [start for start, _ in self._quoted]
        # A quotation inside what a stance or belief verb governs is that verb's subject's:
        # 'Trump attacked "the hateful ideology of radical Islam"'.
        self._governing_lemmas = rules.cue_lemmas | rules.belief_lemmas | frozenset(rules.stance_objects)

    def inside_quote(self, token: Token) -> bool:
        """Whether a token lies between a quotation's marks (the spans are sorted, disjoint)."""
        at = bisect_right(self._quote_starts, token.idx) - 1
        return at >= 0 and token.idx < self._quoted[at][1]

    def speaker_of(self, subject: Token) -> Speaker:
        return self.people.speaker_of(subject, self.inside_quote)

    def records(self) -> list[QuoteRecord]:
        records: list[QuoteRecord] = []
        previous: tuple[QuoteSpan, QuoteRecord] | None = None
        for span in self.spans:
            record = self._attribute(span, previous)
            if record is not None:
                records.append(record)
                previous = (span, record)
        return records

    def _governing_cue(self, span: QuoteSpan, content: Span) -> Token | None:
        """The outermost reporting verb the quotation depends on, if any.

        'Flynn said Trump was "absolutely right"': the quotation is part of what Flynn said,
        whatever verbs stand between; an annotator attributes it to the outermost speaker.
        """
        outermost = None
        for ancestor in content.root.ancestors:
            if not span.paragraph_start <= ancestor.idx < span.paragraph_end:
                break  # a parse running over a paragraph break
            if not self.inside_quote(ancestor) and _is_cue(ancestor, self.rules, self._governing_lemmas):
                outermost = ancestor
        return outermost

    def _window_cues(self, span: QuoteSpan, content: Span) -> list[Token]:
        """Cue tokens outside any quote in the sentences the quote touches, nearest first."""
        doc = self.doc
        first_sentence = content[0].sent
        after = doc.char_span(span.mark_end, span.paragraph_end, alignment_mode="expand")
        last_sentence = after[0].sent if after is not None and len(after) else content[-1].sent
        start = max(first_sentence.start_char, span.paragraph_start)
        end = min(max(last_sentence.end_char, content[-1].sent.end_char), span.paragraph_end)
        window = doc.char_span(start, end, alignment_mode="expand") or []
        cues = [t for t in window if not self.inside_quote(t) and _is_cue(t, self.rules)]
        return sorted(cues, key=lambda t: min(abs(t.idx - span.mark_start), abs(t.idx - span.mark_end)))

    def _attribute(self, span: QuoteSpan, previous) -> QuoteRecord | None:
        content = self.doc.char_span(span.start, span.end, alignment_mode="expand")
        if content is None or len(content) == 0:
            return None
        quote_text = self.text[span.start:span.end]
        if _is_title_shaped(quote_text) and _in_title_context(self.text, span, self.rules):
            return None  # the title of a show, book or song, or a name
        if _is_stage_direction(quote_text):
            return None  # '"(CROSSTALK.)"' in a transcript

        if _TRANSCRIPT_LABEL.match(self.text, span.start, span.end):
            cues = []
        else:
            cues = self._window_cues(span, content)
            governing = self._governing_cue(span, content)
            if governing is not None:
                cues = [governing] + [c for c in cues if c is not governing]
        cue: Token | None = None
        speaker = self._transcript_label(span) or _NO_SPEAKER
        for candidate in cues:
            subject = _subject_of(candidate, self.inside_quote)
            if subject is not None:
                cue, speaker = candidate, self.speaker_of(subject)
                break
        if cue is None and cues:
            cue = cues[0]
            subject = _name_between(self.doc, span.mark_end, cue) or _name_after(cue)
            if subject is not None:
                speaker = self.speaker_of(subject)

        if cue is None and speaker is _NO_SPEAKER:
            cue, speaker = self._dash_attribution(span)
        if cue is None and speaker is _NO_SPEAKER:
            cue, speaker = self._reporting_sentence_before(span, content[0].sent)
        if cue is None and speaker is _NO_SPEAKER:
            inherited = self._continued_speaker(span, previous)
            if inherited is not None:
                speaker = inherited
            elif _is_title_shaped(quote_text) or len(quote_text.split()) < _MIN_UNCUED_WORDS:
                return None  # a scare quote or a name in quotation marks, not speech

        return QuoteRecord(
            quote_id=stable_id(self.article_id, span.start, span.end),
            article_id=self.article_id,
            quote_text=quote_text,
            start_char=span.start,
            end_char=span.end,
            quote_type=_quote_type(self.text, span),
            speaker=speaker.name,
            speaker_mention=speaker.mention,
            speaker_start=speaker.start,
            speaker_end=speaker.end,
            cue=cue.text if cue is not None else None,
            cue_start=cue.idx if cue is not None else None,
            cue_end=cue.idx + len(cue.text) if cue is not None else None,
            normalized_text=normalize_statement(quote_text),
            speaker_type=speaker.type,
            speaker_role=speaker.role,
        )

    def _dash_attribution(self, span: QuoteSpan) -> tuple[Token | None, Speaker]:
        """'"...” ― Steve Quinlan': a dash and a name right after the closing mark."""
        rest = self.text[span.mark_end:span.paragraph_end]
        stripped = rest.lstrip()
        if not stripped or stripped[0] not in _DASHES:
            return None, _NO_SPEAKER
        dash_at = span.mark_end + len(rest) - len(stripped)
        after = self.doc.char_span(dash_at + 1, span.paragraph_end, alignment_mode="expand")
        tokens = [t for t in after or [] if not t.is_space and t.idx > dash_at]
        if not tokens:
            return None, _NO_SPEAKER
        dash = self.doc.char_span(dash_at, dash_at + 1, alignment_mode="expand")[0]
        name = tokens[0]
        ent = next((e for e in self.doc.ents if e.start <= name.i < e.end), None)
        if ent is not None and ent.label_ in _NAMED_LABELS:
            return dash, self.speaker_of(ent[-1])
        if name.pos_ == "PROPN":
            return dash, self.speaker_of(name)
        return None, _NO_SPEAKER

    def _transcript_label(self, span: QuoteSpan) -> Speaker | None:
        """'"PENCE: Well, look, ..."': a transcript's speaker label opening the quotation."""
        match = _TRANSCRIPT_LABEL.match(self.text, span.start, span.end)
        if match is None:
            return None
        start, end = match.span(1)
        words = [w.capitalize() for w in match.group(1).split()]
        return Speaker(self.people.canonical_person(words), match.group(1), start, end, "PERSON")

    def _reporting_sentence_before(self, span: QuoteSpan, sentence: Span) -> tuple[Token | None, Speaker]:
        """Speaker of "X said that ... ." or "X continued:" just before a quote opening a sentence,
        or of a lead-in ending with a colon in the quote's own sentence ("X spoke to reporters: ...")."""
        lead_in_here = self.text[max(sentence.start_char, span.paragraph_start):span.mark_start].rstrip()
        if lead_in_here.endswith(":") and len(lead_in_here.split()) > 1:
            last = self.doc.char_span(span.paragraph_start, span.mark_start, alignment_mode="contract")
            start = max(sentence.start, last.start) if last is not None else sentence.start
            before = self.doc[start:last.end] if last is not None else None
            if before is None or len(before) == 0:
                return None, _NO_SPEAKER
        elif span.mark_start == span.paragraph_start and span.paragraph_start > 0:
            # Only the previous paragraph's lead-in counts, when it ends with a colon ("He said:").
            lead_in = self.text[:span.paragraph_start].rstrip()
            if not lead_in.endswith(":"):
                return None, _NO_SPEAKER
            last = self.doc.char_span(len(lead_in) - 1, len(lead_in), alignment_mode="expand")
            before = last[0].sent
            before = self.doc[before.start:last[-1].i + 1]  # a parse may run on past the break
        elif span.mark_start <= sentence.start_char + 1 and sentence.start > 0:
            before = self.doc[sentence.start - 1].sent
            if before.start_char < span.paragraph_start:
                return None, _NO_SPEAKER
        else:
            return None, _NO_SPEAKER
        for token in before:
            if not self.inside_quote(token) and _is_cue(token, self.rules):
                subject = _subject_of(token, self.inside_quote)
                if subject is not None:
                    return token, self.speaker_of(subject)
        if self.text[before.start_char:span.mark_start].rstrip().endswith(":"):
            # "Sanders made the following comment:" introduces the quotation without a cue verb.
            subject = _subject_of(before.root, self.inside_quote) if before.root.pos_ in {"VERB", "AUX"} else None
            if subject is not None:
                return None, self.speaker_of(subject)
        return None, _NO_SPEAKER

    def _continued_speaker(self, span: QuoteSpan, previous) -> Speaker | None:
        """A quote with no cue that opens the paragraph after a quoted speaker's paragraph."""
        if previous is None:
            return None
        previous_span, record = previous
        if record.speaker_mention is None:
            return None
        follows = (
            span.continues_previous
            or (span.mark_start == span.paragraph_start
                and self.text[previous_span.paragraph_end:span.paragraph_start].strip() == ""
                and previous_span.paragraph_start != span.paragraph_start)
        )
        if not follows:
            return None
        return Speaker(record.speaker, record.speaker_mention, record.speaker_start, record.speaker_end,
                       record.speaker_type, record.speaker_role)

    # ----- reported (indirect) speech -----------------------------------------------------
    def indirect_records(self) -> list[QuoteRecord]:
        """"X said (that) <clause>", "according to X, <clause>" and "X criticized <object>",
        outside quotation marks; only the outermost of nested reports is kept."""
        found: list[tuple[Token, int, int]] = []
        lemmas = self.rules.cue_lemmas | self.rules.belief_lemmas | frozenset(self.rules.stance_objects)
        for token in self.doc:
            if self.inside_quote(token) or not _is_cue(token, self.rules, lemmas):
                continue
            content = self._reported_content(token)
            if content is None:
                continue
            start_i, end_i, min_tokens = content
            while end_i > start_i and self.doc[end_i - 1].is_punct:
                end_i -= 1
            if end_i - start_i < min_tokens:
                continue
            start, end = self.doc[start_i].idx, self.doc[end_i - 1].idx + len(self.doc[end_i - 1].text)
            if any(start < b and a < end for a, b in self._quoted):
                continue  # content holding a quotation is attributed as that quotation
            found.append((token, start, end))
        records: list[QuoteRecord] = []
        for token, start, end in found:
            if any(s <= token.idx < e for other, s, e in found if other is not token):
                continue  # "X said Y criticized Z": only X's report is an attribution
            subject = _subject_of(token, self.inside_quote)
            speaker = self.speaker_of(subject) if subject is not None else _NO_SPEAKER
            text = self.text[start:end]
            records.append(QuoteRecord(
                quote_id=stable_id(self.article_id, start, end, "indirect"),
                article_id=self.article_id,
                quote_text=text,
                start_char=start,
                end_char=end,
                quote_type="indirect",
                speaker=speaker.name,
                speaker_mention=speaker.mention,
                speaker_start=speaker.start,
                speaker_end=speaker.end,
                cue=token.text,
                cue_start=token.idx,
                cue_end=token.idx + len(token.text),
                normalized_text=normalize_statement(text),
                speaker_type=speaker.type,
                speaker_role=speaker.role,
            ))
        return records

    def _reported_content(self, cue: Token) -> tuple[int, int, int] | None:
        """(first token, end token, fewest tokens it may have) of what a cue reports, or None.

        "X said (that) <clause>" and "X believes <clause>": the clausal complement, the one
        after the cue when there are two ("It is unlikely; his team says she'll continue");
        "X said after the vote he would resign": a clause without a conjunction the parse took
        for an adverbial one;
        "X wants to <do>", "X urged them to <do>": the infinitive;
        "<clause>, X said, <clause>": the clause the cue interrupts, as one hull;
        "X criticized <object>", "X called for <object>": the object of a stance verb.
        """
        if cue.lower_ == "according":
            start_end = self._according_content(cue)
            return (*start_end, 4) if start_end else None
        lemma = cue.lemma_.lower()
        clauses = [c for c in cue.children if c.dep_ == "ccomp"]
        clause = next((c for c in clauses if c.i > cue.i), clauses[0] if clauses else None)
        if clause is None and lemma in self.rules.cue_lemmas:
            clause = next((c for c in cue.rights if c.dep_ == "advcl" and _is_bare_clause(c)), None)
        if clause is None and (lemma in self.rules.belief_lemmas or lemma in self.rules.cue_lemmas):
            clause = next((c for c in cue.children if c.dep_ == "xcomp" and c.i > cue.i), None)
            if clause is not None and lemma not in self.rules.belief_lemmas:
                # "urged Congress to act": the addressee belongs to what was urged
                addressee = next((c for c in cue.children if c.dep_ == "dobj" and c.i < clause.i), None)
                if addressee is not None:
                    return addressee.left_edge.i, clause.right_edge.i + 1, 3
        if clause is not None:
            return clause.left_edge.i, clause.right_edge.i + 1, 3
        if cue.dep_ == "parataxis" and cue.head.pos_ in {"VERB", "AUX"}:
            head = cue.head
            return head.left_edge.i, head.right_edge.i + 1, 3
        return self._stance_object(cue)

    def _stance_object(self, cue: Token) -> tuple[int, int, int] | None:
        """"X criticized the plan", "X called the charges fabricated", "X called for tariffs"."""
        prepositions = self.rules.stance_objects.get(cue.lemma_.lower())
        if not prepositions:
            return None
        for child in cue.rights:
            if child.dep_ == "dobj" and "" in prepositions:
                end = child.right_edge.i + 1
                for complement in cue.rights:
                    if complement.i > child.i and complement.dep_ in {"oprd", "xcomp", "ccomp"}:
                        end = complement.right_edge.i + 1  # "called the charges fabricated"
                    elif complement.i > child.i and complement.dep_ == "prep" and complement.lower_ in prepositions:
                        end = complement.right_edge.i + 1  # "accused her of lying"
                return self._content_or_none(child.left_edge.i, end)
            if child.dep_ == "prep" and child.lower_ in prepositions:
                target = next((c for c in child.children if c.dep_ in {"pobj", "pcomp"}), None)
                if target is not None:
                    return self._content_or_none(target.left_edge.i, target.right_edge.i + 1)
        return None

    def _content_or_none(self, start: int, end: int) -> tuple[int, int, int] | None:
        """A stance verb's object as content, unless it is a lone pronoun ("to congratulate him"):
        that reports nothing a reader could look up."""
        if end - start == 1 and self.doc[start].pos_ == "PRON":
            return None
        return start, end, 1

    def _according_content(self, according: Token) -> tuple[int, int] | None:
        """The longer side of the sentence around "according to X"."""
        sentence = according.sent
        phrase = list(according.subtree)
        left = (sentence.start, phrase[0].i)
        right = (phrase[-1].i + 1, sentence.end)
        start, end = max(left, right, key=lambda r: r[1] - r[0])
        while start < end and self.doc[start].is_punct:
            start += 1
        return (start, end) if end - start >= 4 else None


def attribute_quotes(doc: Doc, article_id: str, rules: Rules, indirect: bool = True) -> list[QuoteRecord]:
    """Direct and partial quotations with their speakers, then reported speech, in text order."""
    attributor = _QuoteAttributor(doc, article_id, rules)
    records = attributor.records()
    if indirect:
        records += attributor.indirect_records()
    return sorted(records, key=lambda r: (r.start_char, r.end_char))
