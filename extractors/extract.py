"""Extract one batch of articles: clean text, entities and attributed quotes.

spaCy is loaded once per process (`load_pipeline` is cached) and documents go through
`nlp.pipe`. With more than one process, the articles are parsed by a pool of worker processes
kept for the life of the calling process (extractors/extract_pool.py), so spaCy is loaded once
per worker, not once per batch; the records are the same, in the same order.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field, replace
from functools import lru_cache

from extractors.attribution import attribute_quotes
from extractors.clean import clean_article, english_share
from extractors.decode import strip_controls
from extractors.landing import (
    MANIFEST_NAMES,
    Landing,
    LandingFile,
    check_article_bytes,
    content_hash,
    unread_reason,
)
from extractors.readers import RawArticle, parse_manifest, read_articles, url_host
from extractors.records import (
    ArticleRecord,
    EntityRecord,
    QuarantineRecord,
    QuoteRecord,
    stable_id,
)
from extractors.rules import Rules, load_rules

log = logging.getLogger(__name__)

# Texts this long are checked for being English; English news has about 40% stop words.
MIN_WORDS_FOR_LANGUAGE = 30
MIN_ENGLISH_SHARE = 0.15
# Defaults of the settings QUOTEWIRE_MIN_ARTICLE_WORDS and QUOTEWIRE_MAX_ARTICLE_CHARS.
MIN_ARTICLE_WORDS = 25
MAX_ARTICLE_CHARS = 100_000


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


def _domain(url: str | None) -> str | None:
    try:
        host = url_host(url) if url else None
    except ValueError:  # readers quarantine records whose URL does not parse; never crash here
        return None
    return host.removeprefix("www.") if host else None


def truncate(text: str, max_chars: int) -> str:
    """The text cut to at most max_chars, at the last paragraph, sentence or word break before."""
    if len(text) <= max_chars:
        return text
    head = text[:max_chars]
    for separator in ("\n\n", ". ", " "):
        cut = head.rfind(separator)
        if cut > max_chars // 2:
            return head[:cut + (1 if separator == ". " else 0)].rstrip()
    return head


def article_from_raw(raw: RawArticle, digest: str, rules: Rules, max_chars: int = MAX_ARTICLE_CHARS) -> ArticleRecord:
    """Clean one article record and gather its metadata (metadata wins over the text).

    A text longer than max_chars is cut at a paragraph or sentence break and the cut recorded:
    spaCy refuses texts over nlp.max_length, and its parser needs about 1 GB per 100,000 characters.
    """
    meta = raw.metadata
    raw_text = strip_controls(raw.text)
    cleaned = clean_article(raw_text, rules, meta.get("title"), meta.get("published_at"), meta.get("author"))
    text = truncate(cleaned.text, max_chars)
    truncated = None
    if len(text) < len(cleaned.text):
        truncated = (f"text cut to {len(text)} of {len(cleaned.text)} characters: "
                     f"over the limit of {max_chars} (QUOTEWIRE_MAX_ARTICLE_CHARS)")
        log.warning("%s record %d: %s", raw.source_file, raw.record_index, truncated)
    url = meta.get("url")
    return ArticleRecord(
        article_id=stable_id(digest, raw.record_index),
        content_hash=digest,
        source_file=raw.source_file,
        record_index=raw.record_index,
        text_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        metadata_outlet=meta.get("outlet"),
        url=url,
        domain=_domain(url),
        signature_outlet=cleaned.signature_outlet,
        title=cleaned.title,
        author=cleaned.author,
        published_at=cleaned.published_at,
        language=meta.get("language"),
        extra_metadata=json.dumps(raw.extra, ensure_ascii=False, default=str, sort_keys=True) if raw.extra else None,
        raw_text=raw_text,
        text=text,
        n_words=len(text.split()),
        encoding=raw.encoding,
        truncated=truncated,
    )


def problem_with(article: ArticleRecord, min_words: int = MIN_ARTICLE_WORDS) -> tuple[str, str] | None:
    """(reason, detail) when a cleaned article cannot go on to extraction."""
    if not article.text.strip():
        return "empty", "nothing left after removing boilerplate"
    if article.n_words < min_words:
        return "too_short", f"{article.n_words} words, under the minimum of {min_words} (QUOTEWIRE_MIN_ARTICLE_WORDS)"
    if article.n_words >= MIN_WORDS_FOR_LANGUAGE:
        share = english_share(article.text)
        if share < MIN_ENGLISH_SHARE:
            stated = f"; metadata says {article.language!r}" if article.language else ""
            return "non_english", f"English stop words are {share:.0%} of the words{stated}"
    return None


def read_manifest(landing: Landing, result: BatchResult, max_bytes: int | None = None) -> dict[str, dict]:
    """The landing manifests (manifest.csv, then manifest.json over it). An unreadable one is
    quarantined and ignored; so is each row that cannot be used, and the files it names are read
    without its metadata."""
    manifest: dict[str, dict] = {}
    for name in MANIFEST_NAMES:
        try:
            data = landing.read(name, max_bytes)
        except FileNotFoundError:
            continue
        except OSError as error:
            result.quarantined.append(QuarantineRecord(name, None, "bad_manifest", f"ignored: {error}"))
            continue
        digest = content_hash(data)
        problems: list[str] = []
        try:
            manifest.update(parse_manifest(name, data, problems))
        except (ValueError, TypeError, AttributeError, RecursionError) as error:
            result.quarantined.append(QuarantineRecord(name, digest, "bad_manifest", f"ignored: {error}"))
            continue
        result.quarantined.extend(
            QuarantineRecord(name, digest, "bad_manifest", f"row ignored: {problem}") for problem in problems)
    return manifest


def extract_documents(
    articles: list[ArticleRecord], nlp, rules: Rules, result: BatchResult, pipe_batch_size: int
) -> None:
    """Parse article texts with `nlp.pipe` and add their entities and quotes to `result`.

    Small pipe batches keep memory flat: long news articles in spaCy's default batch of 1,000
    texts took over 1 GB more and ran slower on the benchmark machine (docs/benchmark.md).
    """
    for article, doc in _parsed(articles, nlp, pipe_batch_size, result):
        try:
            quotes = attribute_quotes(doc, article.article_id, rules)
        except Exception as error:  # one article's failure must not stop the batch
            log.exception("attribution failed for %s", article.source_file)
            result.quarantined.append(_extraction_error(article, error))
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


def _extraction_error(article: ArticleRecord, error: Exception) -> QuarantineRecord:
    where = f"record {article.record_index}: " if article.record_index else ""
    return QuarantineRecord(article.source_file, article.content_hash, "extraction_error", where + repr(error))


def _parsed(articles: list[ArticleRecord], nlp, pipe_batch_size: int, result: BatchResult):
    """(article, doc) pairs from nlp.pipe, a chunk at a time; when spaCy fails on a chunk, its
    articles are parsed one by one, so only the article spaCy cannot parse is quarantined."""
    for start in range(0, len(articles), pipe_batch_size):
        chunk = articles[start:start + pipe_batch_size]
        try:
            docs = list(nlp.pipe((a.text for a in chunk), batch_size=pipe_batch_size))
        except MemoryError:
            raise
        except Exception:
            log.exception("spaCy failed on a chunk of %d articles; parsing them one by one", len(chunk))
            docs = []
            for article in chunk:
                try:
                    docs.append(nlp(article.text))
                except MemoryError:
                    raise
                except Exception as error:
                    log.exception("spaCy cannot parse %s", article.source_file)
                    result.quarantined.append(_extraction_error(article, error))
                    docs.append(None)
        yield from ((a, d) for a, d in zip(chunk, docs) if d is not None)


def _articles_of(item: LandingFile, data: bytes, digest: str, manifest: dict, rules: Rules,
                 min_words: int, max_chars: int, result: BatchResult) -> list[ArticleRecord]:
    """The new article records of one landing file; the rest go to quarantine with a reason."""
    articles: list[ArticleRecord] = []
    unchanged = {(index, text_hash) for index, text_hash in item.known_records}
    for raw in read_articles(item.source_file, data, manifest):
        if isinstance(raw, QuarantineRecord):
            result.quarantined.append(replace(raw, content_hash=digest))
            continue
        article = article_from_raw(raw, digest, rules, max_chars)
        if (article.record_index, article.text_hash) in unchanged:
            continue  # loaded from an earlier version of this file, word for word
        problem = problem_with(article, min_words)
        if problem is not None:
            where = f"record {raw.record_index}: " if raw.record_index else ""
            result.quarantined.append(QuarantineRecord(item.source_file, digest, problem[0], where + problem[1]))
            continue
        articles.append(article)
    return articles


def extract_batch(
    landing: Landing, files: list[LandingFile], model: str, max_bytes: int, pipe_batch_size: int = 16,
    min_words: int = MIN_ARTICLE_WORDS, max_chars: int = MAX_ARTICLE_CHARS, processes: int = 1,
) -> BatchResult:
    """Read, clean and extract a batch of landing files (re-checked: they may have changed).

    `processes` > 1 parses with this process's pool of that many workers (extract_pool).

    A failure tied to one file or record quarantines it and the batch goes on; only a failure
    of the machine (out of memory, the landing folder unreachable) fails the batch.
    """
    rules = load_rules()
    result = BatchResult()
    manifest = read_manifest(landing, result, max_bytes) if files else {}
    articles: list[ArticleRecord] = []
    for item in files:
        try:
            data = landing.read(item.source_file, max_bytes)
        except OSError as error:
            result.quarantined.append(
                QuarantineRecord(item.source_file, item.content_hash, unread_reason(error), str(error)))
            continue
        digest = content_hash(data)
        problem = check_article_bytes(data, max_bytes)
        if problem is not None:
            result.quarantined.append(QuarantineRecord(item.source_file, digest, *problem))
            continue
        try:
            articles.extend(_articles_of(item, data, digest, manifest, rules, min_words, max_chars, result))
        except (MemoryError, OSError):
            raise
        except Exception as error:  # tied to this file: quarantine it, keep the batch
            log.exception("reading %s failed", item.source_file)
            result.quarantined.append(QuarantineRecord(item.source_file, digest, "extraction_error", repr(error)))
    if articles:
        _extract_all(articles, model, rules, result, pipe_batch_size, processes)
    return result


def extract_articles(articles: list[ArticleRecord], nlp, rules: Rules, pipe_batch_size: int) -> BatchResult:
    """Entities and quotes of cleaned articles: the work of one process (a worker's chunk)."""
    result = BatchResult()
    parseable = []
    for article in articles:
        if len(article.text) > nlp.max_length:
            result.quarantined.append(QuarantineRecord(
                article.source_file, article.content_hash, "too_large",
                f"{len(article.text)} characters is over spaCy's nlp.max_length of {nlp.max_length}"))
        else:
            parseable.append(article)
    extract_documents(parseable, nlp, rules, result, pipe_batch_size)
    return result


def _extract_all(articles: list[ArticleRecord], model: str, rules: Rules, result: BatchResult,
                 pipe_batch_size: int, processes: int) -> None:
    from extractors.extract_pool import extract_in_pool

    parts = extract_in_pool(articles, model, processes, pipe_batch_size)
    if parts is None:  # one process wanted, or this one may not start any
        parts = [extract_articles(articles, load_pipeline(model), rules, pipe_batch_size)]
    for part in parts:
        result.articles.extend(part.articles)
        result.entities.extend(part.entities)
        result.quotes.extend(part.quotes)
        result.quarantined.extend(part.quarantined)
