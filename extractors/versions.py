"""Which extractor made an article's rows: the spaCy pipeline package, and the rule files with
the learned attribution model.

Recorded per article (raw.articles.extracted_with_model, extracted_with_rules) so that articles
extracted by an older model or older rules can be found and extracted again.
"""

from __future__ import annotations

import hashlib
import os
from importlib.metadata import PackageNotFoundError, packages_distributions, version
from pathlib import Path

RULES_DIR = Path(__file__).resolve().parent / "rules"
LINKING_DIR = Path(__file__).resolve().parent / "linking"
# The attribution model the extractor uses (extractors/attribution/model.py reads the same
# setting): a model file, "rules" for the hand rules alone, or unset for the shipped model.
ATTRIBUTION_MODEL_ENV = "QUOTEWIRE_ATTRIBUTION_MODEL"
SHIPPED_ATTRIBUTION_MODEL = Path(__file__).resolve().parent / "attribution" / "models" / "attribution-v1.json"


def model_version(model: str) -> str:
    """`package==version` of a spaCy pipeline package, read without importing spaCy."""
    for distribution in packages_distributions().get(model, [model]):
        try:
            return f"{model}=={version(distribution)}"
        except PackageNotFoundError:
            continue
    return f"{model}==unknown"


def _rule_files(rules_dir: Path):
    digest = hashlib.sha256()
    for path in sorted(p for p in rules_dir.iterdir() if p.is_file() and p.name != "README.md"):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest


def attribution_model_bytes(environ=os.environ) -> bytes:
    """What decides the learned layer: the bytes of the model file in use, or b"rules"."""
    chosen = environ.get(ATTRIBUTION_MODEL_ENV) or str(SHIPPED_ATTRIBUTION_MODEL)
    return b"rules" if chosen == "rules" else Path(chosen).read_bytes()


def rules_version(rules_dir: Path = RULES_DIR, model: bytes | None = None) -> str:
    """A short digest of every rule file's name and bytes and of the attribution model in use
    (`model`, default: the live one): an edit of the rules or a retrained model changes it."""
    digest = _rule_files(rules_dir)
    digest.update(b"attribution model\0" + (attribution_model_bytes() if model is None else model))
    return digest.hexdigest()[:12]


def linker_version(linking_dir: Path = LINKING_DIR, rules_dir: Path = RULES_DIR) -> str:
    """A short digest of the linking code and the rules: links made by another linker are redone."""
    digest = hashlib.sha256(_rule_files(rules_dir).hexdigest()[:12].encode())
    for path in sorted(linking_dir.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]
