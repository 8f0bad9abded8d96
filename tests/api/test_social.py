"""Likes, threaded comments, follows and shares through the API."""

from urllib.parse import parse_qs, urlsplit

import pytest

from store import social
from tests.conftest import add_artwork, assert_problem, upload_ok


@pytest.fixture
def work(db, artist):
    """A public artwork by the signed-in `artist`: (artist client, artist, artwork id)."""
    client, user = artist
    return client, user, add_artwork(db, user["id"], title="Evening Light")


def counts(db, artwork_id):
    return tuple(db.execute("SELECT like_count, comment_count, share_count FROM artworks WHERE id = ?",
                            (artwork_id,)).fetchone())


# --- Likes -------------------------------------------------------------------------------------

def test_like_toggles_and_the_count_follows(db, work, signed_in):
    _, _, artwork_id = work
    fan, _ = signed_in()
    first = fan.post(f"/api/artworks/{artwork_id}/like")
    assert first.status_code == 200
    assert first.get_json() == {"artwork_id": artwork_id, "liked": True, "like_count": 1}
    assert fan.post(f"/api/artworks/{artwork_id}/like").get_json()["liked"] is False
    assert counts(db, artwork_id)[0] == 0
    assert db.execute("SELECT count(*) FROM artwork_likes").fetchone()[0] == 0


def test_like_can_be_set_rather_than_toggled_so_retries_are_safe(db, work, signed_in):
    _, _, artwork_id = work
    fan, _ = signed_in()
    for _ in range(3):
        body = fan.post(f"/api/artworks/{artwork_id}/like", json={"liked": True}).get_json()
        assert body == {"artwork_id": artwork_id, "liked": True, "like_count": 1}
    assert fan.post(f"/api/artworks/{artwork_id}/like", json={"liked": False}).get_json()["like_count"] == 0
    assert fan.post(f"/api/artworks/{artwork_id}/like", json={"liked": False}).get_json()["like_count"] == 0


def test_like_refuses_bad_bodies_and_changes_nothing(db, work, signed_in):
    _, _, artwork_id = work
    fan, _ = signed_in()
    assert_problem(fan.post(f"/api/artworks/{artwork_id}/like", json={"liked": "yes"}), 400)
    body = assert_problem(fan.post(f"/api/artworks/{artwork_id}/like", json={"like_count": 99}), 400)
    assert "set by the server" in body["errors"]["like_count"] or "not a known field" in body["errors"]["like_count"]
    assert_problem(fan.post(f"/api/artworks/{artwork_id}/like", data="liked", content_type="text/plain"), 415)
    assert counts(db, artwork_id)[0] == 0


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data"])
def test_a_form_cannot_toggle_a_like_or_a_follow(db, work, signed_in, content_type):
    _, user, artwork_id = work
    fan, _ = signed_in()
    assert_problem(fan.post(f"/api/artworks/{artwork_id}/like", data="", content_type=content_type), 415)
    assert_problem(fan.post(f"/api/follow/{user['id']}", data="", content_type=content_type), 415)
    assert counts(db, artwork_id)[0] == 0
    assert db.execute("SELECT count(*) FROM artist_follows").fetchone()[0] == 0


def test_like_needs_a_session_and_a_visible_artwork(db, client, work, signed_in):
    artist_client, user, artwork_id = work
    assert_problem(client.post(f"/api/artworks/{artwork_id}/like"), 401)
    private_id = add_artwork(db, user["id"], availability_status="private")
    fan, _ = signed_in()
    assert_problem(fan.post(f"/api/artworks/{private_id}/like"), 404)
    assert_problem(fan.post("/api/artworks/nope/like"), 404)
    # The artist may like their own private work; nobody is notified of it.
    assert artist_client.post(f"/api/artworks/{private_id}/like").get_json()["liked"] is True
    assert db.execute("SELECT count(*) FROM notifications").fetchone()[0] == 0


