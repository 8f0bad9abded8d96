"""Galleries, artist analytics and exhibition screening, through the app (in-process client, one thread).

Prints figures; asserts nothing. Run with `make bench` (or `python -m bench.portfolio`).
- a gallery of GALLERY_SIZE works: insert at the front (every position shifts), move last to first,
  remove the first, and GET a page of it; each a full request;
- GET /api/artists/<id>/analytics for an artist with EVENTS activity events over 90 days spread over
  their ARTWORKS works, for the 30- and 90-day windows;
- POST /api/exhibitions/<id>/submit of SUBMITTED real uploads (screening reads and probes each original).
BENCH_GALLERY_SIZE, BENCH_EVENTS, BENCH_ARTWORKS and BENCH_SAMPLES change the sizes.
"""

import io
import os
import random
import statistics
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import store  # noqa: E402
from bench import percentile, timed  # noqa: E402
from bench.social import make_app, signed_in_client  # noqa: E402
from tests.conftest import encoded, painting  # noqa: E402

GALLERY_SIZE = int(os.environ.get("BENCH_GALLERY_SIZE", "2000"))
EVENTS = int(os.environ.get("BENCH_EVENTS", "1000000"))
ARTWORKS = int(os.environ.get("BENCH_ARTWORKS", "2500"))
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "100"))
SUBMITTED = 5
KINDS = ["view"] * 70 + ["image_view"] * 15 + ["like"] * 8 + ["comment", "share", "gallery_view"] * 2 + ["follow"]


def report(label, samples):
    print(f"{label:<52} median {statistics.median(samples):7.2f} ms   p99 {percentile(samples, 0.99):7.2f} ms")


def populate(conn, artist_id, rng):
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO artworks (id, artist_id, title, image_sha256) VALUES (?, ?, ?, ?)",
                     [(f"w{n:05d}", artist_id, f"Work {n}", f"{n:064x}") for n in range(ARTWORKS)])
    conn.execute("INSERT INTO galleries (id, artist_id, name) VALUES ('g', ?, 'Everything')", (artist_id,))
    conn.executemany("INSERT INTO gallery_artworks (gallery_id, artwork_id, position) VALUES ('g', ?, ?)",
                     [(f"w{n:05d}", n + 1) for n in range(min(GALLERY_SIZE, ARTWORKS))])
    now = datetime.now(UTC)
    events = []
    for _ in range(EVENTS):
        kind = rng.choice(KINDS)
        when = (now - timedelta(seconds=rng.randrange(90 * 86400))).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        artwork = f"w{rng.randrange(ARTWORKS):05d}" if kind not in ("follow", "gallery_view") else None
        events.append((artist_id, kind, artwork, "g" if kind == "gallery_view" else None, f"u{rng.randrange(50000)}",
                       when))
    conn.executemany("INSERT INTO activity_events (artist_id, kind, artwork_id, gallery_id, actor_key, occurred_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)", events)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")


def gallery_figures(client):
    moved = timed(lambda: client.put(f"/api/galleries/g/artworks/w{GALLERY_SIZE - 1:05d}", json={"position": 1}),
                  SAMPLES)
    report(f"move last to first ({GALLERY_SIZE} works)", moved)
    spare = iter(f"w{n:05d}" for n in range(GALLERY_SIZE, ARTWORKS))
    if ARTWORKS > GALLERY_SIZE:
        count = min(SAMPLES, ARTWORKS - GALLERY_SIZE)
        inserted = timed(lambda: client.post("/api/galleries/g/artworks", json={"artwork_id": next(spare),
                                                                                 "position": 1}), count)
        report(f"insert at position 1 ({GALLERY_SIZE}+ works)", inserted)
        removed = timed(lambda: client.delete(f"/api/galleries/g/artworks/{first_work(client)}"), count)
        report("remove (trigger closes the gap), incl. a GET", removed)
    report("GET /api/galleries/<id> (page of 20)", timed(lambda: client.get("/api/galleries/g"), SAMPLES))


def first_work(client):
    return client.get("/api/galleries/g", query_string={"per_page": 1}).get_json()["artworks"]["items"][0]["id"]


def analytics_figures(client, artist_id):
    for days in (30, 90):
        samples = timed(lambda days=days: client.get(f"/api/artists/{artist_id}/analytics?days={days}"),
                        max(5, SAMPLES // 10))
        report(f"GET analytics, {days} days ({EVENTS:,} events in 90)", samples)


def screening_figures(app, client):
    organiser, _ = signed_in_client(app, "organiser")
    day = datetime.now(UTC).date()
    exhibition = organiser.post("/api/exhibitions", json={
        "title": "Bench", "submission_deadline": (day + timedelta(days=5)).isoformat(),
        "exhibition_start": (day + timedelta(days=6)).isoformat(),
        "exhibition_end": (day + timedelta(days=9)).isoformat(), "location": "online",
        "rules": {"min_long_edge_px": 1000, "allowed_mediums": ["oil"]}}).get_json()["id"]
    works = []
    for seed in range(SUBMITTED):
        response = client.post("/api/artworks/upload", data={
            "image_file": (io.BytesIO(encoded(painting(seed, size=(1600, 1200)))), "w.jpg"),
            "title": f"Real {seed}"}, content_type="multipart/form-data")
        works.append(response.get_json()["id"])
    samples = []
    for _ in range(3):
        samples += timed(lambda: client.post(f"/api/exhibitions/{exhibition}/submit",
                                             json={"artwork_ids": works}), 1)
        client.delete(f"/api/exhibitions/{exhibition}/submissions/"
                      f"{client.get(f'/api/exhibitions/{exhibition}').get_json()['my_submission']['id']}")
    report(f"submit {SUBMITTED} works with screening (1600x1200)", samples)


def main():
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(folder)
        client, artist_id = signed_in_client(app, "painter")
        conn = store.connect(app.config["DATABASE"])
        populate(conn, artist_id, random.Random(7))
        conn.close()
        gallery_figures(client)
        analytics_figures(client, artist_id)
        screening_figures(app, client)


if __name__ == "__main__":
    main()
