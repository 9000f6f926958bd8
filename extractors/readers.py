"""Turn one landing file's bytes into article records with their metadata.

Formats, by file suffix:
- `.txt`: the bytes are the article text; metadata may come from the landing manifest.
- `.jsonl`: one article per line; `.json`: one article object, a list of them, or
  {"articles": [...]}. Recognised fields: url, outlet, title, author, published_at, language,
  text (common aliases such as body, content, date, source are understood); every other field
  is kept in `extra`.
- `.html` / `.htm`: main text and metadata extracted by trafilatura.
A record that cannot be an article becomes a quarantine record with its reason; one bad record
never costs the rest of its file.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from extractors.landing import decode_article
from extractors.records import QuarantineRecord

# Field names news collectors use for the same thing, first match wins.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "article_text", "maintext"),
    "title": ("title", "headline"),
    "url": ("url", "link", "canonical_url"),
    "outlet": ("outlet", "source", "publisher", "site_name", "sitename", "source_name"),
    "author": ("author", "authors", "byline"),
    "published_at": ("published_at", "publication_date", "published", "date", "date_publish", "pubdate"),
    "language": ("language", "lang"),
}


@dataclass(frozen=True)
class RawArticle:
    source_file: str
    record_index: int  # 0 for single-article files, the line or list position otherwise
    text: str
    metadata: dict[str, str | None] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v) or None
    if isinstance(value, dict):
        return value.get("name") or json.dumps(value, ensure_ascii=False)
    text = str(value).strip()
    return text or None


def split_fields(record: dict[str, Any]) -> tuple[dict[str, str | None], dict[str, Any]]:
    """(known metadata fields under their canonical names, every other field as given)."""
    metadata: dict[str, str | None] = {}
    used: set[str] = set()
    lowered = {k.lower(): k for k in record}
    for name, aliases in FIELD_ALIASES.items():
        for alias in aliases:
            if alias in lowered:
                key = lowered[alias]
                used.add(key)
                if metadata.get(name) is None:
                    metadata[name] = _as_text(record[key]) if name != "text" else record[key]
    extra = {k: v for k, v in record.items() if k not in used}
    return metadata, extra


def _record(source_file: str, index: int, record: Any, where: str) -> RawArticle | QuarantineRecord:
    if not isinstance(record, dict):
        return QuarantineRecord(source_file, None, "bad_record", f"{where}: not a JSON object")
    metadata, extra = split_fields(record)
    text = metadata.pop("text", None)
    if not isinstance(text, str) or not text.strip():
        return QuarantineRecord(source_file, None, "no_text", f"{where}: no article text")
    return RawArticle(source_file, index, text, metadata, extra)


def read_json_lines(source_file: str, text: str) -> list[RawArticle | QuarantineRecord]:
    out: list[RawArticle | QuarantineRecord] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            out.append(QuarantineRecord(source_file, None, "bad_json", f"line {number}: {error.msg}"))
            continue
        out.append(_record(source_file, number, record, f"line {number}"))
    return out


def read_json(source_file: str, text: str) -> list[RawArticle | QuarantineRecord]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return [QuarantineRecord(source_file, None, "bad_json", f"line {error.lineno}: {error.msg}")]
    if isinstance(document, dict) and isinstance(document.get("articles"), list):
        document = document["articles"]
    if isinstance(document, list):
        return [_record(source_file, i, r, f"item {i}") for i, r in enumerate(document, start=1)]
    return [_record(source_file, 0, document, "document")]


# htmldate (through trafilatura) returns only the day unless asked for the time of day too; the
# time decides which outlet printed a statement first. Original publication, not last update.
HTML_DATE_PARAMS = {"outputformat": "%Y-%m-%dT%H:%M:%S%z", "original_date": True, "extensive_search": True}


def read_html(source_file: str, text: str) -> list[RawArticle | QuarantineRecord]:
    import trafilatura

    extracted = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False,
                                            date_extraction_params=HTML_DATE_PARAMS)
    found = extracted.as_dict() if extracted is not None else {}
    body = found.get("text") or ""
    if not body.strip():
        return [QuarantineRecord(source_file, None, "no_text", "no article text found in the HTML")]
    metadata = {
        "title": _as_text(found.get("title")),
        "url": _as_text(found.get("url")),
        "outlet": _as_text(found.get("sitename")),
        "author": _as_text(found.get("author")),
        "published_at": _as_text(found.get("date")),
        "language": _as_text(found.get("language")),
    }
    return [RawArticle(source_file, 0, body, metadata, {})]


def read_articles(source_file: str, data: bytes, manifest: dict[str, dict[str, Any]]) -> list[RawArticle | QuarantineRecord]:
    """Article records of one landing file (already checked to be non-empty decodable text)."""
    text = decode_article(data) or ""
    suffix = PurePosixPath(source_file).suffix.lower()
    if suffix == ".jsonl":
        return read_json_lines(source_file, text)
    if suffix == ".json":
        return read_json(source_file, text)
    if suffix in {".html", ".htm"}:
        records = read_html(source_file, text)
    else:
        records = [RawArticle(source_file, 0, text)]
    listed = manifest.get(source_file)
    if listed:
        metadata, extra = split_fields(listed)
        metadata.pop("text", None)
        records = [
            RawArticle(r.source_file, r.record_index, r.text,
                       {**r.metadata, **{k: v for k, v in metadata.items() if v}}, {**r.extra, **extra})
            if isinstance(r, RawArticle) else r
            for r in records
        ]
    return records


def parse_manifest(name: str, data: bytes) -> dict[str, dict[str, Any]]:
    """File name -> metadata, from manifest.csv (a `file` column) or manifest.json.

    manifest.json is either {"file name": {...}} or a list of objects with a "file" field.
    """
    text = decode_article(data) or ""
    if name.endswith(".csv"):
        rows = list(csv.DictReader(io.StringIO(text)))
    else:
        document = json.loads(text)
        if isinstance(document, dict):
            return {str(k): dict(v) for k, v in document.items() if isinstance(v, dict)}
        rows = [r for r in document if isinstance(r, dict)]
    manifest = {}
    for row in rows:
        key = row.pop("file", None) or row.pop("filename", None) or row.pop("path", None)
        if key:
            manifest[str(key)] = {k: v for k, v in row.items() if v not in (None, "")}
    return manifest
