"""Mentorship: mentor profiles and filters, requests, every status move, capacity, goals,
sessions and reviews, privacy, and matching with reasons."""

import sqlite3
import threading

import pytest

from tests.conftest import assert_problem, encoded, painting, register, upload_ok

GOALS = "Learn to handle colour temperature in landscapes"


def offer(client, artist_id, **fields):
    body = {"experience": "Twenty years of plein-air painting and teaching", "specialties": ["landscape"],
            "mediums": ["oil"], "languages": ["English", "French"], "capacity": 2, **fields}
    response = client.put(f"/api/mentors/{artist_id}", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def ask(client, mentor_id, **fields):
    return client.post("/api/mentorships", json={"mentor_id": mentor_id, "goals": GOALS, "proposed_weeks": 8,
                                                 **fields})


@pytest.fixture
def people(signed_in):
    (mentor, mentor_user), (mentee, mentee_user), (other, other_user) = signed_in(), signed_in(), signed_in()
    offer(mentor, mentor_user["id"])
    return {"mentor": mentor, "mentee": mentee, "other": other, "mentor_id": mentor_user["id"],
            "mentee_id": mentee_user["id"], "other_id": other_user["id"]}


def move(client, mentorship_id, status):
    return client.put(f"/api/mentorships/{mentorship_id}", json={"status": status})


def test_mentors_are_listed_and_filtered(people, signed_in, client):
    second, second_user = signed_in()
    offer(second, second_user["id"], specialties=["portrait"], mediums=["charcoal"], languages=["Spanish"],
          capacity=0)
    everyone = client.get("/api/mentors").get_json()
    assert everyone["total"] == 2
    first = everyone["items"][0]
    assert first["artist"]["id"] == people["mentor_id"] and first["open_slots"] == 2
    assert first["standing"] == {"critiques_given": 0, "helpful_received": 0, "completed_mentorships": 0}
    for query, expected in (("specialty=LANDSCAPE", [people["mentor_id"]]), ("medium=charcoal", [second_user["id"]]),
                            ("language=french", [people["mentor_id"]]), ("available=true", [people["mentor_id"]]),
                            ("available=false", [second_user["id"]]), ("medium=watercolour", [])):
        assert [m["artist"]["id"] for m in client.get(f"/api/mentors?{query}").get_json()["items"]] == expected, query
    assert_problem(client.get("/api/mentors?for=you"), 400)
    assert_problem(client.get("/api/mentors?for=me"), 401)
    assert_problem(client.get("/api/mentors?colour=red"), 400)


def test_only_the_artist_sets_their_mentor_profile(people):
    assert_problem(people["other"].put(f"/api/mentors/{people['mentor_id']}", json={
        "experience": "Hijack", "capacity": 9}), 403)
    assert "capacity" in assert_problem(people["mentor"].put(f"/api/mentors/{people['mentor_id']}", json={
        "experience": "x", "capacity": -1}), 400)["errors"]
    assert_problem(people["mentor"].get("/api/mentors/no-such"), 404)


def test_the_status_path_and_its_illegal_moves(people, db):
    requested = ask(people["mentee"], people["mentor_id"])
    assert requested.status_code == 201, requested.get_json()
    mentorship = requested.get_json()
    assert mentorship["status"] == "requested" and mentorship["allowed_statuses"] == ["cancelled"]
    refused = assert_problem(move(people["mentee"], mentorship["id"], "active"), 409)
    assert refused["allowed_statuses"] == ["cancelled"] and "cancelled" in refused["detail"]
    assert_problem(move(people["mentor"], mentorship["id"], "completed"), 409)
    active = move(people["mentor"], mentorship["id"], "active").get_json()
    assert active["status"] == "active" and active["started_at"]
    assert active["allowed_statuses"] == ["completed", "cancelled"]
    assert_problem(move(people["mentor"], mentorship["id"], "declined"), 409)
    done = move(people["mentee"], mentorship["id"], "completed").get_json()
    assert done["status"] == "completed" and done["ended_at"] and done["allowed_statuses"] == []
    assert [e["action"] for e in done["events"]] == ["requested", "active", "completed"]
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM community_events")
    profile = people["other"].get(f"/api/mentors/{people['mentor_id']}").get_json()
    assert profile["standing"]["completed_mentorships"] == 1 and profile["open_slots"] == 2

    declined = ask(people["mentee"], people["mentor_id"]).get_json()
    assert move(people["mentor"], declined["id"], "declined").get_json()["status"] == "declined"
    cancelled = ask(people["mentee"], people["mentor_id"]).get_json()
    assert move(people["mentee"], cancelled["id"], "cancelled").get_json()["status"] == "cancelled"


def test_bad_requests(people, signed_in):
    assert "mentor_id" in assert_problem(ask(people["mentor"], people["mentor_id"]), 400)["errors"]
    assert_problem(ask(people["mentee"], people["other_id"]), 404)  # offers no mentorship
    ask(people["mentee"], people["mentor_id"])
    assert_problem(ask(people["mentee"], people["mentor_id"]), 409)  # one open request per pair
    assert "proposed_weeks" in assert_problem(ask(people["other"], people["mentor_id"], proposed_weeks=0),
                                              400)["errors"]
    assert "status" in assert_problem(people["mentee"].post("/api/mentorships", json={
        "mentor_id": people["mentor_id"], "goals": GOALS, "proposed_weeks": 4, "status": "active"}), 400)["errors"]


def test_capacity_is_enforced_on_request_and_on_accepting(people, signed_in):
    offer(people["mentor"], people["mentor_id"], capacity=1)
    first = ask(people["mentee"], people["mentor_id"]).get_json()
    second = ask(people["other"], people["mentor_id"]).get_json()
    move(people["mentor"], first["id"], "active")
    late, _ = signed_in()
    assert "no open slots" in assert_problem(ask(late, people["mentor_id"]), 409)["detail"]
    assert "no open slots" in assert_problem(move(people["mentor"], second["id"], "active"), 409)["detail"]
    assert_problem(people["mentor"].delete(f"/api/mentors/{people['mentor_id']}"), 409)


def test_two_acceptances_at_once_cannot_overfill_a_mentor(make_app):
    from tests.conftest import PASSWORD
    app = make_app()
    mentor = app.test_client()
    account = register(mentor)
    offer(mentor, account["id"], capacity=1)
    requests = []
    for _ in range(6):
        mentee = app.test_client()
        register(mentee)
        requests.append(ask(mentee, account["id"]).get_json()["id"])
    sessions = []  # one signed-in client per thread: a test client's cookie jar is not shared safely
    for _ in requests:
        session = app.test_client()
        session.post("/api/auth/login", json={"username": account["username"], "password": PASSWORD})
        sessions.append(session)
    statuses, barrier = [], threading.Barrier(len(requests))

    def accept(session, mentorship_id):
        barrier.wait()
        statuses.append(move(session, mentorship_id, "active").status_code)

    threads = [threading.Thread(target=accept, args=pair) for pair in zip(sessions, requests, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [409] * 5
    assert mentor.get(f"/api/mentors/{account['id']}").get_json()["open_slots"] == 0


def test_goals_sessions_and_reviews_belong_to_an_active_mentorship(people, db):
    mentorship = ask(people["mentee"], people["mentor_id"]).get_json()
    base = f"/api/mentorships/{mentorship['id']}"
    assert_problem(people["mentee"].post(f"{base}/goals", json={"title": "Warm lights"}), 409)
    move(people["mentor"], mentorship["id"], "active")
    with_goal = people["mentee"].post(f"{base}/goals", json={"title": "Warm lights, cool shadows"})
    assert with_goal.status_code == 201
    goal = with_goal.get_json()["tracked_goals"][0]
    updated = people["mentor"].put(f"{base}/goals/{goal['id']}", json={"progress": 60}).get_json()
    assert updated["tracked_goals"][0]["progress"] == 60
    assert "progress" in assert_problem(people["mentor"].put(f"{base}/goals/{goal['id']}", json={"progress": 101}),
                                        400)["errors"]
    assert_problem(people["mentor"].put(f"{base}/goals/999", json={"progress": 1}), 404)
    session = people["mentor"].post(f"{base}/sessions", json={"held_on": "2026-11-20",
                                                              "notes": "Looked at three studies"})
    assert session.get_json()["sessions"][0]["notes"] == "Looked at three studies"
    assert "held_on" in assert_problem(people["mentor"].post(f"{base}/sessions", json={
        "held_on": "20 Nov", "notes": "x"}), 400)["errors"]

    work = upload_ok(people["mentee"], encoded(painting(31)))
    people["mentee"].put(f"/api/artworks/{work['id']}", json={"critique_requested": True})
    given = people["mentor"].post(f"/api/artworks/{work['id']}/critiques", json={
        "strengths": "The light in the sky is luminous and well judged.", "suggestions": "Cool the shadows."})
    critique_id = given.get_json()["id"]
    reviewed = people["mentor"].post(f"{base}/reviews", json={"critique_id": critique_id, "note": "Week 2"})
    assert reviewed.get_json()["reviews"][0]["critique_id"] == critique_id
    assert_problem(people["mentor"].post(f"{base}/reviews", json={"critique_id": critique_id}), 409)
    assert "critique_id" in assert_problem(people["mentor"].post(f"{base}/reviews", json={"critique_id": "nope"}),
                                           400)["errors"]


def test_a_mentorship_is_its_parties_alone(people, client):
    mentorship = ask(people["mentee"], people["mentor_id"]).get_json()
    base = f"/api/mentorships/{mentorship['id']}"
    for response in (people["other"].get(base), move(people["other"], mentorship["id"], "cancelled"),
                     people["other"].post(f"{base}/goals", json={"title": "x"}),
                     people["other"].get(f"/api/conversations/{mentorship['conversation_id']}")):
        assert_problem(response, 404)
    assert_problem(client.get(base), 401)
    assert people["other"].get("/api/mentorships").get_json()["total"] == 0
    assert people["mentor"].get("/api/mentorships?role=mentor").get_json()["total"] == 1
    assert people["mentor"].get("/api/mentorships?role=mentee").get_json()["total"] == 0
    thread = people["mentor"].get(f"/api/conversations/{mentorship['conversation_id']}").get_json()
    assert thread["subject"] == {"kind": "mentorship", "id": mentorship["id"]}
    kinds = [n["kind"] for n in people["mentor"].get("/api/notifications").get_json()["items"]]
    assert "mentorship" in kinds


def test_matching_ranks_by_specialty_likeness_and_slots_with_reasons(signed_in):
    (mentee, mentee_user), (alike, alike_user), (apart, apart_user), (full, full_user) = (
        signed_in(), signed_in(), signed_in(), signed_in())
    mentee.put(f"/api/artists/{mentee_user['id']}", json={"specialties": ["landscape"]})
    for seed in (1, 2):
        upload_ok(mentee, encoded(painting(seed)), medium="oil")
        upload_ok(alike, encoded(painting(seed + 100)), medium="oil")
        upload_ok(apart, encoded(painting(seed + 200)), medium="ink")
    offer(alike, alike_user["id"], specialties=["landscape"], mediums=["oil"], capacity=3)
    offer(apart, apart_user["id"], specialties=["manga"], mediums=["ink"], capacity=3)
    offer(full, full_user["id"], specialties=["landscape"], mediums=["oil"], capacity=0)
    ranked = mentee.get("/api/mentors?for=me").get_json()["items"]
    order = [m["artist"]["id"] for m in ranked]
    assert order[0] == alike_user["id"] and order.index(full_user["id"]) < order.index(apart_user["id"])
    best = ranked[0]["match"]
    assert best["shared"] == ["landscape", "oil"] and "landscape" in best["reason"]
    assert "3 of 3 slots open" in best["reason"]
    assert 0 <= best["similarity"] <= 1 and best["score"] > ranked[-1]["match"]["score"]
    assert "no open slots" in next(m for m in ranked if m["artist"]["id"] == full_user["id"])["match"]["reason"]
    assert mentee_user["id"] not in order
