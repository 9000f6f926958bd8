"""Direct and partial quotations: find each quoted span's cue and speaker, in text order."""

from __future__ import annotations

import re
from bisect import bisect_right

from spacy.tokens import Doc, Span, Token

from extractors.attribution.candidates import name_after, name_between, subject_of
from extractors.attribution.cues import is_cue
from extractors.attribution.people import NAMED_LABELS
from extractors.attribution.record import make_record
from extractors.attribution.speakers import NO_SPEAKER, ArticleAttributor, Speaker
from extractors.attribution.speech_filter import (
    MIN_UNCUED_WORDS,
    in_title_context,
    is_stage_direction,
    is_title_shaped,
)
from extractors.quote_spans import QuoteSpan, find_quote_spans
from extractors.records import QuoteRecord
from extractors.rules import Rules


def _quote_type(text: str, span: QuoteSpan) -> str:
    before = text[span.paragraph_start:span.mark_start].rstrip()
    embedded = bool(before) and before[-1].isalnum()
    return "partial" if embedded and text[span.start:span.start + 1].islower() else "direct"


_DASHES = {"―", "—", "–", "-"}
# "PENCE:" or "SEN. TIM KAINE:" opening a quoted transcript passage.
_TRANSCRIPT_LABEL = re.compile(r"([A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,3}):\s")


class DirectQuotes:
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
            if not self.inside_quote(ancestor) and is_cue(ancestor, self.rules, self._governing_lemmas):
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
        cues = [t for t in window if not self.inside_quote(t) and is_cue(t, self.rules)]
        return sorted(cues, key=lambda t: min(abs(t.idx - span.mark_start), abs(t.idx - span.mark_end)))

    def _attribute(self, span: QuoteSpan, previous) -> QuoteRecord | None:
        content = self.doc.char_span(span.start, span.end, alignment_mode="expand")
        if content is None or len(content) == 0:
            return None
        quote_text = self.text[span.start:span.end]
        if is_title_shaped(quote_text, self.rules) and in_title_context(self.text, span, self.rules):
            return None  # the title of a show, book or song, or a name
        if is_stage_direction(quote_text):
            return None  # '"(CROSSTALK.)"' in a transcript

        if _TRANSCRIPT_LABEL.match(self.text, span.start, span.end):
            cues = []
        else:
            cues = self._window_cues(span, content)
            governing = self._governing_cue(span, content)
            if governing is not None:
                cues = [governing] + [c for c in cues if c is not governing]
        cue: Token | None = None
        speaker = self._transcript_label(span) or NO_SPEAKER
        for candidate in cues:
            subject = subject_of(candidate, self.inside_quote)
            if subject is not None:
                cue, speaker = candidate, self.speaker_of(subject)
                break
        if cue is None and cues:
            cue = cues[0]
            subject = name_between(self.doc, span.mark_end, cue) or name_after(cue)
            if subject is not None:
                speaker = self.speaker_of(subject)

        if cue is None and speaker is NO_SPEAKER:
            cue, speaker = self._dash_attribution(span)
        if cue is None and speaker is NO_SPEAKER:
            cue, speaker = self._reporting_sentence_before(span, content[0].sent)
        if cue is None and speaker is NO_SPEAKER:
            inherited = self._continued_speaker(span, previous)
            if inherited is not None:
                speaker = inherited
            elif is_title_shaped(quote_text, self.rules) or len(quote_text.split()) < MIN_UNCUED_WORDS:
                return None  # a scare quote or a name in quotation marks, not speech

        return make_record(self.article_id, self.text, span.start, span.end, _quote_type(self.text, span),
                           speaker, cue)

    def _dash_attribution(self, span: QuoteSpan) -> tuple[Token | None, Speaker]:
        """'"...” ― Steve Quinlan': a dash and a name right after the closing mark."""
        rest = self.text[span.mark_end:span.paragraph_end]
        stripped = rest.lstrip()
        if not stripped or stripped[0] not in _DASHES:
            return None, NO_SPEAKER
        dash_at = span.mark_end + len(rest) - len(stripped)
        after = self.doc.char_span(dash_at + 1, span.paragraph_end, alignment_mode="expand")
        tokens = [t for t in after or [] if not t.is_space and t.idx > dash_at]
        if not tokens:
            return None, NO_SPEAKER
        dash = self.doc.char_span(dash_at, dash_at + 1, alignment_mode="expand")[0]
        name = tokens[0]
        ent = next((e for e in self.doc.ents if e.start <= name.i < e.end), None)
        if ent is not None and ent.label_ in NAMED_LABELS:
            return dash, self.speaker_of(ent[-1])
        if name.pos_ == "PROPN":
            return dash, self.speaker_of(name)
        return None, NO_SPEAKER

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
                return None, NO_SPEAKER
        elif span.mark_start == span.paragraph_start and span.paragraph_start > 0:
            # Only the previous paragraph's lead-in counts, when it ends with a colon ("He said:").
            lead_in = self.text[:span.paragraph_start].rstrip()
            if not lead_in.endswith(":"):
                return None, NO_SPEAKER
            last = self.doc.char_span(len(lead_in) - 1, len(lead_in), alignment_mode="expand")
            before = last[0].sent
            before = self.doc[before.start:last[-1].i + 1]  # a parse may run on past the break
        elif span.mark_start <= sentence.start_char + 1 and sentence.start > 0:
            before = self.doc[sentence.start - 1].sent
            if before.start_char < span.paragraph_start:
                return None, NO_SPEAKER
        else:
            return None, NO_SPEAKER
        for token in before:
            if not self.inside_quote(token) and is_cue(token, self.rules):
                subject = subject_of(token, self.inside_quote)
                if subject is not None:
                    return token, self.speaker_of(subject)
        if self.text[before.start_char:span.mark_start].rstrip().endswith(":"):
            # "Sanders made the following comment:" introduces the quotation without a cue verb.
            subject = subject_of(before.root, self.inside_quote) if before.root.pos_ in {"VERB", "AUX"} else None
            if subject is not None:
                return None, self.speaker_of(subject)
        return None, NO_SPEAKER

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
