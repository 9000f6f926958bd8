"""Which mention of the chosen speaker a quote row reports (pure logic, hand-made options)."""

from __future__ import annotations

from extractors.attribution.options import SpeakerOption
from extractors.attribution.reported_mention import reported_mention
from extractors.attribution.speakers import Speaker

FERRERO = Speaker("Eric Ferrero", "Amnesty International spokesman Eric Ferrero", 0, 44, "PERSON", "spokesman")
HE = Speaker("Eric Ferrero", "he", 120, 122, "PERSON")


def option(speaker: Speaker, source: str, order: int) -> SpeakerOption:
    return SpeakerOption(speaker, None, source, order, None, {source})


def test_a_chosen_name_is_reported_at_the_governing_cues_subject_pronoun_of_the_same_person():
    scored = [(option(FERRERO, "ancestor_subject", 0), {"kind": "propn"}),
              (option(HE, "governing", 1), {"kind": "pronoun", "subject_of_governing_cue": True})]
    reported = reported_mention(0, scored).speaker
    assert (reported.mention, reported.start, reported.end) == ("he", 120, 122)
    # the person stays named, with the type and role the chosen mention gave
    assert (reported.name, reported.type, reported.role) == ("Eric Ferrero", "PERSON", "spokesman")


def test_other_choices_are_reported_as_chosen():
    other = Speaker("Donald Trump", "he", 120, 122, "PERSON")
    cases = [
        # the pronoun resolves to someone else
        [(option(FERRERO, "governing", 0), {"kind": "propn"}),
         (option(other, "cue_subject", 1), {"kind": "pronoun", "subject_of_governing_cue": True})],
        # the pronoun is not the subject of the cue governing the quotation
        [(option(FERRERO, "governing", 0), {"kind": "propn"}),
         (option(HE, "cue_subject", 1), {"kind": "pronoun", "subject_of_governing_cue": False})],
        # the same person's other mention is a name, not a pronoun
        [(option(FERRERO, "governing", 0), {"kind": "propn"}),
         (option(Speaker("Eric Ferrero", "Ferrero", 120, 127, "PERSON"), "cue_subject", 1),
          {"kind": "propn", "subject_of_governing_cue": True})],
    ]
    for scored in cases:
        assert reported_mention(0, scored) is scored[0][0]
    # a chosen pronoun stays where it is, even when another pronoun of the same person governs
    scored = [(option(Speaker("Eric Ferrero", "He", 60, 62, "PERSON"), "ancestor_subject", 0), {"kind": "pronoun"}),
              (option(HE, "governing", 1), {"kind": "pronoun", "subject_of_governing_cue": True})]
    assert reported_mention(0, scored) is scored[0][0]
    # an unnamed description stays as chosen
    unnamed = Speaker(None, "the spokesman", 0, 13)
    scored = [(option(unnamed, "governing", 0), {"kind": "noun"}),
              (option(Speaker(None, "he", 120, 122), "cue_subject", 1), {"kind": "pronoun", "subject_of_governing_cue": True})]
    assert reported_mention(0, scored) is scored[0][0]
