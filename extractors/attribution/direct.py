"""Direct and partial quotations: decide which quoted spans are speech and who said each.

Every quoted span is a candidate. The rules propose speaker options (`options`); the model
(`model.load_model`) decides whether the span is speech and which option is its speaker, and
each record carries both probabilities.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

from spacy.tokens import Doc, Token

from extractors.attribution.features import comparative_features, none_features, speaker_features, speech_features
from extractors.attribution.model import load_model
from extractors.attribution.options import OptionFinder, QuoteOptions, SpeakerOption
from extractors.attribution.record import make_record
from extractors.attribution.reported_mention import reported_mention
from extractors.attribution.speakers import NO_SPEAKER, ArticleAttributor
from extractors.attribution.speech_filter import (
    MIN_UNCUED_WORDS,
    in_title_context,
    is_stage_direction,
    is_title_shaped,
)
from extractors.quote_spans import QuoteSpan, find_quote_spans
from extractors.records import QuoteRecord
from extractors.rules import Rules

# Called with (span, speech features, [(option, speaker features)], the none row's features) for
# every candidate, to collect training data.
Collector = Callable[[QuoteSpan, dict, list[tuple[SpeakerOption, dict]], dict], None]


def quote_type_of(text: str, span: QuoteSpan) -> str:
    before = text[span.paragraph_start:span.mark_start].rstrip()
    embedded = bool(before) and before[-1].isalnum()
    return "partial" if embedded and text[span.start:span.start + 1].islower() else "direct"


class DirectQuotes(OptionFinder):
    """Attributes the quotes of one article, in order, remembering the previous one."""

    def __init__(self, doc: Doc, article_id: str, rules: Rules, model=None, collect: Collector | None = None):
        self.doc = doc
        self.text = doc.text
        self.article_id = article_id
        self.rules = rules
        self.model = model if model is not None else load_model()
        self.collect = collect
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

    def records(self) -> list[QuoteRecord]:
        records: list[QuoteRecord] = []
        previous: tuple[QuoteSpan, QuoteRecord] | None = None
        for span in self.spans:
            record = self._attribute(span, previous)
            if record is not None:
                records.append(record)
                previous = (span, record)
        return records

    def _attribute(self, span: QuoteSpan, previous) -> QuoteRecord | None:
        content = self.doc.char_span(span.start, span.end, alignment_mode="expand")
        if content is None or len(content) == 0:
            return None
        quote_text = self.text[span.start:span.end]
        title_shaped = is_title_shaped(quote_text, self.rules)
        title_context = title_shaped and in_title_context(self.text, span, self.rules)
        stage = is_stage_direction(quote_text)
        if stage:
            return None  # '"(CROSSTALK.)"' in a transcript: never a candidate
        found = self.options(span, content, previous)
        quote_type = quote_type_of(self.text, span)
        rule_keep = self._rules_keep(found, title_context, stage, title_shaped, quote_text)
        features = speech_features(self.text, span, content, quote_type, title_shaped, title_context, stage,
                                   found, rule_keep)
        previous_speaker = previous[1].speaker if previous is not None else None
        sentences = (self.people.sent(content[0]).start, self.people.sent(content[-1]).end)
        root = self.root_of(content)
        scored = [(o, speaker_features(o, span, content, quote_type, previous_speaker, sentences, self.text, root))
                  for o in found.options]
        for option, option_features in scored:
            option_features["rule_rank"] = "0" if found.rule_pick is not None and option.order == 0 else "later"
        comparative_features(scored, span)
        none = none_features(features)
        if self.collect is not None:
            self.collect(span, features, scored, none)

        speech_confidence = self.model.speech(features)
        if speech_confidence < self.model.speech_threshold:
            return None
        pick, speaker_confidence = self.model.speaker_choice([f for _, f in scored], none)
        if pick is None:
            # an unnamed source: kept, never guessed
            speaker, cue = NO_SPEAKER, found.rule_cue
        else:
            best = reported_mention(pick, scored)
            speaker, cue = best.speaker, best.cue
        return make_record(self.article_id, self.text, span.start, span.end, quote_type, speaker, cue,
                           speech_confidence, speaker_confidence)

    @staticmethod
    def _rules_keep(found: QuoteOptions, title_context: bool, stage: bool, title_shaped: bool, quote_text: str) -> bool:
        """The hand rules' decision: titles in a title context and stage directions are not
        speech, nor a short or title-shaped span with neither a speaker nor a cue."""
        if title_context or stage:
            return False
        if found.rule_pick is not None or found.rule_cue is not None:
            return True
        return not (title_shaped or len(quote_text.split()) < MIN_UNCUED_WORDS)
