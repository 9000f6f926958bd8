"""Which mention of the chosen speaker a quote row reports.

The speaker choice may pick a person through any of their mentions: 'Amnesty International
spokesman Eric Ferrero' two clauses back rather than 'he', the subject of the verb the quotation
hangs on. The row then reports that subject pronoun, with the name the chosen mention resolved
to: the mention the attribution rests on (what an annotator marks, and what a reader checking
the row finds next to the quote), with the person still named. Only a pronoun that is the
subject of the cue governing the quotation and that resolves to the same named person takes
the place of a chosen name; any other choice is reported as chosen.
"""

from __future__ import annotations

from extractors.attribution.options import SpeakerOption
from extractors.attribution.speakers import Speaker


def reported_mention(chosen: int, scored: list[tuple[SpeakerOption, dict]]) -> SpeakerOption:
    """The option whose mention the row reports for the chosen option `scored[chosen]`: the
    chosen one, or the governing cue's subject pronoun naming the same person, carrying the
    chosen speaker's name, type and role."""
    option, features = scored[chosen]
    name = option.speaker.name
    if name is None or features.get("kind") == "pronoun":
        return option
    for other, other_features in scored:
        if (other is not option and other.speaker.name == name and other.speaker.start is not None
                and other_features.get("kind") == "pronoun" and other_features.get("subject_of_governing_cue")):
            s, o = option.speaker, other.speaker
            speaker = Speaker(s.name, o.mention, o.start, o.end, s.type, s.role)
            return SpeakerOption(speaker, other.cue, other.source, other.order, other.head, set(other.sources))
    return option
