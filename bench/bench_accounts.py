"""Accounts and profiles: what sign-in costs and how fast profiles answer on a populated database.

Prints figures; asserts nothing. Run with `make bench` (or `python -m bench.bench_accounts`).
Sizes can be changed with BENCH_ACCOUNTS and BENCH_ARTWORKS.
"""

import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import store  # noqa: E402
from app import create_app  # noqa: E402
from bench import percentile, timed  # noqa: E402
from store import accounts  # noqa: E402

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "2000"))
ARTWORKS = int(os.environ.get("BENCH_ARTWORKS", "20000"))
PASSWORD = "benchmark password"


def report(name, samples):
    p95 = percentile(samples, 0.95)
    print(f"  {name:<44} p50 {statistics.median(samples):8.2f} ms   p95 {p95:8.2f} ms   (n={len(samples)})")


def populate(path):
    """ACCOUNTS accounts (one shared real scrypt hash) and ARTWORKS artworks, 10% private."""
    password_hash = generate_password_hash(PASSWORD)
    conn = store.connect(path)
    ids = [accounts.create_account(conn, username=f"bench_{n}", email=f"bench{n}@example.com",
                                   password_hash=password_hash, artist_name=f"Bench Artist {n}",
                                   location=random.choice(["Lyon", "Kyoto", "Lagos", "Lima"]))
           for n in range(ACCOUNTS)]
    rows = [(store.new_id(), random.choice(ids), f"Work {n}", random.randint(0, 500), random.randint(0, 50),
             "private" if n % 10 == 0 else "available") for n in range(ARTWORKS)]
    with store.transaction(conn):
        conn.executemany("INSERT INTO artworks (id, artist_id, title, view_count, like_count, availability_status) "
                         "VALUES (?, ?, ?, ?, ?, ?)", rows)
    conn.close()
    return ids


def bench_hashing():
    print("Password hashing (werkzeug scrypt, production parameters):")
    hashed = generate_password_hash(PASSWORD)
    print(f"  method {hashed.split('$')[0]}")
    report("generate_password_hash", timed(lambda: generate_password_hash(PASSWORD), 10))
    report("check_password_hash", timed(lambda: check_password_hash(hashed, PASSWORD), 10))


def bench_in_process(data_dir, ids):
    print(f"In-process requests (Flask test client; {ACCOUNTS} accounts, {ARTWORKS} artworks):")
    app = create_app({"DATA_DIR": str(data_dir), "RATELIMIT_ENABLED": False, "LOG_LEVEL": "WARNING"})
    client = app.test_client()
    response = client.post("/api/auth/login", json={"username": "bench_0", "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    report("GET /api/artists/<id> (profile + overview)",
           timed(lambda: client.get(f"/api/artists/{random.choice(ids)}"), 300))
    report("GET /api/auth/user (session + stats)", timed(lambda: client.get("/api/auth/user"), 300))
    report("GET /api/artists?sort=followers&page=N",
           timed(lambda: client.get(f"/api/artists?sort=followers&page={random.randint(1, 50)}"), 200))
    report("GET /api/artists?location=ky (LIKE scan)", timed(lambda: client.get("/api/artists?location=ky"), 100))
    report("POST /api/auth/login (scrypt dominates)",
           timed(lambda: client.post("/api/auth/login", json={"username": "bench_1", "password": PASSWORD}), 10))


def bench_http(data_dir, ids, workers=2, threads=8, requests_per_thread=150):
    print(f"Real HTTP (gunicorn, {workers} sync workers, {threads} client threads):")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "DATA_DIR": str(data_dir), "LOG_LEVEL": "WARNING", "RATELIMIT_ENABLED": "false"}
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers),
                               "--bind", f"127.0.0.1:{port}", "app:app"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/api/artists", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        latencies = []

        def hammer():
            for _ in range(requests_per_thread):
                started = time.perf_counter()
                with urllib.request.urlopen(f"{base}/api/artists/{random.choice(ids)}", timeout=10) as response:
                    json.loads(response.read())
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        pool = [threading.Thread(target=hammer) for _ in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        elapsed = time.perf_counter() - started
        report("GET /api/artists/<id> over HTTP", latencies)
        print(f"  throughput {len(latencies) / elapsed:,.0f} requests/s")
    finally:
        server.terminate()
        server.wait(timeout=15)


def main():
    random.seed(7)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        started = time.perf_counter()
        store.initialise(data_dir / "easel.sqlite3")
        ids = populate(data_dir / "easel.sqlite3")
        print(f"Populated {ACCOUNTS} accounts and {ARTWORKS} artworks in {time.perf_counter() - started:.1f} s")
        bench_hashing()
        bench_in_process(data_dir, ids)
        bench_http(data_dir, ids)


if __name__ == "__main__":
    main()
