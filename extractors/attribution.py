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

import re
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
        start = max(start, self.doc.text.rfind("\n", start, head.idx) + 1)
        while start < head.idx and not self.doc.text[start].isalnum():
            start += 1  # no leading dash, quote mark or space in a mention
        return start, end

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
        if subject.lower_ in _RELATIVE_PRONOUNS and subject.head.dep_ == "relcl":
            # "an architect who said": the mention is "who", the name is the architect's.
            name, _ = self.name_of(subject.head.head)
            return Speaker(name, mention, start, end)
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
    for _ in range(4):
        for child in current.children:
            if child.dep_ in _SUBJECT_DEPS and not inside_quote(child) and _can_speak(child):
                return child
        if current.dep_ not in _SUBJECT_SHARING_DEPS or current.head is current:
            return None
        current = current.head
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
    """'Said Ellis: "..."': a name right after a cue the parse gave no subject."""
    doc = cue.doc
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


def _is_cue(token: Token, rules: Rules, lemmas: frozenset[str] | None = None) -> bool:
    if token.lower_ == "according" and token.i + 1 < len(token.doc) and token.nbor().lower_ == "to":
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
    before = text[span.paragraph_start:span.mark_start].rstrip()
    if before.endswith(("'s", "’s", "’", "'")):
        return True  # CBS’ "This Morning", CNN's "State of the Union"
    words = before.split()
    return bool(words) and words[-1].lower().strip(",:") in rules.title_context


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
        self._quoted = [(s.mark_start, s.mark_end) for s in self.spans]

    def inside_quote(self, token: Token) -> bool:
        return any(a <= token.idx < b for a, b in self._quoted)

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
            if not self.inside_quote(ancestor) and _is_cue(ancestor, self.rules):
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
            return None  # the title of a show, book or song

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
        return Speaker(self.people.canonical_person(words), match.group(1), start, end)

    def _reporting_sentence_before(self, span: QuoteSpan, sentence: Span) -> tuple[Token | None, Speaker]:
        """Speaker of "X said that ... ." or "X continued:" just before a quote opening a sentence."""
        if span.mark_start == span.paragraph_start and span.paragraph_start > 0:
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
        return Speaker(record.speaker, record.speaker_mention, record.speaker_start, record.speaker_end)

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
                return child.left_edge.i, end, 1
            if child.dep_ == "prep" and child.lower_ in prepositions:
                target = next((c for c in child.children if c.dep_ in {"pobj", "pcomp"}), None)
                if target is not None:
                    return target.left_edge.i, target.right_edge.i + 1, 1
        return None

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
