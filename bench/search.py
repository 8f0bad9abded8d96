"""GET /api/search latency over ARTWORKS synthetic artworks, through the app (in-process client).

Prints figures; asserts nothing. Run with `make bench` (or `python -m bench.search`).

Metadata only (no images): titles and descriptions drawn with a Zipf law from the words of the
real catalogue's titles (../shared/data/catalog, else a built-in word list), so frequent words
match tens of thousands of works, as in a real index; artists with locations, mediums,
categories, tags, colour tags, prices, likes and views; one work in ten private.

Prints the indexing rate (rows written through the triggers, then `reindex`), the first
search's index load in a fresh process, and for each query class the median and p99 latency
of a full request with facets: one word, two words, a phrase, a prefix, a typo, and filters.
BENCH_SEARCH_ARTWORKS, BENCH_SAMPLES and BENCH_SEARCH_DB (reuse a built database) change it.
"""

import csv
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import store  # noqa: E402
from app import create_app  # noqa: E402
from bench import percentile  # noqa: E402
from search import tfidf  # noqa: E402
from search.text import tokens  # noqa: E402

ARTWORKS = int(os.environ.get("BENCH_SEARCH_ARTWORKS", "100000"))
ARTISTS = max(10, ARTWORKS // 50)
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "300"))
CATALOGUE = ROOT.parent / "shared" / "data" / "catalog" / "artworks.csv"
MEDIUMS = ["Oil", "Acrylic", "Watercolour", "Ink", "Graphite", "Charcoal", "Digital", "Bronze", "Gouache", "Pastel"]
CITIES = ["Paris, France", "London, United Kingdom", "Berlin, Germany", "Lagos, Nigeria", "Tokyo, Japan",
          "New York, United States", "Mexico City, Mexico", "Mumbai, India", "Sydney, Australia", "Rome, Italy"]
COLOURS = ["red", "orange", "yellow", "green", "teal", "blue", "purple", "pink", "brown", "black", "white", "grey"]
FALLBACK_WORDS = ("landscape portrait river mountain sea study light night garden woman man head figure house "
                  "tree bridge boat city street window flowers still life abstract composition red blue").split()


def vocabulary():
    """Words by frequency (most frequent first) from the catalogue's titles, or a small fallback."""
    if not CATALOGUE.exists():
        return FALLBACK_WORDS
    counts = {}
    with open(CATALOGUE, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for word in tokens(row["title"]) + tokens(row["subjects"]):
                if len(word) > 1:
                    counts[word] = counts.get(word, 0) + 1
    return sorted(counts, key=lambda word: -counts[word])


def zipf_words(words, size, rng):
    ranks = np.arange(1, len(words) + 1)
    weights = 1.0 / ranks
    return rng.choice(len(words), size=size, p=weights / weights.sum())


def populate(conn, words, seed=7):
    rng, prng = np.random.default_rng(seed), random.Random(seed)
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO artists (id, username, email, password_hash, artist_name, location) "
                     "VALUES (?, ?, ?, 'x', ?, ?)",
                     [(f"a{n}", f"artist_{n}", f"a{n}@example.com",
                       f"{words[prng.randrange(200, 2000)].title()} {words[prng.randrange(200, 4000)].title()}",
                       prng.choice(CITIES)) for n in range(ARTISTS)])
    title_words = zipf_words(words, ARTWORKS * 4, rng)
    text_words = zipf_words(words, ARTWORKS * 20, rng)
    rows = []
    for n in range(ARTWORKS):
        title = " ".join(words[i] for i in title_words[n * 4:n * 4 + 1 + n % 4]).capitalize()
        description = " ".join(words[i] for i in text_words[n * 20:n * 20 + 8 + n % 13])
        rows.append((f"w{n:06d}", f"a{prng.randrange(ARTISTS)}", title, description, prng.choice(MEDIUMS),
                     prng.choice([None, 1, 2, 3, 11, 12, 13, 14, 16, 19]), round(prng.uniform(20, 20000), 2),
                     prng.choice(["available"] * 6 + ["sold"] * 2 + ["exhibition", "private"]),
                     min(int(rng.zipf(2.0)) - 1, 50_000), min(int(rng.zipf(1.6)) - 1, 5_000_000), prng.random(),
                     f"-{prng.randrange(365 * 24 * 60)} minutes"))
    conn.executemany(
        "INSERT INTO artworks (id, artist_id, title, description, medium, category_id, price, availability_status, "
        "like_count, view_count, quality_score, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?))", rows)
    tag_names = [word for word in words[50:1050] if word not in COLOURS]
    conn.executemany("INSERT INTO tags (name) VALUES (?) ON CONFLICT DO NOTHING", [(t,) for t in tag_names + COLOURS])
    tag_ids = {row[1]: row[0] for row in conn.execute("SELECT id, name FROM tags")}
    taggings = set()
    for n in range(ARTWORKS):
        for tag in prng.sample(tag_names, 3):
            taggings.add((f"w{n:06d}", tag_ids[tag], "artist"))
        for colour in prng.sample(COLOURS, 2):
            taggings.add((f"w{n:06d}", tag_ids[colour], "colour"))
    conn.executemany("INSERT INTO artwork_tags (artwork_id, tag_id, source) VALUES (?, ?, ?)", sorted(taggings))
    conn.execute("COMMIT")


