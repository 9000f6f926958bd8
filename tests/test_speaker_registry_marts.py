"""On the seed run's marts: surnames the NER tagged ORG join their person, and every speaker is one
registry entity with the registry's type (organisations and places are never counted as people)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("surname, person", [
    ("Trump", "Donald Trump"),
    ("Conway", "Kellyanne Conway"),
    ("Hollande", "Francois Hollande"),
])
def test_a_surname_tagged_org_joins_its_person_in_the_registry(seeded, surname, person):
    # No organisation of the surname's name is left in the registry ...
    assert seeded.query(
        "select canonical_name, entity_type from marts.entities where canonical_name = ?", [surname]) == []
    # ... every mention of the surname, whatever the NER's label, is linked to the person ...
    rows = seeded.query("""
        select entity_type, canonical_name, count(*) from marts.entity_mentions
        where regexp_replace(entity_text, '[’'']s$', '') = ?
        group by all order by 1""", [surname])
    labels = {label for label, _, _ in rows}
    assert "ORG" in labels  # the seeds do carry the NER slip this test is about
    assert {name for _, name, _ in rows} == {person}, rows
    # ... and the registry's evidence says how: the ORG mentions by surname_other_label.
    evidence = seeded.query("""
        select distinct a.canonical_name, a.match_rule from marts.entity_aliases a
        where regexp_replace(a.alias, '[’'']s$', '') = ?""", [surname])
    assert {name for name, _ in evidence} == {person}
    assert ("surname_other_label" in {rule for _, rule in evidence})


def test_the_speakers_mart_has_one_row_per_registry_entity_with_its_type(seeded):
    rows = seeded.query("""
        select s.speaker_entity_id, s.speaker, s.speaker_type, e.canonical_name, e.entity_type
        from marts.speakers s left join marts.entities e on e.entity_id = s.speaker_entity_id""")
    assert rows
    assert len({r[0] for r in rows}) == len(rows)
    for entity_id, speaker, speaker_type, canonical, entity_type in rows:
        assert (speaker, speaker_type) == (canonical, entity_type), entity_id
    quoted = seeded.query(
        "select count(distinct speaker_entity_id) from marts.quotes where speaker_entity_id is not null")[0][0]
    assert quoted == len(rows)


@pytest.mark.parametrize("speaker, speaker_type", [
    ("Kremlin", "ORG"), ("CNN", "ORG"), ("Russia", "GPE"),
    ("Donald Trump", "PERSON"), ("Kellyanne Conway", "PERSON"), ("Francois Hollande", "PERSON"),
])
def test_speakers_keep_their_registry_type(seeded, speaker, speaker_type):
    assert seeded.query("select speaker_type from marts.speakers where speaker = ?", [speaker]) == [(speaker_type,)]


def test_no_organisation_or_place_is_counted_among_the_people_who_speak(seeded):
    people = {name for (name,) in seeded.query("select speaker from marts.speakers where speaker_type = 'PERSON'")}
    organisations = {name for (name,) in seeded.query(
        "select canonical_name from marts.entities where entity_type <> 'PERSON'")}
    assert people and not people & {"Kremlin", "CNN", "Russia", "White House", "Reuters", "US"}
    assert not people & organisations
