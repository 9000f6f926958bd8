"""The history of a scale benchmark's warehouse: W articles replicated from real extraction rows,
loaded and linked night by night, as months of a feed would be.

Every copy of the base articles gets fresh ids, its own people (each name token mapped to a
generated first name or surname, consistently within the copy, so the registry has new people to
link), some of its words changed (so claims get new wordings), its own publication date and a
dateline. Every offset is moved with the text, so the raw gate's "text at offsets" holds.

The history is built in chunks of replicated articles: each chunk is loaded in one transaction
and linked by the real incremental linking step (`extractors.linking.nightly.link`), so no step
ever links the whole warehouse at once. Progress is recorded after each chunk (`progress.json`),
so an interrupted build resumes at the next chunk.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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


def build_history(root: Path, base, target: int, chunk: int, work_db: Path, settings) -> dict:
    """Load and link replicas of `base` until the work database holds `target` articles.

    Resumable: chunks already recorded in root/progress.json are skipped. Returns the progress,
    with each chunk's load and link seconds and the link's rows read.
    """
    from extractors.quote_spans import normalize_statement
    from extractors.versions import model_version, rules_version
    from extractors.warehouse import load_batches, stamp_extraction, write_batch_files

    progress_file = root / "progress.json"
    progress = json.loads(progress_file.read_text()) if progress_file.exists() else {"articles": 0, "chunks": []}
    vocabulary = sorted({w for a in base.articles for w in _WORD.findall(a.text)})
    per_copy = len(base.articles)
    while progress["articles"] < target:
        number = len(progress["chunks"])
        first_copy = progress["articles"] // per_copy
        size = min(chunk, target - progress["articles"])
        started = time.perf_counter()
        replicas = root / "replicas"
        shutil.rmtree(replicas, ignore_errors=True)
        batches, n_articles, copy = [], 0, first_copy
        while n_articles < size:
            articles, entities, quotes = replicate(base, Copy(copy, vocabulary), normalize_statement)
            keep = min(len(articles), size - n_articles)
            kept = {a.article_id for a in articles[:keep]}
            batches.append(write_batch_files(replicas, f"copy-{copy:06d}", {
                "articles": articles[:keep], "entities": [e for e in entities if e.article_id in kept],
                "quotes": [q for q in quotes if q.article_id in kept], "quarantine": []}))
            n_articles += keep
            copy += 1
        run_id = f"bench-scale-history-{number:04d}"
        added = load_batches(work_db, run_id, batches, [])
        stamp_extraction(work_db, run_id, model_version(settings.spacy_model), rules_version())
        shutil.rmtree(replicas)
        loaded = time.perf_counter()
        counts, peak_mb = _link_in_child(work_db, run_id)
        linked = time.perf_counter()
        progress["chunks"].append({
            "articles": n_articles, "history_before": progress["articles"], "loaded": added["articles"],
            "replicate_load_s": round(loaded - started, 1), "link_s": round(linked - loaded, 1),
            "link_peak_mb": peak_mb, "rows_read": counts["rows_read"],
            "mentions_relinked": counts.get("mentions_relinked"), "pairs_compared": counts.get("pairs_compared"),
            "rows_read_by": {k[len("rows_read_"):]: v for k, v in counts.items() if k.startswith("rows_read_")}})
        progress["articles"] += n_articles
        progress_file.write_text(json.dumps(progress, indent=1))
        print(f"history: {progress['articles']:,} / {target:,} articles (chunk {number}: replicate+load "
              f"{loaded - started:.0f} s, link {linked - loaded:.0f} s, peak {peak_mb:,} MB, "
              f"rows read {counts['rows_read']:,})", flush=True)
    return progress


def _link_in_child(work_db: Path, run_id: str) -> tuple[dict, int]:
    """Link one chunk in a fresh process: its counts, and its own peak RSS in MB (the builder's
    process holds the base rows, and a process's peak never goes down)."""
    done = subprocess.run([sys.executable, __file__, str(work_db), run_id], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"linking {run_id} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["counts"], round(result["peak_kb"] / 1024)


def _link_chunk(work_db: Path, run_id: str) -> None:
    """The child's side: link, then print the counts and this process's peak RSS as JSON.

    DuckDB's memory in the link is the pipeline's own setting (QUOTEWIRE_DUCKDB_MEMORY_LIMIT,
    inherited from the builder's environment; extractors.warehouse)."""
    import resource

    sys.path.insert(0, str(ROOT))
    from extractors.linking import nightly

    counts = nightly.link(work_db, run_id, full=False)
    print(json.dumps({"counts": counts, "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


if __name__ == "__main__":
    _link_chunk(Path(sys.argv[1]), sys.argv[2])
