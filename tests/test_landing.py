"""Discovery: what is new, what is unchanged, and what is quarantined with which reason."""

from __future__ import annotations

import os

from extractors.landing import Landing, content_hash, discover

LIMIT = 10_000


def test_bad_files_are_quarantined_with_their_reason(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "good.txt").write_text("A real article about a phone call.", encoding="utf-8")
    (landing / "copy.txt").write_text("A real article about a phone call.", encoding="utf-8")
    (landing / "empty.txt").write_text("  \n", encoding="utf-8")
    (landing / "binary.txt").write_bytes(b"abc\x00def")
    (landing / "huge.txt").write_text("word " * 3000, encoding="utf-8")
    (landing / "slides.pptx").write_bytes(b"PK\x03\x04")
    (landing / ".hidden.txt").write_text("editor swap file", encoding="utf-8")
    outside = tmp_path / "secret.txt"
    outside.write_text("not in the landing folder", encoding="utf-8")
    os.symlink(outside, landing / "link.txt")

    found = discover(Landing(landing), set(), {}, LIMIT)

    assert [f.source_file for f in found.new] == ["copy.txt"]
    reasons = {q.source_file: q.reason for q in found.quarantined}
    assert reasons == {
        "good.txt": "duplicate",
        "empty.txt": "empty",
        "binary.txt": "binary",
        "huge.txt": "too_large",
        "slides.pptx": "unsupported_format",
        "link.txt": "outside_landing",
    }
    assert found.n_seen == 7  # every file but the hidden one was looked at


def test_known_files_are_skipped_and_changed_files_are_new(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "a.txt").write_text("first version", encoding="utf-8")
    (landing / "b.txt").write_text("unchanged", encoding="utf-8")
    known = {("a.txt", content_hash(b"old version")), ("b.txt", content_hash(b"unchanged"))}
    found = discover(Landing(landing), known, {content_hash(b"unchanged"): "b.txt"}, LIMIT)
    assert [f.source_file for f in found.new] == ["a.txt"]
    assert found.n_unchanged == 1
    assert found.quarantined == []


def test_latin1_text_is_decoded_not_quarantined(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "latin.txt").write_bytes("Le président a déclaré qu'il était prêt à négocier.".encode("latin-1"))
    found = discover(Landing(landing), set(), {}, LIMIT)
    assert [f.source_file for f in found.new] == ["latin.txt"]


def test_an_fsspec_url_is_a_landing_folder_too():
    import fsspec

    fs = fsspec.filesystem("memory")
    fs.pipe("/feed/2017/a.txt", b"An article read through fsspec.")
    fs.pipe("/feed/2017/empty.txt", b"")
    landing = Landing("memory://feed")
    assert landing.exists()
    found = discover(landing, set(), {}, LIMIT)
    assert [f.source_file for f in found.new] == ["2017/a.txt"]
    assert [(q.source_file, q.reason) for q in found.quarantined] == [("2017/empty.txt", "empty")]
    assert landing.read("2017/a.txt") == b"An article read through fsspec."


def test_a_file_url_is_a_local_folder(tmp_path):
    (tmp_path / "a.txt").write_text("Local article.", encoding="utf-8")
    found = discover(Landing(f"file://{tmp_path}"), set(), {}, LIMIT)
    assert [f.source_file for f in found.new] == ["a.txt"]


def test_hostile_names_are_quarantined_not_fatal_or_silent(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "good.txt").write_text("A real article about a phone call.", encoding="utf-8")
    os.symlink("b", landing / "a.txt")
    os.symlink("a.txt", landing / "b")
    os.mkfifo(landing / "x.txt")
    (landing / "folder.txt").mkdir()
    (landing / "folder.txt" / "inside.txt").write_text("An article in a folder named like a file.", encoding="utf-8")
    (landing / "broken.txt").symlink_to(landing / "missing.txt")

    found = discover(Landing(landing), set(), {}, LIMIT)

    assert sorted(f.source_file for f in found.new) == ["folder.txt/inside.txt", "good.txt"]
    reasons = {q.source_file: (q.reason, q.detail) for q in found.quarantined}
    assert {name: reason for name, (reason, _) in reasons.items()} == {
        "a.txt": "unreadable", "b": "unreadable", "x.txt": "not_a_file",
        "folder.txt": "not_a_file", "broken.txt": "unreadable",
    }
    assert "loop" in reasons["a.txt"][1].lower()
    assert "FIFO" in reasons["x.txt"][1] and "directory" in reasons["folder.txt"][1]
    # Quarantined by name: the next night counts them as seen before, not as new quarantine.
    known = {(q.source_file, "") for q in found.quarantined}
    again = discover(Landing(landing), known, {}, LIMIT)
    assert again.quarantined == [] and again.n_unchanged == 5


def test_utf16_and_utf32_text_is_not_binary(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    story = "The Kremlin said the two presidents would speak on Saturday. " * 200
    (landing / "bom16.txt").write_bytes(story.encode("utf-16"))
    (landing / "bom32.txt").write_bytes(story.encode("utf-32"))
    (landing / "le16.txt").write_bytes(story.encode("utf-16-le"))
    (landing / "nul.txt").write_bytes(b"text\x00with a NUL byte")
    found = discover(Landing(landing), set(), {}, 1_000_000)
    assert sorted(f.source_file for f in found.new) == ["bom16.txt", "bom32.txt", "le16.txt"]
    assert [(q.source_file, q.reason) for q in found.quarantined] == [("nul.txt", "binary")]


def test_a_file_over_the_limit_is_never_read(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    with open(landing / "huge.txt", "wb") as handle:
        handle.truncate(50 * 1024**3)  # sparse: 50 GB that take no disk, and would not fit in memory
    found = discover(Landing(landing), set(), {}, LIMIT)
    assert [(q.source_file, q.reason, q.content_hash) for q in found.quarantined] == [("huge.txt", "too_large", None)]
    assert "53687091200 bytes is over the limit of 10000" in found.quarantined[0].detail
