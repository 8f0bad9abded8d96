"""Structured critique: asking, giving (one per reviewer and version), averages, helpfulness,
standing, the "needs feedback" list with give-to-get, and reporting."""

import pytest

from tests.conftest import assert_problem, encoded, painting, upload_ok

STRENGTHS = "The diagonal of the pier leads the eye straight to the light."
SUGGESTIONS = "The foreground rocks are muddy; a cooler shadow would separate them."


def critique(**fields):
    return {"strengths": STRENGTHS, "suggestions": SUGGESTIONS, **fields}


@pytest.fixture
def studio(signed_in):
    (artist, artist_user), (peer, peer_user), (other, other_user) = signed_in(), signed_in(), signed_in()
    work = upload_ok(artist, encoded(painting(3)), title="Pier at dusk")
    asked = artist.put(f"/api/artworks/{work['id']}", json={
        "critique_requested": True, "critique_questions": ["Is the composition working?", "Too dark?"]})
    assert asked.status_code == 200, asked.get_json()
    assert asked.get_json()["critique"] == {"requested": True, "count": 0,
                                            "questions": ["Is the composition working?", "Too dark?"]}
    return {"artist": artist, "peer": peer, "other": other, "work": work, "artist_id": artist_user["id"],
            "peer_id": peer_user["id"], "other_id": other_user["id"]}


def give(client, work_id, **fields):
    return client.post(f"/api/artworks/{work_id}/critiques", json=critique(**fields))


def test_a_critique_answers_each_question_and_counts_once_per_version(studio, db):
    url_work = studio["work"]["id"]
    given = give(studio["peer"], url_work, composition=4, colour=2, answers=["Yes, strongly.", "A little, yes."])
    assert given.status_code == 201, given.get_json()
    body = given.get_json()
    assert body["ratings"] == {"composition": 4, "colour": 2, "technique": None, "concept": None,
                               "originality": None}
    assert body["answers"] == [{"question": "Is the composition working?", "answer": "Yes, strongly."},
                               {"question": "Too dark?", "answer": "A little, yes."}]
    assert body["current_version"] is True
    assert_problem(give(studio["peer"], url_work, answers=["Again", "Again"]), 409)
    assert db.execute("SELECT critique_count FROM artworks WHERE id = ?", (url_work,)).fetchone()[0] == 1
    assert db.execute("SELECT critiques_given FROM artists WHERE id = ?", (studio["peer_id"],)).fetchone()[0] == 1
    # A new image is a new version: the same reviewer may critique it again.
    db.execute("UPDATE artworks SET image_sha256 = ? WHERE id = ?", ("b" * 64, url_work))
    assert give(studio["peer"], url_work, answers=["Better", "No"]).status_code == 201


def test_bad_critiques_are_refused_and_store_nothing(studio, db, signed_in):
    work_id = studio["work"]["id"]
    assert "answers" in assert_problem(give(studio["peer"], work_id, answers=["only one"]), 400)["errors"]
    short = studio["peer"].post(f"/api/artworks/{work_id}/critiques",
                                json={"strengths": "Nice.", "suggestions": "More.", "answers": ["a", "b"]})
    assert assert_problem(short, 400)["errors"]
    assert "composition" in assert_problem(give(studio["peer"], work_id, composition=6, answers=["a", "b"]),
                                           400)["errors"]
    assert "helpful" in assert_problem(give(studio["peer"], work_id, helpful=True, answers=["a", "b"]),
                                       400)["errors"]
    assert_problem(give(studio["artist"], work_id, answers=["a", "b"]), 403)  # your own work
    unasked = upload_ok(studio["artist"], encoded(painting(4)))
    assert_problem(give(studio["peer"], unasked["id"]), 409)
    private = upload_ok(studio["artist"], encoded(painting(5)), availability_status="private")
    assert_problem(give(studio["peer"], private["id"]), 404)
    assert db.execute("SELECT count(*) FROM critiques").fetchone()[0] == 0


