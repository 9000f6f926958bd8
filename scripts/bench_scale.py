"""What a night costs as the warehouse grows: build a warehouse of W articles, then time a night
of 100 new articles and a night with nothing new, task by task.

    python scripts/bench_scale.py --articles 1000     (or: make bench-scale W=1000)

1. Extracts B real PolNeAR train articles (../shared/eval/polnear/train.jsonl, read in place)
   once with the real pipeline, then replicates their extraction rows up to W articles: every
   copy gets fresh ids, its own people (each name token mapped to a generated first name or
   surname, consistently within the copy, so the registry has new people to link), some of its
   words changed (so claims get new wordings), its own publication date and a dateline. Every
   offset is moved with the text, so the raw gate's "text at offsets" holds.
2. Loads those rows into the work database as one bulk load, and runs the real night
   (`scripts/run_nightly.py`, dag.test()) over an empty landing folder: it links, gates, builds and
   publishes the W articles (the build night, timed too but not the point).
3. Times a night of 100 new articles (the next 100 train articles as .txt files: real
   extraction) and then a night with no new file, each task from the run's own lines, with the
   peak memory of the run's largest process, the sizes of the files and the bytes of the
   published files that changed (compared in 64 KiB blocks with a copy taken before the night).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "eval" / "polnear" / "train.jsonl"
NIGHT_ARTICLES = 100
BLOCK = 64 * 1024

sys.path.insert(0, str(ROOT / "scripts"))
from benchmark import task_seconds  # noqa: E402 - importable only after the sys.path line above

_SYLLABLES = ["ka", "lo", "mi", "ren", "sa", "tor", "vi", "bel", "dan", "fer", "gor", "hal", "ist", "jun",
              "kov", "lan", "mar", "nor", "pel", "quin", "ros", "sten", "tal", "ul", "var", "wen", "yar", "zel"]
_NAME_TOKEN = re.compile(r"[A-Z][a-z]+")
_WORD = re.compile(r"\b[a-z]{6,}\b")


def _hash(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()[:8], "big")


def _made_name(seed: int, syllables: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(_SYLLABLES) for _ in range(syllables)).capitalize()


class Copy:
    """One replica of the base articles: its name map, word map and date shift."""

    def __init__(self, number: int, vocabulary: list[str]):
        self.number = number
        self.vocabulary = vocabulary
        self.days = number % 365

    def name(self, token: str, last: bool) -> str:
        # The same token gets the same new name within a copy; surnames are longer and more varied.
        return _made_name(_hash(self.number, token, last), 3 if last else 2)

    def word(self, word: str) -> str | None:
        if _hash(self.number, word) % 12:
            return None  # about one word in 12 changes
        return self.vocabulary[_hash("w", self.number, word) % len(self.vocabulary)]


def _edits(article, entities, copy: Copy) -> list[tuple[int, int, str]]:
    """(start, end, new text) edits of one article: name tokens of PERSON entities, some words."""
    edits: dict[int, tuple[int, str]] = {}
    covered: list[tuple[int, int]] = []
    for entity in entities:
        if entity.label != "PERSON":
            continue
        tokens = list(_NAME_TOKEN.finditer(entity.entity_text))
        for i, token in enumerate(tokens):
            start = entity.start_char + token.start()
            edits[start] = (start + len(token.group()), copy.name(token.group(), i == len(tokens) - 1))
        covered.append((entity.start_char, entity.end_char))
    for match in _WORD.finditer(article.text):
        if any(s <= match.start() < e for s, e in covered) or match.start() in edits:
            continue
        new = copy.word(match.group())
        if new:
            edits[match.start()] = (match.end(), new)
    return sorted((start, end, new) for start, (end, new) in edits.items())


def _apply(text: str, edits: list[tuple[int, int, str]]):
    """The edited text and a function moving an offset of the old text to the new one."""
    parts, starts, at, shift = [], [], 0, 0
    for start, end, new in edits:
        parts.append(text[at:start])
        parts.append(new)
        starts.append((start, end, shift, len(new)))
        shift += len(new) - (end - start)
        at = end
    parts.append(text[at:])

    def move(offset: int) -> int:
        for start, end, before, length in starts:
            if offset <= start:
                return offset + before
            if offset < end:  # inside an edited token: to the end of its replacement
                return start + before + length
        return offset + shift
    return "".join(parts), move


def replicate(base, copy: Copy, normalize) -> tuple[list, list, list]:
    """The base extraction's rows as this copy's: fresh ids, moved offsets, its names and date."""
    from extractors.records import stable_id

    entities_of: dict[str, list] = {}
    for entity in base.entities:
        entities_of.setdefault(entity.article_id, []).append(entity)
    quotes_of: dict[str, list] = {}
    for quote in base.quotes:
        quotes_of.setdefault(quote.article_id, []).append(quote)
    articles, entities, quotes = [], [], []
    for article in base.articles:
        edits = _edits(article, entities_of.get(article.article_id, []), copy)
        text, move = _apply(article.text, edits)
        published = datetime(2025, 1, 1, tzinfo=timezone.utc) + timedelta(days=copy.days, hours=copy.number % 24)
        text += f"\n\nFiled {published:%d %B %Y} (desk {copy.number})."
        article_id = stable_id(article.article_id, "copy", copy.number)
        renamed = {} if not article.author else {"author": " ".join(
            copy.name(t, i == len(article.author.split()) - 1) for i, t in enumerate(article.author.split()))}
        articles.append(replace(
            article, article_id=article_id, content_hash=hashlib.sha256(f"{article_id}{text}".encode()).hexdigest(),
            source_file=f"replica-{copy.number:05d}/{article.source_file}",
            text_hash=hashlib.sha256(text.encode()).hexdigest(), raw_text=text, text=text,
            n_words=len(text.split()), published_at=published.isoformat(), **renamed))
        for entity in entities_of.get(article.article_id, []):
            start, end = move(entity.start_char), move(entity.end_char)
            entities.append(replace(entity, entity_id=stable_id(article_id, start, end, entity.label),
                                    article_id=article_id, entity_text=text[start:end], start_char=start, end_char=end))
        for quote in quotes_of.get(article.article_id, []):
            start, end = move(quote.start_char), move(quote.end_char)
            spans = {}
            for field in ("speaker", "cue"):
                s, e = getattr(quote, f"{field}_start"), getattr(quote, f"{field}_end")
                if s is not None:
                    spans[f"{field}_start"], spans[f"{field}_end"] = move(s), move(e)
                    spans["speaker_mention" if field == "speaker" else "cue"] = text[move(s):move(e)]
            speaker = quote.speaker and " ".join(
                copy.name(t, i == len(quote.speaker.split()) - 1) if _NAME_TOKEN.fullmatch(t) else t
                for i, t in enumerate(quote.speaker.split()))
            quotes.append(replace(
                quote, quote_id=stable_id(quote.quote_id, "copy", copy.number), article_id=article_id,
                quote_text=text[start:end], start_char=start, end_char=end,
                normalized_text=normalize(text[start:end]), speaker=speaker, **spans))
    return articles, entities, quotes


def _run(env: dict, *args: str) -> tuple[subprocess.CompletedProcess, float, float]:
    """run_nightly.py in a wrapper that reports the peak RSS of its largest process (MB)."""
    wrapper = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
               "print('PEAK_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
               "sys.exit(done.returncode)")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", wrapper, sys.executable, str(ROOT / "scripts" / "run_nightly.py"), *args],
                          env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    peak = re.search(r"PEAK_KB (\d+)", done.stderr)
    return done, seconds, int(peak.group(1)) / 1024 if peak else float("nan")


def _snapshot(warehouse: Path, into: Path) -> None:
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    for path in _published(warehouse):
        shutil.copy2(path, into / path.name)


def _published(warehouse: Path) -> list[Path]:
    """The files readers open: the published file and any file beside it that extends its name
    (not the work database, which readers never open)."""
    return sorted(p for p in warehouse.parent.glob(warehouse.name + "*") if p.is_file())


def _changed_bytes(warehouse: Path, before: Path) -> int:
    """Bytes of the published files that differ from the copy taken before the night (whole
    64 KiB blocks), counting a new or grown file's new part whole."""
    changed = 0
    for path in _published(warehouse):
        old = before / path.name
        with open(path, "rb") as new_file, (open(old, "rb") if old.exists() else open(os.devnull, "rb")) as old_file:
            while block := new_file.read(BLOCK):
                if block != old_file.read(BLOCK):
                    changed += len(block)
    return changed


