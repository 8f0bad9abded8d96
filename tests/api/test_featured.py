"""GET /api/featured and /api/trending, and curator tuning: config, gate, history, rollback, preview."""

from datetime import UTC, datetime, timedelta

import pytest

from store import new_id
from tests.conftest import add_artwork, assert_problem, insert, register


def stamp(days_ago=0.0, hours_ago=0.0):
    moment = datetime.now(UTC) - timedelta(days=days_ago, hours=hours_ago)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def account(db, name, role="user"):
    return insert(db, "artists", {"id": new_id(), "username": name, "email": f"{name}@example.com",
                                  "password_hash": "!", "artist_name": name.title(), "role": role})


def like(db, user_id, artwork_id, days_ago=1.0):
    db.execute("INSERT INTO artwork_likes (artwork_id, user_id, liked_at) VALUES (?, ?, ?)",
               (artwork_id, user_id, stamp(days_ago)))


@pytest.fixture
def curator(signed_in, db):
    client, user = signed_in()
    db.execute("UPDATE artists SET role = 'curator' WHERE id = ?", (user["id"],))
    return client


@pytest.fixture
def catalogue(db):
    """30 works by 10 artists; the two oldest are the favourites: each of 8 readers likes three
    other works first and one favourite last (the like leave-last-out holds out)."""
    artists = [account(db, f"painter_{i}") for i in range(10)]
    works = [add_artwork(db, artists[i % 10], title=f"Work {i}", medium=["Oil", "Ink", "Clay"][i % 3],
                         created_at=stamp(days_ago=40 - i)) for i in range(30)]
    favourites = works[:2]
    readers = [account(db, f"reader_{i}") for i in range(8)]
    for i, reader in enumerate(readers):
        for other in works[2 + i * 3: 5 + i * 3]:
            like(db, reader, other, days_ago=3)
        like(db, reader, favourites[i % 2], days_ago=1)
    for extra in range(12):   # people with one like each (so not evaluated) like the favourites too
        like(db, account(db, f"fan_{extra}"), favourites[extra % 2], days_ago=2)
    return {"artists": artists, "works": works, "favourites": favourites, "readers": readers}


def featured_ids(client, **params):
    body = client.get("/api/featured", query_string={"per_page": 100, **params}).get_json()
    return [item["id"] for item in body["items"]]


# --- GET /api/featured -------------------------------------------------------------------------------

def test_featured_ranks_public_works_with_a_score_breakdown(client, catalogue):
    body = client.get("/api/featured?per_page=5").get_json()
    assert body["total"] == 20 and body["type"] == "artworks" and body["config_version"] == 0  # 2 per artist
    first = body["items"][0]
    assert first["id"] in catalogue["favourites"]
    assert first["position"] == 1
    assert set(first["score_breakdown"]) >= {"engagement", "velocity", "quality", "recency", "novelty",
                                             "similarity_to_above", "rerank_score", "near_duplicates_collapsed"}
    assert first["score"] == pytest.approx(sum(first["score_breakdown"][name]["contribution"] for name in
                                               ("engagement", "velocity", "quality", "recency", "novelty")),
                                           abs=1e-3)
    assert [item["position"] for item in client.get("/api/featured?per_page=5&page=2").get_json()["items"]] == \
        [6, 7, 8, 9, 10]


def test_featured_is_stable_within_the_period_and_drops_works_made_private(client, db, catalogue):
    before = featured_ids(client)
    late_favourite = catalogue["works"][29]
    for i in range(10):
        like(db, account(db, f"late_{i}"), late_favourite, days_ago=0)
    assert featured_ids(client) == before                     # cached for the period
    db.execute("UPDATE artworks SET availability_status = 'private' WHERE id = ?", (before[0],))
    assert featured_ids(client) == before[1:]                 # but never shows a private work
    db.execute("DELETE FROM artworks WHERE id = ?", (before[1],))
    assert featured_ids(client) == before[2:]


def test_private_works_are_never_candidates(client, db):
    artist = account(db, "hider")
    add_artwork(db, artist, title="Public")
    add_artwork(db, artist, title="Secret", availability_status="private")
    body = client.get("/api/featured").get_json()
    assert [item["title"] for item in body["items"]] == ["Public"]


def test_at_most_two_works_per_artist_by_default(client, db):
    artist, other = account(db, "prolific"), account(db, "other")
    for i in range(5):
        add_artwork(db, artist, title=f"Mine {i}")
    add_artwork(db, other, title="Theirs")
    items = client.get("/api/featured").get_json()["items"]
    assert sorted(item["artist"]["id"] for item in items) == sorted([artist, artist, other])


