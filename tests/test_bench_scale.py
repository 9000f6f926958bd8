"""The scale benchmark's replicas: fresh ids, new names and words, and every offset still
pointing at its text (the raw gate would refuse them otherwise)."""

from __future__ import annotations

import json
import re
import sys
import time

import pytest

from conftest import ROOT

from extractors.extract import BatchResult
from extractors.quote_spans import normalize_statement
from extractors.records import ArticleRecord, EntityRecord, QuoteRecord

sys.path.insert(0, str(ROOT / "scripts"))
from scale_history import MAX_CLUSTER, NAME_PERIOD, Clusters, Copy, replicate  # noqa: E402

TEXT = ('Kremlin spokesman Dmitry Peskov said on Friday: "The presidents discussed the situation '
        'in considerable detail." Peskov added that Vladimir Putin had congratulated Donald Trump.')


def _span(text: str, part: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(part, start + 1)
    return start, start + len(part)


def _base() -> BatchResult:
    article = ArticleRecord("a1", "h1", "a.txt", 0, "t1", None, None, None, None, "Call", "Anna Smith",
                            "2017-01-27T12:00:00+00:00", None, None, TEXT, TEXT, len(TEXT.split()))
    names = [("Dmitry Peskov", 0), ("Peskov", 1), ("Vladimir Putin", 0), ("Donald Trump", 0)]
    entities = [EntityRecord(f"e{i}", "a1", "PERSON", name, *_span(TEXT, name, nth)) for i, (name, nth) in enumerate(names)]
    entities.append(EntityRecord("e9", "a1", "ORG", "Kremlin", *_span(TEXT, "Kremlin")))
    quote = "The presidents discussed the situation in considerable detail."
    q_start, q_end = _span(TEXT, quote)
    s_start, s_end = _span(TEXT, "Dmitry Peskov")
    c_start, c_end = _span(TEXT, "said")
    quotes = [QuoteRecord("q1", "a1", quote, q_start, q_end, "direct", "Dmitry Peskov", "Dmitry Peskov",
                          s_start, s_end, "said", c_start, c_end, normalize_statement(quote), "PERSON")]
    return BatchResult([article], entities, quotes, [])


def test_every_replica_offset_points_at_its_text_and_ids_are_fresh():
    base = _base()
    vocabulary = ["considered", "discussion", "situations", "presidential", "afternoon"]
    seen_ids, texts = set(), set()
    for number in range(30):
        articles, entities, quotes = replicate(base, Copy(number, vocabulary), normalize_statement)
        [article] = articles
        texts.add(article.text)
        for entity in entities:
            assert article.text[entity.start_char:entity.end_char] == entity.entity_text
        [quote] = quotes
        assert article.text[quote.start_char:quote.end_char] == quote.quote_text
        assert article.text[quote.speaker_start:quote.speaker_end] == quote.speaker_mention
        assert article.text[quote.cue_start:quote.cue_end] == quote.cue == "said"
        assert quote.normalized_text == normalize_statement(quote.quote_text)
        # The speaker's full name is the one its mention now carries, and it is not Peskov.
        assert quote.speaker == quote.speaker_mention and "Peskov" not in article.text
        assert "Kremlin" in article.text  # only people are renamed
        ids = {article.article_id, quote.quote_id, *(e.entity_id for e in entities)}
        assert not ids & seen_ids
        seen_ids |= ids
    assert len(texts) == 30  # no two copies are the same text (loading would drop duplicates)


def test_a_name_is_renamed_the_same_way_throughout_a_copy():
    articles, entities, _ = replicate(_base(), Copy(7, ["changed"]), normalize_statement)
    full, alone = entities[0].entity_text, entities[1].entity_text
    assert full.split()[-1] == alone  # "Dmitry Peskov" ... "Peskov" stay one person


def _windows(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + 8]) for i in range(len(words) - 7)}


def test_copies_reprint_within_their_cluster_and_reword_across_clusters():
    clusters = Clusters()
    starts = sorted({clusters.of(0, copy) for copy in range(400)})
    sizes = [b - a for a, b in zip(starts, starts[1:])]
    assert min(sizes) >= 2 and max(sizes) <= MAX_CLUSTER and len(set(sizes)) > 3  # a few to tens
    first, size = starts[1], sizes[1]
    vocabulary = ["considered", "discussion", "situations", "presidential", "afternoon", "meanwhile"]

    def copy(number: int):
        [article], entities, [quote] = replicate(_base(), Copy(number, vocabulary, clusters), normalize_statement)
        return article, quote

    (a, qa), (b, qb) = copy(first), copy(first + size - 1)  # one story, two outlets
    assert qa.speaker == qb.speaker and len(_windows(a.text) & _windows(b.text)) >= len(_windows(a.text)) // 2
    later = next(s for s in starts if s // NAME_PERIOD > first // NAME_PERIOD)
    c, qc = copy(later)  # another story, people of another period
    assert qc.speaker != qa.speaker and not _windows(a.text) & _windows(c.text)


def test_the_timed_night_brings_only_files_no_folder_holds(tmp_path):
    from bench_scale import NIGHT_ARTICLES, new_night

    held, other = tmp_path / "held", tmp_path / "other"
    for folder, names in ((held, ["d000", "d002"]), (other, ["d005"])):
        (folder / "built" / "landing").mkdir(parents=True)
        for name in names:
            (folder / "built" / "landing" / f"{name}.txt").write_text("x")
    candidates = [{"doc_id": f"d{i:03d}", "text": "x"} for i in range(NIGHT_ARTICLES + 3)]
    night = [a["doc_id"] for a in new_night(candidates, [held, other])]
    assert len(night) == NIGHT_ARTICLES
    assert not {"d000", "d002", "d005"} & set(night)
    assert night[:3] == ["d001", "d003", "d004"]
    with pytest.raises(SystemExit, match="only 99 source articles"):
        new_night(candidates[:NIGHT_ARTICLES + 2], [held, other])


def test_a_night_s_slowest_dbt_nodes_come_from_dbt_s_own_results_slowest_first_and_only_its_own(tmp_path):
    from scale_measure import dbt_slowest

    target = tmp_path / "warehouse" / "state" / "dbt" / "target"
    target.mkdir(parents=True)
    results = [{"unique_id": f"model.quotewire.m{i}", "execution_time": t} for i, t in enumerate([0.5, 3.25, 1.0])]
    results.append({"unique_id": "test.quotewire.unique_quotes_quote_id.abc", "execution_time": 2.004})
    (target / "run_results.json").write_text(json.dumps({"results": results}))

    assert dbt_slowest(tmp_path, since=0, n=3) == [["m1", 3.25], ["unique_quotes_quote_id.abc", 2.0], ["m2", 1.0]]
    assert dbt_slowest(tmp_path / "elsewhere", since=0) == []
    # A night that skipped `dbt build` left an earlier night's results: none are this night's.
    assert dbt_slowest(tmp_path, since=time.time() + 60) == []
