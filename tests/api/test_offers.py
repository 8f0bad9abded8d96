"""Offers: made, countered, accepted into an order, declined, withdrawn and expired; every move
by every role."""

import pytest

from store import offers
from tests.conftest import add_artwork, assert_problem


@pytest.fixture
def parties(signed_in, db):
    artist_client, artist = signed_in()
    buyer_client, buyer = signed_in(account_type="collector")
    stranger_client, _ = signed_in()
    work = add_artwork(db, artist["id"], title="Quiet Field", price=5000, currency="USD")
    return artist_client, buyer_client, stranger_client, work


def offer(client, artwork_id, **fields):
    return client.post(f"/api/artworks/{artwork_id}/offers", json={"amount": 420000, **fields})


def test_an_accepted_offer_becomes_an_order_at_the_offered_amount(parties, db):
    artist_client, buyer_client, _, work = parties
    made = offer(buyer_client, work, message="Would you take 4,200?")
    assert made.status_code == 201, made.get_json()
    shown = made.get_json()
    assert (shown["status"], shown["currency"], shown["role"], shown["allowed_statuses"]) == (
        "open", "USD", "buyer", ["withdrawn"])
    assert shown["artwork"]["list_price"] == 5000
    assert artist_client.get(f"/api/offers/{shown['id']}").get_json()["allowed_statuses"] == [
        "accepted", "declined", "countered"]
    accepted = artist_client.put(f"/api/offers/{shown['id']}", json={"status": "accepted"}).get_json()
    placed = buyer_client.get(f"/api/orders/{accepted['order_id']}").get_json()
    assert (placed["unit_price"], placed["currency"], placed["offer_id"], placed["status"]) == (
        420000, "USD", shown["id"], "pending_payment")
    assert db.execute("SELECT count(*) FROM notifications WHERE kind = 'offer'").fetchone()[0] == 2


def test_a_counter_offer_accepted_by_the_buyer_orders_at_the_counter(parties):
    artist_client, buyer_client, _, work = parties
    made = offer(buyer_client, work).get_json()
    assert "counter_amount" in assert_problem(
        artist_client.put(f"/api/offers/{made['id']}", json={"status": "countered"}), 400)["errors"]
    countered = artist_client.put(f"/api/offers/{made['id']}", json={"status": "countered", "counter_amount": 470000})
    assert countered.get_json()["allowed_statuses"] == []
    assert buyer_client.get(f"/api/offers/{made['id']}").get_json()["allowed_statuses"] == [
        "accepted", "declined", "withdrawn"]
    assert_problem(artist_client.put(f"/api/offers/{made['id']}", json={"status": "accepted"}), 403)
    accepted = buyer_client.put(f"/api/offers/{made['id']}", json={"status": "accepted"}).get_json()
    assert buyer_client.get(f"/api/orders/{accepted['order_id']}").get_json()["unit_price"] == 470000


def test_one_open_offer_per_buyer_and_work(parties):
    artist_client, buyer_client, _, work = parties
    first = offer(buyer_client, work).get_json()
    assert "already have an open offer" in assert_problem(offer(buyer_client, work), 409)["detail"]
    buyer_client.put(f"/api/offers/{first['id']}", json={"status": "withdrawn"})
    assert offer(buyer_client, work).status_code == 201


@pytest.mark.parametrize("fields, field", [
    ({"amount": 0}, "amount"), ({"amount": -5}, "amount"), ({"amount": 12.5}, "amount"),
    ({"currency": "XYZ"}, "currency"), ({"currency": "dollars"}, "currency"),
    ({"expires_at": "2001-01-01T00:00:00Z"}, "expires_at"), ({"status": "accepted"}, "status"),
])
def test_bad_offers_are_400s(parties, db, fields, field):
    _, buyer_client, _, work = parties
    assert field in assert_problem(offer(buyer_client, work, **fields), 400)["errors"]
    assert db.execute("SELECT count(*) FROM offers").fetchone()[0] == 0


def test_offers_expire(parties, db):
    artist_client, buyer_client, _, work = parties
    made = offer(buyer_client, work).get_json()
    db.execute("UPDATE offers SET expires_at = '2000-01-01T00:00:00.000Z' WHERE id = ?", (made["id"],))
    assert buyer_client.get(f"/api/offers/{made['id']}").get_json()["status"] == "expired"
    assert_problem(artist_client.put(f"/api/offers/{made['id']}", json={"status": "accepted"}), 409)
    assert offer(buyer_client, work).status_code == 201  # the expired one is no longer open


def test_no_offers_on_your_own_sold_or_private_work(parties, db, signed_in):
    artist_client, buyer_client, _, work = parties
    assert_problem(offer(artist_client, work), 403)
    db.execute("UPDATE artworks SET availability_status = 'sold' WHERE id = ?", (work,))
    assert_problem(offer(buyer_client, work), 409)
    db.execute("UPDATE artworks SET availability_status = 'private' WHERE id = ?", (work,))
    assert_problem(offer(buyer_client, work), 404)


def test_accepting_is_refused_while_another_buyer_holds_the_work(parties, signed_in):
    artist_client, buyer_client, _, work = parties
    made = offer(buyer_client, work).get_json()
    other, _ = signed_in()
    assert other.post("/api/orders", json={"artwork_id": work}).status_code == 201
    assert_problem(artist_client.put(f"/api/offers/{made['id']}", json={"status": "accepted"}), 409)
    assert buyer_client.get(f"/api/offers/{made['id']}").get_json()["status"] == "open"


def test_an_accepted_offer_can_be_ordered_again_once_its_order_lapsed(parties, db):
    artist_client, buyer_client, _, work = parties
    made = offer(buyer_client, work).get_json()
    first = artist_client.put(f"/api/offers/{made['id']}", json={"status": "accepted"}).get_json()["order_id"]
    assert_problem(buyer_client.post("/api/orders", json={"offer_id": made["id"]}), 409)
    db.execute("UPDATE orders SET expires_at = '2000-01-01T00:00:00.000Z' WHERE id = ?", (first,))
    again = buyer_client.post("/api/orders", json={"offer_id": made["id"]})
    assert again.status_code == 201 and again.get_json()["unit_price"] == 420000


PATH = {"open": [], "countered": [("artist", "countered")], "accepted": [("artist", "accepted")],
        "declined": [("artist", "declined")], "withdrawn": [("buyer", "withdrawn")]}
MOVES = ("accepted", "declined", "countered", "withdrawn")


@pytest.mark.parametrize("current", PATH)
@pytest.mark.parametrize("wanted", MOVES)
@pytest.mark.parametrize("role", ["buyer", "artist"])
def test_every_offer_move_by_every_role(parties, current, wanted, role):
    artist_client, buyer_client, stranger_client, work = parties
    clients = {"artist": artist_client, "buyer": buyer_client}
    made = offer(buyer_client, work).get_json()
    for who, step in PATH[current]:
        body = {"status": step, **({"counter_amount": 480000} if step == "countered" else {})}
        assert clients[who].put(f"/api/offers/{made['id']}", json=body).status_code == 200
    assert stranger_client.put(f"/api/offers/{made['id']}", json={"status": wanted}).status_code == 404
    body = {"status": wanted, **({"counter_amount": 450000} if wanted == "countered" else {})}
    answer = clients[role].put(f"/api/offers/{made['id']}", json=body)
    if wanted in offers.allowed_offer_moves(current, role):
        expected = 200
    else:
        expected = 403 if wanted in offers.OFFER_MOVES[current] else 409
    assert answer.status_code == expected, answer.get_json()
