"""Featured, trending and the personal feed at scale, through the app (in-process client).

Prints figures; asserts nothing. Run with `make bench` (or `python -m bench.feed`).

Data (synthetic; built once into the folder BENCH_FEED_DB, default <tmp>/easel-bench-feed, and reused):
bench.search's 100,000 works (Zipfian words from the real catalogue's titles, 2,000 artists, tags,
one work in ten private) published over the last year, each with a random image fingerprint and
a dominant colour; then 10,000 simulated readers (recommend.simulate's hidden tastes) with 100
likes each (1,000,000), drawn in proportion to each reader's like chance, plus 50 further page
views each and the follows their likes lead to, all within the last 60 days. Sessions are not
played out one by one at this size (that is `flask simulate`'s job); the tastes are the same.

The database file is read through once first (a warm page cache, as on a serving machine).
Figures: featured recompute, GET /api/featured from the period's cache, preview of a candidate
config, trending compute, the feed model's build, and GET /api/feed (first pages, each ranking
a new list, and next pages) for random readers. BENCH_SAMPLES sets the number of timed requests.
"""

import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from werkzeug.security import generate_password_hash  # noqa: E402

import store  # noqa: E402
from bench import percentile  # noqa: E402
from bench import search as search_bench  # noqa: E402
from bench.social import PASSWORD, make_app  # noqa: E402
from imaging.fingerprint import COLOUR_SIZE  # noqa: E402
from recommend import activity, featured, model, simulate, trending  # noqa: E402
from search import images, tfidf  # noqa: E402
from search import index as text_index  # noqa: E402
from store import ranking  # noqa: E402

READERS = int(os.environ.get("BENCH_FEED_READERS", "10000"))
LIKES_EACH, EXTRA_VIEWS_EACH = 100, 50
DAYS = 60
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "300"))
FOLDER = Path(os.environ.get("BENCH_FEED_DB") or Path(tempfile.gettempdir()) / "easel-bench-feed")


def report(label, samples):
    print(f"  {label:<44} median {percentile(samples, 0.5):8.2f} ms   p99 {percentile(samples, 0.99):8.2f} ms"
          f"   ({len(samples)} samples)")


def add_pictures(conn, rng):
    """A random fingerprint and dominant colour for every work (the image index and colour tastes)."""
    ids = [row[0] for row in conn.execute("SELECT id FROM artworks ORDER BY rowid")]
    hashes = rng.integers(-2**63, 2**63 - 1, (len(ids), 4), dtype=np.int64)
    colour = rng.random((len(ids), COLOUR_SIZE), dtype=np.float32) ** 3
    colour /= np.linalg.norm(colour, axis=1, keepdims=True)
    names = search_bench.COLOURS
    with store.transaction(conn):
        conn.executemany("INSERT INTO image_fingerprints (artwork_id, full_dct, full_gradient, centre_dct, "
                         "centre_gradient, colour) VALUES (?, ?, ?, ?, ?, ?)",
                         [(artwork_id, *map(int, hashes[i]), colour[i].astype("<f4").tobytes())
                          for i, artwork_id in enumerate(ids)])
        conn.executemany("INSERT INTO artwork_colours (artwork_id, rank, hex, share, name) VALUES (?, 1, '#808080', "
                         "0.4, ?)", [(artwork_id, names[int(np.argmax(colour[i][:len(names)]))])
                                     for i, artwork_id in enumerate(ids)])


def add_readers(conn, rng):
    """READERS simulated readers, their likes, views and follows (see the module's docstring)."""
    works = simulate.load_catalogue(conn)
    appeal = rng.beta(2, 5, len(works.artwork_ids))
    now = datetime.now(UTC).timestamp()
    start = now - DAYS * 86400
    first = ranking.next_simulated_number(conn)
    for number in range(first, first + READERS):
        user_id = simulate._reader_account(conn, number)
        taste = simulate.draw_taste(works, rng)
        affinity = simulate.affinity(works, taste, appeal)
        chance = 1 / (1 + np.exp(-10 * (affinity - 0.55))) + simulate.NOISE_LIKE
        liked = rng.choice(len(chance), LIKES_EACH, replace=False, p=chance / chance.sum())
        opened = rng.choice(len(affinity), EXTRA_VIEWS_EACH, replace=False, p=(0.1 + affinity) / (0.1 + affinity).sum())
        when = np.maximum(works.created[liked], start) + rng.random(LIKES_EACH) * (now - np.maximum(
            works.created[liked], start))
        seen = np.maximum(works.created[opened], start) + rng.random(EXTRA_VIEWS_EACH) * (now - np.maximum(
            works.created[opened], start))
        artists, counts = np.unique(works.artists[liked], return_counts=True)
        follows = [(works.artist_ids[a], simulate._time(now - rng.random() * DAYS * 86400))
                   for a, c in zip(artists, counts, strict=True) if c >= 2 and rng.random() < 0.5]
        ranking.record_simulated(
            conn, user_id,
            [(works.artwork_ids[w], simulate._time(t)) for w, t in zip(np.concatenate([liked, opened]),
                                                                       np.concatenate([when - 5, seen]), strict=True)],
            [(works.artwork_ids[w], simulate._time(t)) for w, t in zip(liked, when, strict=True)],
            [(artist_id, at) for artist_id, at in follows if artist_id != user_id])


