"""Commissions through the API: requests, the status path, notes, history and who may see what."""

from datetime import UTC, datetime, timedelta

import pytest

from store.commissions import MOVES, STATUSES
from tests.conftest import assert_problem


def day(offset):
    return (datetime.now(UTC).date() + timedelta(days=offset)).isoformat()


def request_body(artist, **fields):
    return {"artist_id": artist, "title": "Harbour at dusk", "description": "Oil, 60x40, warm light.",
            "budget": 1200.5, "currency": "eur", "deadline": day(30), **fields}


@pytest.fixture
def parties(signed_in):
    """(artist client, artist, client client, client) with the artist open for commissions."""
    artist_client, artist = signed_in()
    artist_client.put(f"/api/artists/{artist['id']}", json={"portfolio": {"open_for_commissions": True}})
    client_client, client = signed_in(account_type="collector")
    return artist_client, artist, client_client, client


def commission(parties, **fields):
    _, artist, client_client, _ = parties
    response = client_client.post("/api/commissions", json=request_body(artist["id"], **fields))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def move(client, commission_id, status, **fields):
    return client.put(f"/api/commissions/{commission_id}", json={"status": status, **fields})


def inbox(client):
    return client.get("/api/notifications").get_json()["items"]


def test_request_creates_the_commission_and_tells_the_artist(parties):
    artist_client, artist, client_client, client = parties
    response = client_client.post("/api/commissions", json=request_body(artist["id"]))
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"] == f"/api/commissions/{body['id']}"
    assert (body["status"], body["budget"], body["currency"], body["deadline"]) == ("requested", 1200.5, "EUR", day(30))
    assert body["client"]["id"] == client["id"] and body["artist"]["id"] == artist["id"]
    assert body["role"] == "client" and body["allowed_statuses"] == ["cancelled"]
    assert [event["kind"] for event in body["events"]] == ["requested"] and body["progress_notes"] == []
    notice = inbox(artist_client)[0]
    assert notice["kind"] == "commission" and notice["subject_id"] == body["id"]
    assert notice["message"] == f"{client['artist_name']} asked you for a commission: “Harbour at dusk”."


@pytest.mark.parametrize("fields, field", [
    ({"budget": 0}, "budget"),
    ({"budget": -5}, "budget"),
    ({"budget": 10.123}, "budget"),
    ({"budget": "100"}, "budget"),
    ({"currency": "euro"}, "currency"),
    ({"deadline": day(0)}, "deadline"),
    ({"deadline": day(-3)}, "deadline"),
    ({"deadline": "2030-02-30"}, "deadline"),
    ({"deadline": "next week"}, "deadline"),
    ({"title": ""}, "title"),
    ({"description": None}, "description"),
    ({"status": "accepted"}, "status"),
    ({"client_id": "someone"}, "client_id"),
    ({"artist_id": "nobody"}, "artist_id"),
])
def test_bad_requests_are_refused_and_store_nothing(db, parties, fields, field):
    _, artist, client_client, _ = parties
    problem = assert_problem(client_client.post("/api/commissions", json=request_body(artist["id"], **fields)), 400)
    assert field in problem["errors"]
    assert db.execute("SELECT count(*) FROM commissions").fetchone()[0] == 0


def test_who_may_be_commissioned(db, client, parties, signed_in):
    artist_client, artist, client_client, collector = parties
    problem = assert_problem(artist_client.post("/api/commissions", json=request_body(artist["id"])), 400)
    assert problem["errors"]["artist_id"] == "you cannot commission yourself"
    _, closed = signed_in()
    assert_problem(client_client.post("/api/commissions", json=request_body(closed["id"])), 409)
    assert "artist_id" in assert_problem(artist_client.post("/api/commissions", json=request_body(collector["id"])),
                                         400)["errors"]  # a collector is not an artist
    assert_problem(client.post("/api/commissions", json=request_body(artist["id"])), 401)
    assert db.execute("SELECT count(*) FROM commissions").fetchone()[0] == 0


def test_the_whole_path_notifies_the_other_party_each_time(parties):
    artist_client, artist, client_client, client = parties
    made = commission(parties)
    for status in ("accepted", "in_progress"):
        body = move(artist_client, made["id"], status).get_json()
        assert body["status"] == status
        assert inbox(client_client)[0]["data"]["event"] == status
    body = move(artist_client, made["id"], "completed").get_json()
    assert body["status"] == "completed" and body["completion_date"] == day(0)
    assert body["allowed_statuses"] == []
    assert [event["kind"] for event in body["events"]] == ["requested", "accepted", "in_progress", "completed"]
    assert [event["actor"]["id"] for event in body["events"]] == [client["id"]] + [artist["id"]] * 3
    assert inbox(client_client)[0]["message"] == f"{artist['artist_name']} completed your commission “Harbour at dusk”."


def test_completion_date_may_be_given_within_the_commission_s_life(parties):
    artist_client, _, _, _ = parties
    made = commission(parties)
    move(artist_client, made["id"], "accepted")
    move(artist_client, made["id"], "in_progress")
    for bad in (day(1), day(-400), "someday"):
        assert "completion_date" in assert_problem(move(artist_client, made["id"], "completed",
                                                        completion_date=bad), 400)["errors"]
    assert "completion_date" in assert_problem(move(artist_client, made["id"], "in_progress",
                                                    completion_date=day(0)), 400)["errors"]
    body = move(artist_client, made["id"], "completed", completion_date=day(0)).get_json()
    assert body["completion_date"] == day(0)


