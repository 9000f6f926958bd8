"""Extract again the articles an older spaCy pipeline or older rules extracted.

Each article records the pipeline (`package==version`) and the rules digest that extracted it
(raw.articles.extracted_with_model / extracted_with_rules, see `extractors.versions`). An
article is stale when either differs from the live one (or was never recorded). Stale current
articles are extracted again from the clean text already stored (the landing files may be gone;
cleaning is not redone, so offsets keep pointing into the same text) and, chunk by chunk in one
writer transaction each, their raw.entities and raw.quotes rows are replaced and their record
stamped with the live versions. A chunk either commits whole or leaves the old rows in place,
and a committed chunk is no longer stale: repeating a reprocess re-extracts nothing twice.

Linking then treats each re-extracted article as replaced, as it does a new version of a file:
it is listed in raw.link_reextracted (removed from the linking state and added back), and the
claims its former quotes belonged to are listed in raw.link_stale_claims (described again). The
former quotes' claim assignments are dropped, so the new quotes are placed as a full relink
would place them.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass, fields
from pathlib import Path

from extractors.records import ArticleRecord
from extractors.warehouse import connect, ensure_schema, write_batch_files
from extractors.work_schema import CHANGE_SEQUENCE, CURRENT_ARTICLES, RAW_KEYS, bump_generation

log = logging.getLogger(__name__)

# Articles per chunk: extracted together, replaced in one transaction.
CHUNK_ARTICLES = 200


@dataclass(frozen=True)
class Live:
    """The extractor in use now: what a fresh extraction would record."""

    model: str  # package==version
    rules: str  # digest of extractors/rules/


def live_versions(spacy_model: str) -> Live:
    from extractors.versions import model_version, rules_version

    return Live(model_version(spacy_model), rules_version())


def stale_articles(work_db: Path, live: Live) -> list[str]:
    """Ids of the current articles extracted by another pipeline or rules than the live ones."""
    if not work_db.exists():
        return []
    with connect(work_db, read_only=True) as con:
        return [a for (a,) in con.execute(
            f"""select article_id from ({CURRENT_ARTICLES})
                where extracted_with_model is distinct from $model
                   or extracted_with_rules is distinct from $rules
                order by ingested_at, source_file, record_index""",
            {"model": live.model, "rules": live.rules}).fetchall()]


def stale_summary(work_db: Path, live: Live) -> list[tuple[str | None, str | None, int]]:
    """(model, rules, current articles) of every extraction that is not the live one."""
    if not work_db.exists():
        return []
    with connect(work_db, read_only=True) as con:
        return con.execute(
            f"""select extracted_with_model, extracted_with_rules, count(*) from ({CURRENT_ARTICLES})
                where extracted_with_model is distinct from $model
                   or extracted_with_rules is distinct from $rules
                group by all order by all""",
            {"model": live.model, "rules": live.rules}).fetchall()


def _articles(work_db: Path, ids: list[str]) -> list[ArticleRecord]:
    names = [f.name for f in fields(ArticleRecord)]
    with connect(work_db, read_only=True) as con:
        rows = con.execute(
            f"select {', '.join(names)} from raw.articles where article_id in (select unnest($ids)) order by article_id",
            {"ids": ids}).fetchall()
    return [ArticleRecord(**dict(zip(names, row))) for row in rows]


def reextract(work_db: Path, run_id: str, spacy_model: str, scratch: Path, pipe_batch_size: int = 16,
              chunk: int = CHUNK_ARTICLES) -> dict[str, int]:
    """Re-extract every stale current article; returns counts for the run's record.

    An article spaCy or attribution now fails on keeps its earlier rows and versions (it stays
    stale, so the next reprocess tries it again) and is counted in `articles_reextract_failed`.
    """
    from extractors.extract import BatchResult, extract_documents, load_pipeline
    from extractors.rules import load_rules

    ensure_schema(work_db)
    live = live_versions(spacy_model)
    stale = stale_articles(work_db, live)
    counts = {"articles_stale": len(stale), "articles_reextracted": 0, "articles_reextract_failed": 0,
              "entities_reextracted": 0, "quotes_reextracted": 0}
    if not stale:
        log.info("reprocess: every current article was extracted by %s with rules %s", live.model, live.rules)
        return counts
    nlp, rules = load_pipeline(spacy_model), load_rules()
    started = time.perf_counter()
    try:
        for start in range(0, len(stale), chunk):
            articles = _articles(work_db, stale[start:start + chunk])
            result = BatchResult()
            extract_documents(articles, nlp, rules, result, pipe_batch_size)
            for failed in result.quarantined:
                log.warning("reprocess: %s keeps its earlier extraction: %s", failed.source_file, failed.detail)
            files = write_batch_files(scratch, f"reextract-{start}", {
                "articles": result.articles, "entities": result.entities, "quotes": result.quotes, "quarantine": []})
            replace_extraction(work_db, run_id, [a.article_id for a in result.articles], files, live)
            counts["articles_reextracted"] += len(result.articles)
            counts["articles_reextract_failed"] += len(articles) - len(result.articles)
            counts["entities_reextracted"] += len(result.entities)
            counts["quotes_reextracted"] += len(result.quotes)
            done = start + len(articles)
            log.info("reprocess: %d/%d articles re-extracted, %.1f articles/s", done, len(stale),
                     done / max(time.perf_counter() - started, 1e-3))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return counts


def replace_extraction(work_db: Path, run_id: str, article_ids: list[str], files: dict[str, str], live: Live) -> None:
    """In one transaction: replace the entities and quotes of these articles by those in the
    Parquet files, stamp the articles with the live versions, and tell linking what changed."""
    if not article_ids:
        return
    with connect(work_db) as con:
        con.execute("begin transaction")
        con.execute("create temp table redo as select unnest($ids) as article_id", {"ids": article_ids})
        con.execute("""create temp table former_quotes as
            select quote_id from raw.quotes where article_id in (select article_id from redo)""")
        con.execute("""insert into raw.link_stale_claims
            select distinct claim_id from raw.claim_assignments
            where quote_id in (select quote_id from former_quotes)
              and claim_id not in (select claim_id from raw.link_stale_claims)""")
        con.execute("delete from raw.quote_variants where quote_id in (select quote_id from former_quotes)")
        con.execute("delete from raw.claim_assignments where quote_id in (select quote_id from former_quotes)")
        for table in ("entities", "quotes"):
            con.execute(f"delete from raw.{table} where article_id in (select article_id from redo)")
            con.execute(f"""insert into raw.{table} by name
                select distinct on ({RAW_KEYS[table]}) *, $run_id as run_id from read_parquet($file)
                where article_id in (select article_id from redo)""", {"run_id": run_id, "file": files[table]})
        con.execute(f"""update raw.articles set extracted_with_model = $model, extracted_with_rules = $rules,
                           change_seq = nextval('{CHANGE_SEQUENCE}')
                       where article_id in (select article_id from redo)""", {"model": live.model, "rules": live.rules})
        con.execute("""insert into raw.link_reextracted
            select article_id from redo where article_id not in (select article_id from raw.link_reextracted)""")
        bump_generation(con, f"reprocess {run_id}")
        con.execute("commit")
