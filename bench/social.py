"""Social writes and the following feed, through the app (in-process client, one thread).

Prints figures; asserts nothing. Run with `make bench` (or `python -m bench.social`).
- like toggles and comment inserts per second on one core, each a full request: session lookup,
  validation, the write transaction with its notification, and the JSON answer;
- GET /api/feed latency (median and p99) for a reader following FOLLOWED artists among ARTISTS,
  over ARTWORKS artworks, for the first page and for pages deep in the cursor walk.
BENCH_FEED_ARTWORKS, BENCH_FEED_ARTISTS, BENCH_FEED_FOLLOWED and BENCH_SAMPLES change the sizes.
"""

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import store  # noqa: E402
from app import create_app  # noqa: E402
from bench import percentile, timed  # noqa: E402
from store import social  # noqa: E402

ARTWORKS = int(os.environ.get("BENCH_FEED_ARTWORKS", "100000"))
ARTISTS = int(os.environ.get("BENCH_FEED_ARTISTS", "2000"))
FOLLOWED = int(os.environ.get("BENCH_FEED_FOLLOWED", "200"))
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "300"))
PASSWORD = "bench password 1"


def make_app(folder):
    return create_app({"DATA_DIR": folder, "RATELIMIT_ENABLED": False, "LOG_LEVEL": "WARNING",
                       "PASSWORD_HASH_METHOD": "scrypt:1024:8:1"})


def signed_in_client(app, username):
    client = app.test_client()
    response = client.post("/api/auth/register", json={"username": username, "email": f"{username}@example.com",
                                                       "password": PASSWORD, "artist_name": username.title()})
    assert response.status_code == 201, response.get_json()
    return client, response.get_json()["user"]["id"]


def populate(conn, reader_id, rng):
    """ARTISTS artists with ARTWORKS works spread over a year (some private); the reader follows FOLLOWED."""
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO artists (id, username, email, password_hash, artist_name) "
                     "VALUES (?, ?, ?, 'x', ?)",
                     [(f"a{n}", f"artist_{n}", f"a{n}@example.com", f"Artist {n}") for n in range(ARTISTS)])
    rows = []
    for n in range(ARTWORKS):
        rows.append((f"w{n:06d}", f"a{rng.randrange(ARTISTS)}", f"Work {n}", f"{n:064x}",
                     rng.choice(["available"] * 9 + ["private"]), f"-{rng.randrange(365 * 24 * 60)} minutes"))
    conn.executemany(
        "INSERT INTO artworks (id, artist_id, title, image_sha256, image_width, image_height, availability_status, "
        "created_at) VALUES (?, ?, ?, ?, 1600, 1200, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?))", rows)
    conn.executemany("INSERT INTO artwork_colours (artwork_id, rank, hex, share, name) "
                     "VALUES (?, 1, '#336699', 1, 'blue')", [(row[0],) for row in rows])
    followed = rng.sample(range(ARTISTS), FOLLOWED)
    conn.executemany("INSERT INTO artist_follows (follower_id, following_id) VALUES (?, ?)",
                     [(reader_id, f"a{n}") for n in followed])
    conn.execute("COMMIT")
    conn.execute("ANALYZE")


def write_figures():
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(folder)
        _, owner_id = signed_in_client(app, "owner")
        client, _ = signed_in_client(app, "fan")
        conn = store.connect(app.config["DATABASE"])
        works = [f"w{n}" for n in range(50)]
        conn.executemany("INSERT INTO artworks (id, artist_id, title) VALUES (?, ?, 'Work')",
                         [(work, owner_id) for work in works])
        conn.close()
        rng = random.Random(3)
        like = timed(lambda: client.post(f"/api/artworks/{rng.choice(works)}/like"), 2000)
        roots = []

        def comment():
            body = {"comment_text": "A fine study of light and shadow."}
            if roots and rng.random() < 0.5:
                body["parent_comment_id"] = rng.choice(roots)
            response = client.post(f"/api/artworks/{works[0]}/comment", json=body)
            roots.append(response.get_json()["id"])
        comments = timed(comment, 1000)
        threads = timed(lambda: client.get(f"/api/artworks/{works[0]}/comments"), 100)
        # The same like toggle without HTTP, to show what the request around it costs.
        conn = store.connect(app.config["DATABASE"])
        fan_id = conn.execute("SELECT id FROM artists WHERE username = 'fan'").fetchone()[0]
        bare = timed(lambda: social.set_like(conn, {"id": rng.choice(works), "artist_id": owner_id}, fan_id), 2000)
        conn.close()
    return like, comments, threads, bare


def feed_figures():
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(folder)
        client, reader_id = signed_in_client(app, "reader")
        conn = store.connect(app.config["DATABASE"])
        started = time.perf_counter()
        populate(conn, reader_id, rng)
        built = time.perf_counter() - started
        conn.close()
        first = timed(lambda: client.get("/api/feed"), SAMPLES)
        cursors, cursor = [], None
        for _ in range(25):  # walk 25 pages deep and remember where each began
            body = client.get("/api/feed" + (f"?cursor={cursor}" if cursor else "")).get_json()
            cursor = body["next_cursor"]
            cursors.append(cursor)
        total = body["total"]
        deep = timed(lambda: client.get(f"/api/feed?cursor={rng.choice(cursors)}"), SAMPLES)
        large = timed(lambda: client.get("/api/feed?per_page=100"), SAMPLES // 3)
    return built, total, first, deep, large


def report(label, samples):
    print(f"  {label:<40} median {statistics.median(samples):6.2f} ms   p99 {percentile(samples, 0.99):6.2f} ms")


def main():
    like, comments, threads, bare = write_figures()
    print("writes through the app, one thread:")
    print(f"  like toggle      {1000 / statistics.median(like):7.0f} per second "
          f"(median {statistics.median(like):.2f} ms, p99 {percentile(like, 0.99):.2f} ms)")
    print(f"  comment insert   {1000 / statistics.median(comments):7.0f} per second "
          f"(median {statistics.median(comments):.2f} ms, p99 {percentile(comments, 0.99):.2f} ms)")
    print(f"  like toggle in store.social alone (no HTTP): {1000 / statistics.median(bare):.0f} per second")
    report("GET comments (20 threads of 1,000 comments)", threads)
    built, total, first, deep, large = feed_figures()
    print(f"feed: {ARTWORKS} artworks by {ARTISTS} artists, reader follows {FOLLOWED} "
          f"({total} public works in the feed); built in {built:.1f} s")
    report("GET /api/feed (first page of 20)", first)
    report("GET /api/feed?cursor= (pages 2-26)", deep)
    report("GET /api/feed?per_page=100", large)


if __name__ == "__main__":
    main()
