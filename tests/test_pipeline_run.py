"""End-to-end: the real DAG under dag.test(), real dbt, real GX, the real spaCy model."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
import time

from extractors.quote_spans import normalize_statement

PESKOV = "This is the first telephone contact since President Trump took office"


def test_seed_run_publishes_marts(seeded):
    assert "PUBLISHED" in seeded.first_output
    tables = {t for (t,) in seeded.query(
        "select table_name from information_schema.tables where table_schema = 'marts'")}
    assert {"articles", "quotes", "claims", "speakers", "outlets", "runs"} <= tables
    assert seeded.query("select count(*) from marts.articles") == [(5,)]


def test_reprinted_spokesman_quote_is_one_claim_in_four_articles(seeded):
    rows = seeded.query(
        "select speaker, n_articles, n_quotes from marts.claims where claim_text like ?", [PESKOV + "%"])
    assert rows == [("Dmitry Peskov", 4, 4)]
    # The four printings differ in quote marks and punctuation, yet share the claim.
    texts = seeded.query(
        """select distinct quote_text from marts.quotes
           where claim_id = (select claim_id from marts.claims where claim_text like ?)""", [PESKOV + "%"])
    assert len(texts) > 1
    assert len({normalize_statement(t) for (t,) in texts}) == 1


def test_every_quote_points_at_its_text(seeded):
    rows = seeded.query(
        """select q.quote_text, q.start_char, q.end_char, a.text, q.speaker_mention, q.speaker_start, q.speaker_end
           from marts.quotes q join marts.articles a using (article_id)""")
    assert len(rows) >= 20
    for quote, start, end, text, mention, s_start, s_end in rows:
        assert text[start:end] == quote
        if s_start is not None:
            assert text[s_start:s_end] == mention


def test_outlets_come_from_text_signatures(seeded):
    outlets = dict(seeded.query("select source_file, outlet from marts.articles"))
    assert outlets["001_516802e777505848.txt"] == "The Independent"
    assert outlets["000_e12a4db8f7634b19.txt"] == "The Guardian"
    assert "unknown" in outlets.values()
    # Site chrome never reaches the stored text.
    texts = [t for (t,) in seeded.query("select text from marts.articles")]
    assert not any("Stay up to date with notifications" in t or "Join our commenting forum" in t for t in texts)


def test_pronoun_and_honorific_speakers_resolve_to_full_names(seeded):
    rows = dict(seeded.query(
        """select speaker_mention, speaker from marts.quotes
           where source_file = '000_e12a4db8f7634b19.txt' and quote_text like 'If another nation%'"""))
    assert rows == {"she": "Kellyanne Conway"}
    speakers = {s for (s,) in seeded.query("select speaker from marts.speakers")}
    assert {"Dmitry Peskov", "Kellyanne Conway", "Donald Trump", "Vladimir Putin"} <= speakers
    assert not any(s.startswith(("Mr ", "Ms ", "President ")) for s in speakers)


def test_run_is_recorded_with_its_gates(seeded):
    rows = seeded.query("select status, articles_new, raw_gate, dbt_build, mart_gate, wall_seconds from marts.runs")
    assert len(rows) == 1
    status, articles_new, raw_gate, dbt_build, mart_gate, wall_seconds = rows[0]
    assert (status, articles_new, raw_gate, dbt_build, mart_gate) == ("published", 5, "passed", "passed", "passed")
    assert wall_seconds > 0


def test_published_file_is_readable_by_duckdb_1x(seeded):
    # DuckDB's file header: magic "DUCK" at byte 8, then the storage version number.
    # 64 is the format every DuckDB since 0.10 reads (BI drivers often bundle 1.x).
    header = seeded.warehouse.read_bytes()[:20]
    assert header[8:12] == b"DUCK"
    assert int.from_bytes(header[12:20], "little") == 64


def _table_counts(deployment):
    tables = ["raw.articles", "raw.quotes", "raw.entities", "ops.quarantine",
              "raw.entity_links", "raw.claim_assignments", "raw.claim_variants", "raw.article_overlaps"]
    return {t: deployment.query(f"select count(*) from {t}", database=deployment.work_db)[0][0] for t in tables}


def test_rerunning_a_night_loads_nothing_twice(deployment):
    before = _table_counts(deployment)
    marts_before = deployment.query("select count(*) from marts.quotes")
    # A backfill of a past night over the same landing folder.
    done = deployment.run("--logical-date", "2026-11-01")
    assert done.returncode == 0, done.stdout[-3000:]
    assert _table_counts(deployment) == before
    assert deployment.query("select count(*) from marts.quotes") == marts_before
    last = deployment.query("select articles_new, files_unchanged, status from marts.runs order by started_at desc limit 1")
    assert last == [(0, 5, "published")]


def test_a_new_file_is_the_only_one_processed(deployment):
    extra = deployment.landing / "005_new.txt"
    extra.write_text(
        "Kremlin spokesman Dmitry Peskov spoke to reporters on Friday.\n\nMr Peskov said: \u201cThis is the first telephone contact since President Trump took office, "
        "so one should hardly expect that this phone call will involve substantive discussions across "
        "the whole range of issues. We'll see, let's be patient.\u201d\n",
        encoding="utf-8",
    )
    done = deployment.run()
    assert done.returncode == 0, done.stdout[-3000:]
    last = deployment.query("select articles_new, files_unchanged from marts.runs order by started_at desc limit 1")
    assert last == [(1, 5)]
    rows = deployment.query("select n_articles from marts.claims where claim_text like ?", [PESKOV + "%"])
    assert rows == [(5,)]


def test_a_changed_file_is_a_new_version_and_the_marts_show_the_newest(deployment):
    path = deployment.landing / "003_5705e26ac22403f0.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\n\nCorrection: the call was moved to Sunday.\n",
                    encoding="utf-8")
    done = deployment.run()
    assert done.returncode == 0, done.stdout[-3000:]
    versions = deployment.query(
        "select count(*) from raw.articles where source_file = '003_5705e26ac22403f0.txt'", database=deployment.work_db)
    assert versions == [(2,)]
    current = deployment.query("select text from marts.articles where source_file = '003_5705e26ac22403f0.txt'")
    assert len(current) == 1 and current[0][0].endswith("Correction: the call was moved to Sunday.")
    assert deployment.query("select count(*) from marts.articles") == [(5,)]


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_failing_gate_publishes_nothing(deployment):
    published = _sha256(deployment.warehouse)
    # A broken feed: every new file of the night is unusable, so the quarantined share (1.0)
    # is over the limit and the raw gate must stop the run.
    (deployment.landing / "empty.txt").write_bytes(b"")
    (deployment.landing / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (deployment.landing / "report.pdf").write_bytes(b"%PDF-1.4 not an article")
    done = deployment.run(QUOTEWIRE_MAX_QUARANTINE_SHARE="0.5")
    assert done.returncode == 1
    assert "NOT published" in done.stdout
    assert "quarantined_share" in done.stdout  # the message names the failed expectation
    assert _sha256(deployment.warehouse) == published
    assert not list(deployment.warehouse.parent.glob(".*candidate*"))
    reasons = dict(deployment.query(
        "select source_file, reason from ops.quarantine", database=deployment.work_db))
    assert reasons == {"empty.txt": "empty", "image.txt": "binary", "report.pdf": "unsupported_format"}
    status = deployment.query(
        "select status, raw_gate, dbt_build from ops.runs order by started_at desc limit 1", database=deployment.work_db)
    assert status == [("failed", "failed", "not run")]


READER = textwrap.dedent("""
    import sys, time, duckdb
    path, seconds = sys.argv[1], float(sys.argv[2])
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with duckdb.connect(path, read_only=True) as con:
            articles = con.execute("select count(*) from marts.articles").fetchone()[0]
            by_outlet = con.execute("select sum(n_articles) from marts.outlets").fetchone()[0]
            runs = con.execute("select count(*) from marts.runs").fetchone()[0]
        print(articles, by_outlet, runs, flush=True)
        time.sleep(0.05)
""")


def test_readers_see_old_or_new_marts_never_a_mix_or_a_lock(deployment):
    (deployment.landing / "005_new.txt").write_text(
        "\u201cWe will talk on Saturday,\u201d Mr Peskov told reporters.\n\nDmitry Peskov spoke in Moscow.\n\n"
        "He gave no further details of the call, which officials in Washington had not confirmed by Friday evening.\n",
        encoding="utf-8")
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(deployment.warehouse), "600"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)
        done = deployment.run()
    finally:
        time.sleep(1.0)
        reader.terminate()
        out, err = reader.communicate(timeout=30)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "Error" not in err, err[-2000:]
    seen = {tuple(map(int, line.split())) for line in out.splitlines()}
    assert seen == {(5, 5, 1), (6, 6, 2)}, seen
