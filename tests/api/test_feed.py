"""GET /api/feed?mode=following: the works of followed accounts, newest first, paged by a stable cursor."""

import pytest

from tests.conftest import add_artwork, assert_problem, upload_ok


def stamp(n):
    """Creation times one minute apart, so the expected order does not hang on milliseconds."""
    return f"2026-01-01T10:{n:02d}:00.000Z"


@pytest.fixture
def followed(db, signed_in):
    """A reader following two artists with five public works between them, plus noise.

    Returns (reader client, [artwork ids newest first]).
    """
    reader, _ = signed_in(account_type="collector")
    _, ada = signed_in()
    _, bo = signed_in()
    _, stranger = signed_in()
    ids = {}
    for n, artist in enumerate([ada, bo, ada, bo, ada]):
        ids[n] = add_artwork(db, artist["id"], title=f"work {n}", created_at=stamp(n))
    add_artwork(db, ada["id"], title="hidden", availability_status="private", created_at=stamp(50))
    add_artwork(db, stranger["id"], title="not followed", created_at=stamp(51))
    reader.post(f"/api/follow/{ada['id']}")
    reader.post(f"/api/follow/{bo['id']}")
    return reader, [ids[n] for n in reversed(range(5))], ada


def test_the_feed_lists_followed_public_works_newest_first(followed):
    reader, expected, ada = followed
    body = reader.get("/api/feed?mode=following").get_json()
    assert [item["id"] for item in body["items"]] == expected
    assert (body["total"], body["page"], body["per_page"], body["next_cursor"], body["mode"]) == (
        5, 1, 20, None, "following")
    reason = {"kind": "following", "text": f"New from {ada['artist_name']}, whom you follow", "artwork_id": None}
    assert body["items"][0]["reason"] == reason
    assert "thumbnail_urls" in body["items"][0] and body["items"][0]["liked_by_viewer"] is False


def test_the_cursor_walks_every_work_once_while_new_ones_arrive(db, followed):
    reader, expected, ada = followed
    first = reader.get("/api/feed?mode=following&per_page=2").get_json()
    assert [item["id"] for item in first["items"]] == expected[:2] and first["page"] == 1
    add_artwork(db, ada["id"], title="brand new", created_at=stamp(59))  # newer than everything shown
    second = reader.get(f"/api/feed?mode=following&per_page=2&cursor={first['next_cursor']}").get_json()
    assert [item["id"] for item in second["items"]] == expected[2:4] and second["page"] == 2
    third = reader.get(f"/api/feed?mode=following&per_page=2&cursor={second['next_cursor']}").get_json()
    assert [item["id"] for item in third["items"]] == expected[4:] and third["next_cursor"] is None
    assert third["total"] == 6  # the new work is counted, and waits at the top of a fresh feed
    assert reader.get("/api/feed?mode=following&per_page=1").get_json()["items"][0]["title"] == "brand new"


def test_an_exact_last_page_has_no_next_cursor(followed):
    reader, expected, _ = followed
    first = reader.get("/api/feed?mode=following&per_page=5").get_json()
    assert len(first["items"]) == 5 and first["next_cursor"] is None


def test_unfollowing_empties_the_feed_and_nobody_sees_private_works(followed, signed_in):
    reader, _, ada = followed
    reader.post(f"/api/follow/{ada['id']}")
    titles = [item["title"] for item in reader.get("/api/feed?mode=following").get_json()["items"]]
    assert titles == ["work 3", "work 1"]
    newcomer, _ = signed_in()
    assert newcomer.get("/api/feed?mode=following").get_json() == {"items": [], "total": 0, "page": 1, "per_page": 20,
                                                   "next_cursor": None, "mode": "following"}


@pytest.mark.parametrize("query, field", [
    ("?cursor=garbage", "cursor"), ("?cursor=eyJwIjoxfQ", "cursor"), ("?cursor=%F0%9F%8E%A8", "cursor"),
    ("?page=2", "page"), ("?per_page=0", "per_page"), ("?mode=ranked", "mode"),
])
def test_bad_feed_parameters_are_400(followed, query, field):
    reader, _, _ = followed
    for mode in ("following", "for_you"):
        separator = "&" if query else "?"
        assert field in assert_problem(reader.get(f"/api/feed{query}{separator}mode={mode}"
                                                  if field != "mode" else f"/api/feed{query}"), 400)["errors"]


def test_the_feed_needs_a_session(client):
    assert_problem(client.get("/api/feed"), 401)


def test_uploads_reach_followers_feeds(artist, signed_in):
    artist_client, user = artist
    reader, _ = signed_in()
    reader.post(f"/api/follow/{user['id']}")
    created = upload_ok(artist_client, title="Fresh")
    assert [item["id"] for item in reader.get("/api/feed?mode=following").get_json()["items"]] == [created["id"]]
