"""Speaker candidates no hand rule proposes, and the features comparing a quote's candidates."""

from __future__ import annotations

from extractors.attribution.direct import DirectQuotes
from extractors.attribution.model import RuleModel


def _options(nlp, rules, text: str) -> dict[str, list[tuple[str, set[str], dict]]]:
    """{quoted text: [(mention, sources, speaker features)]} for every quoted span of `text`."""
    seen = {}

    def collect(span, features, scored, none):
        seen[text[span.start:span.end]] = [(o.speaker.mention, o.sources, f) for o, f in scored]

    DirectQuotes(nlp(text), "a", rules, RuleModel(), collect=collect).records()
    return seen


def test_the_noun_phrase_after_an_inverted_cue_is_a_candidate(nlp, rules):
    options = _options(nlp, rules, '"We have been here for years," said the woman, who asked not to be named.')
    (found,) = options.values()
    assert any(mention == "the woman" and "after_inverted_cue" in sources for mention, sources, _ in found)


def test_the_agent_of_a_passive_the_quote_hangs_on_is_a_candidate(nlp, rules):
    text = 'Voters like the plan. It is an option seen by organizers as a "lifeboat" for conservatives.'
    found = _options(nlp, rules, text)["lifeboat"]
    # the mention stops before the quotation it would otherwise run over
    assert ("organizers", {"passive_agent"}) in [(mention, sources) for mention, sources, _ in found]


def test_the_subject_between_two_quotes_of_a_paragraph_is_a_candidate_of_the_second(nlp, rules):
    text = '"Let me help you out," the nominee riffed on the answer. "And that is why we need her back!"'
    found = _options(nlp, rules, text)["And that is why we need her back!"]
    assert any(mention == "the nominee" and "between_quotes" in sources for mention, sources, _ in found)
    # and no quote before it in its paragraph: no such candidate
    first = _options(nlp, rules, text)["Let me help you out,"]
    assert not any("between_quotes" in sources for _, sources, _ in first)


def test_the_nearest_of_several_mentions_of_one_speaker_is_marked(nlp, rules):
    text = 'Eric Ferrero said the observers were sent with the marchers, whom he described as "peaceful."'
    features = {mention: f for mention, _, f in _options(nlp, rules, text)["peaceful."]}
    assert features["he"]["nearest_of_name"] and not features["Eric Ferrero"]["nearest_of_name"]
    assert features["he"]["same_name_count"] == features["Eric Ferrero"]["same_name_count"] == "2"
    assert features["the observers"]["same_name_count"] == "1"
    assert features["he"]["head_lemma"] == "he" and "head_lemma" not in features["Eric Ferrero"]


def test_a_quotation_over_several_sentences_hangs_on_its_first_sentences_verb(nlp, rules):
    """spaCy's Span.root of a quotation running over sentences is a later sentence's own root,
    which no cue governs; the quotation's root is taken in its first sentence."""
    text = 'Senator Jones said the plan was "a disaster for the state. It will cost jobs and nobody wants it."'
    doc = nlp(text)
    quotes = DirectQuotes(doc, "a", rules, RuleModel())
    (span,) = quotes.spans
    content = doc.char_span(span.start, span.end, alignment_mode="expand")
    assert content.root.text == "cost"  # the second sentence's root, not governed by "said"
    assert quotes.root_of(content).text == "disaster"
    found = _options(nlp, rules, text)["a disaster for the state. It will cost jobs and nobody wants it."]
    assert any(mention == "Senator Jones" and "governing" in sources for mention, sources, _ in found)
