"""Turn one landing file's bytes into article records with their metadata.

Formats, by file suffix:
- `.txt`: the bytes are the article text; metadata may come from the landing manifest.
- `.jsonl`: one article per line; `.json`: one article object, a list of them, or
  {"articles": [...]}. Recognised fields: url, outlet, title, author, published_at, language,
  text (common aliases such as body, content, date, source are understood); every other field
  is kept in `extra`.
- `.html` / `.htm`: main text and metadata extracted by trafilatura.
A record that cannot be an article becomes a quarantine record with its reason; one bad record
never costs the rest of its file, and one bad manifest row never costs the rest of the manifest.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from extractors.decode import decode_bytes, looks_binary, strip_controls
from extractors.records import QuarantineRecord

# Deeper JSON is not a news record (and would exhaust the recursion of json and pyarrow).
MAX_JSON_DEPTH = 64

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
    encoding: str | None = None  # as decided for the file's bytes (extractors/decode.py)


def url_host(url: str) -> str | None:
    """The host of a URL (None when it has none); ValueError when the URL does not parse."""
    return urlsplit(url).hostname if "://" in url else None


def record_problem(record: Any) -> str | None:
    """Why a parsed JSON value cannot be stored: too deep, or a lone surrogate in a string."""
    stack = [(record, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return f"nested more than {MAX_JSON_DEPTH} levels deep"
        if isinstance(value, str):
            if any("\ud800" <= c <= "\udfff" for c in value):
                bad = next(c for c in value if "\ud800" <= c <= "\udfff")
                return f"lone surrogate \\u{ord(bad):04x} in {value[:40]!r}: not valid Unicode"
        elif isinstance(value, dict):
            stack.extend((key, depth) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return None


def _url_problem(url: Any) -> str | None:
    if not isinstance(url, str):
        return None
    try:
        url_host(url)
    except ValueError as error:
        return f"url {url[:200]!r} does not parse: {error}"
    return None


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v) or None
    if isinstance(value, dict):
        return value.get("name") or json.dumps(value, ensure_ascii=False)
    text = strip_controls(str(value)).strip()
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


def _record(source_file: str, index: int, record: Any, where: str, encoding: str | None = None) -> RawArticle | QuarantineRecord:
    if not isinstance(record, dict):
        return QuarantineRecord(source_file, None, "bad_record", f"{where}: not a JSON object")
    problem = record_problem(record)
    if problem is not None:
        return QuarantineRecord(source_file, None, "bad_record", f"{where}: {problem}")
    metadata, extra = split_fields(record)
    problem = _url_problem(metadata.get("url"))
    if problem is not None:
        return QuarantineRecord(source_file, None, "bad_record", f"{where}: {problem}")
    text = metadata.pop("text", None)
    if isinstance(text, str):
        text = strip_controls(text)
    if not isinstance(text, str) or not text.strip():
        return QuarantineRecord(source_file, None, "no_text", f"{where}: no article text")
    return RawArticle(source_file, index, text, metadata, extra, encoding)


def _loads(text: str) -> Any:
    """json.loads, with nesting too deep for the parser reported as a JSON error."""
    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("nested too deep for the JSON parser", text, 0) from None


def read_json_lines(source_file: str, text: str, encoding: str | None = None) -> list[RawArticle | QuarantineRecord]:
    out: list[RawArticle | QuarantineRecord] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = _loads(line)
        except json.JSONDecodeError as error:
            out.append(QuarantineRecord(source_file, None, "bad_json", f"line {number}: {error.msg}"))
            continue
        out.append(_record(source_file, number, record, f"line {number}", encoding))
    return out


def read_json(source_file: str, text: str, encoding: str | None = None) -> list[RawArticle | QuarantineRecord]:
    try:
        document = _loads(text)
    except json.JSONDecodeError as error:
        return [QuarantineRecord(source_file, None, "bad_json", f"line {error.lineno}: {error.msg}")]
    if isinstance(document, dict) and isinstance(document.get("articles"), list):
        document = document["articles"]
    if isinstance(document, list):
        return [_record(source_file, i, r, f"item {i}", encoding) for i, r in enumerate(document, start=1)]
    return [_record(source_file, 0, document, "document", encoding)]


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
    decoded = decode_bytes(data)
    if decoded is None:
        return [QuarantineRecord(source_file, None, "undecodable", "the bytes do not follow their byte-order mark")]
    text, encoding = decoded.text, decoded.encoding
    suffix = PurePosixPath(source_file).suffix.lower()
    if suffix == ".jsonl":
        return read_json_lines(source_file, text, encoding)
    if suffix == ".json":
        return read_json(source_file, text, encoding)
    if suffix in {".html", ".htm"}:
        try:
            records = read_html(source_file, strip_controls(text))
        except (RecursionError, ValueError, TypeError, AttributeError, LookupError) as error:
            return [QuarantineRecord(source_file, None, "bad_record", f"the HTML could not be read: {error!r}")]
        records = [replace(r, encoding=encoding) if isinstance(r, RawArticle) else r for r in records]
    else:
        records = [RawArticle(source_file, 0, strip_controls(text), encoding=encoding)]
    listed = manifest.get(source_file)
    if listed:
        metadata, extra = split_fields(listed)
        metadata.pop("text", None)
        records = [
            replace(r, metadata={**r.metadata, **{k: v for k, v in metadata.items() if v}}, extra={**r.extra, **extra})
            if isinstance(r, RawArticle) else r
            for r in records
        ]
    return records


def parse_manifest(name: str, data: bytes, problems: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """File name -> metadata, from manifest.csv (a `file` column) or manifest.json.

    manifest.json is either {"file name": {...}} or a list of objects with a "file" field.
    A row that cannot be used is left out and described in `problems` ("line 4: ..."); a
    manifest that cannot be read at all raises ValueError.
    """
    problems = problems if problems is not None else []
    if looks_binary(data):
        raise ValueError("binary: NUL bytes, not a text file")
    decoded = decode_bytes(data)
    if decoded is None:
        raise ValueError("undecodable: the bytes do not follow their byte-order mark")
    text = strip_controls(decoded.text)
    rows = _csv_rows(text, problems) if name.endswith(".csv") else _json_rows(text, problems)
    manifest = {}
    for where, row in rows:
        key = row.pop("file", None) or row.pop("filename", None) or row.pop("path", None)
        if not key or not str(key).strip():
            problems.append(f"{where}: no file name")
            continue
        problem = record_problem(row) or _url_problem(split_fields(row)[0].get("url"))
        if problem is not None:
            problems.append(f"{where} ({key}): {problem}")
            continue
        manifest[str(key).strip()] = {k: v for k, v in row.items() if v not in (None, "")}
    return manifest


def _json_rows(text: str, problems: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    try:
        document = _loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON: line {error.lineno}: {error.msg}") from None
    if isinstance(document, dict):
        items = [(f"entry {key!r}", {"file": key, **value} if isinstance(value, dict) else value)
                 for key, value in document.items()]
    elif isinstance(document, list):
        items = [(f"item {i}", value) for i, value in enumerate(document, start=1)]
    else:
        raise TypeError("neither an object nor a list")
    for where, value in items:
        if isinstance(value, dict):
            yield where, dict(value)
        else:
            problems.append(f"{where}: not a JSON object")


def _csv_rows(text: str, problems: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Rows of a CSV manifest by header name; a row csv cannot parse (an unterminated quote, a
    field over csv's 128 KiB limit) is reported and parsing resumes on the line after it."""
    lines = text.splitlines(keepends=True)
    header: list[str] | None = None
    position = 0  # index of the first line not parsed yet
    while position < len(lines):
        reader = csv.reader(lines[position:], strict=True)
        consumed = 0
        try:
            for row in reader:
                line = position + consumed + 1
                consumed = reader.line_num
                if not row:
                    continue
                if header is None:
                    header = [h.strip().lower() for h in row]
                    if not {"file", "filename", "path"} & set(header):
                        raise ValueError("no 'file' column in the header")
                    continue
                if len(row) > len(header):
                    problems.append(f"line {line}: {len(row)} fields, the header has {len(header)}")
                    continue
                yield f"line {line}", dict(zip(header, row + [None] * (len(header) - len(row))))
            return
        except csv.Error as error:
            if header is None:
                raise ValueError(f"header unreadable: {error}") from None
            problems.append(f"line {position + consumed + 1}: {error}")
            position += consumed + 1
