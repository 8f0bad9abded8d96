"""The daily totals kept by trigger agree with the events they count."""

import random


def test_daily_totals_match_the_events(conn):
    conn.execute("INSERT INTO artists (id, username, email, password_hash, artist_name) "
                 "VALUES ('a', 'ada', 'a@example.com', 'x', 'Ada')")
    works = [f"w{n}" for n in range(6)]
    conn.executemany("INSERT INTO artworks (id, artist_id, title) VALUES (?, 'a', 'Work')", [(w,) for w in works])
    conn.execute("INSERT INTO galleries (id, artist_id, name) VALUES ('g', 'a', 'Gallery')")
    rng = random.Random(5)
    for n in range(500):
        kind = rng.choice(["view", "image_view", "like", "comment", "share", "gallery_view", "follow"])
        artwork = rng.choice(works) if kind not in ("follow", "gallery_view") else None
        conn.execute("INSERT INTO activity_events (artist_id, kind, artwork_id, gallery_id, actor_key, occurred_at) "
                     "VALUES ('a', ?, ?, ?, ?, ?)",
                     (kind, artwork, "g" if kind == "gallery_view" else None, f"u{n}",
                      f"2026-11-{rng.randrange(1, 25):02d}T10:00:00.000Z"))
    conn.execute("DELETE FROM artworks WHERE id = 'w0'")  # its days stay in the totals

    by_day = "SELECT substr(occurred_at, 1, 10), kind, count(*) FROM activity_events GROUP BY 1, 2 ORDER BY 1, 2"
    assert [tuple(row) for row in conn.execute("SELECT day, kind, count FROM activity_daily ORDER BY 1, 2")] == [
        tuple(row) for row in conn.execute(by_day)]
    subjects = conn.execute("SELECT day, kind, subject_id, count FROM activity_daily_subjects ORDER BY 1, 2, 3")
    assert sum(row[3] for row in subjects) == conn.execute(
        "SELECT count(*) FROM activity_events WHERE kind <> 'follow'").fetchone()[0]
