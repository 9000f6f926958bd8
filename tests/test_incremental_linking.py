"""Incremental linking gives the link tables a full relink gives, reading only what the night brings.

The raw rows are the seed run's real extraction (articles, NER mentions, quotes), plus copies
of seed articles with a name respelt or a file's new version, loaded into fresh work databases
night by night in different orders. After every night the incremental database and one relinked
in full (`full=True`) must hold the same rows in every link table.
"""

from __future__ import annotations

import random
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from extractors.linking.nightly import STATE_TABLES, link
from extractors.warehouse import ensure_schema

# change_seq says when a row was written, which differs between two ways of writing the same rows.
LINK_TABLES = {
    "entity_links": "* exclude (change_seq)",
    "claim_assignments": "quote_id, claim_id, match_rule, matched_quote_id",
    "claim_variants": "* exclude (change_seq)",
    "quote_variants": "* exclude (change_seq)",
    "article_overlaps": "*",
    "article_reprints": "*",
}
# Same-length respellings, so the copied NER and quote offsets still fit the copied text.
RESPELT = {"Dmitry": "Dmitri", "Trump": "Trumb", "Conway": "Conwey"}


def _columns(con, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'raw' and table_name = ? "
        "order by ordinal_position", [table]).fetchall()]


@pytest.fixture(scope="module")
def extraction(seeded) -> dict[str, list[dict]]:
    """The seed run's raw rows by table, as dicts."""
    tables: dict[str, list[dict]] = {}
    with duckdb.connect(str(seeded.work_db), read_only=True) as con:
        for table in ("articles", "entities", "quotes"):
            columns = _columns(con, table)
            tables[table] = [dict(zip(columns, row)) for row in con.execute(
                f"select * from raw.{table} order by 1").fetchall()]
    return tables


def _respell(value, mapping: dict[str, str]):
    if not isinstance(value, str):
        return value
    for old, new in mapping.items():
        value = value.replace(old, new)
    return value


def _copy(extraction, article: dict, suffix: str, mapping: dict[str, str], source_file: str | None = None) -> dict:
    """A copy of one article and its rows under new ids, with names respelt in every text."""
    new_id = article["article_id"][:8] + suffix
    text_columns = ("text", "raw_text", "entity_text", "quote_text", "speaker", "speaker_mention", "normalized_text")
    copied = {
        "articles": [{**{k: (_respell(v, mapping) if k in text_columns else v) for k, v in article.items()},
                      "article_id": new_id, "source_file": source_file or article["source_file"] + suffix}],
    }
    for table, key in (("entities", "entity_id"), ("quotes", "quote_id")):
        copied[table] = [
            {**{k: (_respell(v, mapping) if k in text_columns else v) for k, v in row.items()},
             key: row[key][:8] + suffix, "article_id": new_id}
            for row in extraction[table] if row["article_id"] == article["article_id"]
        ]
    return copied


@pytest.fixture(scope="module")
def articles(extraction) -> list[dict]:
    """Nine articles: the five seeds, two reprints with respelt names, one respelt copy of a reprint
    and a new version of a seed file (same file, respelt text), each with its own rows."""
    seeds = sorted(extraction["articles"], key=lambda a: a["article_id"])
    own = [{t: [r for r in extraction[t] if r["article_id"] == a["article_id"]] for t in extraction} for a in seeds]
    for bundle, article in zip(own, seeds):
        bundle["articles"] = [article]
    copies = [
        _copy(extraction, seeds[0], "c0c0c0c0", {"Dmitry": "Dmitri"}),
        _copy(extraction, seeds[1], "c1c1c1c1", {"Trump": "Trumb"}),
        _copy(extraction, seeds[1], "c2c2c2c2", {"Trump": "Trumb", "Conway": "Conwey"}),
        _copy(extraction, seeds[2], "c3c3c3c3", RESPELT, source_file=seeds[2]["source_file"]),
    ]
    return own + copies


def insert_bundles(db: Path, bundles: list[dict], run_id: str, loaded_at: datetime) -> None:
    """Insert the bundles' raw rows as one run loaded them (its run_id, articles' ingested_at)."""
    ensure_schema(db)
    with duckdb.connect(str(db)) as con:
        for table in ("articles", "entities", "quotes"):
            columns = [c for c in _columns(con, table) if c != "change_seq"]  # the writer's own number
            for bundle in bundles:
                for row in bundle[table]:
                    values = {**row, "run_id": run_id}
                    if table == "articles":
                        values["ingested_at"] = loaded_at
                    con.execute(f"insert into raw.{table} ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})",
                                [values.get(c) for c in columns])


def _load(db: Path, bundles: list[dict], night: int) -> None:
    """Insert the bundles' raw rows as loaded on the given night (their ingested_at)."""
    insert_bundles(db, bundles, f"night{night}", datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(days=night))


