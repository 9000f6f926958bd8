"""Reported (indirect) speech: "X said (that) <clause>", "according to X, <clause>",
"X criticized <object>", outside quotation marks."""

from __future__ import annotations

from spacy.tokens import Token

from extractors.attribution.candidates import subject_of
from extractors.attribution.cues import is_bare_clause, is_cue
from extractors.attribution.record import make_record
from extractors.attribution.speakers import NO_SPEAKER
from extractors.records import QuoteRecord


class ReportedSpeech:
    """Reported speech of one article, given its quotations (content holding one is skipped)."""

    def __init__(self, quotes):
        self.doc = quotes.doc
        self.text = quotes.text
        self.rules = quotes.rules
        self.article_id = quotes.article_id
        self.inside_quote = quotes.inside_quote
        self.speaker_of = quotes.speaker_of
        self._quoted = quotes._quoted

    def records(self) -> list[QuoteRecord]:
        """"X said (that) <clause>", "according to X, <clause>" and "X criticized <object>",
        outside quotation marks; only the outermost of nested reports is kept."""
        found: list[tuple[Token, int, int]] = []
        lemmas = self.rules.cue_lemmas | self.rules.belief_lemmas | frozenset(self.rules.stance_objects)
        for token in self.doc:
            if self.inside_quote(token) or not is_cue(token, self.rules, lemmas):
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
            subject = subject_of(token, self.inside_quote)
            speaker = self.speaker_of(subject) if subject is not None else NO_SPEAKER
            records.append(make_record(self.article_id, self.text, start, end, "indirect", speaker, token))
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
        sentence = according.sent
        phrase = list(according.subtree)
        left = (sentence.start, phrase[0].i)
        right = (phrase[-1].i + 1, sentence.end)
        start, end = max(left, right, key=lambda r: r[1] - r[0])
        while start < end and self.doc[start].is_punct:
            start += 1
        return (start, end) if end - start >= 4 else None
