"""Where tasks hand each other files: extraction batches and the run log.

A local folder by default (the state folder beside the work database, as on one machine), or
any fsspec URL (`QUOTEWIRE_STAGING_URL=s3://bucket/quotewire/staging`) when extraction runs on
other machines than the warehouse: every worker then reads and writes the same objects, and no
worker needs another's disk. The S3 endpoint and credentials come from the standard places
(`AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, `~/.aws`, an instance role ...), never from here.

DuckDB reads local files only (its S3 extension is downloaded at run time, which a worker
without internet cannot do), so batch files are written locally and uploaded, and the load task
downloads them into a scratch folder before loading.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Staging:
    """A local folder or an fsspec URL; files are named by '/'-separated keys below it."""

    def __init__(self, location: str | Path):
        location = str(location)
        self.location = location
        if "://" in location and not location.startswith("file://"):
            import fsspec

            # Listings are never cached: another machine adds files between two looks.
            self.fs, root = fsspec.core.url_to_fs(location, use_listings_cache=False)
            self.protocol = location.split("://", 1)[0]
            self.root = root.rstrip("/")
            self.local: Path | None = None
        else:
            self.local = Path(location.removeprefix("file://"))
            self.fs = None

    @property
    def is_local(self) -> bool:
        return self.local is not None

    def url(self, key: str) -> str:
        """Full path (local) or URL (object store) of a key."""
        if self.local is not None:
            return str(self.local / key)
        return f"{self.protocol}://{self.root}/{key}"

    def _path(self, key: str) -> str:
        return f"{self.root}/{key}"

    def batch_key(self, run_id: str) -> str:
        from extractors.runlog import safe_run_id

        return f"batches/{safe_run_id(run_id)}"

    def upload(self, files: dict[str, str], key: str) -> dict[str, str]:
        """Copy local files (name -> path) under `key`; returns name -> URL of each copy."""
        urls = {}
        for name, path in files.items():
            target = f"{key}/{Path(path).name}"
            self.fs.put_file(path, self._path(target))
            urls[name] = self.url(target)
        return urls

    @contextmanager
    def local_copies(self, batches: list[dict[str, str]], tables: tuple[str, ...]) -> Iterator[list[dict[str, str]]]:
        """The batches' files as local paths: themselves when staging is local, else downloaded
        into a scratch folder removed afterwards."""
        if self.local is not None:
            yield [{t: b[t] for t in tables} for b in batches]
            return
        scratch = Path(tempfile.mkdtemp(prefix="quotewire-load-"))
        try:
            copies = []
            for i, batch in enumerate(batches):
                copy = {}
                for table in tables:
                    url = batch[table]
                    if not url.startswith(f"{self.protocol}://{self.root}/"):
                        raise ValueError(f"batch file {url} is not in the staging area {self.location}")
                    target = scratch / f"{i:06d}-{url.rsplit('/', 1)[1]}"
                    self.fs.get_file(url.split("://", 1)[1], str(target))
                    copy[table] = str(target)
                copies.append(copy)
            yield copies
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def children(self, key: str) -> list[str]:
        """Names of the folders (or prefixes) directly under `key`."""
        if self.local is not None:
            folder = self.local / key
            return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
        path = self._path(key)
        if not self.fs.exists(path):
            return []
        return sorted(p.rstrip("/").rsplit("/", 1)[-1] for p in self.fs.ls(path, detail=False)
                      if self.fs.isdir(p))

    def count(self, key: str) -> int:
        """How many files lie under `key` (0 when there is none)."""
        if self.local is not None:
            folder = self.local / key
            return sum(1 for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0
        path = self._path(key)
        return len(self.fs.find(path)) if self.fs.exists(path) else 0

    def remove(self, key: str) -> None:
        """Delete everything under `key`; nothing there is not an error."""
        if self.local is not None:
            shutil.rmtree(self.local / key, ignore_errors=True)
            return
        path = self._path(key)
        if self.fs.exists(path):
            self.fs.rm(path, recursive=True)