def typo(word, rng):
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:] if rng.random() < 0.5 else word[:i] + word[i + 1:]


def query_classes(words, rng):
    common = words[:3000]
    long_words = [w for w in common if len(w) >= 6]
    ranked = zipf_words(common, SAMPLES * 4, np.random.default_rng(11))
    pick = iter(ranked.tolist())
    return {
        "one word": [{"q": common[next(pick)]} for _ in range(SAMPLES)],
        "two words": [{"q": f"{common[next(pick)]} {common[next(pick)]}"} for _ in range(SAMPLES)],
        "phrase": [{"q": f'"{common[rng.randrange(300)]} {common[rng.randrange(300)]}"'} for _ in range(SAMPLES)],
        "prefix": [{"q": common[next(pick)][:3]} for _ in range(SAMPLES)],
        "typo": [{"q": typo(rng.choice(long_words), rng) + " "} for _ in range(SAMPLES)],
        "filtered": [{"q": common[rng.randrange(300)], "medium": rng.choice(MEDIUMS), "price_min": "100",
                      "price_max": "5000", "colour": rng.choice(COLOURS)} for _ in range(SAMPLES)],
        "browse (no words)": [{"category": "Painting", "sort": rng.choice(["newest", "popular", "price"])}
                              for _ in range(SAMPLES)],
    }


def build(path, words):
    conn = store.connect(path)
    started = time.perf_counter()
    populate(conn, words)
    written = time.perf_counter() - started
    started = time.perf_counter()
    stats = tfidf.reindex(conn)
    rebuilt = time.perf_counter() - started
    conn.close()
    print(f"indexing: {ARTWORKS:,} artworks written through the triggers in {written:.1f} s "
          f"({ARTWORKS / written:,.0f}/s, with 5 tags each); reindex (TF-IDF fit + FTS rebuild) {rebuilt:.1f} s "
          f"({stats['documents'] / rebuilt:,.0f}/s, {stats['vocabulary']:,} TF-IDF terms)")


def main():
    words = vocabulary()
    folder = os.environ.get("BENCH_SEARCH_DB") or tempfile.mkdtemp(prefix="easel-bench-search-")
    path = Path(folder) / "easel.sqlite3"
    fresh = not path.exists()
    app = create_app({"DATA_DIR": folder, "RATELIMIT_ENABLED": False, "LOG_LEVEL": "WARNING", "SEARCH_WARM": False})
    if fresh:
        build(path, words)
    client = app.test_client()
    started = time.perf_counter()
    client.get("/api/search", query_string={"q": "the"})
    print(f"first search in a fresh process (loads the ranking index): {(time.perf_counter() - started) * 1000:.0f} ms")
    rng = random.Random(3)
    print(f"{'query class':<20}{'median ms':>10}{'p99 ms':>10}{'mean hits':>12}")
    for name, queries in query_classes(words, rng).items():
        samples, hits = [], []
        for params in queries:
            started = time.perf_counter()
            response = client.get("/api/search", query_string=params)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.get_data(as_text=True)
            hits.append(response.get_json()["total"])
        print(f"{name:<20}{statistics.median(samples):>10.2f}{percentile(samples, 0.99):>10.2f}"
              f"{statistics.mean(hits):>12,.0f}")


if __name__ == "__main__":
    main()
