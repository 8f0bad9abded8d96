"""Exhibitions through the API: calls for entry, screened submissions, reviews and the virtual show."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import add_artwork, assert_problem, encoded, painting, upload_ok


def day(offset):
    return (datetime.now(UTC).date() + timedelta(days=offset)).isoformat()


def call(**fields):
    return {"title": "Night Light", "description": "Nocturnes", "submission_deadline": day(10),
            "exhibition_start": day(20), "exhibition_end": day(40), "location": "online",
            "requirements": "Recent work only.", "submission_fee": 15, **fields}


def create(client, **fields):
    response = client.post("/api/exhibitions", json=call(**fields))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def submit(client, exhibition_id, artwork_ids, statement="My statement"):
    return client.post(f"/api/exhibitions/{exhibition_id}/submit",
                       json={"artwork_ids": artwork_ids, "artist_statement": statement})


def set_dates(db, exhibition_id, deadline, start, end):
    db.execute("UPDATE exhibitions SET submission_deadline = ?, exhibition_start = ?, exhibition_end = ? "
               "WHERE id = ?", (day(deadline), day(start), day(end), exhibition_id))


@pytest.fixture
def organiser(signed_in):
    return signed_in()


def test_create_returns_the_call_with_its_rules(organiser):
    client, user = organiser
    body = create(client, rules={"max_artworks_per_artist": 3, "allowed_mediums": ["oil", "ink"],
                                 "min_long_edge_px": 1000, "min_quality_score": 0.4})
    assert body["rules"] == {"max_artworks_per_artist": 3, "allowed_mediums": ["oil", "ink"],
                             "min_long_edge_px": 1000, "min_quality_score": 0.4}
    assert body["status"] == "open" and body["accepting_submissions"] and body["online"]
    assert body["organizer"]["id"] == user["id"] and body["submission_count"] == 0
    assert body["artworks"] is None and body["my_submission"] is None
    # SPEC names the field "deadline".
    spec_named = {key: value for key, value in call().items() if key != "submission_deadline"}
    made = client.post("/api/exhibitions", json={**spec_named, "deadline": day(3), "location": "Lyon"})
    assert made.status_code == 201 and made.get_json()["submission_deadline"] == day(3)
    assert made.get_json()["online"] is False


@pytest.mark.parametrize("fields, field", [
    ({"submission_deadline": day(-1)}, "submission_deadline"),
    ({"exhibition_start": day(5)}, "exhibition_start"),
    ({"exhibition_end": day(15)}, "exhibition_end"),
    ({"exhibition_start": "2027-13-01"}, "exhibition_start"),
    ({"title": ""}, "title"),
    ({"location": ""}, "location"),
    ({"submission_fee": -1}, "submission_fee"),
    ({"rules": {"max_artworks_per_artist": 0}}, "rules.max_artworks_per_artist"),
    ({"rules": {"min_quality_score": 1.5}}, "rules.min_quality_score"),
    ({"rules": {"allowed_category_ids": [99999]}}, "rules.allowed_category_ids.0"),
    ({"rules": {"dress_code": "black tie"}}, "rules.dress_code"),
    ({"status": "past"}, "status"),
    ({"submission_count": 4}, "submission_count"),
])
def test_bad_calls_are_refused_and_store_nothing(db, organiser, fields, field):
    client, _ = organiser
    problem = assert_problem(client.post("/api/exhibitions", json=call(**fields)), 400)
    assert field in problem["errors"]
    assert db.execute("SELECT count(*) FROM exhibitions").fetchone()[0] == 0


def test_signed_out_visitors_browse_but_do_not_create(client, organiser):
    assert_problem(client.post("/api/exhibitions", json=call()), 401)
    made = create(organiser[0])
    assert client.get(f"/api/exhibitions/{made['id']}").get_json()["title"] == "Night Light"
    assert_problem(client.get("/api/exhibitions/missing"), 404)


def test_listing_by_phase_nearest_date_first_with_counts(db, client, organiser, signed_in):
    owner, _ = organiser
    later = create(owner, title="Later call", submission_deadline=day(9))["id"]
    sooner = create(owner, title="Sooner call", submission_deadline=day(2))["id"]
    closed = create(owner, title="Closed")["id"]
    set_dates(db, closed, -3, 5, 9)
    running = create(owner, title="Running")["id"]
    set_dates(db, running, -10, -2, 4)
    ended = create(owner, title="Ended")["id"]
    set_dates(db, ended, -30, -20, -10)
    artist_client, artist = signed_in()
    submit(artist_client, later, [add_artwork(db, artist["id"])])

    def titles(**query):
        return [e["title"] for e in client.get("/api/exhibitions", query_string=query).get_json()["items"]]
    assert titles(status="open") == ["Sooner call", "Later call"]
    assert titles(status="upcoming") == ["Closed"]
    assert titles(status="current") == ["Running"]
    assert titles(status="past") == ["Ended"]
    assert titles() == ["Sooner call", "Running", "Closed", "Later call", "Ended"]
    listed = {e["id"]: e for e in client.get("/api/exhibitions").get_json()["items"]}
    assert listed[later]["submission_count"] == 1 and listed[sooner]["submission_count"] == 0
    assert listed[running]["status"] == "current" and not listed[running]["accepting_submissions"]
    assert_problem(client.get("/api/exhibitions", query_string={"status": "soon"}), 400)


def test_submission_is_screened_against_the_rules(organiser, signed_in):
    owner, _ = organiser
    exhibition = create(owner, rules={"min_long_edge_px": 1000, "allowed_mediums": ["oil"]})["id"]
    artist_client, _ = signed_in()
    small = upload_ok(artist_client, encoded(painting(3, size=(640, 480))), title="Small", medium="Oil on panel")
    large = upload_ok(artist_client, encoded(painting(4, size=(1200, 900))), title="Large", medium="Watercolour")
    response = submit(artist_client, exhibition, [small["id"], large["id"]])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "submitted" and [w["title"] for w in body["artworks"]] == ["Small", "Large"]
    report = {entry["artwork_id"]: {r["rule"]: r for r in entry["rules"]} for entry in body["screening"]["artworks"]}
    assert report[small["id"]]["min_long_edge_px"]["met"] is False
    assert report[small["id"]]["min_long_edge_px"]["value"] == 640
    assert report[small["id"]]["allowed_mediums"]["met"] is True
    assert report[large["id"]]["min_long_edge_px"]["met"] is True
    assert report[large["id"]]["allowed_mediums"]["met"] is False
    assert report[small["id"]]["original"]["met"] is True
    assert body["screening"]["passed"] is False


def test_screening_flags_a_copy_of_another_artist_s_earlier_work(organiser, signed_in):
    owner, _ = organiser
    exhibition = create(owner)["id"]
    original_client, _ = signed_in()
    original = upload_ok(original_client, encoded(painting(7)), title="Original")
    copier, _ = signed_in()
    copy = upload_ok(copier, encoded(painting(7).resize((300, 225))), title="Mine, honest")
    body = submit(copier, exhibition, [copy["id"]]).get_json()
    rule = {r["rule"]: r for r in body["screening"]["artworks"][0]["rules"]}["original"]
    assert rule["met"] is False and [m["artwork_id"] for m in rule["matches"]] == [original["id"]]
    # The original's own submission is not flagged by the later copy.
    report = submit(original_client, exhibition, [original["id"]]).get_json()["screening"]
    assert report["passed"] is True


def test_submission_rules(db, client, organiser, signed_in):
    owner, owner_user = organiser
    exhibition = create(owner, rules={"max_artworks_per_artist": 2})["id"]
    artist_client, artist = signed_in()
    works = [add_artwork(db, artist["id"], title=f"W{n}") for n in range(3)]
    private = add_artwork(db, artist["id"], availability_status="private")
    theirs = add_artwork(db, owner_user["id"])
    assert "artwork_ids" in assert_problem(submit(artist_client, exhibition, works), 400)["errors"]
    assert "artwork_ids.1" in assert_problem(submit(artist_client, exhibition, [works[0], private]), 400)["errors"]
    assert "artwork_ids.0" in assert_problem(submit(artist_client, exhibition, [theirs]), 400)["errors"]
    assert "artwork_ids" in assert_problem(submit(artist_client, exhibition, [works[0], works[0]]), 400)["errors"]
    assert "artwork_ids" in assert_problem(submit(artist_client, exhibition, []), 400)["errors"]
    assert "artist_statement" in assert_problem(submit(artist_client, exhibition, works[:1], "x" * 5001),
                                                400)["errors"]
    assert db.execute("SELECT count(*) FROM exhibition_submissions").fetchone()[0] == 0
    assert submit(artist_client, exhibition, works[:2]).status_code == 201
    assert_problem(submit(artist_client, exhibition, works[2:]), 409)  # one submission per artist
    assert_problem(submit(owner, exhibition, [theirs]), 403)  # not to one's own call
    assert_problem(submit(client, exhibition, works[:1]), 401)
    assert_problem(submit(artist_client, "missing", works[:1]), 404)


def test_no_submissions_after_the_deadline(db, organiser, signed_in):
    owner, _ = organiser
    exhibition = create(owner)["id"]
    set_dates(db, exhibition, -1, 5, 10)
    artist_client, artist = signed_in()
    problem = assert_problem(submit(artist_client, exhibition, [add_artwork(db, artist["id"])]), 409)
    assert day(-1) in problem["detail"]
    assert db.execute("SELECT count(*) FROM exhibition_submissions").fetchone()[0] == 0


def test_the_artist_edits_until_the_deadline_and_is_re_screened(db, organiser, signed_in):
    owner, _ = organiser
    exhibition = create(owner, rules={"min_long_edge_px": 1000})["id"]
    artist_client, _ = signed_in()
    small = upload_ok(artist_client, encoded(painting(5, size=(400, 300))))["id"]
    large = upload_ok(artist_client, encoded(painting(6, size=(1100, 800))))["id"]
    made = submit(artist_client, exhibition, [small]).get_json()
    assert made["screening"]["passed"] is False
    url = f"/api/exhibitions/{exhibition}/submissions/{made['id']}"
    edited = artist_client.put(url, json={"artwork_ids": [large], "artist_statement": "Better"}).get_json()
    assert edited["artwork_ids"] == [large] and edited["artist_statement"] == "Better"
    assert edited["screening"]["passed"] is True and edited["updated_at"]
    assert artist_client.put(url, json={"artist_statement": "Best"}).get_json()["screening"]["passed"] is True
    assert_problem(artist_client.put(url, json={"status": "accepted"}), 400)  # the organiser's field
    assert_problem(artist_client.put(url, json={"artwork_ids": None}), 400)
    set_dates(db, exhibition, -1, 5, 10)
    assert_problem(artist_client.put(url, json={"artist_statement": "Too late"}), 409)
    assert_problem(artist_client.delete(url), 409)
    assert artist_client.get(url).get_json()["artist_statement"] == "Best"


def test_the_artist_may_withdraw_before_the_deadline(db, organiser, signed_in):
    owner, _ = organiser
    exhibition = create(owner)["id"]
    artist_client, artist = signed_in()
    made = submit(artist_client, exhibition, [add_artwork(db, artist["id"])]).get_json()
    url = f"/api/exhibitions/{exhibition}/submissions/{made['id']}"
    assert_problem(owner.delete(url), 403)
    assert artist_client.delete(url).get_json() == {"deleted": True, "id": made["id"]}
    assert submit(artist_client, exhibition, [add_artwork(db, artist["id"])]).status_code == 201


def test_organisers_review_and_artists_hear_about_it(db, client, organiser, signed_in):
    owner, owner_user = organiser
    exhibition = create(owner)["id"]
    accepted_client, accepted_artist = signed_in()
    rejected_client, rejected_artist = signed_in()
    shown = add_artwork(db, accepted_artist["id"], title="Shown")
    refused = add_artwork(db, rejected_artist["id"], title="Refused")
    first = submit(accepted_client, exhibition, [shown]).get_json()
    second = submit(rejected_client, exhibition, [refused]).get_json()

    listed = owner.get(f"/api/exhibitions/{exhibition}/submissions").get_json()
    assert [s["id"] for s in listed["items"]] == [first["id"], second["id"]]
    assert listed["items"][0]["screening"]["artworks"][0]["artwork_id"] == shown
    assert_problem(accepted_client.get(f"/api/exhibitions/{exhibition}/submissions"), 403)
    assert_problem(client.get(f"/api/exhibitions/{exhibition}/submissions"), 401)
    assert_problem(accepted_client.get(f"/api/exhibitions/{exhibition}/submissions/{second['id']}"), 404)

    # Before review, only the artist sees the submission in the work's history.
    assert [h["status"] for h in accepted_client.get(f"/api/artworks/{shown}").get_json()["exhibition_history"]] == [
        "submitted"]
    assert client.get(f"/api/artworks/{shown}").get_json()["exhibition_history"] == []

    url = f"/api/exhibitions/{exhibition}/submissions"
    review = owner.put(f"{url}/{first['id']}", json={"status": "accepted", "note": "Lovely"}).get_json()
    assert review["status"] == "accepted" and review["review_note"] == "Lovely" and review["reviewed_at"]
    owner.put(f"{url}/{second['id']}", json={"status": "rejected"})
    for bad in ({"status": "submitted"}, {"status": "maybe"}, {"artist_statement": "x"}, {}):
        assert_problem(owner.put(f"{url}/{second['id']}", json=bad), 400)
    assert_problem(accepted_client.put(f"{url}/{second['id']}", json={"status": "accepted"}), 404)
    assert_problem(accepted_client.put(f"{url}/{first['id']}", json={"artist_statement": "x"}), 409)

    notice = accepted_client.get("/api/notifications").get_json()["items"][0]
    assert notice["kind"] == "exhibition" and notice["subject_id"] == exhibition
    assert notice["message"] == "Your submission to “Night Light” was accepted."
    assert notice["actor"]["id"] == owner_user["id"]
    history = client.get(f"/api/artworks/{shown}").get_json()["exhibition_history"]
    assert [(h["exhibition_id"], h["status"]) for h in history] == [(exhibition, "accepted")]
    assert client.get(f"/api/artworks/{refused}").get_json()["exhibition_history"] == []
    assert owner.get(f"{url}", query_string={"status": "rejected"}).get_json()["total"] == 1
    assert client.get(f"/api/exhibitions/{exhibition}").get_json()["accepted_count"] == 1


def test_once_open_the_accepted_works_form_a_virtual_exhibition(db, client, organiser, signed_in):
    owner, _ = organiser
    exhibition = create(owner)["id"]
    artist_client, artist = signed_in()
    works = [add_artwork(db, artist["id"], title=title) for title in ("One", "Two", "Three")]
    made = submit(artist_client, exhibition, works).get_json()
    owner.put(f"/api/exhibitions/{exhibition}/submissions/{made['id']}", json={"status": "accepted"})
    assert client.get(f"/api/exhibitions/{exhibition}").get_json()["artworks"] is None  # not open yet
    set_dates(db, exhibition, -5, -1, 10)
    artist_client.put(f"/api/artworks/{works[1]}", json={"availability_status": "private"})
    shown = client.get(f"/api/exhibitions/{exhibition}").get_json()["artworks"]
    assert [w["title"] for w in shown["items"]] == ["One", "Three"] and shown["total"] == 2
    assert artist_client.get(f"/api/exhibitions/{exhibition}").get_json()["artworks"]["total"] == 3
    paged = client.get(f"/api/exhibitions/{exhibition}", query_string={"per_page": 1, "page": 2}).get_json()
    assert [w["title"] for w in paged["artworks"]["items"]] == ["Three"]
    mine = artist_client.get(f"/api/exhibitions/{exhibition}").get_json()["my_submission"]
    assert mine["id"] == made["id"] and mine["status"] == "accepted"


def test_a_deleted_artwork_leaves_the_submission(db, organiser, signed_in):
    owner, _ = organiser
    exhibition = create(owner)["id"]
    artist_client, artist = signed_in()
    kept, gone = add_artwork(db, artist["id"]), add_artwork(db, artist["id"])
    made = submit(artist_client, exhibition, [kept, gone]).get_json()
    artist_client.delete(f"/api/artworks/{gone}")
    assert artist_client.get(f"/api/exhibitions/{exhibition}/submissions/{made['id']}").get_json()[
        "artwork_ids"] == [kept]
    assert [row[0] for row in db.execute("SELECT artwork_id FROM exhibition_submission_artworks")] == [kept]