def test_likes_list_recent_likers_with_their_profiles(db, client, work, signed_in):
    _, _, artwork_id = work
    fans = [signed_in() for _ in range(3)]
    for fan_client, _ in fans:
        fan_client.post(f"/api/artworks/{artwork_id}/like")
    body = client.get(f"/api/artworks/{artwork_id}/likes?per_page=2").get_json()
    assert body["total"] == body["like_count"] == 3
    assert [item["id"] for item in body["items"]] == [fans[2][1]["id"], fans[1][1]["id"]]
    assert set(body["items"][0]) == {"id", "username", "artist_name", "profile_image_url", "account_type",
                                     "liked_at"}
    assert body["liked_by_viewer"] is False
    assert fans[0][0].get(f"/api/artworks/{artwork_id}/likes?page=2&per_page=2").get_json()["liked_by_viewer"]


def test_artworks_say_whether_the_viewer_likes_them(db, work, signed_in):
    _, _, artwork_id = work
    fan, _ = signed_in()
    fan.post(f"/api/artworks/{artwork_id}/like")
    assert fan.get(f"/api/artworks/{artwork_id}").get_json()["liked_by_viewer"] is True
    listed = fan.get("/api/artworks").get_json()["items"]
    assert [(item["id"], item["liked_by_viewer"], item["like_count"]) for item in listed] == [(artwork_id, True, 1)]


# --- Comments ----------------------------------------------------------------------------------

