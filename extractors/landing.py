"""Find new articles in the landing folder and decide which can be read at all.

An article is identified by the SHA-256 of its bytes. A file whose (path, hash) pair is already
loaded or quarantined is skipped, so re-running a night loads nothing twice; a file whose bytes
changed is a new version. Files that cannot be articles are quarantined with a reason.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from extractors.records import QuarantineRecord

SUPPORTED_SUFFIXES = {".txt"}
_BINARY_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class LandingFile:
    source_file: str  # POSIX path relative to the landing folder
    content_hash: str


@dataclass(frozen=True)
class Discovery:
    new: list[LandingFile]
    quarantined: list[QuarantineRecord]
    n_seen: int
    n_unchanged: int


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_article(data: bytes) -> str | None:
    """Text of an article's bytes: UTF-8 first, else the charset detector's best guess."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    return str(best) if best is not None else None


def check_article_bytes(data: bytes, max_bytes: int) -> tuple[str, str] | None:
    """(reason, detail) when these bytes cannot be an article, else None."""
    if len(data) > max_bytes:
        return "too_large", f"{len(data)} bytes is over the limit of {max_bytes}"
    if b"\x00" in data[:_BINARY_SNIFF_BYTES]:
        return "binary", "NUL bytes: not a text file"
    text = decode_article(data)
    if text is None:
        return "undecodable", "not UTF-8 and no character set detected"
    if not text.strip():
        return "empty", "no text"
    return None


def _candidates(landing: Path) -> list[Path]:
    return sorted(
        p for p in landing.rglob("*")
        if not any(part.startswith(".") for part in p.relative_to(landing).parts)
        and (p.is_file() or p.is_symlink())
    )


def discover(landing: Path, known: set[tuple[str, str]], known_hashes: dict[str, str], max_bytes: int) -> Discovery:
    """Scan the landing folder against what the warehouse already holds.

    known: (source_file, content_hash) pairs already loaded or quarantined.
    known_hashes: content_hash -> source_file of every loaded article version.
    """
    root = landing.resolve()
    new: list[LandingFile] = []
    quarantined: list[QuarantineRecord] = []
    seen_tonight: dict[str, str] = {}
    n_seen = n_unchanged = 0
    for path in _candidates(landing):
        n_seen += 1
        source_file = path.relative_to(landing).as_posix()
        resolved = path.resolve()
        if not resolved.is_relative_to(root):
            if (source_file, "") not in known:
                quarantined.append(QuarantineRecord(source_file, None, "outside_landing", "symlink points outside the landing folder"))
            else:
                n_unchanged += 1
            continue
        data = resolved.read_bytes()
        digest = content_hash(data)
        if (source_file, digest) in known:
            n_unchanged += 1
            continue
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            quarantined.append(QuarantineRecord(source_file, digest, "unsupported_format", f"'{path.suffix}' files are not read"))
            continue
        problem = check_article_bytes(data, max_bytes)
        if problem is not None:
            quarantined.append(QuarantineRecord(source_file, digest, *problem))
            continue
        original = known_hashes.get(digest) or seen_tonight.get(digest)
        if original is not None and original != source_file:
            quarantined.append(QuarantineRecord(source_file, digest, "duplicate", f"same bytes as {original}"))
            continue
        seen_tonight[digest] = source_file
        new.append(LandingFile(source_file, digest))
    return Discovery(new, quarantined, n_seen, n_unchanged)
