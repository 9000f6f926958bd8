"""Load the extraction rules kept as data in `extractors/rules/` (see its README)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

RULES_DIR = Path(__file__).resolve().parent / "rules"


def _content(path: Path) -> list[str]:
    """The lines of a rule file that hold rules: blank lines and `#` comment lines are skipped."""
    return [line for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def read_lines(path: Path) -> list[str]:
    """A `.txt` rule file: one entry per line, surrounding spaces removed."""
    return [line.strip() for line in _content(path)]


def read_csv(path: Path) -> list[dict[str, str]]:
    """A `.csv` rule file: rows by header name; comment lines may stand anywhere, even first."""
    return list(csv.DictReader(_content(path)))


def _stance_objects(entries: list[str]) -> dict[str, frozenset[str]]:
    """{"call": {"", "for"}} from the lines "call" and "call for"."""
    objects: dict[str, set[str]] = {}
    for entry in entries:
        lemma, _, preposition = entry.lower().partition(" ")
        objects.setdefault(lemma, set()).add(preposition.strip())
    return {lemma: frozenset(preps) for lemma, preps in objects.items()}


@dataclass(frozen=True)
class Rules:
    cue_lemmas: frozenset[str]
    belief_lemmas: frozenset[str]
    # lemma -> prepositions whose object it reports ("" = the direct object); see stance_verbs.txt
    stance_objects: dict[str, frozenset[str]]
    title_context: frozenset[str]
    not_cues: tuple[tuple[str, ...], ...]
    honorific_gender: dict[str, str | None]
    title_words: frozenset[str]
    pronoun_gender: dict[str, str | None]
    boilerplate: tuple[re.Pattern[str], ...]
    outlet_signatures: tuple[tuple[re.Pattern[str], str], ...]
    date_lines: tuple[re.Pattern[str], ...]
    title_function_words: frozenset[str] = frozenset()
    future_modals: frozenset[str] = frozenset()

    def is_boilerplate(self, line: str) -> bool:
        stripped = line.strip()
        return any(p.fullmatch(stripped) for p in self.boilerplate)

    def is_honorific(self, word: str) -> bool:
        return word.lower() in self.honorific_gender

    def is_title(self, word: str) -> bool:
        return word.lower() in self.title_words


@lru_cache(maxsize=None)
def load_rules(rules_dir: Path = RULES_DIR) -> Rules:
    """Read every rule file once per process."""
    return Rules(
        cue_lemmas=frozenset(w.lower() for w in read_lines(rules_dir / "cue_verbs.txt")),
        belief_lemmas=frozenset(w.lower() for w in read_lines(rules_dir / "belief_verbs.txt")),
        stance_objects=_stance_objects(read_lines(rules_dir / "stance_verbs.txt")),
        title_context=frozenset(w.lower() for w in read_lines(rules_dir / "title_context.txt")),
        not_cues=tuple(tuple(p.lower().split()) for p in read_lines(rules_dir / "not_cues.txt")),
        honorific_gender={
            row["word"].lower(): (row["gender"] or None)
            for row in read_csv(rules_dir / "honorifics.csv")
        },
        title_words=frozenset(w.lower() for w in read_lines(rules_dir / "titles.txt")),
        pronoun_gender={
            row["pronoun"].lower(): (row["gender"] or None)
            for row in read_csv(rules_dir / "pronouns.csv")
        },
        boilerplate=tuple(
            re.compile(p, re.IGNORECASE) for p in read_lines(rules_dir / "boilerplate.txt")
        ),
        outlet_signatures=tuple(
            (re.compile(row["pattern"], re.IGNORECASE | re.MULTILINE), row["outlet"])
            for row in read_csv(rules_dir / "outlet_signatures.csv")
        ),
        date_lines=tuple(
            re.compile(p, re.IGNORECASE) for p in read_lines(rules_dir / "date_patterns.txt")
        ),
        title_function_words=frozenset(w.lower() for w in read_lines(rules_dir / "title_function_words.txt")),
        future_modals=frozenset(w.lower() for w in read_lines(rules_dir / "future_modals.txt")),
    )
