"""Collectors: derived from orders, offers, commissions, enquiries and follows; notes and tags;
CSV export; and who may see a collector's contact details."""

import csv
import io

import pytest

from tests.conftest import add_artwork, assert_problem


def buy(artist_client, buyer_client, artwork_id):
    placed = buyer_client.post("/api/orders", json={"artwork_id": artwork_id}).get_json()
    assert artist_client.put(f"/api/orders/{placed['id']}", json={"status": "paid"}).status_code == 200
    return placed


@pytest.fixture
def studio(signed_in, db):
    artist_client, artist = signed_in()
    repeat_client, repeat = signed_in(account_type="collector")
    db.execute("UPDATE artists SET contact_info = ? WHERE id = ?", ("=cmd|' /C calc'!A0", repeat["id"]))
    asker_client, asker = signed_in(account_type="collector")
    db.execute("UPDATE artists SET contact_info = ? WHERE id = ?", ("asker@example.org", asker["id"]))
    fan_client, fan = signed_in(account_type="collector")
    db.execute("UPDATE artists SET contact_info = ? WHERE id = ?", ("fan@example.org", fan["id"]))
    works = [add_artwork(db, artist["id"], title=f"Work {n}", price=100 * (n + 1), currency="USD") for n in range(3)]
    buy(artist_client, repeat_client, works[0])
    buy(artist_client, repeat_client, works[1])
    asker_client.post(f"/api/artworks/{works[2]}/enquiries", json={"message": "Price?"})
    fan_client.post(f"/api/follow/{artist['id']}")
    return artist_client, artist, {"repeat": (repeat_client, repeat), "asker": (asker_client, asker),
                                   "fan": (fan_client, fan)}


def test_collectors_are_derived_with_their_figures(studio):
    artist_client, _, people = studio
    listed = artist_client.get("/api/collectors").get_json()
    assert listed["total"] == 3
    top = listed["items"][0]
    assert top["id"] == people["repeat"][1]["id"]
    assert (top["purchases"], top["repeat_buyer"], top["lifetime_value"]) == (2, True, {"USD": 30000})
    assert top["lifetime_value_converted"] == 300.0
    assert [work["title"] for work in top["works_bought"]] == ["Work 0", "Work 1"]
    assert top["first_purchase"] <= top["last_purchase"]
    by_id = {item["id"]: item for item in listed["items"]}
    assert by_id[people["asker"][1]["id"]]["sources"] == ["enquiry"]
    assert by_id[people["asker"][1]["id"]]["contact_info"] == "asker@example.org"
    assert by_id[people["fan"][1]["id"]]["contact_info"] is None  # a follower has not dealt with the artist
    assert artist_client.get("/api/collectors?repeat=true").get_json()["total"] == 1
    assert artist_client.get("/api/collectors?source=follow").get_json()["total"] == 1


def test_notes_and_tags_are_the_artists_own(studio, signed_in):
    artist_client, _, people = studio
    collector_id = people["repeat"][1]["id"]
    saved = artist_client.put(f"/api/collectors/{collector_id}", json={"notes": "Likes seascapes", "tags": ["VIP"]})
    assert saved.status_code == 200 and (saved.get_json()["notes"], saved.get_json()["tags"]) == (
        "Likes seascapes", ["vip"])
    kept = artist_client.put(f"/api/collectors/{collector_id}", json={"tags": ["vip", "paris"]}).get_json()
    assert kept["notes"] == "Likes seascapes"
    assert artist_client.get("/api/collectors?tag=paris").get_json()["total"] == 1
    other_artist, _ = signed_in()
    assert_problem(other_artist.get(f"/api/collectors/{collector_id}"), 404)
    assert_problem(other_artist.put(f"/api/collectors/{collector_id}", json={"notes": "x"}), 404)


def test_the_csv_export_lists_every_collector_and_defuses_formulas(studio):
    artist_client, _, people = studio
    answer = artist_client.get("/api/collectors?format=csv")
    assert answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert len(rows) == 3
    repeat = next(row for row in rows if row["id"] == people["repeat"][1]["id"])
    assert repeat["contact_info"].startswith("'=")
    assert (repeat["purchases"], repeat["lifetime_value"], repeat["works_bought"]) == ("2", "30000 USD",
                                                                                      "Work 0;Work 1")


def test_a_collectors_contact_details_are_for_artists_they_dealt_with(studio, signed_in):
    artist_client, _, people = studio
    asker_id = people["asker"][1]["id"]
    assert artist_client.get(f"/api/artists/{asker_id}").get_json()["contact_info"] == "asker@example.org"
    stranger, _ = signed_in()
    assert "contact_info" not in stranger.get(f"/api/artists/{asker_id}").get_json()
    fan_id = people["fan"][1]["id"]
    assert "contact_info" not in artist_client.get(f"/api/artists/{fan_id}").get_json()
    # An artist's own contact details stay open to anyone signed in.
    assert "contact_info" in stranger.get(f"/api/artists/{studio[1]['id']}").get_json()


def test_a_collector_can_leave_the_directory(studio):
    artist_client, _, people = studio
    fan_client, fan = people["fan"]
    assert fan["id"] in {a["id"] for a in artist_client.get("/api/artists?per_page=100").get_json()["items"]}
    changed = fan_client.put(f"/api/artists/{fan['id']}", json={"portfolio": {"listed_in_directory": False}})
    assert changed.get_json()["portfolio"]["listed_in_directory"] is False
    assert fan["id"] not in {a["id"] for a in artist_client.get("/api/artists?per_page=100").get_json()["items"]}
    assert "listed_in_directory" not in artist_client.get(f"/api/artists/{fan['id']}").get_json()["portfolio"]
    assert artist_client.get(f"/api/artists/{fan['id']}").status_code == 200  # the profile itself stays