def _tables(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: sorted(con.execute(f"select {cols} from raw.{t}").fetchall(), key=repr)
                for t, cols in LINK_TABLES.items()}


def _state(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: sorted(con.execute(f"select * from raw.{t}").fetchall(), key=repr) for t in STATE_TABLES}


def _nights(articles: list[dict], order: list[int], cuts: list[int]) -> list[list[dict]]:
    picked = [articles[i] for i in order]
    bounds = [0, *cuts, len(picked)]
    return [picked[a:b] for a, b in zip(bounds, bounds[1:])]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_incremental_nights_equal_a_full_relink_after_every_night(articles, tmp_path, seed):
    order = list(range(len(articles)))
    random.Random(seed).shuffle(order)
    incremental, full = tmp_path / "incremental.duckdb", tmp_path / "full.duckdb"
    for night, bundles in enumerate(_nights(articles, order, [3, 6]), start=1):
        _load(incremental, bundles, night)
        _load(full, bundles, night)
        done = link(incremental, f"night{night}")
        link(full, f"night{night}", full=True)
        assert done["full"] == 0
        assert _tables(incremental) == _tables(full), f"night {night} of order {order}"
        assert _state(incremental) == _state(full)
    tables = _tables(incremental)
    assert tables["entity_links"] and tables["claim_variants"] and tables["article_overlaps"]


def test_order_independent_tables_agree_across_orders(articles, tmp_path):
    """The registry and reprinted copy do not depend on the nights the articles came in (the new
    version of a seed file comes last and alone in both, so that both keep the same version current)."""
    results = []
    for name, order, cuts in (("a", list(range(9)), [2, 5]), ("b", [7, 6, 5, 4, 3, 2, 1, 0, 8], [4, 8])):
        db = tmp_path / f"{name}.duckdb"
        for night, bundles in enumerate(_nights(articles, order, cuts), start=1):
            _load(db, bundles, night)
            link(db, f"night{night}")
        results.append(_tables(db))
    for table in ("entity_links", "article_overlaps", "article_reprints"):
        assert results[0][table] == results[1][table], table


def test_a_respelt_name_arriving_later_joins_the_registry_entity(articles, tmp_path):
    db = tmp_path / "w.duckdb"
    _load(db, articles[:5], 1)
    link(db, "night1")
    _load(db, [articles[5]], 2)  # the copy calling him "Dmitri Peskov"
    link(db, "night2")
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("""select distinct canonical_name, match_rule from raw.entity_links
                              where mention_text like '%Dmitri Peskov%'""").fetchall()
    assert rows and all(name == "Dmitry Peskov" for name, _ in rows)
    assert ("Dmitry Peskov", "first_name_spelling") in rows


def test_a_night_with_nothing_new_reads_nothing_and_changes_nothing(articles, tmp_path):
    db = tmp_path / "w.duckdb"
    _load(db, articles, 1)
    link(db, "night1")
    before = _tables(db), _state(db)
    done = link(db, "night2")
    assert done["full"] == 0 and done["articles_added"] == 0 and done["articles_removed"] == 0
    assert done["rows_read"] == 0
    assert (_tables(db), _state(db)) == before


def test_a_small_night_reads_what_it_touches_not_the_warehouse(articles, tmp_path):
    db = tmp_path / "w.duckdb"
    _load(db, articles[:8], 1)
    first = link(db, "night1")
    _load(db, [articles[8]], 2)  # one new article: a new version of a seed file
    night = link(db, "night2")
    assert night["articles_added"] == 1 and night["articles_removed"] == 1
    # The full read every article's text; the night reads one.
    assert first["rows_read_articles"] >= 8 and night["rows_read_articles"] <= 2
    assert night["rows_read"] < first["rows_read"]
    full = tmp_path / "full.duckdb"
    shutil.copy(db, full)
    link(full, "night2-full", full=True)
    assert _tables(db) == _tables(full)


def test_a_new_version_of_a_file_replaces_the_old_one_in_every_link_table(articles, tmp_path):
    db = tmp_path / "w.duckdb"
    _load(db, articles[:5], 1)
    link(db, "night1")
    old_id, new_id = articles[2]["articles"][0]["article_id"], articles[8]["articles"][0]["article_id"]
    _load(db, [articles[8]], 2)
    link(db, "night2")
    with duckdb.connect(str(db), read_only=True) as con:
        for table, column in (("entity_links", "article_id"), ("article_reprints", "article_id"),
                              ("link_articles", "article_id"), ("link_mentions", "article_id"),
                              ("link_shingles", "article_id")):
            ids = {r[0] for r in con.execute(f"select distinct {column} from raw.{table}").fetchall()}
            assert old_id not in ids and new_id in ids, table
        old_quotes = con.execute("""select count(*) from raw.quote_variants where quote_id in
                                    (select quote_id from raw.quotes where article_id = ?)""", [old_id]).fetchone()[0]
        assert old_quotes == 0


