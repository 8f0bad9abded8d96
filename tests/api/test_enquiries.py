"""Enquiries: a thread between a collector and an artist about a work, private to the two."""

import pytest

from tests.conftest import add_artwork, assert_problem


@pytest.fixture
def thread(signed_in, db):
    artist_client, artist = signed_in()
    collector_client, collector = signed_in(account_type="collector")
    db.execute("UPDATE artists SET contact_info = ? WHERE id = ?", ("ada@example.org", collector["id"]))
    work = add_artwork(db, artist["id"], title="Blue Hour")
    opened = collector_client.post(f"/api/artworks/{work}/enquiries", json={"message": "Is it framed?"})
    assert opened.status_code == 201, opened.get_json()
    return artist_client, collector_client, opened.get_json(), work


def test_an_enquiry_opens_a_thread_the_artist_answers(thread, db):
    artist_client, collector_client, opened, _ = thread
    assert (opened["status"], opened["message_count"], opened["role"]) == ("open", 1, "collector")
    assert opened["messages"][0]["body"] == "Is it framed?"
    assert opened["collector"].get("contact_info") is None  # the collector sees their own card plainly
    received = artist_client.get("/api/enquiries").get_json()
    assert received["total"] == 1 and received["items"][0]["collector"]["contact_info"] == "ada@example.org"
    answered = artist_client.post(f"/api/enquiries/{opened['id']}/messages", json={"message": "Yes, in oak."})
    assert answered.status_code == 201 and answered.get_json()["status"] == "answered"
    assert collector_client.get("/api/enquiries?role=collector").get_json()["items"][0]["message_count"] == 2
    kinds = [row[0] for row in db.execute("SELECT recipient_id = ? FROM notifications WHERE kind = 'enquiry' "
                                          "ORDER BY created_at", (opened["artist"]["id"],))]
    assert kinds == [1, 0]


def test_only_the_two_parties_see_the_thread(thread, signed_in):
    _, _, opened, _ = thread
    stranger, _ = signed_in()
    assert_problem(stranger.get(f"/api/enquiries/{opened['id']}"), 404)
    assert_problem(stranger.post(f"/api/enquiries/{opened['id']}/messages", json={"message": "hi"}), 404)
    assert stranger.get("/api/enquiries").get_json()["total"] == 0


def test_a_closed_thread_takes_no_more_messages(thread):
    artist_client, collector_client, opened, _ = thread
    assert collector_client.put(f"/api/enquiries/{opened['id']}", json={"status": "closed"}).get_json()["status"] == \
        "closed"
    assert_problem(artist_client.post(f"/api/enquiries/{opened['id']}/messages", json={"message": "late"}), 409)


def test_no_enquiry_about_your_own_or_a_private_work(thread, db):
    artist_client, collector_client, _, work = thread
    assert_problem(artist_client.post(f"/api/artworks/{work}/enquiries", json={"message": "me?"}), 403)
    db.execute("UPDATE artworks SET availability_status = 'private' WHERE id = ?", (work,))
    assert_problem(collector_client.post(f"/api/artworks/{work}/enquiries", json={"message": "hello"}), 404)
    assert_problem(collector_client.post(f"/api/artworks/{work}/enquiries", json={"message": ""}), 400)
