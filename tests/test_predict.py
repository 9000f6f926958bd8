"""`make predict` reads what the landing folder reads and writes the quote text and speaker."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT

from extractors.predict import BadInput, as_document

TEXT = "\u201cWe will talk on Saturday,\u201d Dmitry Peskov told reporters in Moscow."


def test_text_aliases_and_missing_ids_are_understood():
    assert as_document({"body": "a b c"}, 3) == {"doc_id": "3", "text": "a b c"}
    assert as_document({"content": "x", "id": 7}, 1) == {"doc_id": "7", "text": "x"}
    assert as_document({"text": "x", "url": "https://e.com/a"}, 1)["doc_id"] == "https://e.com/a"
    assert as_document({"doc_id": "d1", "text": "x", "id": 2}, 1)["doc_id"] == "d1"
    with pytest.raises(BadInput, match="line 4: no article text"):
        as_document({"title": "only a title"}, 4)


def test_make_predict_on_landing_shaped_records(tmp_path):
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("\n".join([
        json.dumps({"body": TEXT, "url": "https://example.com/peskov"}),
        json.dumps({"content": TEXT}),
        "not json",
        json.dumps({"headline": "no text here"}),
    ]) + "\n", encoding="utf-8")
    done = subprocess.run(["make", "--no-print-directory", "predict", f"IN={source}", f"OUT={out}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "line 3: not JSON" in done.stderr and "line 4: no article text" in done.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["doc_id"] for r in rows] == ["https://example.com/peskov", "2"]
    quote = rows[0]["quotes"][0]
    assert quote["quote_text"] == TEXT[quote["start"]:quote["end"]]
    assert "talk on Saturday" in quote["quote_text"]
    assert quote["speaker"] == "Dmitry Peskov"


def test_a_file_without_any_article_is_an_error(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"title": "t"}) + "\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "predict.py"), str(source), str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode != 0 and "no article to predict on" in done.stderr
