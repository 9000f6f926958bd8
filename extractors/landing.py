"""Find new articles in the landing folder and decide which can be read at all.

An article is identified by the SHA-256 of its bytes. A file whose (path, hash) pair is already
loaded or quarantined is skipped, so re-running a night loads nothing twice; a file whose bytes
changed is a new version. Files that cannot be articles are quarantined with a reason.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from extractors.decode import decode_bytes, looks_binary, strip_controls
from extractors.records import QuarantineRecord

ARTICLE_SUFFIXES = {".txt", ".jsonl", ".json", ".html", ".htm"}
# Files mapping landing file names to metadata; read by extraction, never articles themselves.
MANIFEST_NAMES = ("manifest.csv", "manifest.json")


@dataclass(frozen=True)
class LandingFile:
    source_file: str  # POSIX path relative to the landing folder
    content_hash: str
    # [record_index, text_hash] of the records an earlier version of this file already loaded:
    # a grown .jsonl feed re-extracts only its new or changed records.
    known_records: list = field(default_factory=list)


@dataclass(frozen=True)
class Discovery:
    new: list[LandingFile]
    quarantined: list[QuarantineRecord]
    n_seen: int
    n_unchanged: int


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_article(data: bytes) -> str | None:
    """Text of an article's bytes (see extractors/decode.py), None if its stated encoding fails."""
    decoded = decode_bytes(data)
    return decoded.text if decoded is not None else None


def check_article_bytes(data: bytes, max_bytes: int) -> tuple[str, str] | None:
    """(reason, detail) when these bytes cannot be an article, else None."""
    if len(data) > max_bytes:
        return "too_large", f"{len(data)} bytes is over the limit of {max_bytes}"
    if looks_binary(data):
        return "binary", "NUL bytes and no UTF-16/UTF-32 mark: not a text file"
    decoded = decode_bytes(data)
    if decoded is None:
        return "undecodable", "the byte-order mark names an encoding the bytes do not follow"
    if not strip_controls(decoded.text).strip():
        return "empty", "no text"
    return None


class OutsideLanding(OSError):
    """A path in the landing folder resolves to a file outside it (e.g. through a symlink)."""


class NotAFile(OSError):
    """A name in the landing folder is a directory, FIFO, socket or device, not a file to read."""


class TooLarge(OSError):
    """A file over the size limit: it is not read at all, so it cannot exhaust memory."""


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


class Landing:
    """The landing folder: a local directory, or any fsspec URL (s3://bucket/prefix, file://...).

    Files are named by their POSIX path relative to the folder; hidden files and folders
    (starting with ".") are not articles and are not listed.
    """

    def __init__(self, location: str | Path):
        location = str(location)
        self.location = location
        if "://" in location and not location.startswith("file://"):
            import fsspec

            self._fs, self._root = fsspec.core.url_to_fs(location)
            self._root = self._root.rstrip("/")
            self._local: Path | None = None
        else:
            self._local = Path(location.removeprefix("file://")).resolve()

    def exists(self) -> bool:
        if self._local is not None:
            return self._local.is_dir()
        return self._fs.isdir(self._root)

    def files(self) -> list[str]:
        if self._local is not None:
            # Everything but plain folders: FIFOs, sockets, broken links and folders named like
            # article files are listed too, so that they are quarantined, not silently skipped.
            paths = [
                p.relative_to(self._local).as_posix()
                for p in self._local.rglob("*")
                if not p.is_dir() or p.is_symlink() or p.suffix.lower() in ARTICLE_SUFFIXES
            ]
        else:
            paths = [p[len(self._root) + 1:] for p in self._fs.find(self._root)]
        return sorted(p for p in paths if not any(part.startswith(".") for part in p.split("/")))

    def read(self, source_file: str, max_bytes: int | None = None) -> bytes:
        """The file's bytes; TooLarge without reading them when it is over max_bytes."""
        if self._local is None:
            path = f"{self._root}/{source_file}"
            if max_bytes is not None and (self._fs.size(path) or 0) > max_bytes:
                raise TooLarge(f"{self._fs.size(path)} bytes is over the limit of {max_bytes}")
            return self._fs.cat_file(path)
        try:
            path = (self._local / source_file).resolve()
        except RuntimeError as error:  # Python before 3.13 raises this for a symlink loop
            raise OSError(f"{source_file}: {error}") from error
        if not path.is_relative_to(self._local):
            raise OutsideLanding(f"{source_file} resolves outside the landing folder")
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
            raise NotAFile(f"{source_file} is {kind}, not a file")
        size = os.stat(path).st_size
        if max_bytes is not None and size > max_bytes:
            raise TooLarge(f"{size} bytes is over the limit of {max_bytes}")
        return path.read_bytes()


def discover(landing: Landing, known: set[tuple[str, str]], known_hashes: dict[str, str], max_bytes: int) -> Discovery:
    """Scan the landing folder against what the warehouse already holds.

    known: (source_file, content_hash) pairs already loaded or quarantined.
    known_hashes: content_hash -> source_file of every loaded article version.
    """
    new: list[LandingFile] = []
    quarantined: list[QuarantineRecord] = []
    seen_tonight: dict[str, str] = {}
    n_seen = n_unchanged = 0
    for source_file in landing.files():
        if source_file in MANIFEST_NAMES:
            continue
        n_seen += 1
        try:
            data = landing.read(source_file, max_bytes)
        except OSError as error:
            # Quarantined without a hash: known by name, so a rerun does not list it again.
            if (source_file, "") in known:
                n_unchanged += 1
            else:
                quarantined.append(QuarantineRecord(source_file, None, unread_reason(error), str(error)))
            continue
        digest = content_hash(data)
        if (source_file, digest) in known:
            n_unchanged += 1
            continue
        suffix = PurePosixPath(source_file).suffix.lower()
        if suffix not in ARTICLE_SUFFIXES:
            quarantined.append(QuarantineRecord(source_file, digest, "unsupported_format", f"'{suffix}' files are not read"))
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


def unread_reason(error: OSError) -> str:
    if isinstance(error, OutsideLanding):
        return "outside_landing"
    if isinstance(error, NotAFile):
        return "not_a_file"
    if isinstance(error, TooLarge):
        return "too_large"
    return "unreadable"
