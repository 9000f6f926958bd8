"""Cross-article entity linking: one registry of people and organisations, every merge with its rule."""

from __future__ import annotations

import random

import pytest

from extractors.linking.entities import EntityLink, link_entities
from extractors.linking.name_matching import edit_distance
from extractors.linking.names import Mention
from extractors.records import stable_id
from extractors.rules import load_rules


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def mention(article: str, start: int, text: str, label: str = "PERSON", source: str = "entity") -> Mention:
    return Mention(article, start, start + len(text), text, label, source)


def by_text(links: list[EntityLink]) -> dict[tuple[str, str], EntityLink]:
    return {(l.article_id, l.mention_text): l for l in links}


def entity_names(links: list[EntityLink], entity_type: str = "PERSON") -> set[str]:
    return {l.canonical_name for l in links if l.entity_type == entity_type}


# ----- people --------------------------------------------------------------------------------


def test_the_peskov_family_is_one_person_across_articles(rules):
    mentions = [
        mention("a1", 0, "Dmitry Peskov"),
        mention("a1", 40, "Mr Peskov", source="speaker"),
        mention("a2", 0, "Dmitry Peskov"),
        mention("a2", 50, "Peskov"),
        mention("a3", 0, "Dimitry Peskov"),
        mention("a3", 60, "Peskov"),
    ]
    links = by_text(link_entities(mentions, rules))

    assert len(links) == len(mentions)
    assert {l.canonical_name for l in links.values()} == {"Dmitry Peskov"}
    assert {l.entity_id for l in links.values()} == {stable_id("PERSON", "Dmitry Peskov")}
    assert links[("a1", "Dmitry Peskov")].match_rule == "exact"
    assert links[("a1", "Dmitry Peskov")].matched_alias == "Dmitry Peskov"
    assert links[("a1", "Mr Peskov")].match_rule == "surname_only"
    assert links[("a1", "Mr Peskov")].matched_alias == "Dmitry Peskov"
    assert links[("a1", "Mr Peskov")].source == "speaker"
    assert links[("a2", "Peskov")].match_rule == "surname_only"
    assert links[("a3", "Dimitry Peskov")].match_rule == "first_name_spelling"
    assert links[("a3", "Dimitry Peskov")].matched_alias == "Dmitry Peskov"
    # The surname in the misspelt article still attaches to the one entity.
    assert links[("a3", "Peskov")].canonical_name == "Dmitry Peskov"


def test_the_trump_family_is_one_person(rules):
    mentions = [
        mention("t1", 0, "President Donald Trump"),
        mention("t1", 40, "Trump's"),
        mention("t1", 60, "Mr Trump"),
        mention("t2", 0, "Donald Trump"),
        mention("t2", 30, "Donald J. Trump"),
        mention("t2", 60, "Trump’s"),
        mention("t3", 0, "Donald Trump's"),
    ]
    links = by_text(link_entities(mentions, rules))

    assert {l.canonical_name for l in links.values()} == {"Donald Trump"}
    assert links[("t2", "Donald Trump")].match_rule == "exact"
    assert links[("t3", "Donald Trump's")].match_rule == "exact"
    assert links[("t3", "Donald Trump's")].matched_alias == "Donald Trump"
    assert links[("t1", "President Donald Trump")].match_rule == "same_name"
    assert links[("t1", "President Donald Trump")].matched_alias == "Donald Trump"
    assert links[("t2", "Donald J. Trump")].match_rule == "middle_name"
    assert links[("t2", "Donald J. Trump")].matched_alias == "Donald Trump"
    for key in [("t1", "Trump's"), ("t1", "Mr Trump"), ("t2", "Trump’s")]:
        assert links[key].match_rule == "surname_only", key
        assert links[key].matched_alias == "Donald Trump"


