"""The raw gate's canary verdict, kept in the state folder and reused while nothing that decides it changed.

Extracting the canary articles (extractors/attribution/canary.py) loads spaCy: seconds a night
that brings nothing pays for nothing. A passing verdict is recorded in `<state>/canary.json` with
its key, everything that decides it:

- spaCy's version and the pipeline package (name==version, as raw.articles records it);
- the rule files and the bytes of the attribution model in use (the digest raw.articles records),
  and which model is named ($QUOTEWIRE_ATTRIBUTION_MODEL, or the shipped one);
- the extraction code: every module of extractors/ but linking's (the threshold is in it too);
- the canary files (expectations/canary/).

Any difference reruns the canary. A failing verdict is never kept, so a broken model or rule
fails every night until it is fixed. Nothing here imports spaCy.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from extractors.versions import ATTRIBUTION_MODEL_ENV as MODEL_ENV
from extractors.versions import RULES_DIR, attribution_model_bytes, model_version, rules_version

EXTRACTORS_DIR = Path(__file__).resolve().parent
CANARY_DIR = EXTRACTORS_DIR.parent / "expectations" / "canary"
CACHE_NAME = "canary.json"


def _digest(paths: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts] if folder.is_dir() else []


def verdict_key(spacy_model: str, canary_dir: Path = CANARY_DIR, rules_dir: Path = RULES_DIR,
                environ=os.environ) -> dict[str, str]:
    """Everything that decides the canary's verdict (see the module's docstring)."""
    try:
        spacy = version("spacy")
    except PackageNotFoundError:
        spacy = "not installed"
    code = [p for p in EXTRACTORS_DIR.rglob("*.py") if "linking" not in p.relative_to(EXTRACTORS_DIR).parts]
    return {
        "spacy": spacy,
        "pipeline": model_version(spacy_model),
        "rules": rules_version(rules_dir, attribution_model_bytes(environ)),
        "attribution_model": environ.get(MODEL_ENV) or "shipped",
        "code": _digest(code, EXTRACTORS_DIR),
        "canary": _digest(_files(canary_dir), canary_dir),
    }


def reusable_verdict(state_dir: Path, key: dict[str, str]) -> dict | None:
    """The last passing verdict recorded with this very key, or None."""
    try:
        kept = json.loads((state_dir / CACHE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return kept if isinstance(kept, dict) and kept.get("key") == key and kept.get("passed") is True else None


def keep_verdict(state_dir: Path, key: dict[str, str], passed: bool, attributed_f1: float) -> None:
    """Record a passing verdict with its key; a failing one removes the record."""
    cache = state_dir / CACHE_NAME
    if not passed:
        cache.unlink(missing_ok=True)
        return
    state_dir.mkdir(parents=True, exist_ok=True)
    kept = {"key": key, "passed": True, "attributed_f1": round(attributed_f1, 4),
            "checked_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    scratch = cache.with_suffix(".tmp")
    scratch.write_text(json.dumps(kept, indent=1) + "\n", encoding="utf-8")
    scratch.replace(cache)
