"""check-counters: every denormalised counter against the rows it counts."""

import pytest

from store import counters
from tests.conftest import add_artwork, add_gallery, insert


@pytest.fixture
def populated(db, signed_in):
    """One of everything that a counter counts, made through the API where a route exists."""
    artist_client, artist = signed_in()
    fan_client, fan = signed_in()
    artwork_id = add_artwork(db, artist["id"], category_id=12)
    db.execute("INSERT INTO tags (name) VALUES ('sea')")
    db.execute("INSERT INTO artwork_tags (artwork_id, tag_id) VALUES (?, (SELECT id FROM tags WHERE name = 'sea'))",
               (artwork_id,))
    gallery_id = add_gallery(db, artist["id"])
    insert(db, "gallery_artworks", {"gallery_id": gallery_id, "artwork_id": artwork_id, "position": 1})
    fan_client.post(f"/api/artworks/{artwork_id}/like")
    fan_client.post(f"/api/artworks/{artwork_id}/comment", json={"comment_text": "Lovely"})
    fan_client.post(f"/api/artworks/{artwork_id}/share", json={"channel": "link"})
    fan_client.post(f"/api/follow/{artist['id']}")
    return {"artist": artist, "fan": fan, "artwork": artwork_id, "gallery": gallery_id}


def corrupt(db, table, column, row_id, value):
    db.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (value, row_id))


def test_a_consistent_database_has_no_wrong_counters(db, populated):
    assert counters.check(db) == {name: [] for name in counters.COUNTERS}


def test_every_counter_is_checked_and_fixed(db, populated):
    targets = {
        "artists.artwork_count": ("artists", populated["artist"]["id"], 1),
        "artists.follower_count": ("artists", populated["artist"]["id"], 1),
        "artists.following_count": ("artists", populated["fan"]["id"], 1),
        "artworks.like_count": ("artworks", populated["artwork"], 1),
        "artworks.comment_count": ("artworks", populated["artwork"], 1),
        "artworks.share_count": ("artworks", populated["artwork"], 1),
        "galleries.artwork_count": ("galleries", populated["gallery"], 1),
        "tags.usage_count": ("tags", db.execute("SELECT id FROM tags WHERE name = 'sea'").fetchone()[0], 1),
        "categories.artwork_count": ("categories", 12, 1),
        "categories.public_artwork_count": ("categories", 12, 1),
    }
    assert set(targets) == set(counters.COUNTERS)
    for name, (table, row_id, _) in targets.items():
        corrupt(db, table, name.split(".")[1], row_id, 7)
    wrong = counters.check(db)
    assert {name: rows for name, rows in wrong.items()} == {
        name: [(row_id, 7, actual)] for name, (_, row_id, actual) in targets.items()}
    assert counters.fix(db) == {name: 1 for name in targets}
    assert counters.check(db) == {name: [] for name in counters.COUNTERS}


def test_the_command_reports_then_repairs(app, db, populated):
    corrupt(db, "artworks", "like_count", populated["artwork"], 5)
    runner = app.test_cli_runner()
    report = runner.invoke(args=["check-counters"])
    assert report.exit_code == 1
    assert f"artworks.like_count: 1 wrong ({populated['artwork']}: 5 -> 1)" in report.output
    assert "artists.follower_count: ok" in report.output
    repaired = runner.invoke(args=["check-counters", "--fix"])
    assert repaired.exit_code == 0 and "Fixed 1 counter." in repaired.output
    clean = runner.invoke(args=["check-counters"])
    assert clean.exit_code == 0 and "wrong" not in clean.output


def test_soft_deleted_comments_do_not_count(db, populated, signed_in):
    artwork_id = populated["artwork"]
    client, _ = signed_in()
    root = client.post(f"/api/artworks/{artwork_id}/comment", json={"comment_text": "root"}).get_json()
    client.post(f"/api/artworks/{artwork_id}/comment", json={"comment_text": "reply", "parent_comment_id": root["id"]})
    client.delete(f"/api/comments/{root['id']}")
    assert db.execute("SELECT comment_count FROM artworks WHERE id = ?", (artwork_id,)).fetchone()[0] == 2
    assert counters.check(db, ["artworks.comment_count"]) == {"artworks.comment_count": []}


def test_public_category_counts_follow_privacy_moves_and_deletes(db, signed_in):
    _, artist = signed_in()
    public = add_artwork(db, artist["id"], category_id=12)
    hidden = add_artwork(db, artist["id"], category_id=12, availability_status="private")

    def count(category_id):
        return db.execute("SELECT artwork_count, public_artwork_count FROM categories WHERE id = ?",
                          (category_id,)).fetchone()

    assert tuple(count(12)) == (2, 1)
    db.execute("UPDATE artworks SET availability_status = 'available' WHERE id = ?", (hidden,))
    assert tuple(count(12)) == (2, 2)
    db.execute("UPDATE artworks SET availability_status = 'sold' WHERE id = ?", (hidden,))  # public to public
    assert tuple(count(12)) == (2, 2)
    db.execute("UPDATE artworks SET category_id = 13, availability_status = 'private' WHERE id = ?", (public,))
    assert (tuple(count(12)), tuple(count(13))) == ((1, 1), (1, 0))
    db.execute("DELETE FROM artworks WHERE id = ?", (hidden,))
    assert tuple(count(12)) == (0, 0)
    assert counters.check(db)["categories.public_artwork_count"] == []
