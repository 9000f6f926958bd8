"""Extract one batch of articles: clean text, entities and attributed quotes.

spaCy is loaded once per process (`load_pipeline` is cached) and documents go through
`nlp.pipe`, so a mapped Airflow task pays the model load once for its whole batch.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache

from extractors.attribution import attribute_quotes
from extractors.clean import clean_article
from extractors.landing import Landing, LandingFile, check_article_bytes, content_hash, decode_article
from extractors.records import ArticleRecord, EntityRecord, QuarantineRecord, QuoteRecord, stable_id
from extractors.rules import Rules, load_rules

log = logging.getLogger(__name__)


@lru_cache(maxsize=2)
def load_pipeline(model: str):
    import spacy

    return spacy.load(model)


@dataclass
class BatchResult:
    articles: list[ArticleRecord] = field(default_factory=list)
    entities: list[EntityRecord] = field(default_factory=list)
    quotes: list[QuoteRecord] = field(default_factory=list)
    quarantined: list[QuarantineRecord] = field(default_factory=list)


def article_from_text(source_file: str, digest: str, raw_text: str, rules: Rules) -> ArticleRecord:
    cleaned = clean_article(raw_text, rules)
    return ArticleRecord(
        article_id=stable_id(digest),
        content_hash=digest,
        source_file=source_file,
        outlet=cleaned.outlet,
        outlet_method=cleaned.outlet_method,
        title=cleaned.title,
        published_at=cleaned.published_at,
        raw_text=raw_text,
        text=cleaned.text,
        n_words=len(cleaned.text.split()),
    )


def extract_documents(
    articles: list[ArticleRecord], nlp, rules: Rules, result: BatchResult, pipe_batch_size: int
) -> None:
    """Parse article texts with `nlp.pipe` and add their entities and quotes to `result`.

    Small pipe batches keep memory flat: long news articles in spaCy's default batch of 1,000
    texts took over 1 GB more and ran slower on the benchmark machine (docs/benchmark.md).
    """
    texts = (a.text for a in articles)
    for article, doc in zip(articles, nlp.pipe(texts, batch_size=pipe_batch_size)):
        try:
            quotes = attribute_quotes(doc, article.article_id, rules)
        except Exception as error:  # one article's failure must not stop the batch
            log.exception("attribution failed for %s", article.source_file)
            result.quarantined.append(
                QuarantineRecord(article.source_file, article.content_hash, "extraction_error", repr(error))
            )
            continue
        result.articles.append(article)
        result.quotes.extend(quotes)
        result.entities.extend(
            EntityRecord(
                entity_id=stable_id(article.article_id, ent.start_char, ent.end_char, ent.label_),
                article_id=article.article_id,
                label=ent.label_,
                entity_text=ent.text,
                start_char=ent.start_char,
                end_char=ent.end_char,
            )
            for ent in doc.ents
        )


def extract_batch(
    landing: Landing, files: list[LandingFile], model: str, max_bytes: int, pipe_batch_size: int = 16
) -> BatchResult:
    """Read, clean and extract a batch of landing files (re-checked: they may have changed)."""
    rules = load_rules()
    result = BatchResult()
    articles: list[ArticleRecord] = []
    for item in files:
        try:
            data = landing.read(item.source_file)
        except OSError as error:
            result.quarantined.append(QuarantineRecord(item.source_file, item.content_hash, "unreadable", str(error)))
            continue
        digest = content_hash(data)
        problem = check_article_bytes(data, max_bytes)
        if problem is not None:
            result.quarantined.append(QuarantineRecord(item.source_file, digest, *problem))
            continue
        article = article_from_text(item.source_file, digest, decode_article(data) or "", rules)
        if not article.text.strip():
            result.quarantined.append(
                QuarantineRecord(item.source_file, digest, "empty", "nothing left after removing boilerplate")
            )
            continue
        articles.append(article)
    if articles:
        extract_documents(articles, load_pipeline(model), rules, result, pipe_batch_size)
    return result
