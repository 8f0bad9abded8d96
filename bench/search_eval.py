"""Offline search evaluation on the real Tate catalogue: plain bm25 against Easel's full ranking.

Prints figures; asserts nothing. Run with `make bench` (or `python -m bench.search_eval`); skips
when ../shared/data is absent. BENCH_EVAL_LIMIT imports fewer records; BENCH_EVAL_DB reuses a
built catalogue (a data folder).

The collection: ../shared/data/catalog/artworks.csv imported with `import-catalog
--no-subject-tags` (title, artist, medium, date, classification; placeholder images), so the
subject labels stay out of the index and can judge it. Two query sets, fixed seed:

- known item (300): a title as someone half-remembers it. Up to four of its words (short
  function words dropped), in one query of two a typo in one word of 5+ letters (two letters
  swapped, one dropped or one doubled), and in one of two the last word cut to 3-6 letters, as
  while typing. Relevant: the works with exactly that title (titles shared by more than three
  works are not used).
- subject (100): a one-word subject label (horse, castle, bridge, ...) on 20 to 600 works,
  typed as is. Relevant: every work labelled with it. Only titles and the other indexed text
  can find them, so recall is bounded by how often a title names its subject.

Both configurations answer through search_artworks(), as GET /api/search would.
"""

import os
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import ir_measures

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import store  # noqa: E402
from search import evaluate, tfidf  # noqa: E402
from search.index import SearchIndex  # noqa: E402
from search.ranking import NAMED  # noqa: E402
from search.text import tokens  # noqa: E402
from store import catalog  # noqa: E402
from store.media import MediaStore  # noqa: E402

CATALOGUE = ROOT.parent / "shared" / "data" / "catalog" / "artworks.csv"
LIMIT = int(os.environ["BENCH_EVAL_LIMIT"]) if os.environ.get("BENCH_EVAL_LIMIT") else None
KNOWN_ITEMS, SUBJECTS = 300, 100
SHORT_WORDS = {"a", "an", "the", "of", "and", "in", "on", "at", "to", "for", "with", "from", "by", "no"}


def build(folder):
    """Import the catalogue into folder (once) and return ([(artwork_id, row)], seconds)."""
    rows = catalog.read_catalogue(CATALOGUE)[:LIMIT]
    path = Path(folder) / "easel.sqlite3"
    store.initialise(path)
    conn = store.connect(path)
    try:
        existing = [row[0] for row in conn.execute("SELECT id FROM artworks ORDER BY rowid")]
        started = time.perf_counter()
        if len(existing) != len(rows):
            existing = catalog.import_catalogue(conn, MediaStore(Path(folder) / "media"), rows,
                                                subjects_as_tags=False, workers=os.cpu_count() or 1)
            tfidf.reindex(conn)
        return list(zip(existing, rows, strict=True)), time.perf_counter() - started
    finally:
        conn.close()


def typo(word, rng):
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["swap", "drop", "double"])
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + word[i + 1:] if kind == "drop" else word[:i] + word[i] + word[i:]


def known_item_queries(works, rng):
    by_title = defaultdict(list)
    for artwork_id, row in works:
        by_title[" ".join(tokens(row["title"]))].append(artwork_id)
    usable = [(title, ids) for title, ids in by_title.items()
              if len(ids) <= 3 and len([w for w in title.split() if w not in SHORT_WORDS]) >= 2]
    queries, qrels = {}, []
    for n, (title, ids) in enumerate(rng.sample(usable, min(KNOWN_ITEMS, len(usable)))):
        words = [w for w in title.split() if w not in SHORT_WORDS][:4]
        long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if long_words and rng.random() < 0.5:
            i = rng.choice(long_words)
            words[i] = typo(words[i], rng)
        text = " ".join(words)
        if rng.random() < 0.5 and len(words[-1]) > 4:
            text = " ".join(words[:-1] + [words[-1][:rng.randint(3, min(6, len(words[-1]) - 1))]])
        else:
            text += " "  # a finished query: the last word is whole
        queries[f"ki{n:03d}"] = text
        qrels += [ir_measures.Qrel(f"ki{n:03d}", artwork_id, 1) for artwork_id in ids]
    return queries, qrels


def subject_queries(works, rng):
    labelled = defaultdict(list)
    for artwork_id, row in works:
        for subject in catalog.subjects_of(row):
            labelled[subject.lower()].append(artwork_id)
    usable = sorted(subject for subject, ids in labelled.items()
                    if re.fullmatch(r"[a-z]{4,}", subject) and 20 <= len(ids) <= 600)
    queries, qrels = {}, []
    for n, subject in enumerate(rng.sample(usable, min(SUBJECTS, len(usable)))):
        queries[f"su{n:03d}"] = subject + " "
        qrels += [ir_measures.Qrel(f"su{n:03d}", artwork_id, 1) for artwork_id in labelled[subject]]
    return queries, qrels


def report(label, conn, queries, qrels):
    results = {}
    for name in ("plain", "default"):
        index = SearchIndex()
        results[name] = evaluate.evaluate(conn, index, queries, qrels, NAMED[name])
    print(f"\n{label}: {len(queries)} queries, {len(qrels)} judgements")
    for line in evaluate.table({"plain bm25": results["plain"], "full ranking": results["default"]}):
        print("  " + line)
    timings = sorted(results["default"].milliseconds)
    print(f"  full ranking: median {timings[len(timings) // 2]:.1f} ms per query (top 100, no facets)")


def main():
    if not CATALOGUE.exists():
        print(f"skipped: {CATALOGUE} not found (the shared evaluation data is not on this machine)")
        return
    folder = os.environ.get("BENCH_EVAL_DB") or tempfile.mkdtemp(prefix="easel-bench-eval-")
    works, seconds = build(folder)
    print(f"catalogue: {len(works):,} works in {folder} (import and reindex {seconds:.0f} s)")
    rng = random.Random(2026)
    known = known_item_queries(works, rng)
    subjects = subject_queries(works, rng)
    conn = store.connect(Path(folder) / "easel.sqlite3")
    try:
        report("known item (typos, partial last words)", conn, *known)
        report("subject (labels not indexed)", conn, *subjects)
        report("all", conn, {**known[0], **subjects[0]}, known[1] + subjects[1])
    finally:
        conn.close()
    counts = Counter(query[:2] for query in {**known[0], **subjects[0]})
    print(f"\nqueries: {dict(counts)}")


if __name__ == "__main__":
    main()
