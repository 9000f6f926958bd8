"""A gate's passing verdict, kept in the state folder and reused for the very same data and suites.

A gate validates DataFrames it reads itself (extractors/gates.py); Great Expectations is
deterministic, so the same suites with the same parameters on the same frames give the same
verdict. Importing GX costs a task seconds, which a night that brings nothing (its frames are those
of an earlier quiet night: no row left to expose) need not pay. The key of a verdict is a digest of
the gate's name, the GX version, every suite's JSON, the parameters, and every frame's columns,
types and values; the last `KEEP` passing verdicts are kept in `<state>/gates/<gate>.json` and one
is reused only for an equal key. A failing verdict is never kept (it removes its key): the gate
runs again and fails again, by name.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any


def _frame_digest(frame) -> bytes:
    import pandas as pd

    digest = hashlib.sha256(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    digest.update(str(len(frame)).encode())
    for column in frame.columns:
        series = frame[column]
        try:
            hashed = pd.util.hash_pandas_object(series, index=False)
        except TypeError:  # lists, dicts: hash their text
            hashed = pd.util.hash_pandas_object(series.map(repr), index=False)
        digest.update(hashed.to_numpy().tobytes())
    return digest.digest()


def verdict_key(gate: str, specs: list[dict], frames: list, parameters: dict[str, Any]) -> str:
    """Digest of everything a gate's verdict follows from."""
    try:
        gx = version("great_expectations")
    except PackageNotFoundError:
        gx = "not installed"
    digest = hashlib.sha256(json.dumps([gate, gx, specs, parameters], sort_keys=True, default=str).encode())
    for frame in frames:
        digest.update(_frame_digest(frame))
    return digest.hexdigest()


def _file(state_dir: Path, gate: str) -> Path:
    return state_dir / "gates" / f"{gate}.json"


KEEP = 8


def _kept(path: Path) -> dict[str, dict]:
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return kept.get("verdicts", {}) if isinstance(kept, dict) else {}


def reusable_verdict(state_dir: Path, gate: str, key: str) -> dict | None:
    """The passing verdict kept for this key, or None."""
    kept = _kept(_file(state_dir, gate)).get(key)
    return kept if isinstance(kept, dict) and kept.get("passed") is True else None


def keep_verdict(state_dir: Path, gate: str, key: str, passed: bool, n_expectations: int) -> None:
    """Keep a passing verdict with its key (the last KEEP of them); a failing one removes its key."""
    path = _file(state_dir, gate)
    verdicts = _kept(path)
    verdicts.pop(key, None)
    if passed:
        verdicts[key] = {"passed": True, "n_expectations": n_expectations,
                         "checked_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(".tmp")
    scratch.write_text(json.dumps({"verdicts": dict(list(verdicts.items())[-KEEP:])}, indent=1) + "\n",
                       encoding="utf-8")
    scratch.replace(path)
