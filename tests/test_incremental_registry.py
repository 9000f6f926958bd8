"""The registry night by night on a name printed every night: the night links its own mentions
from the block's forms while the block's decisions stand, and relinks the block when they change.

Every night is also relinked in full (`full=True`) in a second database; both must hold the same
rows in every link and state table.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from extractors.linking.blocks import block_keys
from extractors.linking.names import Mention
from extractors.linking.nightly import link
from extractors.rules import load_rules
from tests.test_incremental_linking import _state, _tables, _text_article

# (text, entities as (label, surface) in order of appearance)
FULL_NAME = ("Donald Trump met aides. Trump said the GOP would win.", [("PERSON", "Donald Trump"), ("ORG", "Trump"),
                                                                      ("ORG", "GOP")])
# "Monday Trump": a name only the scan finds, whose article's bare "Trump" makes it a person.
SCANNED = ("Trump left. Monday Trump spoke.", [("PERSON", "Trump")])
BARE = ("Trump spoke to the GOP. Trump left early.", [("ORG", "Trump"), ("ORG", "GOP"), ("PERSON", "Trump")])
SECOND_PERSON = ("Melania Trump spoke. Melania Trump smiled.", [("PERSON", "Melania Trump"),
                                                                   ("PERSON", "Melania Trump")])


def _article(db: Path, article_id: str, night: int, text: str, entities: list[tuple[str, str]],
             source_file: str | None = None) -> None:
    _text_article(db, article_id, source_file or f"{article_id}.txt", text, night)
    at = 0
    with duckdb.connect(str(db)) as con:
        for i, (label, surface) in enumerate(entities):
            start = text.index(surface, at)
            at = start + len(surface)
            con.execute("insert into raw.entities (entity_id, article_id, label, entity_text, start_char, end_char, run_id) "
                        "values (?, ?, ?, ?, ?, ?, ?)",
                        [f"{article_id}-e{i}", article_id, label, surface, start, at, f"night{night}"])


@pytest.fixture
def nights(tmp_path):
    incremental, full = tmp_path / "incremental.duckdb", tmp_path / "full.duckdb"

    def night(number: int, articles: list[tuple]) -> dict:
        for db in (incremental, full):
            for article_id, (text, entities), *source in articles:
                _article(db, article_id, number, text, entities, *source)
        done = link(incremental, f"night{number}")
        link(full, f"night{number}", full=True)
        assert done["full"] == 0
        assert _tables(incremental) == _tables(full), f"night {number}"
        assert _state(incremental) == _state(full), f"night {number}"
        assert _kept_forms(incremental) == _grouped_forms(incremental), f"night {number}"
        return done

    night.db = incremental
    return night


def _kept_forms(db: Path) -> list[tuple]:
    """raw.link_name_forms as the night left it: per block and form, its count and first mention."""
    with duckdb.connect(str(db), read_only=True) as con:
        return sorted(con.execute("""
            select block, mention_text, label, source, scan_surname, n, first_article_id, first_start, first_end
            from raw.link_name_forms""").fetchall(), key=repr)


def _grouped_forms(db: Path) -> list[tuple]:
    """The same, grouped afresh from the stored mentions and each one's blocking keys."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("""
            select article_id, start_char, end_char, mention_text, label, source, scan_surname
            from raw.link_mentions order by article_id, start_char, end_char""").fetchall()
    rules = load_rules()
    forms: dict[tuple, list] = {}
    for article_id, start, end, text, label, source, scan in rows:
        for block in block_keys(Mention(article_id, start, end, text, label, source), rules, scan):
            form = forms.setdefault((block, text, label, source, scan), [0, (article_id, start, end)])
            form[0] += 1
    return sorted(((*key, n, *first) for key, (n, first) in forms.items()), key=repr)


def _links(db: Path, article_id: str) -> set[tuple[str, str, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return set(con.execute("select mention_text, canonical_name, match_rule from raw.entity_links "
                               "where article_id = ?", [article_id]).fetchall())


def test_a_name_printed_every_night_is_linked_from_its_forms_until_a_night_changes_its_block(nights):
    # "scanned" keeps Monday Trump for every article: "mention" names him too, with no bare surname.
    nights(1, [("full", FULL_NAME), ("scanned", SCANNED), ("mention", ("Monday Trump spoke again.", [])),
               ("early", ("Jake Tapper asked twice.", []))])
    assert not _links(nights.db, "early")  # no full name has his surname yet
    assert ("Monday Trump", "Monday Trump", "exact") in _links(nights.db, "scanned")
    steady = [nights(n, [(f"bare{n}a", BARE), (f"bare{n}b", BARE)]) for n in range(2, 6)]
    for done in steady:
        # Only the night's own mentions are linked: the block's earlier mentions are never read,
        # its forms are, and their number does not grow with the nights.
        assert done.get("rows_read_closure_mentions", 0) == 0 and done["mentions_relinked"] == 0
        assert done["rows_read_closure_forms"] > 0
    assert len({done["rows_read_closure_forms"] for done in steady[1:]}) == 1
    assert ("Trump", "Donald Trump", "surname_other_label") in _links(nights.db, "bare5a")

    # A person of the surname named more often than Donald Trump: every bare "Trump" (and the ORG
    # "Trump" the same articles use as a surname) now joins her, so the block is relinked.
    changed = nights(6, [("second", SECOND_PERSON)])
    assert changed["rows_read_closure_mentions"] > 0 and changed["mentions_relinked"] > 0
    assert ("Trump", "Melania Trump", "surname_ambiguous") in _links(nights.db, "bare2a")
    assert ("Trump", "Melania Trump", "surname_other_label") in _links(nights.db, "bare2a")

    again = nights(7, [("bare7", BARE)])
    assert again.get("rows_read_closure_mentions", 0) == 0

    # A new version of the scanned article drops "Monday Trump": nothing keeps him any more.
    nights(8, [("scanned2", ("Trump left early.", [("PERSON", "Trump")]), "scanned.txt")])
    with duckdb.connect(str(nights.db), read_only=True) as con:
        assert con.execute("select count(*) from raw.entity_links where canonical_name = 'Monday Trump'").fetchone() == (0,)

    # A newcomer of the surname named less often than the first: earlier bare "Trump"s keep their
    # person, so the block stands. Named more often, it comes first and the block is relinked.
    newcomer = nights(9, [("ivanka", ("Ivanka Trump spoke. Trump left.", [("PERSON", "Ivanka Trump"),
                                                                           ("PERSON", "Trump")]))])
    assert newcomer.get("rows_read_closure_mentions", 0) == 0
    assert ("Trump", "Ivanka Trump", "surname_ambiguous") in _links(nights.db, "ivanka")
    first = nights(10, [("eric", ("Eric Trump spoke. Eric Trump left. Eric Trump won.",
                                  [("PERSON", "Eric Trump")] * 3))])
    assert first["rows_read_closure_mentions"] > 0
    assert ("Trump", "Eric Trump", "surname_ambiguous") in _links(nights.db, "bare7")

    # The surname of a name only scanned so far becomes known: the earlier scanned name is linked.
    nights(11, [("tapper", ("Jake Tapper asked.", [("PERSON", "Jake Tapper")]))])
    assert ("Jake Tapper", "Jake Tapper", "exact") in _links(nights.db, "early")


def test_the_forms_kept_per_block_equal_a_fresh_grouping_of_the_mentions_after_every_night(nights):
    # The fixture compares raw.link_name_forms with a fresh grouping after each night; here the
    # nights add forms to a block and mentions to its forms, then replace two articles (new
    # versions of their files): one held the first mention of forms that others print too, the
    # other the only mentions of a person.
    nights(1, [("full", FULL_NAME), ("scanned", SCANNED)])
    nights(2, [("bare2", BARE), ("second", SECOND_PERSON)])
    before = {(row[0], row[1], row[2]): row[5:] for row in _kept_forms(nights.db)}
    assert before["s\x1ftrump", "Trump", "PERSON"] == (2, "bare2", 24, 29)
    assert before["s\x1ftrump", "Melania Trump", "PERSON"] == (2, "second", 0, 13)
    nights(3, [("bare2v2", ("The GOP met.", [("ORG", "GOP")]), "bare2.txt"),
               ("second2", ("Trump spoke.", [("ORG", "Trump")]), "second.txt"), ("bare3", BARE)])
    after = {(row[0], row[1], row[2]): row[5:] for row in _kept_forms(nights.db)}
    assert after["s\x1ftrump", "Trump", "PERSON"] == (2, "bare3", 24, 29)
    assert after["s\x1fgop", "GOP", "ORG"] == (3, "bare2v2", 4, 7)
    assert not any(name == "Melania Trump" for _, name, _ in after)


DONALD = ("Donald Trump met aides. Donald Trump left.", [("PERSON", "Donald Trump"), ("PERSON", "Donald Trump")])
MELANIA = ("Melania Trump spoke. Melania Trump smiled. Melania Trump waved. Melania Trump sat. Melania Trump left.",
           [("PERSON", "Melania Trump")] * 5)


def test_a_changed_decision_relinks_the_articles_that_need_it_not_the_rest_of_its_block(nights):
    nights(1, [("donald1", DONALD), ("donald2", DONALD), ("bare1", BARE), ("bare2", BARE)])
    assert ("Trump", "Donald Trump", "surname_only") in _links(nights.db, "bare1")
    donald = _links(nights.db, "donald1")

    # Melania Trump, named more often than Donald, comes first for the surname: the bare
    # "Trump"s (and the ORG "Trump"s their articles use as a surname) move to her; articles
    # naming Donald Trump in full need no decision that changed and are not read.
    changed = nights(2, [("melania", MELANIA)])
    assert changed["articles_relinked"] == 2 and changed["mentions_relinked"] == 4
    assert changed["rows_read_closure_mentions"] == 4
    assert ("Trump", "Melania Trump", "surname_ambiguous") in _links(nights.db, "bare1")
    assert ("Trump", "Melania Trump", "surname_other_label") in _links(nights.db, "bare2")
    assert _links(nights.db, "donald1") == donald

    # A new version of her article drops her: removed, she no longer comes first, and the same
    # two articles move back.
    back = nights(3, [("melania2", ("The GOP met.", [("ORG", "GOP")]), "melania.txt")])
    assert back["articles_removed"] == 1
    assert back["articles_relinked"] == 2 and back["mentions_relinked"] == 4
    assert ("Trump", "Donald Trump", "surname_only") in _links(nights.db, "bare1")
    assert _links(nights.db, "donald1") == donald


def test_scanned_names_whose_surname_becomes_known_and_the_article_that_kept_them(nights):
    # Nobody of the surname is named in full yet: the scan finds "Monday Kowalski" and "Anna
    # Kowalski" but keeps neither, and the bare "Kowalski" is its own entity.
    nights(1, [("monday", ("Kowalski smiled. Monday Kowalski left.", [("PERSON", "Kowalski")])),
               ("monday2", ("Monday Kowalski spoke again.", [])),
               ("anna", ("Anna Kowalski spoke.", [])),
               ("firm", ("The firm Kowalski grew.", [("ORG", "Kowalski")]))])
    assert _links(nights.db, "monday") == {("Kowalski", "Kowalski", "exact")}
    assert not _links(nights.db, "monday2") and not _links(nights.db, "anna")
    firm = _links(nights.db, "firm")

    # A full name makes the surname known: the scanned names are linked where an article's
    # bare surname keeps them ("monday", and so "monday2"), not otherwise ("anna"). The ORG
    # "Kowalski" of an article naming no person needs nothing that changed: not read.
    known = nights(2, [("jan", ("Jan Kowalski spoke.", [("PERSON", "Jan Kowalski")]))])
    assert ("Monday Kowalski", "Monday Kowalski", "exact") in _links(nights.db, "monday")
    assert ("Kowalski", "Monday Kowalski", "surname_ambiguous") in _links(nights.db, "monday")
    assert _links(nights.db, "monday2") == {("Monday Kowalski", "Monday Kowalski", "exact")}
    assert not _links(nights.db, "anna")
    assert _links(nights.db, "firm") == firm
    assert known["articles_relinked"] == 3

    # The article that kept him is replaced by a version without his name: nothing keeps him,
    # and the other article printing his name (no decision of its own changed) loses its link.
    nights(3, [("monday3", ("Kowalski smiled.", [("PERSON", "Kowalski")]), "monday.txt")])
    assert not _links(nights.db, "monday2")
    assert ("Kowalski", "Jan Kowalski", "surname_only") in _links(nights.db, "monday3")