def test_every_move_off_the_path_is_refused(db, parties):
    artist_client, _, client_client, _ = parties
    made = commission(parties)
    for current in STATUSES:
        for wanted in STATUSES:
            for role, who in (("artist", artist_client), ("client", client_client)):
                db.execute("UPDATE commissions SET status = ? WHERE id = ?", (current, made["id"]))
                extra = {"reason": "Change of plans"} if wanted == "cancelled" else {}
                response = move(who, made["id"], wanted, **extra)
                allowed = [target for target, roles in MOVES[current].items() if role in roles]
                if wanted in allowed:
                    assert response.status_code == 200, (current, wanted, role)
                elif wanted in MOVES[current]:
                    assert_problem(response, 403)  # the artist's move, tried by the client
                else:
                    problem = assert_problem(response, 409)
                    named = ", ".join(allowed) or "none (it is closed)"
                    assert problem["errors"]["status"] == f"must be one of: {named}"
                    stored = db.execute("SELECT status FROM commissions WHERE id = ?", (made["id"],)).fetchone()[0]
                    assert stored == current


def test_either_party_cancels_before_completion_with_a_reason(parties):
    artist_client, _, client_client, _ = parties
    for canceller, other in ((client_client, artist_client), (artist_client, client_client)):
        made = commission(parties)
        assert "reason" in assert_problem(move(canceller, made["id"], "cancelled"), 400)["errors"]
        move(artist_client, made["id"], "accepted")
        body = move(canceller, made["id"], "cancelled", reason="Budget cut").get_json()
        assert body["status"] == "cancelled" and body["events"][-1]["note"] == "Budget cut"
        assert inbox(other)[0]["data"]["event"] == "cancelled"
    assert "reason" in assert_problem(move(artist_client, made["id"], "accepted", reason="x"), 400)["errors"]


def test_progress_notes_are_appended_never_overwritten(db, parties):
    artist_client, artist, client_client, client = parties
    made = commission(parties)
    artist_client.put(f"/api/commissions/{made['id']}", json={"progress_notes": "Sketches done."})
    body = client_client.put(f"/api/commissions/{made['id']}", json={"progress_notes": "Love them!"}).get_json()
    assert [(n["author_id"], n["note"]) for n in body["progress_notes"]] == [
        (artist["id"], "Sketches done."), (client["id"], "Love them!")]
    assert all(note["at"] for note in body["progress_notes"]) and body["status"] == "requested"
    assert inbox(artist_client)[0]["data"]["event"] == "note"
    body = move(artist_client, made["id"], "accepted", progress_notes="Starting Monday.").get_json()
    assert [n["note"] for n in body["progress_notes"]] == ["Sketches done.", "Love them!", "Starting Monday."]
    assert_problem(artist_client.put(f"/api/commissions/{made['id']}", json={}), 400)
    assert_problem(artist_client.put(f"/api/commissions/{made['id']}", json={"progress_notes": ""}), 400)
    with pytest.raises(Exception, match="never rewritten"):
        db.execute("UPDATE commission_events SET note = 'edited' WHERE commission_id = ?", (made["id"],))


def test_nobody_else_sees_or_changes_a_commission(client, parties, signed_in):
    artist_client, _, client_client, _ = parties
    made = commission(parties)
    stranger, _ = signed_in()
    assert_problem(stranger.get(f"/api/commissions/{made['id']}"), 404)
    assert_problem(move(stranger, made["id"], "accepted"), 404)
    assert_problem(client.get(f"/api/commissions/{made['id']}"), 401)
    assert_problem(client.get("/api/commissions"), 401)
    assert stranger.get("/api/commissions").get_json()["items"] == []
    assert_problem(artist_client.get("/api/commissions/missing"), 404)


def test_lists_by_role_and_status_with_client_details_for_the_artist(db, parties):
    artist_client, artist, client_client, client = parties
    db.execute("UPDATE artists SET contact_info = 'studio@example.com' WHERE id = ?", (client["id"],))
    first = commission(parties, title="First")
    commission(parties, title="Second")
    move(artist_client, first["id"], "accepted")
    listed = artist_client.get("/api/commissions").get_json()
    assert [item["title"] for item in listed["items"]] == ["Second", "First"] and listed["total"] == 2
    assert listed["items"][0]["client"]["contact_info"] == "studio@example.com"
    assert artist_client.get("/api/commissions", query_string={"role": "client"}).get_json()["total"] == 0
    mine = client_client.get("/api/commissions", query_string={"role": "client", "status": "accepted"}).get_json()
    assert [item["id"] for item in mine["items"]] == [first["id"]]
    assert "contact_info" not in mine["items"][0]["client"]
    paged = artist_client.get("/api/commissions", query_string={"per_page": 1, "page": 2}).get_json()
    assert [item["id"] for item in paged["items"]] == [first["id"]] and paged["total"] == 2
    assert_problem(artist_client.get("/api/commissions", query_string={"role": "patron"}), 400)
    assert_problem(artist_client.get("/api/commissions", query_string={"status": "done"}), 400)
