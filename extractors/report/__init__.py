"""The nightly report: one self-contained HTML page built from the published marts.

    from extractors.report import build_report
    build_report(Path("warehouse/quotewire.duckdb"), Path("warehouse/report/index.html"))

The warehouse is opened read-only and the page is written atomically (a temporary file in the
same folder, then os.replace), so a reader sees the previous report or the new one, never half
of one, and a failed build leaves the previous report in place.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)


def build_report(warehouse: Path, output: Path, run_id: str | None = None) -> Path:
    """Write the report of `run_id` (default: the latest published night) to `output`."""
    from extractors.report.queries import read
    from extractors.report.render import render

    data = read(warehouse, run_id)
    page = render(data)
    write_atomically(output, page)
    log.info("report of %s: %d claims, %d speakers, %d outlets, %.1f MB -> %s",
             data.night["run_id"] if data.night else "no night", len(data.claims), len(data.speakers),
             len(data.outlets), len(page.encode()) / 1e6, output)
    return output


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False)
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o644)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
