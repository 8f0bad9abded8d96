"""Sales analytics, market trends and pricing insight over ORDERS orders, through the app
(in-process client, one thread).

Prints figures; asserts nothing. Run with `make bench` (or `python -m bench.sales`).
- ORDERS paid orders over 400 days on WORKS works by ARTISTS artists, in four currencies; one
  artist (the "studio") has STUDIO_SHARE of all sales, the rest share the others unevenly;
- GET /api/analytics/sales for the studio and for a typical artist, per period;
- GET /api/market/trends, whole market and filtered by medium or category;
- GET /api/artworks/<id>/price-insight: the first request (fits the model on every sale) and the
  cached ones after.
Targets (issue 21): sales analytics p99 < 100 ms, market trends p99 < 200 ms. The startup heap is
frozen out of the garbage collector first, as gunicorn.conf.py does in each worker.
BENCH_SALES_ORDERS, BENCH_SALES_WORKS, BENCH_SALES_ARTISTS and BENCH_SAMPLES change the sizes.
"""

import gc
import math
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import store  # noqa: E402
from api.factory import create_app  # noqa: E402
from bench import percentile, timed  # noqa: E402
from bench.social import signed_in_client  # noqa: E402

ORDERS = int(os.environ.get("BENCH_SALES_ORDERS", "100000"))
WORKS = int(os.environ.get("BENCH_SALES_WORKS", "150000"))
ARTISTS = int(os.environ.get("BENCH_SALES_ARTISTS", "3000"))
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "100"))
STUDIO_SHARE = 0.05
MEDIUMS = ("oil on canvas", "acrylic", "watercolour", "ink", "etching", "bronze", "photograph", "digital print")
CURRENCIES = (("USD", 1.0), ("EUR", 1.035), ("GBP", 1.244), ("JPY", 0.00636))


def stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def populate(conn, studio_id, rng):
    now = datetime.now(UTC)
    artists = [studio_id] + [f"a{n:05d}" for n in range(ARTISTS - 1)]
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO artists (id, username, email, password_hash, artist_name) VALUES (?, ?, ?, 'x', ?)",
                     [(a, a, f"{a}@example.com", a.title()) for a in artists[1:]])
    conn.executemany("INSERT INTO portfolio_settings (artist_id) VALUES (?)", [(a,) for a in artists[1:]])
    works = []
    for n in range(WORKS):
        artist = studio_id if n < WORKS * STUDIO_SHARE else artists[1 + int(rng.paretovariate(1.2)) % (ARTISTS - 1)]
        currency, _ = CURRENCIES[n % 4]
        side = rng.randint(20, 150)
        works.append((f"w{n:06d}", artist, f"Work {n}", MEDIUMS[n % len(MEDIUMS)], rng.choice((1, 4, 5, 11, 12, 13)),
                      f"{side} x {side} cm", round(math.exp(rng.gauss(6.5, 1.0)), 0), currency,
                      stamp(now - timedelta(days=rng.uniform(30, 600)))))
    conn.executemany("INSERT INTO artworks (id, artist_id, title, medium, category_id, dimensions, price, currency, "
                     "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", works)
    buyers = [f"b{n:05d}" for n in range(20000)]
    conn.executemany("INSERT INTO artists (id, username, email, password_hash, artist_name, account_type) "
                     "VALUES (?, ?, ?, 'x', ?, 'collector')", [(b, b, f"{b}@example.com", b) for b in buyers])
    orders = []
    for n, work in enumerate(rng.sample(works, min(ORDERS, len(works)))):
        currency, rate = CURRENCIES[int(work[0][1:]) % 4]
        total = int(work[6] * (1 if currency == "JPY" else 100))
        paid = stamp(now - timedelta(days=rng.uniform(0, 400)))
        orders.append((f"o{n:06d}", work[0], work[1], rng.choice(buyers), work[2], work[3], work[4], currency,
                       total, total, total, round(total / (1 if currency == "JPY" else 100) * rate, 2), paid, paid,
                       paid, paid))
    conn.executemany(
        "INSERT INTO orders (id, artwork_id, artist_id, buyer_id, title, medium, category_id, currency, unit_price, "
        "subtotal, total, total_base, base_currency, rate_as_of, provider, status, expires_at, paid_at, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'USD', '2025-01-02', 'manual', 'completed', ?, ?, ?, "
        "?)", orders)
    conn.execute("UPDATE artworks SET availability_status = 'sold' WHERE id IN (SELECT artwork_id FROM orders)")
    conn.executemany("INSERT INTO enquiries (id, artwork_id, artwork_title, artist_id, collector_id, created_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     [(f"q{n:06d}", w[0], w[2], w[1], rng.choice(buyers),
                       stamp(now - timedelta(days=rng.uniform(0, 400))))
                      for n, w in enumerate(rng.sample(works, ORDERS // 2))])
    days = [(now - timedelta(days=d)).date().isoformat() for d in range(400)]
    conn.executemany("INSERT INTO activity_daily (artist_id, day, kind, count) VALUES (?, ?, 'view', ?)",
                     [(studio_id, day, rng.randint(50, 500)) for day in days])
    conn.execute("COMMIT")
    conn.execute("ANALYZE")


def report(label, samples, target=None):
    p99 = percentile(samples, 0.99)
    verdict = "" if target is None else f"   target {target} ms: {'met' if p99 < target else 'MISSED'}"
    print(f"{label:<58} median {statistics.median(samples):7.2f} ms   p99 {p99:7.2f} ms{verdict}")


def typical_artist(conn):
    return conn.execute("SELECT artist_id FROM orders GROUP BY artist_id ORDER BY count(*) DESC LIMIT 1 OFFSET 50"
                        ).fetchone()[0]


def make_app(folder):
    # No background index loading: it would compete with the requests being timed.
    return create_app({"DATA_DIR": folder, "RATELIMIT_ENABLED": False, "LOG_LEVEL": "WARNING",
                       "PASSWORD_HASH_METHOD": "scrypt:1024:8:1", "SEARCH_WARM": False})


def main():
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(folder)
        client, studio_id = signed_in_client(app, "studio")
        conn = store.connect(app.config["DATABASE"])
        started = time.perf_counter()
        populate(conn, studio_id, random.Random(11))
        studio_sales = conn.execute("SELECT count(*) FROM orders WHERE artist_id = ?", (studio_id,)).fetchone()[0]
        typical = typical_artist(conn)
        typical_sales = conn.execute("SELECT count(*) FROM orders WHERE artist_id = ?", (typical,)).fetchone()[0]
        conn.close()
        gc.collect()
        gc.freeze()  # as gunicorn.conf.py does in each worker once the app is loaded
        print(f"{ORDERS:,} orders on {WORKS:,} works by {ARTISTS:,} artists, built in "
              f"{time.perf_counter() - started:.0f} s; the studio has {studio_sales:,} sales, a typical artist "
              f"{typical_sales}")
        for period in ("30d", "90d", "365d"):
            report(f"GET /api/analytics/sales?period={period} (studio)",
                   timed(lambda period=period: client.get(f"/api/analytics/sales?period={period}"), SAMPLES), 100)
        other, other_id = signed_in_client(app, "typical")
        conn = store.connect(app.config["DATABASE"])
        for table in ("orders", "artworks", "enquiries"):  # sign in as that artist
            conn.execute(f"UPDATE {table} SET artist_id = ? WHERE artist_id = ?", (other_id, typical))
        conn.close()
        report(f"GET /api/analytics/sales?period=365d ({typical_sales} sales)",
               timed(lambda: other.get("/api/analytics/sales?period=365d"), SAMPLES), 100)
        for query in ("period=365d", "period=90d", "period=365d&medium=bronze", "period=365d&category=Landscape"):
            samples = timed(lambda query=query: client.get(f"/api/market/trends?{query}"), SAMPLES)
            report(f"GET /api/market/trends?{query}", samples, 200)
        conn = store.connect(app.config["DATABASE"])
        studio_work = conn.execute("SELECT id FROM artworks WHERE artist_id = ? LIMIT 1", (studio_id,)).fetchone()[0]
        conn.close()
        first = timed(lambda: client.get(f"/api/artworks/{studio_work}/price-insight"), 1)
        print(f"{'GET price-insight, first (fits on every sale)':<58} {first[0]:7.0f} ms")
        report("GET price-insight, model cached",
               timed(lambda: client.get(f"/api/artworks/{studio_work}/price-insight"), SAMPLES))


if __name__ == "__main__":
    main()