def build(path):
    rng = np.random.default_rng(3)
    store.initialise(path)
    conn = store.connect(path)
    try:
        if conn.execute("SELECT count(*) FROM artwork_likes").fetchone()[0]:
            return
        started = time.perf_counter()
        search_bench.populate(conn, search_bench.vocabulary())
        add_pictures(conn, rng)
        print(f"  works and fingerprints written in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        tfidf.reindex(conn)
        print(f"  reindex {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        add_readers(conn, rng)
        print(f"  {READERS:,} readers' likes, views and follows written in {time.perf_counter() - started:.0f} s")
    finally:
        conn.close()


def timed_requests(client, paths):
    samples = []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.get_data(as_text=True)
    return samples


def main():
    FOLDER.mkdir(parents=True, exist_ok=True)
    path = FOLDER / "easel.sqlite3"
    print(f"Building (or reusing) {path}")
    build(path)
    app, database = make_app(FOLDER), str(path)
    conn = store.connect(path)
    try:
        counts = [conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                  for table in ("artworks", "artwork_likes", "artwork_views", "artist_follows")]
        print(f"{counts[0]:,} works, {counts[1]:,} likes, {counts[2]:,} page views, {counts[3]:,} follows")
        read_through(path)
        load_indexes(conn, database)
        featured_figures(app, conn, database)
        curator_figures(app, conn)
        feed_figures(app, conn, database)
    finally:
        conn.close()


def read_through(path):
    """Read the database file once, as a serving machine's page cache would already hold it:
    otherwise a reader's first request pays cold disk reads of their likes (up to 70 ms seen
    here), a figure of the disk, not of the code."""
    started = time.perf_counter()
    with open(path, "rb") as file:
        while file.read(1 << 24):
            pass
    print(f"database file read through in {time.perf_counter() - started:.1f} s")


def load_indexes(conn, database):
    """What a process loads once (SEARCH_WARM does it at start): search, image and activity arrays."""
    started = time.perf_counter()
    conn.execute("BEGIN")
    text_index.index_for(database).refresh(conn)
    images.index_for(database).refresh(conn)
    events = activity.activity_for(database).refresh(conn, time.time())
    conn.execute("COMMIT")
    print(f"in-memory indexes loaded in {time.perf_counter() - started:.1f} s "
          f"({len(events.times):,} interactions of the last {activity.WINDOW_DAYS} days)")


def featured_figures(app, conn, database):
    _, config = featured.live(conn)
    now = datetime.now(UTC)
    print("featured")
    report("recompute (score 100k works, re-rank, pins)",
           [elapsed(featured.featured_artworks, conn, database, config, now) for _ in range(5)])
    report("rising artists recompute", [elapsed(featured.rising_artists, conn, database, config, now)
                                        for _ in range(3)])
    client = app.test_client()
    client.get("/api/featured")   # computes and stores this period's list
    report("GET /api/featured (cached period)",
           timed_requests(client, [f"/api/featured?page={1 + i % 5}" for i in range(SAMPLES)]))
    report("GET /api/featured?type=artists (cached)",
           timed_requests(client, ["/api/featured?type=artists" for _ in range(SAMPLES)]))
    for kind in trending.KINDS:
        for window in trending.WINDOWS:
            took = elapsed(trending.compute, conn, database, kind, window, now)
            print(f"  trending {kind} {window}: computed in {took:.0f} ms")


def curator_figures(app, conn):
    curator = app.test_client()
    registered = curator.post("/api/auth/register", json={"username": "bench_curator", "email": "curator@example.com",
                                                          "password": PASSWORD, "artist_name": "Curator"})
    if registered.status_code != 201:   # a reused database has the curator from an earlier run
        sign_in(app, curator, "bench_curator")
    conn.execute("UPDATE artists SET role = 'curator' WHERE username = 'bench_curator'")
    samples = []
    for i in range(10):
        body = {"config": {"weights": {"recency": 0.1 + i / 20}, "diversity": {"max_per_artist": 1 + i % 3}}}
        started = time.perf_counter()
        response = curator.post("/api/featured/preview", json=body)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.get_json()
    report("POST /api/featured/preview", samples)
    started = time.perf_counter()
    response = curator.put("/api/featured/config", json={"config": {"weights": {"recency": 0.3}}, "force": True,
                                                         "reason": "bench"})
    print(f"  PUT /api/featured/config with the gate (2,000 held-out readers): "
          f"{(time.perf_counter() - started):.1f} s, status {response.status_code}")
    curator.get("/api/featured")   # the new version's list, as the first visitor after the change would


def feed_figures(app, conn, database):
    print("personal feed")
    started = time.perf_counter()
    model.model_for(conn, database, text_index.index_for(database).capacity, app.config["FEED_MODEL_MAX_AGE"])
    print(f"  feed model (co-likes and TF-IDF) built in {time.perf_counter() - started:.1f} s")
    readers = [row[0] for row in conn.execute("SELECT username FROM artists WHERE username LIKE 'sim_%' "
                                              "ORDER BY random() LIMIT ?", (SAMPLES,))]
    first_pages, next_pages = [], []
    for username in readers:
        reader = app.test_client()
        sign_in(app, reader, username)
        started = time.perf_counter()
        response = reader.get("/api/feed")
        first_pages.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        reader.get(f"/api/feed?cursor={response.get_json()['next_cursor']}")
        next_pages.append((time.perf_counter() - started) * 1000)
    report("GET /api/feed, first page (ranks 200 works)", first_pages)
    report("GET /api/feed, next page (snapshot)", next_pages)


def elapsed(call, *args):
    started = time.perf_counter()
    call(*args)
    return (time.perf_counter() - started) * 1000


def sign_in(app, client, username):
    """Sign a simulated reader in by giving it a password first (they have none)."""
    conn = store.connect(app.config["DATABASE"])
    conn.execute("UPDATE artists SET password_hash = ? WHERE username = ?",
                 (generate_password_hash(PASSWORD, method="scrypt:1024:8:1"), username))
    conn.close()
    response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()


if __name__ == "__main__":
    main()