def test_a_warehouse_linked_before_the_state_existed_is_relinked_in_full(articles, tmp_path):
    db = tmp_path / "w.duckdb"
    _load(db, articles[:5], 1)
    link(db, "night1")
    with duckdb.connect(str(db)) as con:
        for table in STATE_TABLES:
            con.execute(f"delete from raw.{table}")
    _load(db, [articles[5]], 2)
    done = link(db, "night2")
    assert done["full"] == 1
    assert _state(db)["link_articles"] and len(_state(db)["link_articles"]) == 6


def test_links_made_by_another_linker_are_redone_in_full(articles, tmp_path, monkeypatch):
    from extractors.linking import nightly

    db = tmp_path / "w.duckdb"
    _load(db, articles[:5], 1)
    assert link(db, "night1")["full"] == 0  # nothing linked yet: every article is the night's
    _load(db, [articles[5]], 2)
    assert link(db, "night2")["full"] == 0
    monkeypatch.setattr(nightly, "linker_version", lambda: "another-linker")
    _load(db, [articles[6]], 3)
    assert link(db, "night3")["full"] == 1
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select linker from raw.link_version").fetchall() == [("another-linker",)]
    _load(db, [articles[7]], 4)
    assert link(db, "night4")["full"] == 0


def test_the_linker_version_follows_the_linking_code_and_the_rules(tmp_path):
    from extractors.versions import linker_version

    code, rules = tmp_path / "linking", tmp_path / "rules"
    code.mkdir(), rules.mkdir()
    (code / "entities.py").write_text("A = 1\n")
    (rules / "cues.txt").write_text("said\n")
    first = linker_version(code, rules)
    (rules / "cues.txt").write_text("said\ntold\n")
    second = linker_version(code, rules)
    (code / "entities.py").write_text("A = 2\n")
    assert len({first, second, linker_version(code, rules)}) == 3


def _text_article(db: Path, article_id: str, source_file: str, text: str, night: int) -> None:
    """An article row alone (no mentions, no quotes), as loaded on the given night."""
    ensure_schema(db)
    with duckdb.connect(str(db)) as con:
        con.execute(
            """insert into raw.articles (article_id, content_hash, source_file, record_index, text_hash,
                   raw_text, text, n_words, run_id, ingested_at)
               values (?, ?, ?, 0, ?, ?, ?, ?, ?, ?)""",
            [article_id, article_id, source_file, article_id, text, text, len(text.split()), f"night{night}",
             datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(days=night)])


@pytest.mark.parametrize("batch_pairs", [5000, 7])
def test_reprints_follow_a_passage_crossing_the_boilerplate_limit_both_ways(tmp_path, monkeypatch, batch_pairs):
    """A passage in 50 articles is reprinted copy; in 51 it is boilerplate and pairs sharing only
    it are dropped; when a new version of one file drops it, the pairs come back. The same with
    the pairs' coverage merged a few pairs at a time (1,225 pairs in slices of 7)."""
    from extractors.linking import incremental_overlaps
    from tests.test_overlaps import paragraph

    monkeypatch.setattr(incremental_overlaps, "COVERAGE_BATCH_PAIRS", batch_pairs)

    shared = paragraph(7, 150)
    incremental, full = tmp_path / "incremental.duckdb", tmp_path / "full.duckdb"

    def night(number: int, articles: list[tuple[str, str, str]]) -> dict:
        for db in (incremental, full):
            for article_id, source_file, text in articles:
                _text_article(db, article_id, source_file, text, number)
        done = link(incremental, f"night{number}")
        link(full, f"night{number}", full=True)
        assert _tables(incremental) == _tables(full), f"night {number}"
        assert _state(incremental) == _state(full), f"night {number}"
        return done

    def article(k: int) -> tuple[str, str, str]:
        return f"a{k:03d}", f"{k:03d}.txt", "\n\n".join([paragraph(100 + k), shared, paragraph(1000 + k // 2, 120)])

    night(1, [article(k) for k in range(50)])
    assert len(_tables(incremental)["article_overlaps"]) == 50 * 49 // 2
    crossing = night(2, [article(50)])
    # The passage is boilerplate now: only the pairs sharing their own paragraph remain.
    assert len(_tables(incremental)["article_overlaps"]) == 25
    assert crossing["pairs_compared"] >= 50 * 49 // 2
    night(3, [("a000v2", "000.txt", "\n\n".join([paragraph(100), paragraph(1000, 120)]))])
    # a001..a050 share the passage again (50 holders), and a000v2 still shares its paragraph with a001.
    assert len(_tables(incremental)["article_overlaps"]) == 50 * 49 // 2 + 1
