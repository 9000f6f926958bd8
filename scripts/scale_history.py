"""The history of a scale benchmark's warehouse: W articles replicated from real extraction rows,
loaded and linked night by night, as months of a feed would be.

Each base article's copies come in clusters, one story each, as a wire story is printed by a few
to tens of outlets (`Clusters`: sizes 2 to 40, about 8 on average). The copies of a cluster
reprint one story: the same wording (and so shared passages: reprint partners of each other
only) and the same people; each copy changes about one long word in twelve, and has its own
byline, publication date and dateline. Clusters reword their story: about one word in four
(names and other entities aside) is another, and one in four again inside quotes with no named
speaker, which vary most between stories; so clusters share no reprint (500 characters of
8-word passages) but where the same people and phrases meet. Each cluster gives its people
names (each name token mapped to a generated first name or surname), the same for the clusters
beginning in one period of NAME_PERIOD copies, so people recur across stories for a while.
Every offset is moved with the text, so the raw gate's "text at offsets" holds.

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
_TOKEN = re.compile(r"\w+")
MAX_CLUSTER = 40  # outlets printing one story: below the reprint index's 50-holder boilerplate limit
NAME_PERIOD = 20  # copies sharing their people's names, so people recur across stories
REWORD_EVERY = 4  # a cluster rewords every fourth word of its story (names and entities aside)


def _hash(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()[:8], "big")


def _made_name(seed: int, syllables: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(_SYLLABLES) for _ in range(syllables)).capitalize()


class Clusters:
    """Which story (cluster of copies) each copy of a base article belongs to: consecutive copies,
    in runs of 2 to MAX_CLUSTER (2 x a Pareto(1) draw: mostly a few, sometimes tens)."""

    def __init__(self):
        self.starts: dict[int, list[int]] = {}

    def of(self, article: int, copy: int) -> int:
        """The first copy of the article's cluster holding `copy` (names the cluster)."""
        starts = self.starts.setdefault(article, [0])
        while starts[-1] <= copy:
            rng = random.Random(_hash("cluster", article, len(starts)))
            starts.append(starts[-1] + min(MAX_CLUSTER, int(2 * rng.paretovariate(1.0))))
        return max(s for s in starts if s <= copy)


class Copy:
    """One replica of the base articles: its copy number, word maps and date shift."""

    def __init__(self, number: int, vocabulary: list[str], clusters: Clusters | None = None):
        self.number = number
        self.vocabulary = vocabulary
        self.days = number % 365
        self.clusters = clusters or Clusters()

    def name(self, token: str, last: bool, cluster: int | None = None) -> str:
        # The same token gets the same new name within a cluster (and the period it starts in);
        # surnames are longer and more varied.
        period = self.number if cluster is None else cluster // NAME_PERIOD
        return _made_name(_hash(period, token, last), 3 if last else 2)

    def word(self, word: str) -> str | None:
        if _hash(self.number, word) % 12:
            return None  # about one word in 12 changes
        return self.vocabulary[_hash("w", self.number, word) % len(self.vocabulary)]

    def reword(self, cluster: int, article: int, index: int, unnamed_quote: bool) -> str | None:
        """The cluster's word for the index-th changeable word of the article, or None to keep it."""
        phase = _hash("phase", cluster, article) % REWORD_EVERY
        if index % REWORD_EVERY != phase and not (unnamed_quote and index % REWORD_EVERY == (phase + 2) % REWORD_EVERY):
            return None
        return self.vocabulary[_hash("r", cluster, article, index) % len(self.vocabulary)]


def _edits(article, entities, quotes, copy: Copy, index: int, cluster: int) -> list[tuple[int, int, str]]:
    """(start, end, new text) edits of one article: name tokens of PERSON entities (the cluster's
    people), the cluster's rewording, some words of the copy's own."""
    edits: dict[int, tuple[int, str]] = {}
    covered: list[tuple[int, int]] = []
    for entity in entities:
        covered.append((entity.start_char, entity.end_char))
        if entity.label != "PERSON":
            continue
        tokens = list(_NAME_TOKEN.finditer(entity.entity_text))
        for i, token in enumerate(tokens):
            start = entity.start_char + token.start()
            edits[start] = (start + len(token.group()), copy.name(token.group(), i == len(tokens) - 1, cluster))
    covered += [(getattr(q, f"{f}_start"), getattr(q, f"{f}_end")) for q in quotes for f in ("speaker", "cue")
                if getattr(q, f"{f}_start") is not None]
    kept, unnamed = bytearray(len(article.text)), bytearray(len(article.text))  # per character
    for start, end in covered:
        kept[start:end] = b"\x01" * (end - start)
    for quote in quotes:
        if not quote.speaker:
            unnamed[quote.start_char:quote.end_char] = b"\x01" * (quote.end_char - quote.start_char)

    # Counted among the words it may change (not names: the same within a period), so that every
    # run of REWORD_EVERY such words has one the cluster rewords.
    free = (match for match in _TOKEN.finditer(article.text) if not kept[match.start()] and match.start() not in edits)
    for i, match in enumerate(free):
        new = copy.reword(cluster, index, i, bool(unnamed[match.start()]))
        if new:
            edits[match.start()] = (match.end(), new)
    for match in _WORD.finditer(article.text):
        if not kept[match.start()] and match.start() not in edits:
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
    for index, article in enumerate(base.articles):
        cluster = copy.clusters.of(index, copy.number)
        edits = _edits(article, entities_of.get(article.article_id, []), quotes_of.get(article.article_id, []),
                       copy, index, cluster)
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
                copy.name(t, i == len(quote.speaker.split()) - 1, cluster) if _NAME_TOKEN.fullmatch(t) else t
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
    clusters = Clusters()
    while progress["articles"] < target:
        number = len(progress["chunks"])
        first_copy = progress["articles"] // per_copy
        size = min(chunk, target - progress["articles"])
        started = time.perf_counter()
        replicas = root / "replicas"
        shutil.rmtree(replicas, ignore_errors=True)
        batches, n_articles, copy = [], 0, first_copy
        while n_articles < size:
            articles, entities, quotes = replicate(base, Copy(copy, vocabulary, clusters), normalize_statement)
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