def test_rising_artists(client, db, catalogue):
    for i in range(5):
        db.execute("INSERT INTO artist_follows (follower_id, following_id) VALUES (?, ?)",
                   (account(db, f"follower_{i}"), catalogue["artists"][3]))
    body = client.get("/api/featured?type=artists").get_json()
    assert body["type"] == "artists"
    assert body["items"][0]["id"] == catalogue["artists"][3]
    assert set(body["items"][0]["score_breakdown"]) == {"follower_growth", "engagement_growth", "novelty"}
    assert "email" not in body["items"][0]


def test_bad_featured_parameters_are_400(client):
    assert "type" in assert_problem(client.get("/api/featured?type=galleries"), 400)["errors"]


# --- GET /api/trending -------------------------------------------------------------------------------

def test_trending_works_and_tags_grow_against_their_own_baseline(client, db):
    artist = account(db, "trendsetter")
    steady, rising = add_artwork(db, artist, title="Steady"), add_artwork(db, artist, title="Rising")
    db.execute("INSERT INTO tags (name) VALUES ('fog')")
    db.execute("INSERT INTO artwork_tags (artwork_id, tag_id) SELECT ?, id FROM tags WHERE name = 'fog'", (rising,))
    for i in range(14):   # the steady work had two likes a day all week: today's two are nothing new
        like(db, account(db, f"old_{i}"), steady, days_ago=2 + i // 2)
    for i in range(2):
        like(db, account(db, f"today_{i}"), steady, days_ago=0.1)
    for i in range(6):
        like(db, account(db, f"new_{i}"), rising, days_ago=0.1)
    body = client.get("/api/trending").get_json()
    assert body["window"] == "24h" and body["type"] == "artworks"
    assert [item["title"] for item in body["items"]] == ["Rising", "Steady"]
    assert body["items"][0]["trend"] == {"recent": 6.0, "expected": 0.0, "growth": 3.0}
    tags = client.get("/api/trending?type=tags&window=7d").get_json()["items"]
    assert tags[0]["name"] == "fog" and tags[0]["position"] == 1
    assert "window" in assert_problem(client.get("/api/trending?window=1y"), 400)["errors"]


# --- Curator tuning ------------------------------------------------------------------------------------

CURATOR_ROUTES = [("get", "/api/featured/config", None), ("put", "/api/featured/config", {"config": {}}),
                  ("get", "/api/featured/config/history", None),
                  ("post", "/api/featured/config/rollback", {"version": 1}),
                  ("post", "/api/featured/preview", {"config": {}})]


@pytest.mark.parametrize(("method", "path", "body"), CURATOR_ROUTES)
def test_curator_routes_are_403_for_artists_and_401_signed_out(artist, client, method, path, body):
    artist_client, _ = artist
    assert_problem(getattr(artist_client, method)(path, json=body), 403)
    assert_problem(getattr(client, method)(path, json=body), 401)


def test_the_config_starts_as_the_defaults(curator):
    body = curator.get("/api/featured/config").get_json()
    assert body["version"] == 0 and body["author"] is None
    assert body["config"]["weights"]["engagement"] == 0.35
    assert body["config"]["diversity"]["max_per_artist"] == 2


def test_a_config_change_is_saved_with_its_author_note_and_evaluation_and_takes_effect(curator, catalogue, client):
    before = featured_ids(client)
    response = curator.put("/api/featured/config", json={"config": {"diversity": {"max_per_artist": 1}},
                                                         "note": "one per artist"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["version"] == 1 and body["note"] == "one per artist" and body["author"]["username"]
    assert body["config"]["diversity"]["max_per_artist"] == 1
    assert body["config"]["weights"]["engagement"] == 0.35          # untouched fields keep their values
    assert body["evaluation"]["users"] == 8 and body["forced"] is False
    after = client.get("/api/featured?per_page=100").get_json()
    assert after["config_version"] == 1 and after["total"] == 10 and featured_ids(client) != before


def test_the_gate_refuses_a_worse_config_unless_forced_with_a_reason(curator, catalogue, client):
    worse = {"weights": {"engagement": 0, "velocity": 0, "quality": 0, "novelty": 0, "recency": 1}}
    refused = assert_problem(curator.put("/api/featured/config", json={"config": worse}), 409)
    figures = refused["evaluation"]
    assert figures["worse_on"] == ["hit_rate@10", "ndcg@10"]
    assert figures["live"]["hit_rate@10"] == 1.0 and figures["candidate"]["hit_rate@10"] == 0.0
    assert {"coverage", "artist_gini", "novelty"} <= set(figures["candidate"])
    assert curator.get("/api/featured/config").get_json()["version"] == 0      # nothing saved
    assert "reason" in assert_problem(curator.put("/api/featured/config", json={"config": worse, "force": True}),
                                      400)["errors"]
    forced = curator.put("/api/featured/config", json={"config": worse, "force": True,
                                                       "reason": "spotlight new work this week"})
    assert forced.status_code == 200
    assert forced.get_json()["forced"] is True and forced.get_json()["reason"] == "spotlight new work this week"
    assert featured_ids(client)[0] == catalogue["works"][29]   # the newest work leads now


def test_history_and_rollback(curator, catalogue):
    for size in (50, 20):
        assert curator.put("/api/featured/config", json={"config": {"size": size}, "note": f"size {size}"}) \
            .status_code == 200
    rolled = curator.post("/api/featured/config/rollback", json={"version": 1})
    assert rolled.status_code == 201
    assert rolled.get_json()["version"] == 3 and rolled.get_json()["rollback_of"] == 1
    assert rolled.get_json()["config"]["size"] == 50
    history = curator.get("/api/featured/config/history").get_json()
    assert history["total"] == 3
    assert [(item["version"], item["note"]) for item in history["items"]] == \
        [(3, "rollback to version 1"), (2, "size 20"), (1, "size 50")]
    assert_problem(curator.post("/api/featured/config/rollback", json={"version": 9}), 404)


def test_pins_and_exclusions_apply_last(curator, catalogue, client):
    works, artists = catalogue["works"], catalogue["artists"]
    config = {"pins": [{"artwork_id": works[29], "position": 1}, {"artwork_id": works[28], "position": 3}],
              "exclusions": {"artworks": [catalogue["favourites"][0]], "artists": [artists[1]]}}
    assert curator.put("/api/featured/config", json={"config": config, "force": True,
                                                     "reason": "exhibition week"}).status_code == 200
    items = client.get("/api/featured?per_page=100").get_json()["items"]
    ids = [item["id"] for item in items]
    assert ids[0] == works[29] and ids[2] == works[28]
    assert items[0]["score_breakdown"]["pinned_position"] == 1
    assert catalogue["favourites"][0] not in ids
    assert not any(item["artist"]["id"] == artists[1] for item in items)


def test_a_bad_config_is_400_naming_the_field(curator, catalogue, db):
    secret = add_artwork(db, catalogue["artists"][0], availability_status="private")
    cases = [({"weights": {"engagement": -1}}, "config.weights.engagement"),
             ({"colour": 1}, "config.colour"),
             ({"weights": {name: 0 for name in ("engagement", "velocity", "quality", "recency", "novelty")}},
              "config.weights"),
             ({"pins": [{"artwork_id": secret, "position": 1}]}, "config.pins.0.artwork_id"),
             ({"pins": [{"artwork_id": catalogue["works"][0], "position": 1},
                        {"artwork_id": catalogue["works"][1], "position": 1}]}, "config.pins"),
             ({"half_life_days": "7"}, "config.half_life_days")]
    for config, field in cases:
        errors = assert_problem(curator.put("/api/featured/config", json={"config": config}), 400)["errors"]
        assert field in errors, (config, errors)
    assert "version" in assert_problem(curator.put("/api/featured/config", json={"config": {}, "version": 3}),
                                       400)["errors"]


def test_preview_shows_the_candidate_beside_the_live_list_without_saving(curator, catalogue):
    newest_first = {"weights": {"engagement": 0, "velocity": 0, "quality": 0, "novelty": 0, "recency": 1}}
    body = curator.post("/api/featured/preview", json={"config": newest_first}).get_json()
    assert body["candidate"][0]["artwork_id"] == catalogue["works"][29]
    assert body["live"][0]["artwork_id"] in catalogue["favourites"]
    assert [move["position"] for move in body["moves"]] == list(range(1, len(body["candidate"]) + 1))
    live_positions = {item["artwork_id"]: i for i, item in enumerate(body["live"], 1)}
    for move in body["moves"]:
        assert move["live_position"] == live_positions.get(move["artwork_id"])
        assert move["moved"] == (None if move["live_position"] is None else move["live_position"] - move["position"])
    assert any(move["moved"] for move in body["moves"])
    assert set(body["dropped"]) == set(live_positions) - {move["artwork_id"] for move in body["moves"]}
    assert curator.get("/api/featured/config/history").get_json()["total"] == 0


def test_signed_out_visitors_see_featured_and_trending(client, catalogue):
    assert client.get("/api/featured").status_code == 200
    assert client.get("/api/trending").status_code == 200


def test_a_reader_sees_the_same_list_as_a_stranger(client, catalogue, app):
    reader = app.test_client()
    register(reader)
    assert featured_ids(reader) == featured_ids(client)
