"""Notifications: who hears of what, the inbox order, and marking read."""

import pytest

from store import notifications
from tests.conftest import add_artwork, assert_problem


@pytest.fixture
def scene(db, artist, signed_in):
    """An artist with a public work, and a fan: (artist client, artist, artwork id, fan client, fan)."""
    artist_client, user = artist
    artwork_id = add_artwork(db, user["id"], title="Evening Light")
    fan_client, fan = signed_in(artist_name="Fan Name")
    return artist_client, user, artwork_id, fan_client, fan


def inbox(client, query=""):
    response = client.get(f"/api/notifications{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_likes_comments_and_follows_notify_the_artist(scene):
    artist_client, user, artwork_id, fan, fan_user = scene
    fan.post(f"/api/artworks/{artwork_id}/like")
    fan.post(f"/api/artworks/{artwork_id}/comment", json={"comment_text": "Wonderful blues " * 20})
    fan.post(f"/api/follow/{user['id']}")
    body = inbox(artist_client)
    assert (body["total"], body["unread_count"]) == (3, 3)
    assert [n["kind"] for n in body["items"]] == ["follow", "comment", "like"]
    follow, comment, like = body["items"]
    assert like["message"] == "Fan Name liked “Evening Light”."
    assert like["actor"]["id"] == fan_user["id"] and like["artwork"]["id"] == artwork_id
    assert comment["comment"]["excerpt"].startswith("Wonderful blues") and len(comment["comment"]["excerpt"]) == 140
    assert follow["message"] == "Fan Name started following you." and follow["artwork"] is None
    assert follow["read"] is False and follow["read_at"] is None
    assert inbox(fan)["total"] == 0  # nobody is told of their own actions


def test_a_reply_notifies_the_comment_author_and_the_artist_once_each(scene, signed_in):
    artist_client, _, artwork_id, fan, _ = scene
    root = fan.post(f"/api/artworks/{artwork_id}/comment", json={"comment_text": "First!"}).get_json()
    other, _ = signed_in(artist_name="Other")
    other.post(f"/api/artworks/{artwork_id}/comment", json={"comment_text": "Agreed", "parent_comment_id": root["id"]})
    assert [n["kind"] for n in inbox(fan)["items"]] == ["reply"]
    assert inbox(fan)["items"][0]["message"] == "Other replied to your comment on “Evening Light”."
    assert [n["kind"] for n in inbox(artist_client)["items"]] == ["comment", "comment"]
    # The artist replying to a comment on their own work tells the commenter only.
    artist_client.post(f"/api/artworks/{artwork_id}/comment",
                       json={"comment_text": "Thanks", "parent_comment_id": root["id"]})
    assert [n["kind"] for n in inbox(fan)["items"]] == ["reply", "reply"]
    assert inbox(artist_client)["total"] == 2


def test_an_artist_replying_to_themselves_gets_no_notification(scene):
    artist_client, _, artwork_id, _, _ = scene
    root = artist_client.post(f"/api/artworks/{artwork_id}/comment", json={"comment_text": "Notes"}).get_json()
    artist_client.post(f"/api/artworks/{artwork_id}/comment",
                       json={"comment_text": "More notes", "parent_comment_id": root["id"]})
    assert inbox(artist_client)["total"] == 0


def test_undoing_a_like_or_follow_withdraws_its_notification(scene):
    artist_client, user, artwork_id, fan, _ = scene
    for _ in range(5):  # like, unlike, like, unlike, like
        fan.post(f"/api/artworks/{artwork_id}/like")
    fan.post(f"/api/follow/{user['id']}")
    fan.post(f"/api/follow/{user['id']}")
    assert [n["kind"] for n in inbox(artist_client)["items"]] == ["like"]


def test_deleting_a_comment_removes_its_notifications(scene):
    artist_client, _, artwork_id, fan, _ = scene
    created = fan.post(f"/api/artworks/{artwork_id}/comment", json={"comment_text": "Oops"}).get_json()
    fan.delete(f"/api/comments/{created['id']}")
    assert inbox(artist_client)["total"] == 0


def test_unread_come_first_and_can_be_marked_by_id_or_all(db, scene, signed_in):
    artist_client, user, artwork_id, fan, _ = scene
    fans = [signed_in()[0] for _ in range(3)]
    for client in fans:
        client.post(f"/api/artworks/{artwork_id}/like")
    oldest, middle, newest = reversed(inbox(artist_client)["items"])

    marked = artist_client.post("/api/notifications/read", json={"ids": [newest["id"], "unknown"]})
    assert marked.get_json() == {"marked": 1, "not_found": ["unknown"], "unread_count": 2}
    body = inbox(artist_client)
    assert [n["id"] for n in body["items"]] == [middle["id"], oldest["id"], newest["id"]]
    assert body["items"][2]["read"] is True and body["unread_count"] == 2
    assert [n["id"] for n in inbox(artist_client, "?unread=true")["items"]] == [middle["id"], oldest["id"]]
    assert inbox(artist_client, "?unread=true")["total"] == 2

    # Another user's notification ids are not theirs to mark.
    assert fan.post("/api/notifications/read", json={"ids": [middle["id"]]}).get_json()["not_found"] == [middle["id"]]
    assert artist_client.post("/api/notifications/read", json={"all": True}).get_json() == {
        "marked": 2, "not_found": [], "unread_count": 0}
    assert inbox(artist_client)["total"] == 3


@pytest.mark.parametrize("body", [{}, {"all": True, "ids": ["x"]}, {"ids": []}, {"ids": "x"}, {"all": "yes"},
                                  {"ids": ["x"] * 101}, {"all": False}])
def test_marking_read_refuses_bad_bodies(scene, body):
    artist_client, _, artwork_id, fan, _ = scene
    fan.post(f"/api/artworks/{artwork_id}/like")
    assert_problem(artist_client.post("/api/notifications/read", json=body), 400)
    assert inbox(artist_client)["unread_count"] == 1


def test_notifications_need_a_session(client):
    assert_problem(client.get("/api/notifications"), 401)
    assert_problem(client.post("/api/notifications/read", json={"all": True}), 401)
    assert_problem(client.get("/api/notifications?unread=maybe"), 401)


def test_notifications_about_a_work_the_recipient_cannot_see_are_hidden(db, scene):
    artist_client, user, artwork_id, fan, fan_user = scene
    root = fan.post(f"/api/artworks/{artwork_id}/comment", json={"comment_text": "hi"}).get_json()
    artist_client.post(f"/api/artworks/{artwork_id}/comment",
                       json={"comment_text": "yo", "parent_comment_id": root["id"]})
    assert inbox(fan)["total"] == 1
    artist_client.put(f"/api/artworks/{artwork_id}", json={"availability_status": "private"})
    assert inbox(fan) == {"items": [], "total": 0, "page": 1, "per_page": 20, "unread_count": 0}
    assert inbox(artist_client)["total"] == 1  # the owner still sees theirs


def test_later_issues_notify_through_the_same_function(db, scene):
    artist_client, user, _, _, fan = scene
    conn = db
    notifications.notify(conn, user["id"], "commission", actor_id=fan["id"], subject_id="c-1",
                         data={"message": "{actor} asked you for a commission: {a {0} sketch}."})
    assert inbox(artist_client)["items"][0]["message"] == "Fan Name asked you for a commission: {a {0} sketch}."
    with pytest.raises(ValueError):
        notifications.notify(conn, user["id"], "poke")
