"""A night stopped by its quarantined share keeps that share on retry until an operator acknowledges it."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

# The quarantined share of the input pending publication, as the raw gate reads it.
PENDING_SHARE = """
    select count(*) filter (where kind = 'quarantined'),
           count(*) filter (where kind = 'quarantined') / greatest(count(*), 1)
    from ops.pending_input
"""


def test_a_broken_night_stays_broken_until_acknowledged(deployment):
    assert deployment.query(PENDING_SHARE, database=deployment.work_db) == [(0, 0.0)]
    (deployment.landing / "empty.txt").write_bytes(b"")
    (deployment.landing / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (deployment.landing / "report.pdf").write_bytes(b"%PDF-1.4 not an article")
    failed = deployment.run(QUOTEWIRE_MAX_QUARANTINE_SHARE="0.5")
    assert failed.returncode == 1 and "NOT published" in failed.stdout
    # The files are now known, so a retry finds nothing new, yet the night's share is unchanged.
    assert deployment.query(PENDING_SHARE, database=deployment.work_db) == [(3, 1.0)]

    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "acknowledge_quarantine.py"), "--note", "supplier sent PDFs", "--by", "ops"],
        env=deployment.env(), capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "acknowledged 3 quarantined files" in done.stdout
    assert deployment.query(PENDING_SHARE, database=deployment.work_db) == [(0, 0.0)]
    assert deployment.query("select acknowledged_by, note from ops.quarantine_acknowledgements",
                            database=deployment.work_db) == [("ops", "supplier sent PDFs")]
