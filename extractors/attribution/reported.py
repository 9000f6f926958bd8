"""Reported (indirect) speech: "X said (that) <clause>", "according to X, <clause>",
"X criticized <object>", outside quotation marks."""

from __future__ import annotations

from spacy.tokens import Token

from extractors.attribution.candidates import subject_of
from extractors.attribution.cues import is_bare_clause, is_cue
from extractors.attribution.features import reported_features
from extractors.attribution.features import subject_kind as _subject_kind
from extractors.attribution.record import make_record
from extractors.attribution.speakers import NO_SPEAKER
from extractors.records import QuoteRecord

_PRONOUNS = {"he", "she", "they", "it", "i", "we", "you"}


class ReportedSpeech:
    """Reported speech of one article, given its quotations (content holding one is skipped).

    Candidates: every listed cue (`rules`) with content the parse gives it, and every other verb
    or noun with a clausal complement ("X conceded that ...", "his claim that ..."). The model
    decides which are attributions; only the outermost of nested kept reports is recorded.
    """

    def __init__(self, quotes, collect=None):
        self.doc = quotes.doc
        self.text = quotes.text
        self.rules = quotes.rules
        self.model = quotes.model
        self.article_id = quotes.article_id
        self.inside_quote = quotes.inside_quote
        self.speaker_of = quotes.speaker_of
        self.people = quotes.people
        self._quoted = quotes._quoted
        self.collect = collect  # called with (start, end, features) of every candidate

    def records(self) -> list[QuoteRecord]:
        found: list[tuple[Token, int, int, float, Token | None]] = []
        lemmas = self.rules.cue_lemmas | self.rules.belief_lemmas | frozenset(self.rules.stance_objects)
        for token in self.doc:
            if self.inside_quote(token):
                continue
            listed = is_cue(token, self.rules, lemmas)
            if listed:
                content, how = self._reported_content(token), "listed"
            elif token.pos_ == "VERB" and any(c.dep_ == "ccomp" for c in token.children):
                content, how = self._reported_content(token), "verb_clause"
            elif token.pos_ == "NOUN":
                content, how = self._noun_content(token), "noun_clause"
            elif token.pos_ == "VERB" and self._speaker_like(token):
                content, how = self._verb_object(token)
            else:
                continue
            if content is None or self._not_a_report(token, content):
                continue
            start_i, end_i, min_tokens = content
            while end_i > start_i and self.doc[end_i - 1].is_punct:
                end_i -= 1
            if end_i - start_i < min(min_tokens, 3 if not listed else min_tokens):
                continue
            start, end = self.doc[start_i].idx, self.doc[end_i - 1].idx + len(self.doc[end_i - 1].text)
            if any(start < b and a < end for a, b in self._quoted):
                continue  # content holding a quotation is attributed as that quotation
            subject = self._subject(token)
            features = reported_features(token, self.doc[start_i:end_i], subject, how, listed, self.rules,
                                         self.people.sent(token))
            features["rule_keep"] = listed and end_i - start_i >= min_tokens
            if self.collect is not None:
                self.collect(start, end, features)
            confidence = self.model.reported(features)
            if confidence >= self.model.reported_threshold:
                found.append((token, start, end, confidence, subject))
        records: list[QuoteRecord] = []
        for token, start, end, confidence, subject in found:
            if any(s <= token.idx < e for other, s, e, _, _ in found if other is not token):
                continue  # "X said Y criticized Z": only X's report is an attribution
            speaker = self.speaker_of(subject) if subject is not None else NO_SPEAKER
            speaker_confidence = self.model.reported_speaker(_subject_kind(speaker.mention, speaker.name))
            records.append(make_record(self.article_id, self.text, start, end, "indirect", speaker, token,
                                       confidence, speaker_confidence))
        return records

    def _subject(self, cue: Token) -> Token | None:
        if cue.pos_ == "NOUN":
            return next((c for c in cue.children if c.dep_ == "poss"), None)
        return subject_of(cue, self.inside_quote)

    def _not_a_report(self, cue: Token, content: tuple[int, int, int]) -> bool:
        """Candidates the rules exclude: a cue in the future ("will discuss") or an imperative
        ("Expect many tweets"), "is expected to" with nobody doing the expecting, and content
        that is only a name ("describing Russia as ...": the name says nothing)."""
        if any(c.dep_ == "aux" and c.lower_ in self.rules.future_modals for c in cue.children):
            return True
        if cue.tag_ == "VB" and cue.i == self.people.sent(cue).start and not any(c.dep_ in {"nsubj", "nsubjpass"} for c in cue.children):
            return True
        if cue.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in cue.children) and not any(c.dep_ == "agent" for c in cue.children):
            return True
        start_i, end_i, _ = content
        span = self.doc[start_i:end_i]
        while len(span) and span[-1].is_punct:
            span = span[:-1]
        entity = self.people._entity_at.get(span.start) if len(span) else None
        if entity is not None and entity.start == span.start and entity.end == span.end:
            return True
        return 0 < len(span) <= 4 and all(
            t.pos_ == "PROPN" or self.rules.is_honorific(t.text) or self.rules.is_title(t.text) or t.lower_ == "the"
            for t in span)

    def _speaker_like(self, verb: Token) -> bool:
        """Whether a verb's subject is a person, an organisation or a personal pronoun."""
        subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        return subject is not None and (subject.ent_type_ in {"PERSON", "ORG", "GPE", "NORP"}
                                        or subject.lower_ in {"he", "she", "they", "we", "i"})

    def _verb_object(self, verb: Token) -> tuple[tuple[int, int, int] | None, str]:
        """"X praised the plan", "X vowed to fight": what a verb outside the lists takes,
        for the model to judge by its lemma whether that is a stance."""
        for child in verb.rights:
            if child.dep_ == "xcomp":
                return (child.left_edge.i, child.right_edge.i + 1, 3), "verb_xcomp"
            if child.dep_ == "dobj" and child.pos_ != "PRON":
                end = child.right_edge.i + 1
                for complement in verb.rights:
                    if complement.i > child.i and complement.dep_ in {"oprd", "xcomp", "ccomp", "prep"}:
                        end = complement.right_edge.i + 1
                        break
                return (child.left_edge.i, end, 2), "verb_object"
        return None, "verb_object"

    def _noun_content(self, noun: Token) -> tuple[int, int, int] | None:
        """"his claim that ...": a noun's clause opened by "that"."""
        for child in noun.rights:
            if child.dep_ in {"acl", "ccomp"} and any(c.dep_ == "mark" and c.lower_ == "that" for c in child.children):
                return child.left_edge.i, child.right_edge.i + 1, 3
        return None

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
            clause = next((c for c in cue.rights if c.dep_ == "advcl" and is_bare_clause(c)), None)
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
        sentence = self.people.sent(according)
        phrase = list(according.subtree)
        left = (sentence.start, phrase[0].i)
        right = (phrase[-1].i + 1, sentence.end)
        start, end = max(left, right, key=lambda r: r[1] - r[0])
        while start < end and self.doc[start].is_punct:
            start += 1
        return (start, end) if end - start >= 4 else None
