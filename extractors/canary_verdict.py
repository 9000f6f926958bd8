"""The raw gate's canary verdict, kept in the state folder and reused while nothing that decides it changed.

Extracting the canary articles (extractors/attribution/canary.py) loads spaCy: seconds a night
that brings nothing pays for nothing. A passing verdict is recorded in `<state>/canary.json` with
its key, everything that decides it:

- spaCy's version and the pipeline package (name==version, as raw.articles records it);
- the rule files (extractors/rules/, the digest raw.articles records);
- the attribution model: $QUOTEWIRE_ATTRIBUTION_MODEL and the bytes of the file it names, and the
  shipped model files (extractors/attribution/models/), the default;
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

from extractors.versions import RULES_DIR, model_version, rules_version

EXTRACTORS_DIR = Path(__file__).resolve().parent
CANARY_DIR = EXTRACTORS_DIR.parent / "expectations" / "canary"
MODELS_DIR = EXTRACTORS_DIR / "attribution" / "models"
# extractors.attribution.model.MODEL_ENV (importing that package imports spaCy; a test keeps them equal).
MODEL_ENV = "QUOTEWIRE_ATTRIBUTION_MODEL"
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
    chosen = environ.get(MODEL_ENV, "")
    chosen_file = Path(chosen) if chosen and chosen != "rules" else None
    chosen_bytes = chosen_file.read_bytes() if chosen_file is not None and chosen_file.is_file() else b""
    code = [p for p in EXTRACTORS_DIR.rglob("*.py") if "linking" not in p.relative_to(EXTRACTORS_DIR).parts]
    return {
        "spacy": spacy,
        "pipeline": model_version(spacy_model),
        "rules": rules_version(rules_dir),
        "attribution_model": f"{chosen or 'shipped'} {hashlib.sha256(chosen_bytes).hexdigest()[:16]}",
        "shipped_models": _digest(_files(MODELS_DIR), MODELS_DIR),
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