def test_a_shared_surname_goes_to_the_person_named_in_the_same_article(rules):
    mentions = [
        mention("d1", 0, "Donald Trump"),
        mention("d2", 0, "Donald Trump"),
        mention("d3", 0, "Donald Trump"),
        mention("m1", 0, "Melania Trump"),
        mention("m1", 30, "Trump"),
        mention("m1", 50, "Mrs Trump"),
        mention("x1", 0, "Trump"),  # no full name in this article: the most mentioned overall
        mention("d1", 40, "Trump"),
    ]
    links = by_text(link_entities(mentions, rules))

    assert entity_names(list(links.values())) == {"Donald Trump", "Melania Trump"}
    assert links[("m1", "Trump")].canonical_name == "Melania Trump"
    assert links[("m1", "Trump")].match_rule == "surname_ambiguous"
    assert links[("m1", "Trump")].matched_alias == "Melania Trump"
    assert links[("m1", "Mrs Trump")].canonical_name == "Melania Trump"
    assert links[("x1", "Trump")].canonical_name == "Donald Trump"
    assert links[("x1", "Trump")].match_rule == "surname_ambiguous"
    assert links[("d1", "Trump")].canonical_name == "Donald Trump"


def test_people_with_the_same_surname_and_different_first_names_stay_apart(rules):
    mentions = [
        mention("a", 0, "Donald Trump"),
        mention("a", 20, "Melania Trump"),
        mention("b", 0, "Ivanka Trump"),
        mention("b", 20, "Vladimir Putin"),
        mention("b", 40, "Anna Putin"),
    ]
    links = link_entities(mentions, rules)

    assert len({l.entity_id for l in links}) == 5
    assert all(l.match_rule == "exact" for l in links)


@pytest.mark.parametrize(
    "first, second, rule",
    [
        ("Dmitry Peskov", "Dmitri Peskov", "first_name_spelling"),  # substitution, length 6
        ("Dmitry Peskov", "Dimitry Peskov", "first_name_spelling"),  # insertion, length 7
        ("Alexander Smith", "Aleksander Smith", "first_name_spelling"),  # distance 2, length 10
        ("Paul Ryan", "Paula Ryan", None),  # one final letter added makes another name
        ("Eric Garner", "Erica Garner", None),
        ("Vladimir Putin", "Vladimir Puttin", "surname_spelling"),
        ("Angela Merkel", "Angela Merkle", "surname_spelling"),  # a transposition is one edit
        ("John Smith", "John A. Smith", "middle_name"),
        ("George W. Bush", "George Walker Bush", "middle_name"),
        ("Dmitry Peskov", "D. Peskov", "first_initial"),
        ("Dmitry Peskov", "D Peskov", "first_initial"),
        ("José López", "Jose Lopez", "same_name"),
        ("Ivan Petrov", "Ivanka Petrov", None),  # distance 2 at length <= 6
        ("Jon Smith", "John Smith", None),  # first names shorter than 4 letters are not compared
        ("Alexander Smith", "Alexandria Smith", None),  # distance 3
        ("Vladimir Putin", "Vladimir Pudding", None),  # distance 3
        ("Ivan Ryan", "Ivan Ryann", None),  # surnames shorter than 5 letters are not compared
        ("Maria Gonzalez", "Mario Gonzales", None),  # both names differ
        ("George W. Bush", "George H. Bush", None),  # incompatible middle initials
    ],
)
def test_the_distance_bounds_of_the_name_rules(rules, first, second, rule):
    mentions = [mention("a", 0, first), mention("a", 50, first), mention("b", 0, second)]
    links = by_text(link_entities(mentions, rules))

    merged = links[("a", first)].entity_id == links[("b", second)].entity_id
    assert merged == (rule is not None)
    if rule is not None:
        assert links[("b", second)].match_rule == rule
        assert links[("b", second)].canonical_name == first
        assert links[("b", second)].matched_alias == first
    else:
        assert links[("b", second)].match_rule == "exact"


def test_an_initial_shared_by_two_people_stays_its_own_entity(rules):
    mentions = [mention("a", 0, "John Smith"), mention("b", 0, "Jane Smith"), mention("c", 0, "J. Smith")]
    links = by_text(link_entities(mentions, rules))

    assert links[("c", "J. Smith")].canonical_name == "J. Smith"
    assert links[("c", "J. Smith")].match_rule == "exact"
    assert len({l.entity_id for l in links.values()}) == 3


