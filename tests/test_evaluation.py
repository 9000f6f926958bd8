"""Scoring rules of the extraction evaluation: pure logic on hand-made spans."""

from __future__ import annotations

from extractors.evaluation import evaluate, spans_match, speaker_matches


def gold(start, end, source=None, is_direct=True, fragments=None):
    src = None
    if source is not None:
        s, e, text = source
        src = {"start": s, "end": e, "text": text, "fragments": [[s, e]]}
    return {"content": {"start": start, "end": end, "fragments": fragments or [[start, end]]},
            "source": src, "is_direct": is_direct}


def test_half_of_the_shorter_span_must_overlap():
    assert spans_match((10, 20), [(15, 40)])  # 5 of the shorter 10
    assert not spans_match((10, 20), [(16, 40)])  # 4 of 10
    assert not spans_match((0, 5), [(5, 9)])


def test_a_quote_split_by_its_cue_matches_through_its_fragments():
    # '"A," he said, "B."': the gold hull covers "he said", the fragments do not.
    assert spans_match((1, 3), [(1, 3), (14, 17)])
    assert spans_match((14, 17), [(1, 3), (14, 17)])


def test_speaker_is_right_by_mention_overlap_or_by_name():
    g = gold(0, 10, source=(20, 22, "he"))
    assert speaker_matches({"speaker_start": 20, "speaker_end": 22, "speaker": "Donald Trump"}, g)
    assert not speaker_matches({"speaker_start": 30, "speaker_end": 35, "speaker": "Mike Pence"}, g)
    named = gold(0, 10, source=(20, 25, "Trump"))
    assert speaker_matches({"speaker_start": None, "speaker_end": None, "speaker": "Donald Trump"}, named)


def test_corpus_metrics():
    documents = [{
        "doc_id": "d",
        "attributions": [
            gold(0, 10, source=(12, 14, "he")),
            gold(30, 40, source=(42, 47, "Jones")),
            gold(60, 80, source=(50, 55, "Smith"), is_direct=False),
        ],
    }]
    predictions = {"d": [
        {"start": 1, "end": 9, "quote_type": "direct", "speaker": "Bob", "speaker_start": 12, "speaker_end": 14},
        {"start": 30, "end": 40, "quote_type": "partial", "speaker": "Ann", "speaker_start": 0, "speaker_end": 3},
        {"start": 90, "end": 99, "quote_type": "direct", "speaker": None, "speaker_start": None, "speaker_end": None},
    ]}
    metrics = evaluate(documents, predictions)
    direct = metrics["direct"]
    assert (direct["gold"], direct["predicted"]) == (2, 3)
    assert direct["precision"] == 2 / 3 and direct["recall"] == 1.0
    assert direct["speaker_accuracy"] == 0.5
    assert direct["attributed_recall"] == 0.5 and direct["attributed_precision"] == 1 / 3
    assert metrics["indirect"]["recall"] == 0.0
