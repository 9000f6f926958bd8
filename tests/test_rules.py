"""Rule files are read by one loader, and the README says where each one came from."""

from __future__ import annotations

import re

from extractors.rules import RULES_DIR, read_csv, read_lines


def test_comments_and_blank_lines_are_skipped_in_every_kind_of_rule_file(tmp_path):
    csv_file = tmp_path / "pairs.csv"
    csv_file.write_text("# why these pairs\nbritish,american\n\n  # indented note\ncolour,color\n", encoding="utf-8")
    assert read_csv(csv_file) == [{"british": "colour", "american": "color"}]
    txt_file = tmp_path / "words.txt"
    txt_file.write_text("# a note\n say \n\n#said\ntell\n", encoding="utf-8")
    assert read_lines(txt_file) == ["say", "tell"]


def test_no_rule_file_yields_a_comment_as_a_rule():
    for path in sorted(RULES_DIR.glob("*.txt")):
        assert not any(entry.startswith("#") for entry in read_lines(path)), path.name
    for path in sorted(RULES_DIR.glob("*.csv")):
        rows = read_csv(path)
        assert rows, path.name
        assert not any(value and value.startswith("#") for row in rows for value in row.values()), path.name


def test_the_readme_gives_the_origin_of_every_rule_file():
    readme = (RULES_DIR / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([^`]+)` \|", readme, flags=re.MULTILINE))
    files = {p.name for p in RULES_DIR.iterdir() if p.suffix in {".txt", ".csv"}}
    assert listed == files
