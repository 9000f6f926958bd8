"""Reported-speech candidate generators (`reported_content`) on real parses: each construction
the learned decision chooses among yields the content an annotator would mark."""

import pytest

from extractors.attribution.reported_content import ContentFinder
from extractors.attribution.speakers import ArticleAttributor


def _candidates(nlp, rules, text):
    doc = nlp(text)
    finder = ContentFinder(doc, rules, ArticleAttributor(doc, rules))
    lemmas = rules.cue_lemmas | rules.belief_lemmas | frozenset(rules.stance_objects)
    from extractors.attribution.cues import is_cue

    found = {}
    for token in doc:
        content, how = finder.find(token, is_cue(token, rules, lemmas))
        if content is not None:
            found[token.text] = (doc[content[0]:content[1]].text, how)
    return found


@pytest.mark.parametrize(
    "text, cue, content, how",
    [
        # a noun cue without a "that" clause: what the noun is about
        ("The senator repeated his criticism of the trade deal on Monday.", "criticism", "the trade deal", "noun_prep"),
        # any verb's prepositional object, for the model to judge by the verb
        ("The governor focused on the budget deficit.", "focused", "the budget deficit", "verb_prep"),
        # a passive with an agent: its subject is the content
        ("The new tax plan was criticized by the senator.", "criticized", "The new tax plan", "listed_passive_subject"),
        # "be" with an adjective: the adjective's complement
        ("The mayor is critical of the new tax plan.", "is", "the new tax plan", "adjective_prep"),
        # a listed cue whose clause the parse does not give: its object
        ("The senator said the same thing about the new tax plan.", "said", "the same thing about the new tax plan",
         "listed_verb_object"),
    ],
)
def test_generators(nlp, rules, text, cue, content, how):
    assert _candidates(nlp, rules, text).get(cue) == (content, how)


def test_a_name_alone_is_no_reported_content(nlp, rules):
    from extractors.attribution import attribute_quotes

    text = "The senator criticized Russia. The governor praised Moscow."
    found = [q.quote_text for q in attribute_quotes(nlp(text), "a", rules) if q.quote_type == "indirect"]
    assert "Russia" not in found and "Moscow" not in found
    assert _candidates(nlp, rules, text)["criticized"] == ("Russia", "listed")  # the candidate exists; the row does not


def test_a_passive_report_is_its_agents(nlp, rules):
    """"The plan was criticized by Senator Graham": the speaker is the agent, not the plan."""
    from extractors.attribution.direct import DirectQuotes
    from extractors.attribution.model import RuleModel
    from extractors.attribution.reported import ReportedSpeech

    seen = []
    quotes = DirectQuotes(nlp("The new tax plan was criticized by Senator Graham."), "a", rules, RuleModel())
    ReportedSpeech(quotes, collect=lambda s, e, f, cue: seen.append((quotes.text[s:e], f["subject_kind"]))).records()
    assert ("The new tax plan", "PROPN") in seen
