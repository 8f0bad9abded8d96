"""Ranking quality on simulated readers: every metric of the popularity baseline, featured and
the personal feed (leave-last-out over likes; recommend.evaluate).

Prints figures; asserts nothing. Run with `make bench` (or `python -m bench.rank_eval`).

The works are the real museum catalogue (../shared/data/catalog; its first BENCH_EVAL_LIMIT rows,
default 3,000, imported once with generated placeholder images and kept in BENCH_RANK_DB's folder,
default <tmp>/easel-rank-eval). The readers are SYNTHETIC: `flask simulate`'s hidden tastes (mediums,
colours, subjects, artists), position bias and noise, BENCH_READERS of them (default 1,000) over
60 days, on a fresh copy of the catalogue each run. Skips when the catalogue is absent.
"""

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import store  # noqa: E402
from recommend import evaluate, featured, simulate  # noqa: E402
from recommend.config import Diversity, FeaturedConfig  # noqa: E402
from search import tfidf  # noqa: E402
from store import catalog  # noqa: E402
from store.media import MediaStore  # noqa: E402

CATALOGUE = ROOT.parent / "shared" / "data" / "catalog" / "artworks.csv"
LIMIT = int(os.environ.get("BENCH_EVAL_LIMIT", "3000"))
READERS = int(os.environ.get("BENCH_READERS", "1000"))
FOLDER = Path(os.environ.get("BENCH_RANK_DB") or Path(tempfile.gettempdir()) / "easel-rank-eval")


def imported_catalogue():
    """The imported catalogue's database (built once)."""
    path = FOLDER / "catalogue.sqlite3"
    if path.exists():
        return path
    FOLDER.mkdir(parents=True, exist_ok=True)
    building = FOLDER / "building.sqlite3"
    building.unlink(missing_ok=True)
    store.initialise(building)
    conn = store.connect(building)
    started = time.perf_counter()
    try:
        rows = catalog.read_catalogue(CATALOGUE)[:LIMIT]
        catalog.import_catalogue(conn, MediaStore(FOLDER / "media"), rows, workers=os.cpu_count() or 1)
        tfidf.reindex(conn)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    building.rename(path)
    print(f"imported {len(rows):,} catalogue works in {time.perf_counter() - started:.0f} s")
    return path


def main():
    if not CATALOGUE.exists():
        print(f"skipped: {CATALOGUE} is absent (the shared data is not part of a clone)")
        return
    source = imported_catalogue()
    path = FOLDER / "run.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, path)
    conn = store.connect(path)
    try:
        started = time.perf_counter()
        result = simulate.simulate(conn, users=READERS, sessions=40, days=60, seed=1, spread_uploads=True)
        print(f"SYNTHETIC readers: {len(result.users):,} with {result.views:,} page views, {result.likes:,} likes and "
              f"{result.follows:,} follows ({time.perf_counter() - started:.0f} s)")
        _, live = featured.live(conn)
        no_diversity = FeaturedConfig(diversity=Diversity(max_per_artist=200, relevance=1.0,
                                                          collapse_near_duplicates=False))
        started = time.perf_counter()
        featured_results, users = evaluate.evaluate_featured(
            conn, str(path), {"featured": live, "featured, no diversity": no_diversity}, max_users=READERS)
        feed_results, _ = evaluate.evaluate_feed(conn, str(path), live, max_users=READERS)
        print(f"{users:,} readers evaluated, leave-last-out ({time.perf_counter() - started:.0f} s)\n")
        results = {**featured_results, "feed": feed_results["feed"]}
        for line in evaluate.table(results):
            print(line)
    finally:
        conn.close()


if __name__ == "__main__":
    main()
