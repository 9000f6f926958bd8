"""first_seen / last_seen come from publication times where any is known; load time never mixes in."""

from __future__ import annotations


def test_claim_times_use_publication_time_when_any_article_states_one(seeded):
    rows = seeded.query(
        """select c.claim_id, c.first_seen_at, c.last_seen_at, c.seen_basis, c.first_outlet,
                  min(q.published_at), max(q.published_at),
                  arg_min(q.outlet, q.published_at) filter (where q.published_at is not null)
           from marts.claims c join marts.quotes q using (claim_id)
           group by all""")
    assert rows
    for _, first, last, basis, first_outlet, min_pub, max_pub, dated_first_outlet in rows:
        if min_pub is not None:
            assert (basis, first, last) == ("published", min_pub, max_pub)
            assert first_outlet == dated_first_outlet
        else:
            assert basis == "loaded"


def test_every_row_says_which_time_it_uses(seeded):
    for table in ("articles", "quotes", "claims", "claim_variants", "speakers", "entities"):
        values = {v for (v,) in seeded.query(f"select distinct seen_basis from marts.{table}")}
        assert values and values <= {"published", "loaded"}, table
    # The seeds mix dated and undated articles.
    assert {v for (v,) in seeded.query("select distinct seen_basis from marts.articles")} == {"published", "loaded"}
