"""Speaker options no hand rule proposes: mentions the learned choice may prefer.

The subjects of the verbs a quotation hangs on and of its sentence's main verb, the subjects of
cues in the neighbouring sentences of its paragraph, the nearest named entities before and
after it, the noun phrase after an inverted cue ("said the woman"), and mentions in the
neighbouring paragraphs (a cue ending the paragraph before, a "Name, title" line after).
"""

from __future__ import annotations

from bisect import bisect_left

from spacy.tokens import Doc, Span, Token

from extractors.attribution.candidates import subject_of
from extractors.attribution.cues import is_cue
from extractors.attribution.people import NAMED_LABELS
from extractors.attribution.speakers import ArticleAttributor
from extractors.quote_spans import QuoteSpan
from extractors.rules import Rules


class OtherMentions:
    """Mixed into `options.OptionFinder`: the mentions it adds after the rules' own."""

    doc: Doc
    text: str
    rules: Rules
    people: ArticleAttributor
    _quoted: list[tuple[int, int]]  # (mark_start, mark_end) of every quoted span, sorted
    _quote_starts: list[int]

    def inside_quote(self, token: Token) -> bool:  # pragma: no cover - defined by DirectQuotes
        raise NotImplementedError

    def root_of(self, content: Span) -> Token:  # pragma: no cover - defined by OptionFinder
        raise NotImplementedError

    def _other_mentions(self, span: QuoteSpan, content: Span) -> list[tuple[Token, Token | None, str]]:
        """(head, cue, source) of mentions no rule proposes: the subjects of the verbs the
        quotation hangs on (cue or not: "a man yelled", "what her team calls"), of the main
        verb of its sentence, of cues in the sentences just before and after it in its
        paragraph, and the nearest named entities before and after it in its paragraph."""
        found = []
        for ancestor in self.root_of(content).ancestors:
            if not span.paragraph_start <= ancestor.idx < span.paragraph_end:
                break
            if not self.inside_quote(ancestor) and ancestor.pos_ in {"VERB", "AUX", "NOUN"}:
                subject = subject_of(ancestor, self.inside_quote)
                if subject is None and ancestor.pos_ == "NOUN":
                    subject = next((c for c in ancestor.children if c.dep_ == "poss"), None)
                if subject is not None:
                    found.append((subject, ancestor, "ancestor_subject"))
                agent = self._passive_agent(ancestor)
                if agent is not None:
                    found.append((agent, ancestor, "passive_agent"))
        sentence = self.people.sent(content[0])
        if not self.inside_quote(sentence.root):
            subject = subject_of(sentence.root, self.inside_quote)
            if subject is not None:
                found.append((subject, None, "root_subject"))
        neighbours = []
        if sentence.start > 0:
            neighbours.append(self.people.sent(self.doc[sentence.start - 1]))
        last = self.people.sent(content[-1])
        if last.end < len(self.doc):
            neighbours.append(self.people.sent(self.doc[last.end]))
        for other in neighbours:
            if not (span.paragraph_start <= other.start_char < span.paragraph_end
                    or span.paragraph_start < other.end_char <= span.paragraph_end):
                continue
            for token in other:
                if not self.inside_quote(token) and span.paragraph_start <= token.idx < span.paragraph_end \
                        and is_cue(token, self.rules):
                    subject = subject_of(token, self.inside_quote)
                    if subject is not None:
                        found.append((subject, token, "neighbour_cue"))
        before = [e for e in self.people.ents if span.paragraph_start <= e.start_char and e.end_char <= span.mark_start
                  and e.label_ in NAMED_LABELS and not self.inside_quote(e[0])]
        after = [e for e in self.people.ents if span.mark_end <= e.start_char and e.end_char <= span.paragraph_end
                 and e.label_ in NAMED_LABELS and not self.inside_quote(e[0])]
        if before:
            found.append((before[-1].root, None, "entity_before"))
        if after:
            found.append((after[0].root, None, "entity_after"))
        found.extend(self._between_quotes(span))
        inverted = self._noun_after_inverted_cue(span)
        if inverted is not None:
            found.append(inverted)
        found.extend(self._across_paragraphs(span))
        return found

    def _passive_agent(self, verb: Token) -> Token | None:
        """'an option seen by organizers as a "lifeboat"': the object of a passive's "by"."""
        for child in verb.children:
            if child.dep_ == "agent":
                return next((c for c in child.children if c.dep_ == "pobj" and not self.inside_quote(c)), None)
        return None

    def _between_quotes(self, span: QuoteSpan) -> list[tuple[Token, Token | None, str]]:
        """'"...," the nominee riffed on ... "And ..."': subjects of the verbs between the
        previous quotation of the same paragraph and this one."""
        at = bisect_left(self._quote_starts, span.mark_start) - 1
        if at < 0 or self._quoted[at][1] <= span.paragraph_start:
            return []
        between = self.doc.char_span(self._quoted[at][1], span.mark_start, alignment_mode="contract")
        found = []
        for token in between or []:
            if token.pos_ in {"VERB", "AUX"} and not self.inside_quote(token):
                subject = subject_of(token, self.inside_quote)
                if subject is not None and all(subject.i != f[0].i for f in found):
                    found.append((subject, token, "between_quotes"))
        return found[-2:]

    def _noun_after_inverted_cue(self, span: QuoteSpan) -> tuple[Token, Token, str] | None:
        """'"...," said the woman' or '"...," read the email': the noun phrase after a cue
        that comes right after the closing mark (a name there is `name_after`'s)."""
        after = self.doc.char_span(span.mark_end, min(span.paragraph_end, span.mark_end + 60), alignment_mode="expand")
        if after is None:
            return None
        words = [t for t in after if not t.is_punct and not t.is_space and t.idx >= span.mark_end][:2]
        cue = next((t for t in words if is_cue(t, self.rules) and not self.inside_quote(t)), None)
        if cue is None:
            return None
        for token in self.doc[cue.i + 1:min(cue.i + 6, len(self.doc))]:
            if token.is_punct or token.is_space or self.inside_quote(token) or token.idx >= span.paragraph_end:
                return None
            if token.pos_ in {"NOUN", "PROPN"} or token.lower_ in {"one", "another", "some", "many", "both"}:
                head = token
                while head.dep_ in {"compound", "amod", "nmod"} and cue.i < head.head.i <= cue.i + 8:
                    head = head.head
                return head, cue, "after_inverted_cue"
        return None

    def _across_paragraphs(self, span: QuoteSpan) -> list[tuple[Token, Token | None, str]]:
        """Mentions in the neighbouring paragraphs: the subject of a cue in the last sentence of
        the paragraph before, for a quote opening its paragraph, and the name opening a short
        line right after the quote's paragraph ("Jane Doe, a teacher in Ohio")."""
        found = []
        if span.mark_start == span.paragraph_start and span.paragraph_start > 0:
            end = len(self.text[:span.paragraph_start].rstrip())
            last = self.doc.char_span(end - 1, end, alignment_mode="expand") if end else None
            if last is not None and len(last):
                for token in self.people.sent(last[0]):
                    if not self.inside_quote(token) and token.idx < end and is_cue(token, self.rules):
                        subject = subject_of(token, self.inside_quote)
                        if subject is not None:
                            found.append((subject, token, "previous_paragraph_cue"))
                            break
        rest = self.text[span.paragraph_end:]
        line_start = span.paragraph_end + len(rest) - len(rest.lstrip())
        line_end = self.text.find("\n", line_start)
        line_end = len(self.text) if line_end < 0 else line_end
        if line_start < line_end and len(self.text[line_start:line_end].split()) <= 15:
            ent = next((e for e in self.people.ents if e.start_char == line_start), None)
            if ent is not None and ent.label_ in NAMED_LABELS:
                found.append((ent.root, None, "line_after"))
        return found

