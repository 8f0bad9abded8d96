"""Eight threads toggling likes and follows on one database file, through the real app."""

import random
import threading
import time

from store import counters
from tests.conftest import PASSWORD, add_artwork

SECONDS = 3
THREADS = 8


def test_racing_toggles_leave_every_counter_exact(app, db, signed_in):
    users = [signed_in() for _ in range(THREADS // 2)]
    artworks = [add_artwork(db, users[n % 2][1]["id"], title=f"work {n}") for n in range(3)]
    # Two clients per user, each with its own session, so one person's toggles race each other.
    clients = []
    for _, user in users:
        for _ in range(2):
            client = app.test_client()
            assert client.post("/api/auth/login", json={"username": user["username"],
                                                        "password": PASSWORD}).status_code == 200
            clients.append((client, user))
    failures, requests = [], [0] * THREADS
    deadline = time.monotonic() + SECONDS

    def toggle(index, client, user):
        rng = random.Random(index)
        others = [other["id"] for _, other in users if other["id"] != user["id"]]
        while time.monotonic() < deadline:
            if rng.random() < 0.5:
                path = f"/api/artworks/{rng.choice(artworks)}/like"
            else:
                path = f"/api/follow/{rng.choice(others)}"
            response = client.post(path)
            requests[index] += 1
            body = response.get_json()
            if response.status_code != 200 or min(v for v in body.values() if type(v) is int) < 0:
                failures.append((path, response.status_code, body))

    threads = [threading.Thread(target=toggle, args=(i, c, u)) for i, (c, u) in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert sum(requests) > 100, requests  # the threads really did race
    assert counters.check(db) == {name: [] for name in counters.COUNTERS}
    # Every like or follow by someone else has exactly one notification, and undone ones have none.
    likes = db.execute("SELECT count(*) FROM artwork_likes l JOIN artworks w ON w.id = l.artwork_id "
                       "WHERE l.user_id <> w.artist_id").fetchone()[0]
    follows = db.execute("SELECT count(*) FROM artist_follows").fetchone()[0]
    kinds = dict(db.execute("SELECT kind, count(*) FROM notifications GROUP BY kind").fetchall())
    assert (kinds.get("like", 0), kinds.get("follow", 0)) == (likes, follows)
