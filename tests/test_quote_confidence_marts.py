"""The two model confidences travel from extraction through raw.quotes to marts.quotes."""

from __future__ import annotations


def test_every_published_quote_carries_its_confidences(seeded):
    rows = seeded.query("select quote_type, speech_confidence, speaker_confidence from marts.quotes")
    assert rows
    for quote_type, speech, speaker in rows:
        assert 0.5 <= speech <= 1.0, (quote_type, speech)
        assert 0.0 <= speaker <= 1.0, (quote_type, speaker)
    # a learned model, not the rules' 0/1: some confidences lie strictly between
    assert any(0.5 < speech < 1.0 for _, speech, _ in rows)


def test_a_bi_user_can_filter_on_speaker_confidence(seeded):
    total = seeded.query("select count(*) from marts.quotes")[0][0]
    confident = seeded.query("select count(*) from marts.quotes where speaker_confidence >= 0.5")[0][0]
    assert 0 < confident <= total
