"""Reading and writing the link and linking-state tables, counting the rows read into Python.

The counts are the linking step's work-done figures: an incremental night should read rows in
proportion to what the night brings, a full relink reads everything.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import fields
from typing import Any, Iterable, Sequence

import duckdb

from extractors.work_schema import CURRENT_ARTICLES

# First-seen order of quotes: night of loading, then publication, then position.
QUOTE_ORDER = "a.ingested_at, coalesce(a.published_at, a.ingested_at), q.article_id, q.start_char, q.quote_id"


class Store:
    """A DuckDB connection with row-counted reads and DataFrame-backed writes."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.rows_read: Counter[str] = Counter()

    def read(self, what: str, sql: str, params: Any = None) -> list[tuple]:
        rows = self.con.execute(sql, params).fetchall()
        self.rows_read[what] += len(rows)
        return rows

    def execute(self, sql: str, params: Any = None) -> None:
        self.con.execute(sql, params)

    def temp_ids(self, name: str, ids: Iterable[str]) -> None:
        """A temporary one-column table `name(id)` holding the given ids."""
        import pandas as pd

        self.con.execute(f"create or replace temp table {name} (id varchar)")
        frame = pd.DataFrame({"id": sorted(set(ids))}, dtype=object)
        if len(frame):
            self.con.register("id_rows", frame)
            self.con.execute(f"insert into {name} select id from id_rows")
            self.con.unregister("id_rows")

    def insert_rows(self, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        """Append rows through a DataFrame: row-by-row inserts are slow in DuckDB."""
        import pandas as pd

        if not rows:
            return
        frame = pd.DataFrame(rows, columns=list(columns))
        self.con.register("link_rows", frame)
        self.con.execute(f"insert into {table} ({', '.join(columns)}) select {', '.join(columns)} from link_rows")
        self.con.unregister("link_rows")

    def insert_records(self, table: str, records: list, record_type: type, **constants: Any) -> None:
        columns = [f.name for f in fields(record_type)]
        rows = [tuple(getattr(r, c) for c in columns) + tuple(constants.values()) for r in records]
        self.insert_rows(table, columns + list(constants), rows)


def current_quotes(store: Store, articles_table: str | None = None) -> list[tuple]:
    """Current quotes (of the articles in `articles_table(id)` when given) in first-seen order:
    (quote_id, article_id, start_char, end_char, quote_text, speaker, speaker_type)."""
    where = f"where q.article_id in (select id from {articles_table})" if articles_table else ""
    return store.read("quotes", f"""
        select q.quote_id, q.article_id, q.start_char, q.end_char, q.quote_text,
               q.speaker, q.speaker_type
        from raw.quotes q
        inner join ({CURRENT_ARTICLES}) a using (article_id)
        {where}
        order by {QUOTE_ORDER}
    """)


def ner_rows(store: Store, articles_table: str | None = None) -> list[tuple]:
    """NER mentions of current articles (or of those in `articles_table(id)`)."""
    where = f"where e.article_id in (select id from {articles_table})" if articles_table else ""
    return store.read("entities", f"""
        select e.article_id, e.start_char, e.end_char, e.entity_text, e.label
        from raw.entities e
        inner join ({CURRENT_ARTICLES}) a using (article_id)
        {where}
    """)


def article_texts(store: Store, articles_table: str | None = None) -> list[tuple[str, str]]:
    where = f"where article_id in (select id from {articles_table})" if articles_table else ""
    return store.read("articles", f"select article_id, text from ({CURRENT_ARTICLES}) {where} order by article_id")
