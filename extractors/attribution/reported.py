"""Reported (indirect) speech: "X said (that) <clause>", "according to X, <clause>",
"X criticized <object>", outside quotation marks."""

from __future__ import annotations

from spacy.tokens import Token

from extractors.attribution.candidates import subject_of
from extractors.attribution.cues import is_cue
from extractors.attribution.features import reported_features
from extractors.attribution.features import subject_kind as _subject_kind
from extractors.attribution.record import make_record
from extractors.attribution.reported_content import ContentFinder
from extractors.attribution.speakers import NO_SPEAKER
from extractors.records import QuoteRecord


class ReportedSpeech:
    """Reported speech of one article, given its quotations (content holding one is skipped).

    Candidates come from `reported_content` (listed cues, any verb's clause, object or
    prepositional object, nouns' clauses and objects, adjectives' complements). The model decides
    which are attributions; only the outermost of nested kept reports is recorded ("X said Y
    criticized Z" is X's: Y's report inside it would match the same annotated content twice).
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
        self.collect = collect  # called with (start, end, features, cue) of every candidate
        self.content = ContentFinder(self.doc, self.rules, self.people)

    def records(self) -> list[QuoteRecord]:
        found: list[tuple[Token, int, int, float, Token | None]] = []
        lemmas = self.rules.cue_lemmas | self.rules.belief_lemmas | frozenset(self.rules.stance_objects)
        for token in self.doc:
            if self.inside_quote(token):
                continue
            listed = is_cue(token, self.rules, lemmas)
            content, how = self.content.find(token, listed)
            if content is None or self.content.not_a_report(token):
                continue
            start_i, end_i, min_tokens = content
            while end_i > start_i and self.doc[end_i - 1].is_punct:
                end_i -= 1
            if end_i - start_i < min_tokens:
                continue
            start, end = self.doc[start_i].idx, self.doc[end_i - 1].idx + len(self.doc[end_i - 1].text)
            if any(start < b and a < end for a, b in self._quoted):
                continue  # content holding a quotation is attributed as that quotation
            if self.content.only_name(start_i, end_i):
                continue  # "criticized Russia": a bare name is no row a reader can use
            subject = self._subject(token, how)
            features = reported_features(token, self.doc[start_i:end_i], subject, how, listed, self.rules,
                                         self.people.sent(token))
            features["rule_keep"] = how == "listed"
            if self.collect is not None:
                self.collect(start, end, features, token)
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

    def _subject(self, cue: Token, how: str) -> Token | None:
        if cue.pos_ == "NOUN":
            return next((c for c in cue.children if c.dep_ == "poss"), None)
        if how.endswith("passive_subject"):  # "Cruz was endorsed by <Fiorina>"
            agent = next(c for c in cue.children if c.dep_ == "agent")
            return next((c for c in agent.children if c.dep_ == "pobj"), None)
        return subject_of(cue, self.inside_quote)