def test_a_chain_of_matches_keeps_the_evidence_of_each_step(rules):
    # "Dimitri Peskov" is two edits from "Dmitry" at length 7 (allowed), "Dimitry" one from both.
    mentions = [
        mention("a", 0, "Dmitry Peskov"),
        mention("a", 20, "Dmitry Peskov"),
        mention("b", 0, "Dmitry S. Peskov"),
        mention("c", 0, "D. S. Peskov"),
    ]
    links = by_text(link_entities(mentions, rules))

    assert {l.canonical_name for l in links.values()} == {"Dmitry Peskov"}
    assert links[("b", "Dmitry S. Peskov")].match_rule == "middle_name"
    assert links[("c", "D. S. Peskov")].match_rule == "first_initial"
    assert links[("c", "D. S. Peskov")].matched_alias in {"Dmitry Peskov", "Dmitry S. Peskov"}


def test_the_canonical_name_is_the_most_mentioned_then_the_longest_full_name(rules):
    frequent = [mention(f"a{i}", 0, "Dmitry Peskov") for i in range(3)] + [mention("b", 0, "Dimitry Peskov")]
    tied = [mention("a", 0, "Donald Trump"), mention("b", 0, "Donald J. Trump")]

    assert entity_names(link_entities(frequent, rules)) == {"Dmitry Peskov"}
    assert entity_names(link_entities(tied, rules)) == {"Donald J. Trump"}
    assert entity_names(link_entities([mention("a", 0, "Peskov"), *frequent], rules)) == {"Dmitry Peskov"}


def test_a_surname_with_no_full_name_is_its_own_entity(rules):
    mentions = [mention("a", 0, "Zelensky"), mention("b", 0, "President Zelensky"), mention("b", 30, "Mr Kremlin")]
    links = by_text(link_entities([*mentions, mention("c", 0, "Kremlin", "ORG")], rules))

    assert links[("a", "Zelensky")].canonical_name == "Zelensky"
    assert links[("a", "Zelensky")].match_rule == "exact"
    assert links[("b", "President Zelensky")].match_rule == "same_name"
    assert links[("b", "President Zelensky")].entity_id == links[("a", "Zelensky")].entity_id
    # A PERSON-labelled word equal to an ORG alias stays a person: no cross-type merging.
    assert links[("b", "Mr Kremlin")].entity_type == "PERSON"
    assert links[("b", "Mr Kremlin")].entity_id != links[("c", "Kremlin")].entity_id
    assert links[("b", "Mr Kremlin")].entity_id == stable_id("PERSON", "Kremlin")


# ----- organisations and places ------------------------------------------------------------------


def test_the_kremlin_and_kremlin_are_one_organisation(rules):
    mentions = [
        mention("a", 0, "the Kremlin", "ORG"),
        mention("a", 30, "Kremlin", "ORG"),
        mention("b", 0, "The Kremlin's", "ORG"),
        mention("c", 0, "Kremlin", "ORG"),
    ]
    links = link_entities(mentions, rules)

    assert {l.canonical_name for l in links} == {"Kremlin"}
    assert {l.entity_id for l in links} == {stable_id("ORG", "Kremlin")}
    assert {l.match_rule for l in links} == {"exact"}
    assert {l.matched_alias for l in links} == {"Kremlin"}


def test_the_same_text_under_two_labels_is_two_entities(rules):
    mentions = [
        mention("a", 0, "Georgia", "GPE"),
        mention("b", 0, "Georgia", "ORG"),
        mention("c", 0, "the United States", "GPE"),
        mention("c", 40, "United States", "GPE"),
        mention("d", 0, "the U.S.", "GPE"),
        mention("d", 20, "US", "GPE"),
        mention("d", 30, "U.S.", "GPE"),
    ]
    links = by_text(link_entities(mentions, rules))

    assert links[("a", "Georgia")].entity_type == "GPE"
    assert links[("b", "Georgia")].entity_type == "ORG"
    assert links[("a", "Georgia")].entity_id != links[("b", "Georgia")].entity_id
    assert links[("c", "the United States")].entity_id == links[("c", "United States")].entity_id
    assert links[("d", "US")].canonical_name == "U.S."
    assert links[("d", "US")].match_rule == "same_name"
    assert links[("d", "the U.S.")].match_rule == "exact"


