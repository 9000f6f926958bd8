"""Claims placed night by night from the stored word-pair index equal a full relink's, where the
index is hardest: the block of quotes with no named speaker, word pairs crossing the limit of
MAX_PAIR_POSTINGS wordings (both ways), and a speaker the registry relinks to another entity."""

from __future__ import annotations

import random
from pathlib import Path

import duckdb

from extractors.linking.claims import MAX_PAIR_POSTINGS
from extractors.linking.nightly import link
from tests.test_incremental_linking import _state, _tables, _text_article

FRAME = "we will keep working on the"
VOCABULARY = ("roads bridges schools taxes jobs wages ports rails farms mines banks courts clinics grants loans "
              "parks canals dams fleets mills towns wells docks").split()


def _quotes(rng: random.Random, n: int, speaker: str | None) -> list[tuple[str, str | None]]:
    """n quotes sharing a six-word frame, with a varied tail; some cut to the tail (truncations)."""
    quotes = []
    for _ in range(n):
        tail = " ".join(rng.choice(VOCABULARY) for _ in range(rng.choice((2, 3, 4))))
        text = f"{FRAME} {tail} today" if rng.random() < 0.85 else f"working on the {tail}"
        quotes.append((text.capitalize() + ".", speaker))
    return quotes


def _article(db: Path, article_id: str, source_file: str, quotes: list[tuple[str, str | None]], night: int) -> None:
    parts, rows, at = [], [], 0
    for i, (text, speaker) in enumerate(quotes):
        said = f"“{text}” {speaker or 'A spokesperson'} said. "
        start = at + 1
        rows.append((f"{article_id}q{i:03d}", article_id, text, start, start + len(text), "direct", speaker,
                     speaker, None, None, "said", None, None, text.lower(), "PERSON" if speaker else None, None,
                     f"night{night}"))
        parts.append(said)
        at += len(said)
    _text_article(db, article_id, source_file, "".join(parts), night)
    with duckdb.connect(str(db)) as con:
        con.executemany(f"""insert into raw.quotes (quote_id, article_id, quote_text, start_char, end_char,
                quote_type, speaker, speaker_mention, speaker_start, speaker_end, cue, cue_start, cue_end,
                normalized_text, speaker_type, speaker_role, run_id) values ({', '.join('?' * 17)})""", rows)


def _frame_holders(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("""select count(distinct s.wording) from raw.link_claim_pairs p
            join raw.link_claim_quotes s using (quote_id) where p.block = '' and p.pair = 'will keep'""").fetchone()[0]


def _block_of(db: Path, quote_id: str) -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select block from raw.link_claim_quotes where quote_id = ?", [quote_id]).fetchone()[0]


def test_unnamed_quotes_and_capped_pairs_are_placed_as_a_full_relink_places_them(tmp_path):
    rng = random.Random(3)
    incremental, full = tmp_path / "incremental.duckdb", tmp_path / "full.duckdb"
    nights = [
        [("a1", "a.txt", _quotes(rng, 150, None) + _quotes(rng, 20, "Lopez"))],
        # the frame's pairs pass MAX_PAIR_POSTINGS wordings during this night
        [("b1", "b.txt", _quotes(rng, 120, None) + _quotes(rng, 10, "Maria Lopez"))],
        # a new version of a.txt: its 150 unnamed quotes go, and the frame is searchable again
        [("a2", "a.txt", _quotes(rng, 30, None)), ("c1", "c.txt", _quotes(rng, 10, "Lopez"))],
        [("d1", "d.txt", _quotes(rng, 40, None) + _quotes(rng, 5, "Maria Lopez"))],
    ]
    holders, reads, lopez = [], [], []
    for night, articles in enumerate(nights, start=1):
        for db in (incremental, full):
            for article_id, source_file, quotes in articles:
                _article(db, article_id, source_file, quotes, night)
        done = link(incremental, f"night{night}")
        link(full, f"night{night}", full=True)
        assert done["full"] == 0
        assert _tables(incremental) == _tables(full), f"night {night}"
        assert _state(incremental) == _state(full), f"night {night}"
        holders.append(_frame_holders(incremental))
        reads.append(done.get("rows_read_claim_wordings", 0))
        if night <= 2:
            lopez.append(_block_of(incremental, "a1q150"))
    assert holders[0] <= MAX_PAIR_POSTINGS < holders[1] and holders[2] <= MAX_PAIR_POSTINGS, holders
    # "Lopez" of night 1 became "Maria Lopez" of night 2 in the registry: his quotes moved block.
    assert lopez[0] != lopez[1] == _block_of(incremental, "b1q120") and lopez[0] != ""
    with duckdb.connect(str(incremental), read_only=True) as con:
        rules = dict(con.execute("select match_rule, count(*) from raw.claim_assignments group by 1").fetchall())
    assert rules.get("truncation") and rules.get("reworded") and rules.get("new"), rules
    # The unnamed block is not read whole: the night after the frame went over the limit reads
    # fewer earlier wordings than the block holds.
    assert reads[2] < holders[1], reads
