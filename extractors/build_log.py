"""What each passing dbt build recomputed, so that publishing hashes only the rows it could change.

An incremental build (extractors/transform.py) recomputes the incremental marts for the articles
of `int_changed_articles`, the claims of `int_changed_claims` and the registry entities of
`int_changed_entities`, and it deletes and inserts rows only among those (plus the claims left
without any wording: macros/changed_rows.sql). So between two builds, the rows of those marts change only
within those articles, claims and entities. Each passing build
records here, in the transaction that records it as the last build:

- `ops.dbt_builds`: the build (as in `ops.dbt_last_build`: generation, project digest, when it
  passed), where it began in the change sequence (`change_seq`), and the number it recomputed
  what was written after (`since`; null when it recomputed every row: a full refresh, or the build
  after one that failed);
- `ops.dbt_build_changes`: the ids it recomputed, by kind (`article`, `claim`, `entity`: the
  registry entities of `int_changed_entities`).

A published file's table stamp names the build it holds (publish_rows); the file needs the
changes of every build after that one up to the current build (`window`): the standby file,
one night behind, takes in both nights'. When a build in between recomputed every row, or the
held build is no longer in the log (only the last KEEP builds are kept), there is no window and
the table is compared whole.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

BUILDS, CHANGES = "ops.dbt_builds", "ops.dbt_build_changes"
KEEP = 8  # builds kept in the log: a file further behind is compared whole

DDL = f"""
create schema if not exists ops;
create table if not exists {BUILDS} (
    built_at timestamptz not null, generation bigint not null, project_digest varchar not null,
    change_seq bigint, since bigint
);
create table if not exists {CHANGES} (built_at timestamptz not null, kind varchar not null, id varchar not null);
"""

# What each kind of id is, in the views an incremental build leaves behind (their `since` is the
# build's own: dbt writes the value into the view).
CHANGED_VIEWS = {
    "article": "select article_id from intermediate.int_changed_articles",
    "claim": "select claim_id from intermediate.int_changed_claims",
    "entity": "select entity_id from intermediate.int_changed_entities",
}


def marker(generation: int, digest: str, built_at: datetime) -> str:
    """A build's name in the published tables' stamps."""
    return f"{generation}.{digest[:16]}.{built_at.timestamp():.6f}"


def claims_leaving(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Before an incremental build: the claims of marts.claims without a wording any more, which
    the build deletes (they are in no `int_changed_claims`)."""
    (n,) = con.execute("select count(*) from duckdb_tables() where schema_name = 'marts' "
                       "and table_name = 'claims'").fetchone()
    if not n:
        return []
    return [c for (c,) in con.execute("""select claim_id from marts.claims
        where claim_id not in (select claim_id from raw.claim_variants)""").fetchall()]


def record(con: duckdb.DuckDBPyConnection, built_at: datetime, generation: int, digest: str,
           change_seq: int | None, since: int | None, leaving: list[str]) -> None:
    """Record a passing build (inside the caller's transaction) and forget builds beyond KEEP."""
    con.execute(DDL)
    con.execute(f"insert into {BUILDS} values (?, ?, ?, ?, ?)", [built_at, generation, digest, change_seq, since])
    if since is not None:
        for kind, view in CHANGED_VIEWS.items():
            con.execute(f"insert into {CHANGES} select distinct ?, ?, id from ({view}) as v(id)", [built_at, kind])
        if leaving:
            con.execute(f"insert into {CHANGES} select ?, 'claim', unnest(?)", [built_at, leaving])
    con.execute(f"""delete from {BUILDS} where built_at not in
        (select built_at from {BUILDS} order by built_at desc limit {KEEP})""")
    con.execute(f"delete from {CHANGES} where built_at not in (select built_at from {BUILDS})")


def window(con: duckdb.DuckDBPyConnection, held: str | None, current: str | None, name: str) -> bool:
    """Temp tables `<name>_<kind>(id)` of the ids recomputed by the builds after `held` up to
    `current` (markers), from the attached `work` database's log; False (no tables) when the log
    cannot say: a build missing, one that recomputed every row, or a gap in the change numbers."""
    if not held or not current or held == current:
        return False
    (n,) = con.execute(f"""select count(*) from duckdb_tables() where database_name = 'work'
        and schema_name = 'ops' and table_name in ('{BUILDS.split('.')[1]}', '{CHANGES.split('.')[1]}')""").fetchone()
    if n != 2:
        return False
    builds = con.execute(f"select built_at, generation, project_digest, change_seq, since from work.{BUILDS} "
                         "order by built_at").fetchall()
    markers = [marker(g, d, b) for b, g, d, _, _ in builds]
    if held not in markers or current not in markers or markers.index(current) <= markers.index(held):
        return False
    start, end = markers.index(held), markers.index(current)
    begun = builds[start][3]
    for _, _, _, change_seq, since in builds[start + 1:end + 1]:
        if since is None or begun is None or since != begun:
            return False
        begun = change_seq
    for kind in CHANGED_VIEWS:
        con.execute(f"""create or replace temp table {name}_{kind} as
            select distinct id from work.{CHANGES} where kind = ? and built_at > ? and built_at <= ?""",
                    [kind, builds[start][0], builds[end][0]])
    return True