def _mb(path: Path) -> float:
    return path.stat().st_size / 1e6 if path.exists() else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description="Quotewire: a night's cost at warehouse size W")
    parser.add_argument("--articles", "-W", type=int, default=1000, help="articles in the warehouse before the nights")
    parser.add_argument("--base", type=int, default=100, help="real articles extracted once and replicated")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it (default: a temporary one)")
    args = parser.parse_args()
    if not args.source.exists():
        print(f"SKIPPED: {args.source} is absent (the PolNeAR corpus lives in ../shared/eval/polnear/)")
        return 0
    sys.path.insert(0, str(ROOT))
    from extractors import extract_pool
    from extractors.extract import extract_batch
    from extractors.landing import Landing, LandingFile, content_hash
    from extractors.predict import read_jsonl
    from extractors.quote_spans import normalize_statement
    from extractors.settings import Settings
    from extractors.versions import model_version, rules_version
    from extractors.warehouse import load_batches, stamp_extraction, write_batch_files

    settings = Settings.from_env()
    source = read_jsonl(args.source)
    base_articles, night_articles = source[:args.base], source[args.base:args.base + NIGHT_ARTICLES]
    root = args.keep or Path(tempfile.mkdtemp(prefix="quotewire-scale-"))
    landing, warehouse = root / "landing", root / "warehouse" / "quotewire.duckdb"
    work_db = warehouse.with_name("quotewire_work.duckdb")
    env = {**os.environ, "AIRFLOW_HOME": str(root / "airflow"), "QUOTEWIRE_LANDING": str(landing),
           "QUOTEWIRE_WAREHOUSE": str(warehouse)}
    try:
        base_folder = root / "base"
        base_folder.mkdir(parents=True, exist_ok=True)
        for article in base_articles:
            (base_folder / f"{article['doc_id']}.txt").write_text(article["text"], encoding="utf-8")
        files = [LandingFile(p.name, content_hash(p.read_bytes())) for p in sorted(base_folder.iterdir())]
        started = time.perf_counter()
        base = extract_batch(Landing(str(base_folder)), files, settings.spacy_model, settings.max_file_bytes,
                             settings.spacy_batch_size, processes=settings.extract_processes)
        extract_pool.shutdown()
        print(f"extracted {len(base.articles)} base articles in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        vocabulary = sorted({w for a in base.articles for w in _WORD.findall(a.text)})
        copies = -(-args.articles // len(base.articles))
        batches, n_articles = [], 0
        for number in range(copies):
            articles, entities, quotes = replicate(base, Copy(number, vocabulary), normalize_statement)
            keep = min(len(articles), args.articles - n_articles)
            kept = {a.article_id for a in articles[:keep]}
            batches.append(write_batch_files(root / "replicas", f"copy-{number:05d}", {
                "articles": articles[:keep], "entities": [e for e in entities if e.article_id in kept],
                "quotes": [q for q in quotes if q.article_id in kept], "quarantine": []}))
            n_articles += keep
        added = load_batches(work_db, "bench-scale-build", batches, [])
        stamp_extraction(work_db, "bench-scale-build", model_version(settings.spacy_model), rules_version())
        shutil.rmtree(root / "replicas")
        print(f"loaded {added['articles']} replicated articles, {added['entities']} entity mentions, "
              f"{added['quotes']} quotes in {time.perf_counter() - started:.1f} s")

        landing.mkdir(exist_ok=True)
        setup = subprocess.run([sys.executable, str(ROOT / "scripts" / "run_nightly.py"), "--setup-only"],
                               env=env, capture_output=True, text=True, check=False)
        if setup.returncode != 0:
            print(setup.stdout[-3000:], setup.stderr[-3000:])
            return 1
        rows = []
        nights = [("build night: link, gate, build, publish the W articles", None, "2026-01-01"),
                  (f"{NIGHT_ARTICLES} new articles", night_articles, "2026-01-02"),
                  ("no new file", [], "2026-01-03")]
        for label, new_articles, night in nights:
            for article in new_articles or []:
                (landing / f"{article['doc_id']}.txt").write_text(article["text"], encoding="utf-8")
            _snapshot(warehouse, root / "before")
            done, seconds, peak = _run(env, "--no-migrate", "--logical-date", night)
            if done.returncode != 0:
                print(done.stdout[-5000:], done.stderr[-3000:])
                return 1
            rows.append((label, seconds, peak, task_seconds(done.stdout), _changed_bytes(warehouse, root / "before"),
                         _mb(warehouse), _mb(work_db)))
            print(f"{label}: {seconds:.1f} s", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)

    tasks = list(dict.fromkeys(t for row in rows for t in row[3]))
    print()
    print(f"W = {n_articles} articles before the nights (replicated from {len(base.articles)} extracted)")
    print()
    print("| night | " + " | ".join(tasks) + " | whole run (s) | peak RSS (MB) | published bytes changed (MB) "
          "| published file (MB) | work DB (MB) |")
    print("|---" * (len(tasks) + 6) + "|")
    for label, seconds, peak, per_task, changed, published, work in rows:
        cells = [f"{per_task[t]:.1f}" if t in per_task else "-" for t in tasks]
        print(f"| {label} | " + " | ".join(cells) + f" | {seconds:.1f} | {peak:,.0f} | {changed / 1e6:.1f} "
              f"| {published:.1f} | {work:.1f} |")
    print(json.dumps({"W": n_articles, "nights": [
        {"night": r[0], "seconds": round(r[1], 1), "peak_mb": round(r[2]), "tasks": r[3],
         "published_bytes_changed": r[4], "published_mb": round(r[5], 1), "work_db_mb": round(r[6], 1)}
        for r in rows]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