def comment(client, artwork_id, text="Lovely light.", parent=None):
    body = {"comment_text": text}
    if parent:
        body["parent_comment_id"] = parent
    response = client.post(f"/api/artworks/{artwork_id}/comment", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_comment_is_created_trimmed_with_its_author(db, work, signed_in):
    _, _, artwork_id = work
    fan, fan_user = signed_in()
    created = comment(fan, artwork_id, "  Lovely light.\n")
    assert created["comment_text"] == "Lovely light."
    assert created["commenter"]["id"] == fan_user["id"]
    assert (created["depth"], created["parent_comment_id"], created["deleted"]) == (0, None, False)
    assert created["replies"] == []
    assert created["can_delete"] is True
    assert counts(db, artwork_id)[1] == 1


@pytest.mark.parametrize("body, field", [
    ({}, "comment_text"),
    ({"comment_text": "   "}, "comment_text"),
    ({"comment_text": "x" * 2001}, "comment_text"),
    ({"comment_text": 5}, "comment_text"),
    ({"comment_text": "hi", "commenter_id": "me"}, "commenter_id"),
    ({"comment_text": "hi", "parent_comment_id": "nope"}, "parent_comment_id"),
])
def test_bad_comments_are_refused_and_change_nothing(db, work, signed_in, body, field):
    _, _, artwork_id = work
    fan, _ = signed_in()
    problem = assert_problem(fan.post(f"/api/artworks/{artwork_id}/comment", json=body), 400)
    assert field in problem["errors"]
    assert counts(db, artwork_id)[1] == 0
    assert db.execute("SELECT count(*) FROM notifications").fetchone()[0] == 0


def test_a_comment_of_exactly_2000_characters_is_kept(work, signed_in):
    _, _, artwork_id = work
    fan, _ = signed_in()
    assert len(comment(fan, artwork_id, "é" * 2000)["comment_text"]) == 2000


def test_a_reply_must_be_to_a_comment_on_the_same_artwork(db, work, signed_in):
    artist_client, user, artwork_id = work
    other_id = add_artwork(db, user["id"])
    elsewhere = comment(artist_client, other_id)
    fan, _ = signed_in()
    problem = assert_problem(fan.post(f"/api/artworks/{artwork_id}/comment",
                                      json={"comment_text": "hi", "parent_comment_id": elsewhere["id"]}), 400)
    assert "this artwork" in problem["errors"]["parent_comment_id"]


def test_comments_need_a_session_and_a_visible_artwork(db, client, work, signed_in):
    _, user, artwork_id = work
    assert_problem(client.post(f"/api/artworks/{artwork_id}/comment", json={"comment_text": "hi"}), 401)
    private_id = add_artwork(db, user["id"], availability_status="private")
    fan, _ = signed_in()
    assert_problem(fan.post(f"/api/artworks/{private_id}/comment", json={"comment_text": "hi"}), 404)
    assert_problem(fan.get(f"/api/artworks/{private_id}/comments"), 404)


def test_replies_nest_five_deep_and_deeper_ones_attach_to_the_deepest_allowed(db, work, signed_in):
    _, _, artwork_id = work
    fan, _ = signed_in()
    chain = [comment(fan, artwork_id, "root")]
    for depth in range(1, 8):
        chain.append(comment(fan, artwork_id, f"reply {depth}", parent=chain[-1]["id"]))
    assert [c["depth"] for c in chain] == [0, 1, 2, 3, 4, 5, 5, 5]
    # Replies to a depth-5 comment become its siblings, under the depth-4 comment.
    assert chain[6]["parent_comment_id"] == chain[5]["parent_comment_id"] == chain[4]["id"]
    assert chain[7]["parent_comment_id"] == chain[4]["id"]
    assert counts(db, artwork_id)[1] == 8

    threads = fan.get(f"/api/artworks/{artwork_id}/comments").get_json()
    assert threads["total"] == 1 and threads["comment_count"] == 8
    node, depth = threads["items"][0], 0
    while node["replies"]:
        node, depth = node["replies"][0], depth + 1
    assert depth == 5
    depth_4 = threads["items"][0]["replies"][0]["replies"][0]["replies"][0]["replies"][0]
    assert [reply["comment_text"] for reply in depth_4["replies"]] == ["reply 5", "reply 6", "reply 7"]


def test_comments_page_top_level_threads_newest_or_oldest_first(db, client, work, signed_in):
    _, _, artwork_id = work
    fan, _ = signed_in()
    roots = [comment(fan, artwork_id, f"comment {n}") for n in range(5)]
    comment(fan, artwork_id, "a reply", parent=roots[0]["id"])
    newest = client.get(f"/api/artworks/{artwork_id}/comments?per_page=2").get_json()
    assert [c["comment_text"] for c in newest["items"]] == ["comment 4", "comment 3"]
    assert (newest["total"], newest["page"], newest["per_page"], newest["comment_count"]) == (5, 1, 2, 6)
    oldest = client.get(f"/api/artworks/{artwork_id}/comments?sort=oldest&per_page=2").get_json()
    assert [c["comment_text"] for c in oldest["items"]] == ["comment 0", "comment 1"]
    assert [r["comment_text"] for r in oldest["items"][0]["replies"]] == ["a reply"]
    assert oldest["items"][0]["can_delete"] is False  # an anonymous reader
    assert_problem(client.get(f"/api/artworks/{artwork_id}/comments?sort=best"), 400)


def test_deleting_a_comment_with_replies_leaves_a_shell(db, client, work, signed_in):
    _, _, artwork_id = work
    fan, _ = signed_in()
    root = comment(fan, artwork_id, "root")
    reply = comment(fan, artwork_id, "reply", parent=root["id"])
    response = fan.delete(f"/api/comments/{root['id']}")
    assert response.get_json() == {"deleted": True, "id": root["id"]}
    thread = client.get(f"/api/artworks/{artwork_id}/comments").get_json()["items"][0]
    assert (thread["deleted"], thread["comment_text"], thread["commenter"]) == (True, None, None)
    assert thread["replies"][0]["id"] == reply["id"]
    assert counts(db, artwork_id)[1] == 1
    assert db.execute("SELECT comment_text FROM artwork_comments WHERE id = ?", (root["id"],)).fetchone()[0] \
        == social.ERASED_TEXT
    assert_problem(fan.delete(f"/api/comments/{root['id']}"), 404)  # already gone
    problem = assert_problem(fan.post(f"/api/artworks/{artwork_id}/comment",
                                      json={"comment_text": "hi", "parent_comment_id": root["id"]}), 400)
    assert "deleted" in problem["errors"]["parent_comment_id"]

    # Deleting the last reply also removes the empty shell above it.
    fan.delete(f"/api/comments/{reply['id']}")
    assert client.get(f"/api/artworks/{artwork_id}/comments").get_json()["total"] == 0
    assert db.execute("SELECT count(*) FROM artwork_comments").fetchone()[0] == 0
    assert counts(db, artwork_id)[1] == 0


def test_the_artist_may_delete_comments_on_their_work_but_others_may_not(db, client, work, signed_in):
    artist_client, _, artwork_id = work
    fan, _ = signed_in()
    stranger, _ = signed_in()
    created = comment(fan, artwork_id)
    assert_problem(client.delete(f"/api/comments/{created['id']}"), 401)
    assert_problem(stranger.delete(f"/api/comments/{created['id']}"), 403)
    assert counts(db, artwork_id)[1] == 1
    listed = artist_client.get(f"/api/artworks/{artwork_id}/comments").get_json()["items"][0]
    assert listed["can_delete"] is True
    assert artist_client.delete(f"/api/comments/{created['id']}").status_code == 200
    assert counts(db, artwork_id)[1] == 0
    assert_problem(fan.delete("/api/comments/nope"), 404)


def test_comments_on_a_work_made_private_are_404_for_their_author(db, work, signed_in):
    artist_client, _, artwork_id = work
    fan, _ = signed_in()
    created = comment(fan, artwork_id)
    artist_client.put(f"/api/artworks/{artwork_id}", json={"availability_status": "private"})
    assert_problem(fan.delete(f"/api/comments/{created['id']}"), 404)


# --- Follows -----------------------------------------------------------------------------------

def test_follow_toggles_and_counts_on_both_sides_stay_exact(db, artist, signed_in):
    _, star = artist
    fan, fan_user = signed_in()
    body = fan.post(f"/api/follow/{star['id']}").get_json()
    assert body == {"artist_id": star["id"], "following": True, "follower_count": 1, "user_following_count": 1}
    assert fan.get(f"/api/artists/{star['id']}").get_json()["followed_by_viewer"] is True
    body = fan.post(f"/api/follow/{star['id']}").get_json()
    assert body == {"artist_id": star["id"], "following": False, "follower_count": 0, "user_following_count": 0}
    assert fan.post(f"/api/follow/{star['id']}", json={"following": False}).get_json()["follower_count"] == 0
    assert fan.get(f"/api/artists/{star['id']}").get_json()["followed_by_viewer"] is False
    row = db.execute("SELECT follower_count FROM artists WHERE id = ?", (star["id"],)).fetchone()
    assert row[0] == 0


def test_follow_refuses_yourself_strangers_and_the_signed_out(client, artist):
    artist_client, user = artist
    assert_problem(artist_client.post(f"/api/follow/{user['id']}"), 400)
    assert_problem(artist_client.post("/api/follow/nobody"), 404)
    assert_problem(client.post(f"/api/follow/{user['id']}"), 401)
    assert_problem(artist_client.post(f"/api/follow/{user['id']}", json={"following": 1}), 400)


def test_followers_and_following_are_listed_newest_first(client, artist, signed_in):
    _, star = artist
    fans = [signed_in() for _ in range(3)]
    for fan_client, _ in fans:
        fan_client.post(f"/api/follow/{star['id']}")
    fans[0][0].post(f"/api/follow/{fans[1][1]['id']}")

    followers = fans[0][0].get(f"/api/artists/{star['id']}/followers?per_page=2").get_json()
    assert followers["total"] == 3
    assert [f["id"] for f in followers["items"]] == [fans[2][1]["id"], fans[1][1]["id"]]
    assert [f["followed_by_viewer"] for f in followers["items"]] == [False, True]
    following = client.get(f"/api/artists/{fans[0][1]['id']}/following").get_json()
    assert [f["id"] for f in following["items"]] == [fans[1][1]["id"], star["id"]]
    assert following["total"] == 2 and following["items"][1]["follower_count"] == 3
    assert_problem(client.get("/api/artists/nobody/followers"), 404)
    assert_problem(client.get(f"/api/artists/{star['id']}/following?per_page=0"), 400)


def test_profiles_carry_follow_counts_likes_and_shares_received(db, client, work, signed_in):
    artist_client, user, artwork_id = work
    hidden_id = add_artwork(db, user["id"], availability_status="private")
    fan, _ = signed_in()
    fan.post(f"/api/follow/{user['id']}")
    fan.post(f"/api/artworks/{artwork_id}/like")
    artist_client.post(f"/api/artworks/{hidden_id}/like")
    fan.post(f"/api/artworks/{artwork_id}/share", json={"channel": "link"})
    public = client.get(f"/api/artists/{user['id']}").get_json()
    assert (public["follower_count"], public["likes_received"], public["shares_received"]) == (1, 1, 1)
    own = artist_client.get("/api/auth/user").get_json()
    assert (own["user"]["likes_received"], own["user"]["shares_received"]) == (2, 1)
    assert own["portfolio"]["stats"]["total_shares"] == 1


# --- Shares ------------------------------------------------------------------------------------

def test_share_links_and_card_metadata(app, artist, make_app):
    client, user = artist
    artwork = upload_ok(client, title="Harbour at Dawn", description="Boats " * 60, medium="Oil")
    body = client.get(f"/api/artworks/{artwork['id']}/share").get_json()
    assert body["url"] == f"http://localhost/artworks/{artwork['id']}"
    assert body["title"] == f"Harbour at Dawn by {user['artist_name']}"
    assert body["image_url"].startswith(f"http://localhost/api/artworks/{artwork['id']}/thumbnail?")
    assert len(body["description"]) <= 200 and body["description"].endswith("…")
    assert body["open_graph"]["og:image"] == body["twitter_card"]["twitter:image"] == body["image_url"]
    assert body["open_graph"]["og:image:width"] == 64 and body["twitter_card"]["twitter:card"] == "summary_large_image"
    assert set(body["links"]) == {"x", "facebook", "linkedin", "pinterest", "reddit", "whatsapp", "telegram",
                                  "email"}
    pin = parse_qs(urlsplit(body["links"]["pinterest"]).query)
    assert pin["url"] == [body["url"]] and pin["media"] == [body["image_url"]]
    assert parse_qs(urlsplit(body["links"]["facebook"]).query) == {"u": [body["url"]]}
    assert body["links"]["email"].startswith("mailto:?subject=")
    image = client.get(urlsplit(body["image_url"]).path + "?" + urlsplit(body["image_url"]).query)
    assert image.status_code == 200 and image.mimetype == "image/jpeg"

    configured = make_app(PUBLIC_URL="https://easel.example/").test_client()
    assert configured.get(f"/api/artworks/{artwork['id']}/share").get_json()["url"] \
        == f"https://easel.example/artworks/{artwork['id']}"


def test_shares_are_counted_once_per_visitor_and_channel_in_a_window(db, client, work, signed_in):
    _, _, artwork_id = work
    first = client.post(f"/api/artworks/{artwork_id}/share", json={"channel": "Twitter"})
    assert first.status_code == 201
    assert first.get_json() == {"artwork_id": artwork_id, "channel": "x", "counted": True, "share_count": 1}
    again = client.post(f"/api/artworks/{artwork_id}/share", json={"channel": "x"})
    assert again.status_code == 200 and again.get_json()["counted"] is False
    assert client.post(f"/api/artworks/{artwork_id}/share", json={"channel": "email"}).status_code == 201
    fan, _ = signed_in()
    assert fan.post(f"/api/artworks/{artwork_id}/share", json={"channel": "x"}).get_json()["share_count"] == 3
    assert client.get(f"/api/artworks/{artwork_id}").get_json()["share_count"] == 3
    assert client.get(f"/api/artworks/{artwork_id}/share").get_json()["share_count"] == 3


def test_bad_shares_are_refused(db, client, work):
    _, user, artwork_id = work
    assert assert_problem(client.post(f"/api/artworks/{artwork_id}/share", json={"channel": "myspace"}), 400)[
        "errors"]["channel"]
    assert_problem(client.post(f"/api/artworks/{artwork_id}/share", json={}), 400)
    assert_problem(client.post("/api/artworks/nope/share", json={"channel": "x"}), 404)
    private_id = add_artwork(db, user["id"], availability_status="private")
    assert_problem(client.get(f"/api/artworks/{private_id}/share"), 404)
    assert counts(db, artwork_id)[2] == 0


def test_the_artist_cannot_share_a_private_work(db, artist):
    client, user = artist
    private_id = add_artwork(db, user["id"], availability_status="private")
    assert_problem(client.get(f"/api/artworks/{private_id}/share"), 409)
    assert_problem(client.post(f"/api/artworks/{private_id}/share", json={"channel": "x"}), 409)
