"""Bytes a night's publication writes, against the size of the published file.

Copies a work database into a scratch folder, grows its marts by copying rows under new ids
(`--grow` copies of each article, a tenth as many of each quote and mention), publishes it twice
(the two files behind the published link), then publishes nights that each add `--new` articles,
relink five speakers and drop five mentions, printing what each publication wrote.

    .venv/bin/python scripts/publish_bytes.py warehouse/quotewire_work.duckdb --grow 2000 --new 100
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extractors.publish import candidate_path, prepare_candidate, publish  # noqa: E402 - importable only after the sys.path line above


def grow(work_db: Path, times: int) -> None:
    with duckdb.connect(str(work_db)) as con:
        for table, key, n in (("articles", "article_id", times), ("quotes", "quote_id", max(times // 10, 1)),
                              ("entity_mentions", "mention_id", max(times // 10, 1))):
            con.execute(f"""insert into marts.{table}
                select t.* replace (t.{key} || '-' || r.i as {key}) from marts.{table} t, range(1, {n}) r(i)""")


def night(work_db: Path, number: int, new_articles: int) -> None:
    with duckdb.connect(str(work_db)) as con:
        con.execute(f"""insert into marts.articles
            select a.* replace (a.article_id || '-night{number}-' || r.i as article_id)
            from (select * from marts.articles order by article_id limit 1) a, range({new_articles}) r(i)""")
        con.execute(f"""update marts.quotes set speaker = 'Speaker {number}'
            where quote_id in (select quote_id from marts.quotes order by hash(quote_id) limit 5)""")
        con.execute("""delete from marts.entity_mentions
            where mention_id in (select mention_id from marts.entity_mentions order by hash(mention_id) limit 5)""")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work_db", type=Path)
    parser.add_argument("--grow", type=int, default=2000)
    parser.add_argument("--new", type=int, default=100, help="new articles per night")
    parser.add_argument("--nights", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="publish-bytes-") as folder:
        work, warehouse = Path(folder) / "work.duckdb", Path(folder) / "quotewire.duckdb"
        shutil.copy(args.work_db, work)
        grow(work, args.grow)
        for number in range(args.nights + 2):
            if number >= 2:
                night(work, number, args.new)
            prepared = prepare_candidate(work, warehouse, "v1.0.0")
            publish(work, candidate_path(warehouse), warehouse, "v1.0.0")
            print(f"night {number}: {prepared.mode:11s} wrote {prepared.bytes_written / 1e6:8.1f} MB, "
                  f"file {prepared.file_bytes / 1e6:8.1f} MB ({prepared.bytes_written / prepared.file_bytes:.1%})")


if __name__ == "__main__":
    main()
