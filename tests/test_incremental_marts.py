"""Incremental dbt builds give the marts a full refresh gives, night after night.

A fresh work database is loaded night by night with the seed run's real extraction (articles,
NER mentions, quotes), plus copies of seed articles with names respelt (the registry and the
claims change under earlier rows) and a new version of a seed file (its old rows must leave the
marts). Each night is linked (incrementally) and built with the pipeline's dbt runner, which
builds incrementally; a copy of the database rebuilt with a full refresh must hold the same marts.
Each night is also published as the pipeline does (the standby file brought up to date, through
the row hashes of what the builds since its last update recomputed): the published file must hold
the marts.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from extractors.linking.nightly import link
from extractors.publish import candidate_path, prepare_candidate, publish
from extractors.publish_sync import _utc_select
from extractors.transform import FULL_REFRESH_ENV, dbt_build, needs_full_refresh, project_digest
from tests.test_incremental_linking import _columns, insert_bundles

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "dbt_project"
MARTS = ("articles", "quotes", "entity_mentions", "claim_variants", "claims", "entities", "entity_aliases",
         "speakers", "outlets", "article_overlaps")
RESPELT = {"Dmitry": "Dmitri", "Trump": "Trumb", "Conway": "Conwey"}
TEXT_COLUMNS = ("text", "raw_text", "entity_text", "quote_text", "speaker", "speaker_mention", "normalized_text")


def _respell(value, mapping):
    if isinstance(value, str):
        for old, new in mapping.items():
            value = value.replace(old, new)
    return value


@pytest.fixture(scope="module")
def bundles(seeded) -> list[dict]:
    """Each seed article with its rows, then respelt copies and a new version of one seed file."""
    tables: dict[str, list[dict]] = {}
    with duckdb.connect(str(seeded.work_db), read_only=True) as con:
        for table in ("articles", "entities", "quotes"):
            columns = _columns(con, table)
            tables[table] = [dict(zip(columns, r)) for r in con.execute(f"select * from raw.{table} order by 1").fetchall()]
    seeds = sorted(tables["articles"], key=lambda a: a["article_id"])

    def bundle(article, suffix="", mapping=None, source_file=None):
        mapping = mapping or {}
        new_id = article["article_id"][:8] + suffix if suffix else article["article_id"]
        out = {"articles": [{**{k: _respell(v, mapping) if k in TEXT_COLUMNS else v for k, v in article.items()},
                             "article_id": new_id,
                             "source_file": source_file or article["source_file"] + suffix}]}
        for table, key in (("entities", "entity_id"), ("quotes", "quote_id")):
            out[table] = [{**{k: _respell(v, mapping) if k in TEXT_COLUMNS else v for k, v in row.items()},
                           key: row[key][:8] + suffix if suffix else row[key], "article_id": new_id}
                          for row in tables[table] if row["article_id"] == article["article_id"]]
        return out

    return [bundle(a) for a in seeds] + [
        bundle(seeds[0], "c0c0c0c0", {"Dmitry": "Dmitri"}),
        bundle(seeds[1], "c1c1c1c1", {"Trump": "Trumb"}),
        bundle(seeds[2], "c3c3c3c3", RESPELT, source_file=seeds[2]["source_file"]),  # a new version
        # More "Dmitri Peskov" than "Dmitry Peskov": the person's canonical name, and so its
        # registry id, changes, and every earlier mention of him moves to the new entity.
        *(bundle(seeds[0], f"d{i}d{i}d{i}d{i}", {"Dmitry": "Dmitri"}) for i in range(4)),
    ]


def _load(db: Path, bundles: list[dict], hours_ago: int) -> None:
    insert_bundles(db, bundles, f"loaded-{hours_ago}h-ago", datetime.now(timezone.utc) - timedelta(hours=hours_ago))


def _marts(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: sorted(con.execute(f"select * from marts.{t}").fetchall(), key=repr) for t in MARTS}


def _full_refresh_copy(db: Path, folder: Path, monkeypatch) -> dict[str, list[tuple]]:
    folder.mkdir()
    copy = folder / db.name
    shutil.copy(db, copy)
    with monkeypatch.context() as patch:
        patch.setenv(FULL_REFRESH_ENV, "1")
        result = dbt_build(PROJECT, copy, folder / "state")
    assert result.passed, result.message
    assert "full refresh" in result.message
    return _marts(copy)


def _publish(db: Path, warehouse: Path) -> str:
    """Publish the marts as the pipeline does; returns how the standby file was prepared."""
    prepared = prepare_candidate(db, warehouse, "v1.0.0")
    publish(db, candidate_path(warehouse), warehouse, "v1.0.0")
    return f"{prepared.mode}: {prepared.reason}"


def _published_differs(db: Path, warehouse: Path) -> dict[str, int]:
    """Rows that differ between each mart and the published file (its timestamps are plain UTC)."""
    with duckdb.connect() as con:
        con.execute(f"attach '{db}' as work (read_only)")
        con.execute(f"attach '{warehouse}' as pub (read_only)")
        return {t: con.execute(f"""select count(*) from (
                    ({_utc_select(con, 'work', 'marts', t)} except all select * from pub.marts.{t})
                    union all (select * from pub.marts.{t} except all {_utc_select(con, 'work', 'marts', t)}))""").fetchone()[0]
                for t in MARTS}


def test_incremental_builds_equal_a_full_refresh_night_after_night(bundles, tmp_path, monkeypatch):
    monkeypatch.delenv(FULL_REFRESH_ENV, raising=False)
    db, state = tmp_path / "work" / "quotewire_work.duckdb", tmp_path / "work" / "state"
    warehouse = tmp_path / "published" / "quotewire.duckdb"
    db.parent.mkdir()
    nights = [bundles[:3], bundles[3:5] + bundles[5:7], bundles[7:]]
    published, linked = [], []
    for night, night_bundles in enumerate(nights):
        _load(db, night_bundles, hours_ago=len(nights) - night)
        link(db, f"night{night}")
        result = dbt_build(PROJECT, db, state)
        assert result.passed, result.message
        # After the first build, each build recomputes only what was written since the last one began.
        assert ("full refresh (no earlier build)" if night == 0
                else "(incremental: what was written after change ") in result.message
        published.append(_publish(db, warehouse))
        with duckdb.connect(str(db), read_only=True) as con:
            linked.append(dict(con.execute("select mention_id, entity_id from marts.entity_mentions "
                                           "where entity_id is not null").fetchall()))
        assert not any(_published_differs(db, warehouse).values()), (night, _published_differs(db, warehouse))
        if night == 0:
            continue
        incremental = _marts(db)
        assert incremental == _full_refresh_copy(db, tmp_path / f"full{night}", monkeypatch)
    # The last night replaced a seed file's article: its old version and every row of it left
    # the incremental marts, and the respelt names reached the earlier rows they now link to.
    old, new = bundles[2]["articles"][0]["article_id"], bundles[7]["articles"][0]["article_id"]
    with duckdb.connect(str(db), read_only=True) as con:
        for table in ("articles", "quotes", "entity_mentions"):
            ids = {r[0] for r in con.execute(f"select distinct article_id from marts.{table}").fetchall()}
            assert new in ids and old not in ids, table
        assert con.execute("select count(*) from marts.claim_variants where variant_text like '%Trumb%'").fetchone()[0] > 0
    # The respelt names moved earlier mentions from one registry entity to another, and left
    # entities without any mention: the registry marts recomputed them (equal to a full refresh above).
    moved = {m: (linked[n - 1][m], linked[n][m]) for n in (1, 2) for m in linked[n - 1].keys() & linked[n].keys()
             if linked[n - 1][m] != linked[n][m]}
    assert moved, "no night relinked a mention to another entity"
    assert any(old not in set(linked[-1].values()) for old, _ in moved.values()), moved
    # A night with nothing new: the build is skipped, and the standby file takes in the last build.
    assert dbt_build(PROJECT, db, state).mode.startswith("skipped")
    published.append(_publish(db, warehouse))
    assert not any(_published_differs(db, warehouse).values()), _published_differs(db, warehouse)
    # The first two nights copy whole (neither file exists yet); then each file takes in what the
    # builds since its last update recomputed: night 2's standby was last updated on night 0, so
    # it takes in the builds of nights 1 and 2; the night after, the other file takes in night 2's.
    within = "8 compared within what the builds since recomputed"
    assert [p.startswith("full") for p in published] == [True, True, False, False], published
    assert all(p.endswith(within) for p in published[2:]), published
    # After a failed build (no record of the last one) the next recomputes every row, and its
    # rows replace the incremental marts' whole, as a full refresh would.
    with duckdb.connect(str(db)) as con:
        con.execute("delete from ops.dbt_last_build")
    result = dbt_build(PROJECT, db, state)
    assert result.passed and result.mode == "incremental", result.message
    assert _marts(db) == _full_refresh_copy(db, tmp_path / "full_every_row", monkeypatch)


def test_a_changed_project_or_the_setting_forces_a_full_refresh(tmp_path, monkeypatch):
    monkeypatch.delenv(FULL_REFRESH_ENV, raising=False)
    project, state = tmp_path / "dbt_project", tmp_path / "state"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns("target", "logs"))
    assert needs_full_refresh(project, state) == "no earlier build"
    (state / "dbt").mkdir(parents=True)
    (state / "dbt" / "project.sha256").write_text(project_digest(project) + "\n", encoding="utf-8")
    assert needs_full_refresh(project, state) is None
    monkeypatch.setenv(FULL_REFRESH_ENV, "1")
    assert needs_full_refresh(project, state) == f"{FULL_REFRESH_ENV}=1"
    monkeypatch.delenv(FULL_REFRESH_ENV)
    model = project / "models" / "marts" / "quotes.sql"
    model.write_text(model.read_text(encoding="utf-8") + "\n-- changed\n", encoding="utf-8")
    assert needs_full_refresh(project, state) == "the dbt project changed"
    model.rename(model.with_name("quotes_renamed.sql"))
    assert project_digest(project) != (state / "dbt" / "project.sha256").read_text(encoding="utf-8").strip()
