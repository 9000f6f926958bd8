"""Extract one batch of articles: clean text, entities and attributed quotes.

spaCy is loaded once per process (`load_pipeline` is cached) and documents go through
`nlp.pipe`, so a mapped Airflow task pays the model load once for its whole batch.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field, replace
from functools import lru_cache
from urllib.parse import urlsplit

from extractors.attribution import attribute_quotes
from extractors.clean import clean_article, english_share
from extractors.landing import MANIFEST_NAMES, Landing, LandingFile, check_article_bytes, content_hash
from extractors.readers import RawArticle, parse_manifest, read_articles
from extractors.records import ArticleRecord, EntityRecord, QuarantineRecord, QuoteRecord, stable_id
from extractors.rules import Rules, load_rules

log = logging.getLogger(__name__)

# Texts this long are checked for being English; English news has about 40% stop words.
MIN_WORDS_FOR_LANGUAGE = 30
MIN_ENGLISH_SHARE = 0.15


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


def article_from_raw(raw: RawArticle, digest: str, rules: Rules) -> ArticleRecord:
    """Clean one article record and gather its metadata (metadata wins over the text)."""
    meta = raw.metadata
    cleaned = clean_article(raw.text, rules, meta.get("title"), meta.get("published_at"), meta.get("author"))
    url = meta.get("url")
    host = urlsplit(url).hostname if url and "://" in url else None
    return ArticleRecord(
        article_id=stable_id(digest, raw.record_index),
        content_hash=digest,
        source_file=raw.source_file,
        record_index=raw.record_index,
        text_hash=hashlib.sha256(cleaned.text.encode("utf-8")).hexdigest(),
        metadata_outlet=meta.get("outlet"),
        url=url,
        domain=host.removeprefix("www.") if host else None,
        signature_outlet=cleaned.signature_outlet,
        title=cleaned.title,
        author=cleaned.author,
        published_at=cleaned.published_at,
        language=meta.get("language"),
        extra_metadata=json.dumps(raw.extra, ensure_ascii=False, default=str, sort_keys=True) if raw.extra else None,
        raw_text=raw.text,
        text=cleaned.text,
        n_words=len(cleaned.text.split()),
    )


def problem_with(article: ArticleRecord) -> tuple[str, str] | None:
    """(reason, detail) when a cleaned article cannot go on to extraction."""
    if not article.text.strip():
        return "empty", "nothing left after removing boilerplate"
    if article.n_words >= MIN_WORDS_FOR_LANGUAGE:
        share = english_share(article.text)
        if share < MIN_ENGLISH_SHARE:
            stated = f"; metadata says {article.language!r}" if article.language else ""
            return "non_english", f"English stop words are {share:.0%} of the words{stated}"
    return None


def read_manifest(landing: Landing, result: BatchResult) -> dict[str, dict]:
    """The landing manifest, if any; an unreadable one is quarantined and ignored."""
    for name in MANIFEST_NAMES:
        try:
            data = landing.read(name)
        except OSError:
            continue
        try:
            return parse_manifest(name, data)
        except (ValueError, TypeError, AttributeError) as error:
            result.quarantined.append(
                QuarantineRecord(name, content_hash(data), "bad_manifest", f"ignored: {error}"))
    return {}


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
    manifest = read_manifest(landing, result) if files else {}
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
        unchanged = {(index, text_hash) for index, text_hash in item.known_records}
        for raw in read_articles(item.source_file, data, manifest):
            if isinstance(raw, QuarantineRecord):
                result.quarantined.append(replace(raw, content_hash=digest))
                continue
            article = article_from_raw(raw, digest, rules)
            if (article.record_index, article.text_hash) in unchanged:
                continue  # loaded from an earlier version of this file, word for word
            problem = problem_with(article)
            if problem is not None:
                where = f"record {raw.record_index}: " if raw.record_index else ""
                result.quarantined.append(QuarantineRecord(item.source_file, digest, problem[0], where + problem[1]))
                continue
            articles.append(article)
    if articles:
        extract_documents(articles, load_pipeline(model), rules, result, pipe_batch_size)
    return result
