"""Attribute quoted spans to speakers with a spaCy parse.

For each span found by `quote_spans.find_quote_spans` the attributor
1. drops titles and scare quotes (short spans with no reporting verb nearby),
2. finds the nearest reporting (cue) verb outside the quote in the quote's sentences,
3. takes that verb's grammatical subject as the speaker mention ("Mr Peskov", "she",
   "a senior U.S. defense official"), or the object of "according to",
4. resolves the mention to a canonical name: the fullest form of a person's name used in the
   article ("Mr Peskov" -> "Dmitry Peskov"), the nearest compatible earlier subject for a
   pronoun, or the named apposition of a description; an unnamed description keeps speaker
   NULL and its mention text.
A quote with no cue of its own takes the speaker of a reporting sentence just before it in the
same paragraph, or of the quote it continues.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from extractors.quote_spans import QuoteSpan, find_quote_spans, normalize_statement
from extractors.records import QuoteRecord, stable_id
from extractors.rules import Rules

_SUBJECT_DEPS = {"nsubj", "nsubjpass"}
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


_NO_SPEAKER = Speaker(None, None, None, None)


class ArticleAttributor:
    """Per-article state: the people named in it and what was resolved so far."""

    def __init__(self, doc: Doc, rules: Rules):
        self.doc = doc
        self.rules = rules
        self.full_names: list[list[str]] = []
        self.gender_by_surname: dict[str, str] = {}
        self._index_people()

    # ----- names -------------------------------------------------------------------------
    def _name_tokens(self, tokens: list[Token]) -> list[str]:
        """Words of a name without honorifics, titles, determiners or a possessive."""
        # An entity may run over a paragraph break ("Angela Merkel\n\nMs Conway"): keep the
        # part after the last break.
        breaks = [i for i, t in enumerate(tokens) if t.is_space or "\n" in t.whitespace_]
        if breaks:
            tokens = tokens[breaks[-1] + 1:] or tokens[:breaks[-1] + 1]
        words = [t.text for t in tokens if t.text not in {"'s", "’s", "'", "’"} and not t.is_punct and not t.is_space]
        while words and (
            self.rules.is_honorific(words[0]) or self.rules.is_title(words[0]) or words[0].lower() == "the"
        ):
            words.pop(0)
        return words

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
        for ent in self.doc.ents:
            if ent.start <= token.i < ent.end:
                return ent
        return None

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
        start, end = left.idx, right.idx + len(right.text)
        line_start = self.doc.text.rfind("\n", start, head.idx) + 1
        return max(start, line_start), end

    def _proper_noun_run(self, head: Token) -> list[Token]:
        """The proper nouns written right before `head` on the same line, and `head`."""
        run = [head]
        while run[0].i > 0:
            previous = self.doc[run[0].i - 1]
            if previous.pos_ != "PROPN" or previous.is_space or "\n" in previous.whitespace_:
                break
            run.insert(0, previous)
        return run

    def name_of(self, head: Token) -> tuple[str | None, bool]:
        """(canonical name, is_person) of a subject token, or (None, False) if unnamed."""
        ent = self._entity_of(head)
        if ent is not None and ent.label_ in _NAMED_LABELS:
            words = self._name_tokens(list(ent))
            if not words:
                return None, False
            if ent.label_ == "PERSON" or self.is_known_surname(words[-1]):
                return self.canonical_person(words), True
            return " ".join(words), False
        if head.pos_ == "PROPN":
            words = self._name_tokens(self._proper_noun_run(head))
            if words:
                return self.canonical_person(words), self.is_known_surname(words[-1])
        # A description with a named apposition: "Putin's spokesman, Dmitry Peskov".
        for child in head.children:
            if child.dep_ == "appos":
                name, is_person = self.name_of(child)
                if name:
                    return name, is_person
        return None, False

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
        start, end = self._mention_span(subject)
        mention = self.doc.text[start:end]
        if subject.lower_ in self.rules.pronoun_gender:
            return Speaker(self.resolve_pronoun(subject, inside_quote), mention, start, end)
        name, _ = self.name_of(subject)
        return Speaker(name, mention, start, end)


def _subject_of(verb: Token, inside_quote) -> Token | None:
    """Grammatical subject of a reporting verb, following shared-subject clauses upwards."""
    if verb.lower_ == "according":
        for child in verb.children:
            for grandchild in child.children:
                if grandchild.dep_ == "pobj" and not inside_quote(grandchild):
                    return grandchild
        return None
    current = verb
    for _ in range(3):
        for child in current.children:
            if child.dep_ in _SUBJECT_DEPS and not inside_quote(child):
                return child
        if current.dep_ not in _SUBJECT_SHARING_DEPS or current.head is current:
            return None
        current = current.head
    return None


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


def _is_cue(token: Token, rules: Rules) -> bool:
    if token.lower_ == "according" and token.i + 1 < len(token.doc) and token.nbor().lower_ == "to":
        return True
    if token.pos_ not in {"VERB", "AUX"} or token.lemma_.lower() not in rules.cue_lemmas:
        return False
    for phrase in rules.not_cues:  # "so-called" is no reporting verb
        start = token.i - len(phrase) + 1
        if start >= 0 and tuple(t.lower_ for t in token.doc[start:token.i + 1]) == phrase:
            return False
    return True


def _is_title(text: str) -> bool:
    words = text.split()
    return (
        0 < len(words) <= _MAX_TITLE_WORDS
        and all(w[:1].isupper() or not w[:1].isalpha() for w in words)
        and not text.rstrip()[-1:] in {".", "!", "?", ","}
    )


def _quote_type(text: str, span: QuoteSpan) -> str:
    before = text[span.paragraph_start:span.mark_start].rstrip()
    embedded = bool(before) and before[-1].isalnum()
    return "partial" if embedded and text[span.start:span.start + 1].islower() else "direct"


def attribute_quotes(doc: Doc, article_id: str, rules: Rules) -> list[QuoteRecord]:
    text = doc.text
    spans = find_quote_spans(text)
    if not spans:
        return []
    attributor = ArticleAttributor(doc, rules)
    quoted = [(s.mark_start, s.mark_end) for s in spans]

    def inside_quote(token: Token) -> bool:
        return any(a <= token.idx < b for a, b in quoted)

    records: list[QuoteRecord] = []
    previous: QuoteRecord | None = None
    for span in spans:
        content = doc.char_span(span.start, span.end, alignment_mode="expand")
        if content is None or len(content) == 0:
            continue
        first_sentence = content[0].sent
        after = doc.char_span(span.mark_end, span.paragraph_end, alignment_mode="expand")
        last_sentence = after[0].sent if after is not None and len(after) else content[-1].sent
        window_start = max(first_sentence.start_char, span.paragraph_start)
        window_end = min(max(last_sentence.end_char, content[-1].sent.end_char), span.paragraph_end)

        cues = [
            t for t in doc.char_span(window_start, window_end, alignment_mode="expand") or []
            if not inside_quote(t) and _is_cue(t, rules)
        ]
        cues.sort(key=lambda t: min(abs(t.idx - span.mark_start), abs(t.idx - span.mark_end)))

        cue: Token | None = None
        speaker = _NO_SPEAKER
        for candidate in cues:
            subject = _subject_of(candidate, inside_quote)
            if subject is not None:
                cue, speaker = candidate, attributor.speaker_of(subject, inside_quote)
                break
        if cue is None and cues:
            cue = cues[0]
            subject = _name_between(doc, span.mark_end, cue)
            if subject is not None:
                speaker = attributor.speaker_of(subject, inside_quote)

        quote_text = text[span.start:span.end]
        if cue is None:
            if _is_title(quote_text) or len(quote_text.split()) < _MIN_UNCUED_WORDS:
                continue  # a title or scare quote, not speech
            if span.continues_previous and previous is not None:
                speaker = Speaker(previous.speaker, previous.speaker_mention, previous.speaker_start, previous.speaker_end)
            else:
                cue, speaker = _reporting_sentence_before(doc, span, first_sentence, attributor, inside_quote, rules)
        elif _is_title(quote_text) and span.mark_start > first_sentence.start_char:
            continue  # e.g. CBS’ “This Morning”

        record = QuoteRecord(
            quote_id=stable_id(article_id, span.start, span.end),
            article_id=article_id,
            quote_text=quote_text,
            start_char=span.start,
            end_char=span.end,
            quote_type=_quote_type(text, span),
            speaker=speaker.name,
            speaker_mention=speaker.mention,
            speaker_start=speaker.start,
            speaker_end=speaker.end,
            cue=cue.text if cue is not None else None,
            cue_start=cue.idx if cue is not None else None,
            cue_end=cue.idx + len(cue.text) if cue is not None else None,
            normalized_text=normalize_statement(quote_text),
        )
        records.append(record)
        previous = record
    return records


def _reporting_sentence_before(doc, span, sentence, attributor, inside_quote, rules):
    """Speaker of "X said that ... ." when the quote opens the next sentence of the paragraph."""
    if span.mark_start > sentence.start_char + 1 or sentence.start == 0:
        return None, _NO_SPEAKER
    before = doc[sentence.start - 1].sent
    if before.start_char < span.paragraph_start:
        return None, _NO_SPEAKER
    for token in before:
        if not inside_quote(token) and _is_cue(token, rules):
            subject = _subject_of(token, inside_quote)
            if subject is not None:
                return token, attributor.speaker_of(subject, inside_quote)
    return None, _NO_SPEAKER