def test_other_labels_and_empty_aliases_are_skipped_and_nothing_else_is_dropped(rules):
    mentions = [
        mention("a", 0, "Monday", "DATE"),
        mention("a", 10, "$5", "MONEY"),
        mention("a", 20, "Mr", "PERSON"),
        mention("a", 30, "the", "ORG"),
        mention("a", 40, "Mr King"),
        mention("a", 50, "Russians", "NORP"),
        mention("a", 60, "Red Square", "FAC"),
        mention("a", 70, "Europe", "LOC"),
        mention("a", 80, "Europe", "LOC"),  # a duplicate still gets its own link
    ]
    links = link_entities(mentions, rules)

    assert [(l.start_char, l.canonical_name) for l in links] == [
        (40, "King"),
        (50, "Russians"),
        (60, "Red Square"),
        (70, "Europe"),
        (80, "Europe"),
    ]


# ----- determinism and scale ----------------------------------------------------------------------


def _mixed_mentions() -> list[Mention]:
    return [
        mention("a1", 0, "Dmitry Peskov"),
        mention("a1", 40, "Mr Peskov", source="speaker"),
        mention("a2", 0, "Dimitry Peskov"),
        mention("a2", 20, "Peskov"),
        mention("a3", 0, "Dmitry Peskov"),
        mention("b1", 0, "Donald Trump"),
        mention("b1", 20, "Trump"),
        mention("b2", 0, "Melania Trump"),
        mention("b2", 20, "Trump"),
        mention("b3", 0, "Trump"),
        mention("b3", 10, "Mark Smith"),
        mention("b3", 20, "Mary Smith"),
        mention("b3", 30, "John Smith"),
        mention("b3", 40, "J. Smith"),
        mention("c1", 0, "the Kremlin", "ORG"),
        mention("c1", 20, "KREMLIN", "ORG"),
        mention("c2", 0, "Kremlin", "ORG"),
        mention("c2", 20, "Russia", "GPE"),
    ]


def test_the_same_mentions_in_any_order_give_the_same_links(rules):
    mentions = _mixed_mentions()
    expected = link_entities(mentions, rules)

    for seed in range(10):
        shuffled = mentions[:]
        random.Random(seed).shuffle(shuffled)
        assert link_entities(shuffled, rules) == expected
    assert link_entities(reversed(mentions), rules) == expected


def test_entity_ids_are_stable_across_runs_with_other_data(rules):
    first = by_text(link_entities(_mixed_mentions(), rules))
    second = by_text(link_entities([mention("z", 0, "Dmitry Peskov"), mention("z", 20, "the Kremlin", "ORG")], rules))

    assert first[("a1", "Dmitry Peskov")].entity_id == second[("z", "Dmitry Peskov")].entity_id
    assert first[("c1", "the Kremlin")].entity_id == second[("z", "the Kremlin")].entity_id
    assert second[("z", "Dmitry Peskov")].entity_id == stable_id("PERSON", "Dmitry Peskov")


def test_edit_distance_counts_a_transposition_as_one_edit_and_stops_at_the_limit():
    assert edit_distance("dmitry", "dmitri", 2) == 1
    assert edit_distance("merkel", "merkle", 2) == 1
    assert edit_distance("kitten", "sitting", 5) == 3
    assert edit_distance("ivan", "ivanka", 1) == 2  # limit + 1
    assert edit_distance("abcdef", "badcfe", 5) == 3


_LETTERS = "bcdfghjklmnprstvwxz"  # no vowels: a vowel marks a misspelt copy below


def _surname(i: int) -> str:
    """Distinct surnames, any two at least 2 edits apart: a base-19 code and its mirror image."""
    code = ""
    for _ in range(4):
        i, digit = divmod(i, len(_LETTERS))
        code += _LETTERS[digit]
    return (code + code[::-1]).capitalize()


