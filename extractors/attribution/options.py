"""Speaker options of a quoted span: every mention the rules would take for its speaker.

The rules, in their order, are candidate generators: a transcript label ("PENCE: ..."), the
subject of the governing or a nearby cue, a name between the quote and its cue or after an
inverted cue, a dash and a name after the quote, a lead-in sentence ("X said:"), the previous
quote's speaker for a continued quote; then mentions no rule takes: the subject of the
sentence's main verb, the nearest named entities before and after the quote in its
paragraph, a cue's subject ending the paragraph before and a name opening a short line after
it. The learned choice picks among them or none; the hand rules took the first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from extractors.attribution.candidates import name_after, name_between, subject_of
from extractors.attribution.cues import is_cue
from extractors.attribution.other_mentions import OtherMentions
from extractors.attribution.people import NAMED_LABELS
from extractors.attribution.speakers import NO_SPEAKER, ArticleAttributor, Speaker
from extractors.quote_spans import QuoteSpan

_DASHES = {"―", "—", "–", "-"}
# "PENCE:" or "SEN. TIM KAINE:" opening a quoted transcript passage.
TRANSCRIPT_LABEL = re.compile(r"([A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,3}):\s")


@dataclass
class SpeakerOption:
    """One candidate speaker of a quote, with the cue it came with and what proposed it."""

    speaker: Speaker
    cue: Token | None
    source: str  # the generator that proposed it first
    order: int  # its place in the rules' order (0 = the rules' own pick when rule_pick)
    head: Token | None = None  # the mention's head token, when the parse gave one
    sources: set[str] = field(default_factory=set)


@dataclass
class QuoteOptions:
    options: list[SpeakerOption]
    rule_pick: int | None  # index of the rules' choice in options, None for no speaker
    rule_cue: Token | None  # the cue the rules record when they found no speaker
    cues: list[Token]


class OptionFinder(OtherMentions):
    """Generates the speaker options of one article's quoted spans."""

    doc: Doc
    text: str
    people: ArticleAttributor

    def inside_quote(self, token: Token) -> bool:  # pragma: no cover - defined by DirectQuotes
        raise NotImplementedError

    def speaker_of(self, subject: Token) -> Speaker:
        return self.people.speaker_of(subject, self.inside_quote)

    def options(self, span: QuoteSpan, content: Span, previous) -> QuoteOptions:
        found: list[SpeakerOption] = []

        def add(speaker: Speaker, cue: Token | None, source: str, head: Token | None = None) -> None:
            if speaker is NO_SPEAKER or speaker.mention is None:
                return
            for option in found:
                if (option.speaker.start, option.speaker.end) == (speaker.start, speaker.end):
                    option.sources.add(source)
                    return
            found.append(SpeakerOption(speaker, cue, source, len(found), head, {source}))

        transcript = self._transcript_label(span)
        if transcript is not None:
            add(transcript, None, "transcript")
            cues = []
        else:
            cues = self._window_cues(span, content)
            governing = self._governing_cue(span, content)
            if governing is not None:
                cues = [governing] + [c for c in cues if c is not governing]
        for cue in cues:
            subject = subject_of(cue, self.inside_quote)
            if subject is not None:
                add(self.speaker_of(subject), cue, "governing" if governing_first(cues, self.root_of(content)) and cue is cues[0] else "cue_subject", subject)
        if cues:
            subject = name_between(self.doc, span.mark_end, cues[0]) or name_after(cues[0])
            if subject is not None:
                add(self.speaker_of(subject), cues[0], "name_near_cue", subject)
        rule_blocked = not found and bool(cues)
        cue, speaker = self._dash_attribution(span)
        add(speaker, cue, "dash")
        cue, speaker = self._reporting_sentence_before(span, self.people.sent(content[0]))
        add(speaker, cue, "lead_in")
        inherited = self._continued_speaker(span, previous)
        if inherited is not None:
            add(inherited, None, "continued")
        rule_pick = 0 if found and not rule_blocked else None
        n_rule = len(found)
        for head, cue, source in self._other_mentions(span, content):
            add(self.speaker_of(head), cue, source, head)
        if previous is not None and previous[1].speaker_mention is not None and inherited is None:
            record = previous[1]
            add(Speaker(record.speaker, record.speaker_mention, record.speaker_start, record.speaker_end,
                        record.speaker_type, record.speaker_role), None, "previous_speaker")
        for option in found[n_rule:]:
            option.order = 99
        return QuoteOptions(found, rule_pick, cues[0] if rule_blocked else None, cues)

    def root_of(self, content: Span) -> Token:
        """The root of the quotation's part in its first sentence. `Span.root` of a quotation
        running over several sentences is a later sentence's own root, which no cue governs
        ('Skelly called Braynard "a real smart guy. I'd like to think ..."')."""
        end = min(content.end, self.people.sent(content[0]).end)
        return self.doc[content.start:end].root

    def _governing_cue(self, span: QuoteSpan, content: Span) -> Token | None:
        """The outermost reporting verb the quotation depends on, if any.

        'Flynn said Trump was "absolutely right"': the quotation is part of what Flynn said,
        whatever verbs stand between; an annotator attributes it to the outermost speaker.
        """
        outermost = None
        for ancestor in self.root_of(content).ancestors:
            if not span.paragraph_start <= ancestor.idx < span.paragraph_end:
                break  # a parse running over a paragraph break
            if not self.inside_quote(ancestor) and is_cue(ancestor, self.rules, self._governing_lemmas):
                outermost = ancestor
        return outermost

    def _window_cues(self, span: QuoteSpan, content: Span) -> list[Token]:
        """Cue tokens outside any quote in the sentences the quote touches, nearest first."""
        doc = self.doc
        first_sentence = self.people.sent(content[0])
        after = doc.char_span(span.mark_end, span.paragraph_end, alignment_mode="expand")
        last_sentence = self.people.sent(after[0]) if after is not None and len(after) else self.people.sent(content[-1])
        start = max(first_sentence.start_char, span.paragraph_start)
        end = min(max(last_sentence.end_char, self.people.sent(content[-1]).end_char), span.paragraph_end)
        window = doc.char_span(start, end, alignment_mode="expand") or []
        cues = [t for t in window if not self.inside_quote(t) and is_cue(t, self.rules)]
        return sorted(cues, key=lambda t: min(abs(t.idx - span.mark_start), abs(t.idx - span.mark_end)))

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
        ent = self.people._entity_at.get(name.i)
        if ent is not None and ent.label_ in NAMED_LABELS:
            return dash, self.speaker_of(ent[-1])
        if name.pos_ == "PROPN":
            return dash, self.speaker_of(name)
        return None, NO_SPEAKER

    def _transcript_label(self, span: QuoteSpan) -> Speaker | None:
        """'"PENCE: Well, look, ..."': a transcript's speaker label opening the quotation."""
        match = TRANSCRIPT_LABEL.match(self.text, span.start, span.end)
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
            before = self.people.sent(last[0])
            before = self.doc[before.start:last[-1].i + 1]  # a parse may run on past the break
        elif span.mark_start <= sentence.start_char + 1 and sentence.start > 0:
            before = self.people.sent(self.doc[sentence.start - 1])
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


def governing_first(cues: list[Token], root: Token) -> bool:
    """Whether the first cue governs the quotation (is one of its root's syntactic ancestors)."""
    return bool(cues) and any(a.i == cues[0].i for a in root.ancestors)
