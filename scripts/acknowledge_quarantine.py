"""Acknowledge a night's quarantined files, so that a retry of the night may publish.

    python scripts/acknowledge_quarantine.py --note "feed sent PDFs, supplier told" [--run RUN_ID ...]
    (or: make acknowledge-quarantine NOTE="..." [RUN=...])

A night stopped because too much of its input was quarantined faces the same gate on every
retry: its quarantined files stay in `ops.pending_input` until acknowledged here. Without
--run, every run with pending quarantined files is acknowledged. Run it while no run is writing.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--note", required=True, help="why the quarantine is acceptable")
    parser.add_argument("--run", action="append", help="run id (repeatable); default: all pending")
    parser.add_argument("--by", default=getpass.getuser(), help="who acknowledges (default: this user)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from extractors.settings import Settings
    from extractors.warehouse import acknowledge_quarantine, connect

    work_db = Settings.from_env().work_db
    if not work_db.exists():
        sys.exit(f"{work_db} does not exist: nothing to acknowledge")
    runs = acknowledge_quarantine(work_db, args.run, args.by, args.note)
    if not runs:
        print("no quarantined file is waiting for acknowledgement")
        return 0
    with connect(work_db, read_only=True) as con:
        for run_id in runs:
            n = con.execute("select count(*) from ops.quarantine where run_id = ?", [run_id]).fetchone()[0]
            print(f"acknowledged {n} quarantined files of run {run_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
