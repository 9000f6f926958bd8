"""Which extractor made an article's rows: the spaCy pipeline package and the rule files.

Recorded per article (raw.articles.extracted_with_model, extracted_with_rules) so that articles
extracted by an older model or older rules can be found and extracted again.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, packages_distributions, version
from pathlib import Path

RULES_DIR = Path(__file__).resolve().parent / "rules"
LINKING_DIR = Path(__file__).resolve().parent / "linking"


def model_version(model: str) -> str:
    """`package==version` of a spaCy pipeline package, read without importing spaCy."""
    for distribution in packages_distributions().get(model, [model]):
        try:
            return f"{model}=={version(distribution)}"
        except PackageNotFoundError:
            continue
    return f"{model}==unknown"


def rules_version(rules_dir: Path = RULES_DIR) -> str:
    """A short digest of every rule file's name and bytes: any edit to the rules changes it."""
    digest = hashlib.sha256()
    for path in sorted(p for p in rules_dir.iterdir() if p.is_file() and p.name != "README.md"):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def linker_version(linking_dir: Path = LINKING_DIR, rules_dir: Path = RULES_DIR) -> str:
    """A short digest of the linking code and the rules: links made by another linker are redone."""
    digest = hashlib.sha256(rules_version(rules_dir).encode())
    for path in sorted(linking_dir.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]
