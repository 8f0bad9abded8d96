"""The upload pipeline on 12-megapixel JPEGs, against a naive one; then listing on a populated database.

Prints figures; asserts nothing. Run with `make bench` (or `python -m bench.upload`).
BENCH_IMAGES sets how many distinct 12 MP images are made (default 6), BENCH_ROUNDS how many
times each is processed (default 3), BENCH_LIST_ARTWORKS the size of the listing database.

The images are real photographs from ../shared/data scaled to 4000 x 3000 with a little sensor-like
grain (so they compress like camera JPEGs, about 3 MB at quality 92), or synthetic scenes when
the shared data is absent. Everything runs in one thread: the rates are per core.
"""

import io
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import imagehash
import numpy as np
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import imaging  # noqa: E402
import store  # noqa: E402
from imaging import analysis, derivatives  # noqa: E402
from imaging.decode import _orientation, _read_exif, open_checked, orient, to_srgb  # noqa: E402
from search import ingest  # noqa: E402
from store.media import MediaStore  # noqa: E402

IMAGES = int(os.environ.get("BENCH_IMAGES", "6"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
LIST_ARTWORKS = int(os.environ.get("BENCH_LIST_ARTWORKS", "20000"))
SHARED = ROOT.parent / "shared" / "data" / "images"
SIZE = (4000, 3000)


def twelve_megapixel_jpegs(count):
    sources = sorted((SHARED / "photos").glob("*.jpg")) + sorted((SHARED / "art").glob("*.jpg"))
    rng = np.random.default_rng(12)
    images = []
    for index in range(count):
        if sources:
            picture = ImageOps.fit(Image.open(sources[index * 7 % len(sources)]).convert("RGB"), SIZE,
                                   Image.Resampling.BICUBIC)
        else:
            x, y = np.meshgrid(np.linspace(0, 1, SIZE[0]), np.linspace(0, 1, SIZE[1]))
            scene = np.stack([x * 255, y * 255, (1 - x * y) * 255], axis=-1) * (0.6 + 0.4 * np.sin(9 * x + index))
            picture = Image.fromarray(np.clip(scene, 0, 255).astype(np.uint8))
        grain = rng.normal(0, 4, (SIZE[1], SIZE[0], 3))
        grained = Image.fromarray(np.clip(np.asarray(picture, dtype=np.float32) + grain, 0, 255).astype(np.uint8))
        buffer = io.BytesIO()
        grained.save(buffer, "JPEG", quality=92)
        images.append(buffer.getvalue())
    return images


def naive_process(data):
    """Decode the full image for every output and every analysis: what the pipeline avoids."""
    def full():
        image, _, _ = open_checked(data)
        image.load()
        return orient(to_srgb(image), _orientation(_read_exif(image)))

    outputs = {}
    for size, fmt in imaging.pipeline.EAGER_RENDITIONS:
        outputs[(size, fmt)] = derivatives.encode(derivatives.resize(full(), derivatives.SIZES[size]), fmt)
    for function in (imagehash.phash, imagehash.dhash, imagehash.whash, imagehash.colorhash):
        function(full())
    analysis.hsv_histogram(full())
    analysis.palette(full())
    image = full()
    analysis.quality_report(image, *image.size)
    return outputs


def pipeline_figures(images):
    imaging.process(images[0])  # warm up: first calls load codecs and imagehash's dependencies
    totals, stages = [], {}
    for _ in range(ROUNDS):
        for data in images:
            started = time.perf_counter()
            processed = imaging.process(data)
            totals.append((time.perf_counter() - started) * 1000)
            for stage, ms in processed.timings.items():
                stages.setdefault(stage, []).append(ms)
    naive = []
    for data in images[: max(1, len(images) // 2)]:
        started = time.perf_counter()
        naive_process(data)
        naive.append((time.perf_counter() - started) * 1000)
    return totals, stages, naive


def stored_upload_figures(images):
    """The whole upload minus HTTP: pipeline, files written with fsync, rows in one transaction."""
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        store.initialise(database)
        conn = store.connect(database)
        conn.execute("INSERT INTO artists (id, username, email, password_hash, artist_name) "
                     "VALUES ('a', 'bench', 'bench@example.com', 'x', 'Bench')")
        media = MediaStore(Path(folder) / "media")
        samples = []
        for data in images:
            started = time.perf_counter()
            ingest.upload(conn, media, str(database), "a", data, {"title": "Bench"}, ["bench"])
            samples.append((time.perf_counter() - started) * 1000)
        conn.close()
    return samples


def listing_figures():
    """GET /api/artworks, /api/tags and /api/categories on LIST_ARTWORKS rows, through the app."""
    from app import create_app
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATA_DIR": folder, "RATELIMIT_ENABLED": False, "LOG_LEVEL": "WARNING"})
        conn = store.connect(app.config["DATABASE"])
        _populate(conn)
        conn.close()
        client = app.test_client()
        routes = ["/api/artworks", "/api/artworks?sort=popular", "/api/artworks?tag=tag7",
                  "/api/artworks?colour=blue&sort=price_asc", "/api/artworks?category=Painting",
                  "/api/artworks?page=400", "/api/tags", "/api/tags?sort=trending", "/api/categories"]
        results = {}
        for route in routes:
            client.get(route)
            samples = []
            for _ in range(30):
                started = time.perf_counter()
                response = client.get(route)
                samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (route, response.get_json())
            results[route] = statistics.median(samples)
        return results


def _populate(conn):
    random.seed(5)
    conn.execute("BEGIN")
    for n in range(50):
        conn.execute("INSERT INTO artists (id, username, email, password_hash, artist_name) VALUES (?, ?, ?, 'x', ?)",
                     (f"a{n}", f"artist_{n}", f"a{n}@example.com", f"Artist {n}"))
    for n in range(150):
        conn.execute("INSERT INTO tags (id, name) VALUES (?, ?)", (n + 1, f"tag{n}"))
    for name in analysis.COLOUR_NAMES:
        conn.execute("INSERT INTO tags (name) VALUES (?)", (name,))
    colour_ids = [row[0] for row in conn.execute("SELECT id FROM tags WHERE name NOT LIKE 'tag%'")]
    for n in range(LIST_ARTWORKS):
        artwork_id = f"w{n}"
        sha = f"{n:064x}"
        conn.execute(
            "INSERT INTO artworks (id, artist_id, title, price, category_id, availability_status, image_sha256, "
            "image_width, image_height, like_count, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 800, 600, ?, "
            "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?))",
            (artwork_id, f"a{n % 50}", f"Work {n}", random.choice([None, 100, 250, 900]), random.randint(1, 29),
             random.choice(["available"] * 8 + ["sold", "private"]), sha, random.randint(0, 40),
             f"-{random.randint(0, 60 * 24 * 60)} minutes"))
        for tag in random.sample(range(1, 151), 4):
            days_ago = f"-{random.randint(0, 30)} days"
            conn.execute("INSERT INTO artwork_tags (artwork_id, tag_id, tagged_at) VALUES (?, ?, "
                         "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?))", (artwork_id, tag, days_ago))
        conn.execute("INSERT INTO artwork_tags (artwork_id, tag_id, source) VALUES (?, ?, 'colour')",
                     (artwork_id, random.choice(colour_ids)))
        conn.execute("INSERT INTO artwork_colours (artwork_id, rank, hex, share, name) VALUES (?, 1, '#336699', 1, "
                     "'blue')", (artwork_id,))
    conn.execute("COMMIT")


def main():
    before_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    images = twelve_megapixel_jpegs(IMAGES)
    source = "shared photographs" if SHARED.is_dir() else "synthetic scenes"
    print(f"{len(images)} JPEGs of {SIZE[0]}x{SIZE[1]} from {source}, median "
          f"{statistics.median(len(d) for d in images) / 1e6:.1f} MB; {ROUNDS} rounds; one thread")
    totals, stages, naive = pipeline_figures(images)
    careful = statistics.median(totals)
    print(f"pipeline: median {careful:.1f} ms per upload (p90 {sorted(totals)[int(len(totals) * 0.9)]:.1f} ms) "
          f"= {1000 / careful:.1f} uploads per second per core")
    for stage, samples in stages.items():
        print(f"  {stage:<9} {statistics.median(samples):7.1f} ms")
    naive_ms = statistics.median(naive)
    print(f"naive (full decode per output): median {naive_ms:.0f} ms; the pipeline is {naive_ms / careful:.1f}x faster")
    stored = stored_upload_figures(images)
    print(f"stored upload (pipeline + fsynced files + rows): median {statistics.median(stored):.1f} ms "
          f"= {1000 / statistics.median(stored):.1f} per second per core")
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_rss) / 1024
    print(f"peak resident memory grew by {grown:.0f} MB (including the test images held in memory)")
    print(f"listing on {LIST_ARTWORKS} artworks (median of 30, in-process client):")
    for route, ms in listing_figures().items():
        print(f"  {route:<45} {ms:6.1f} ms")


if __name__ == "__main__":
    main()