def test_the_list_averages_each_criterion_and_the_artist_marks_helpful(studio, signed_in, db):
    work_id = studio["work"]["id"]
    first = give(studio["peer"], work_id, composition=5, technique=3, answers=["Yes", "No"]).get_json()
    give(studio["other"], work_id, composition=3, color=4, answers=["Mostly", "Yes"])
    listed = studio["other"].get(f"/api/artworks/{work_id}/critiques").get_json()
    assert listed["total"] == 2
    assert listed["averages"]["composition"] == {"average": 4.0, "ratings": 2}
    assert listed["averages"]["colour"] == {"average": 4.0, "ratings": 1}
    assert listed["averages"]["concept"] == {"average": None, "ratings": 0}

    assert_problem(studio["other"].post(f"/api/critiques/{first['id']}/helpful", json={}), 403)
    marked = studio["artist"].post(f"/api/critiques/{first['id']}/helpful", json={})
    assert marked.get_json()["helpful"] is True
    studio["artist"].post(f"/api/critiques/{first['id']}/helpful", json={})  # twice counts once
    profile = studio["other"].get(f"/api/artists/{studio['peer_id']}").get_json()
    assert profile["critique_standing"] == {"critiques_given": 1, "helpful_received": 1}
    unmarked = studio["artist"].post(f"/api/critiques/{first['id']}/helpful", json={"helpful": False})
    assert unmarked.get_json()["helpful"] is False
    assert db.execute("SELECT helpful_received FROM artists WHERE id = ?", (studio["peer_id"],)).fetchone()[0] == 0
    assert_problem(studio["artist"].post("/api/critiques/no-such/helpful", json={}), 404)


def test_needs_feedback_puts_the_least_critiqued_first_and_rewards_giving(signed_in):
    (giver, _), (taker, _), (reader, _) = signed_in(), signed_in(), signed_in()
    reviewers = [signed_in()[0] for _ in range(5)]
    works = {}
    for name, client, seed in (("taker_old", taker, 10), ("giver", giver, 11), ("taker_new", taker, 12)):
        works[name] = upload_ok(client, encoded(painting(seed)), title=name)["id"]
        client.put(f"/api/artworks/{works[name]}", json={"critique_requested": True})
    # One critique each for giver's and taker_old's works: taker_new has none and comes first.
    give(reviewers[0], works["giver"])
    give(reviewers[0], works["taker_old"])
    order = [item["artwork"]["title"] for item in reader.get("/api/critiques/requests").get_json()["items"]]
    assert order == ["taker_new", "taker_old", "giver"]
    # The giver critiques five works of others: a credit of one place puts their work level with
    # the uncritiqued one, and ahead of the one with as many critiques.
    others = [upload_ok(r, encoded(painting(20 + i)))["id"] for i, r in enumerate(reviewers)]
    for client, work_id in zip(reviewers, others, strict=True):
        client.put(f"/api/artworks/{work_id}", json={"critique_requested": True})
        give(giver, work_id)
    listed = reader.get("/api/critiques/requests?per_page=100").get_json()["items"]
    ranked = [item["artwork"]["title"] for item in listed if item["artwork"]["title"] in works]
    assert ranked.index("giver") < ranked.index("taker_old")
    giver_item = next(item for item in listed if item["artwork"]["title"] == "giver")
    assert giver_item["artist_standing"]["critiques_given"] == 5 and giver_item["priority"] == 0.0
    # Your own works and the ones you critiqued in their current version are left out.
    mine = [item["artwork"]["title"] for item in giver.get("/api/critiques/requests?per_page=100").get_json()["items"]]
    assert "giver" not in mine and not set(mine) & {"Untitled"}


def test_a_critique_can_be_reported_and_removed_by_moderation(studio, db, signed_in):
    curator, curator_user = signed_in()
    db.execute("UPDATE artists SET role = 'curator' WHERE id = ?", (curator_user["id"],))
    rude = give(studio["peer"], studio["work"]["id"], composition=1,
                strengths="Nothing at all here is good, nothing whatsoever, none.",
                suggestions="Give up.", answers=["No", "Yes"]).get_json()
    assert_problem(studio["peer"].post(f"/api/critiques/{rude['id']}/report", json={"reason": "insulting"}), 403)
    filed = studio["artist"].post(f"/api/critiques/{rude['id']}/report", json={"reason": "insulting"})
    assert filed.status_code == 201
    item = curator.get("/api/moderation?kind=critique_report").get_json()["items"][0]
    assert item["artwork"]["id"] == studio["work"]["id"] and item["report"]["subject"]["suggestions"] == "Give up."
    assert curator.put(f"/api/moderation/{item['id']}", json={"decision": "remove"}).get_json()["status"] == "removed"
    assert studio["artist"].get(f"/api/artworks/{studio['work']['id']}/critiques").get_json()["total"] == 0
    assert db.execute("SELECT critiques_given FROM artists WHERE id = ?", (studio["peer_id"],)).fetchone()[0] == 0


def test_turning_critique_off_closes_the_request(studio):
    work_id = studio["work"]["id"]
    studio["artist"].put(f"/api/artworks/{work_id}", json={"critique_requested": False})
    assert_problem(give(studio["peer"], work_id, answers=["a", "b"]), 409)
    assert studio["peer"].get("/api/critiques/requests").get_json()["total"] == 0
    assert "critique_questions" in assert_problem(studio["artist"].put(
        f"/api/artworks/{work_id}", json={"critique_questions": ["q"] * 6}), 400)["errors"]