def test_twenty_thousand_surnames_link_fast_and_correctly(rules, monkeypatch):
    from extractors.linking import name_matching

    compared = 0
    rule = name_matching.full_name_rule

    def counting_rule(a, b):
        nonlocal compared
        compared += 1
        return rule(a, b)

    monkeypatch.setattr(name_matching, "full_name_rule", counting_rule)
    n_people, n_misspelt = 20_000, 200
    mentions: list[Mention] = []
    for i in range(n_people):
        name = f"Alex {_surname(i)}"
        mentions += [mention(f"p{i}", 0, name), mention(f"q{i}", 0, name), mention(f"q{i}", 30, _surname(i))]
    for i in range(0, n_people, n_people // n_misspelt):
        misspelt = "O" + _surname(i)[1:]  # one substitution, and within one edit of no other name
        mentions.append(mention(f"r{i}", 0, f"Alex {misspelt}"))

    links = link_entities(mentions, rules)

    # Blocking by surname and spelling keys: the misspelt names meet their originals and few
    # others, never the 2 * 10^8 pairs of comparing every name with every other.
    n_names = n_people + n_misspelt
    assert n_misspelt <= compared < n_names, f"{compared} full-name pairs compared for {n_names} names"
    assert len(links) == len(mentions)
    assert len({l.entity_id for l in links}) == n_people
    rules_used = [l.match_rule for l in links]
    assert rules_used.count("surname_spelling") == n_misspelt
    assert rules_used.count("surname_only") == n_people
    misspelt_link = next(l for l in links if l.article_id == "r0")
    assert misspelt_link.canonical_name == f"Alex {_surname(0)}"
    assert misspelt_link.matched_alias == f"Alex {_surname(0)}"


def test_a_name_the_ner_missed_is_found_by_its_surname_and_merged(rules):
    from extractors.linking.name_scan import find_missed_names

    texts = {
        "a": "Kremlin spokesman Dmitry Peskov spoke. Peskov added more.",
        "b": "Dimitry Peskov, Putin's spokesperson, confirmed the call. Said Peskov: nothing more.",
    }
    tagged = [
        Mention("a", 18, 31, "Dmitry Peskov", "PERSON", "entity"),
        Mention("a", 39, 45, "Peskov", "PERSON", "entity"),
    ]
    scanned = find_missed_names(texts, tagged, rules)
    assert [(m.article_id, m.text) for m in scanned] == [("b", "Dimitry Peskov"), ("b", "Said Peskov")]
    links = {(l.article_id, l.mention_text): l for l in link_entities(tagged + scanned, rules)}
    dimitry = links["b", "Dimitry Peskov"]
    assert (dimitry.canonical_name, dimitry.match_rule, dimitry.source) == (
        "Dmitry Peskov", "first_name_spelling", "name_scan")
    # "Said Peskov" would found an entity of its own: a scan never does, and the lone
    # surname still attaches to the one Peskov without ambiguity.
    assert ("b", "Said Peskov") not in links
    assert links["a", "Peskov"].match_rule == "surname_only"


def test_the_name_scan_skips_tagged_spans_titles_and_possessives(rules):
    from extractors.linking.name_scan import find_missed_names

    text = "President Trump met Donald Trump. Russia's Trump policy. Melania Trump smiled. Ivanka Trump too."
    tagged = [
        Mention("a", 20, 32, "Donald Trump", "PERSON", "entity"),
        Mention("a", 86, 91, "Trump", "PERSON", "entity"),  # the NER tagged the surname alone
        Mention("a", 79, 85, "Ivanka", "GPE", "entity"),  # and the first name as something else
    ]
    assert text[86:91] == "Trump" and text[79:85] == "Ivanka"
    assert [m.text for m in find_missed_names({"a": text}, tagged, rules)] == ["Melania Trump"]
    tagged.pop()
    assert [m.text for m in find_missed_names({"a": text}, tagged, rules)] == ["Melania Trump", "Ivanka Trump"]


def test_a_surname_tagged_as_an_organisation_joins_the_person_of_the_same_article(rules):
    mentions = [
        Mention("a", 0, 12, "Donald Trump", "PERSON", "entity"),
        Mention("a", 20, 25, "Trump", "PERSON", "entity"),
        Mention("a", 40, 45, "Trump", "ORG", "entity"),
        # Another article never calls a person "Ford": its ORG "Ford" stays a company.
        Mention("b", 0, 11, "Gerald Ford", "PERSON", "entity"),
        Mention("b", 20, 24, "Ford", "ORG", "entity"),
    ]
    links = {(l.article_id, l.start_char): l for l in link_entities(mentions, rules)}
    slip = links["a", 40]
    assert (slip.canonical_name, slip.entity_type, slip.match_rule) == ("Donald Trump", "PERSON", "surname_other_label")
    assert slip.entity_id == links["a", 0].entity_id
    assert (links["b", 20].canonical_name, links["b", 20].entity_type) == ("Ford", "ORG")


def test_a_surname_the_article_always_tags_as_an_organisation_joins_the_person_it_quotes(rules):
    mentions = [
        # The seeds' Conway article: the NER tags her full name PERSON once and "Conway" ORG
        # three times; the quotes are attributed to Kellyanne Conway.
        Mention("a", 0, 16, "Kellyanne Conway", "PERSON", "entity"),
        Mention("a", 30, 36, "Conway", "ORG", "entity"),
        Mention("a", 50, 56, "Conway", "ORG", "entity"),
        Mention("a", 70, 76, "Conway", "ORG", "entity"),
        Mention("a", 80, 120, "Kellyanne Conway", "PERSON", "speaker"),
        # Mostly ORG "Trump" beside twice PERSON "Trump": the article quotes Donald Trump.
        Mention("b", 0, 12, "Donald Trump", "PERSON", "entity"),
        Mention("b", 20, 25, "Trump", "PERSON", "entity"),
        Mention("b", 30, 35, "Trump", "ORG", "entity"),
        Mention("b", 40, 47, "Trump’s", "ORG", "entity"),
        Mention("b", 50, 55, "Trump", "ORG", "entity"),
        Mention("b", 60, 90, "Donald Trump", "PERSON", "speaker"),
        # Quoting someone of another surname is no evidence: "Ford" stays a company.
        Mention("c", 0, 11, "Gerald Ford", "PERSON", "entity"),
        Mention("c", 20, 24, "Ford", "ORG", "entity"),
        Mention("c", 30, 60, "Donald Trump", "PERSON", "speaker"),
    ]
    links = {(l.article_id, l.start_char): l for l in link_entities(mentions, rules)}
    conway = links["a", 0].entity_id
    for start in (30, 50, 70):
        slip = links["a", start]
        assert (slip.entity_id, slip.entity_type, slip.match_rule, slip.matched_alias) == (
            conway, "PERSON", "surname_other_label", "Kellyanne Conway")
    assert {links["b", s].entity_id for s in (20, 30, 40, 50)} == {links["b", 0].entity_id}
    assert (links["c", 20].canonical_name, links["c", 20].entity_type) == ("Ford", "ORG")
    assert "ORG" not in {l.entity_type for l in links.values() if l.canonical_name in {"Conway", "Trump"}}


def test_places_and_mostly_organisational_words_are_never_relabelled(rules):
    mentions = [
        Mention("a", 0, 12, "Steve Israel", "PERSON", "entity"),
        Mention("a", 20, 26, "Israel", "PERSON", "entity"),
        Mention("a", 30, 36, "Israel", "GPE", "entity"),
        Mention("b", 0, 11, "Indiana GOP", "PERSON", "entity"),  # an NER slip
        Mention("b", 20, 23, "GOP", "PERSON", "entity"),
        Mention("b", 30, 33, "GOP", "ORG", "entity"),
        Mention("b", 40, 43, "GOP", "ORG", "entity"),
    ]
    links = {(l.article_id, l.start_char): l for l in link_entities(mentions, rules)}
    assert links["a", 30].entity_type == "GPE"
    assert {links["b", 30].entity_type, links["b", 40].entity_type} == {"ORG"}


def test_function_words_the_ner_swept_into_a_name_are_dropped(rules):
    mentions = [
        Mention("a", 0, 12, "Donald Trump", "PERSON", "entity"),
        Mention("a", 20, 30, "Then Trump", "PERSON", "entity"),
    ]
    then = next(l for l in link_entities(mentions, rules) if l.start_char == 20)
    assert (then.canonical_name, then.match_rule) == ("Donald Trump", "surname_only")
