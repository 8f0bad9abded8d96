"""Orders: buying at the list price, every status move by every role, stock, holds and the log."""

import contextlib
import sqlite3

import pytest

from store import sales
from tests.conftest import add_artwork, assert_problem

ADDRESS = {"name": "Ada Collector", "line1": "1 Rue de la Paix", "city": "Paris", "postal_code": "75002",
           "country": "fr"}


@pytest.fixture
def parties(signed_in, db):
    """(artist client, artist, buyer client, buyer, stranger client, a priced original's id)."""
    artist_client, artist = signed_in()
    buyer_client, buyer = signed_in(account_type="collector")
    stranger_client, _ = signed_in()
    work = add_artwork(db, artist["id"], title="Harbour at Dusk", price=1200.5, currency="EUR", medium="oil")
    return artist_client, artist, buyer_client, buyer, stranger_client, work


def order(client, artwork_id, **fields):
    return client.post("/api/orders", json={"artwork_id": artwork_id, **fields})


def test_buying_at_the_list_price_holds_the_work_and_paying_sells_it(parties, db):
    artist_client, artist, buyer_client, buyer, _, work = parties
    response = order(buyer_client, work, shipping_address=ADDRESS)
    assert response.status_code == 201, response.get_json()
    placed = response.get_json()
    assert response.headers["Location"] == f"/api/orders/{placed['id']}"
    assert (placed["status"], placed["unit_price"], placed["currency"], placed["total"]) == (
        "pending_payment", 120050, "EUR", 120050)
    assert placed["total_converted"]["currency"] == "USD" and placed["total_converted"]["amount"] > 1200
    assert placed["shipping_address"]["country"] == "FR"
    assert placed["payment"]["provider"] == "manual" and placed["role"] == "buyer"
    assert placed["allowed_statuses"] == ["cancelled"]
    assert db.execute("SELECT availability_status FROM artworks WHERE id = ?", (work,)).fetchone()[0] == "available"

    as_artist = artist_client.get(f"/api/orders/{placed['id']}").get_json()
    assert as_artist["allowed_statuses"] == ["paid", "cancelled"]
    quoted = artist_client.put(f"/api/orders/{placed['id']}", json={"tax": 2401, "shipping": 3500}).get_json()
    assert (quoted["subtotal"], quoted["tax"], quoted["shipping"], quoted["total"]) == (120050, 2401, 3500, 125951)
    paid = artist_client.put(f"/api/orders/{placed['id']}", json={"status": "paid"})
    assert paid.status_code == 200, paid.get_json()
    assert db.execute("SELECT availability_status FROM artworks WHERE id = ?", (work,)).fetchone()[0] == "sold"
    kinds = [(e["kind"], e["actor_role"], e["amount"]) for e in paid.get_json()["events"]]
    assert kinds == [("created", "buyer", 120050), ("repriced", "artist", 125951), ("paid", "payment", 125951)]


def test_strangers_never_learn_an_order_exists(parties):
    _, _, buyer_client, _, stranger_client, work = parties
    placed = order(buyer_client, work).get_json()
    assert_problem(stranger_client.get(f"/api/orders/{placed['id']}"), 404)
    assert_problem(stranger_client.put(f"/api/orders/{placed['id']}", json={"status": "cancelled"}), 404)
    assert stranger_client.get("/api/orders").get_json()["total"] == 0


def test_orders_lists_purchases_and_sales_by_role(parties):
    artist_client, _, buyer_client, _, _, work = parties
    placed = order(buyer_client, work).get_json()
    assert [o["id"] for o in buyer_client.get("/api/orders?role=buyer").get_json()["items"]] == [placed["id"]]
    assert buyer_client.get("/api/orders?role=artist").get_json()["total"] == 0
    assert [o["id"] for o in artist_client.get("/api/orders?role=artist").get_json()["items"]] == [placed["id"]]


@pytest.mark.parametrize("state, status, detail", [
    ({"availability_status": "sold"}, 409, "is sold"),
    ({"price": None}, 409, "has no price"),
    ({"availability_status": "private"}, 404, "No artwork"),
])
def test_a_work_that_cannot_be_bought_is_refused(parties, db, state, status, detail):
    _, _, buyer_client, _, _, work = parties
    assignments = ", ".join(f"{column} = ?" for column in state)
    db.execute(f"UPDATE artworks SET {assignments} WHERE id = ?", (*state.values(), work))
    assert detail in assert_problem(order(buyer_client, work), status)["detail"]
    assert db.execute("SELECT count(*) FROM orders").fetchone()[0] == 0


def test_nobody_buys_their_own_work(parties, db):
    artist_client, _, _, _, _, work = parties
    assert_problem(order(artist_client, work), 403)
    assert db.execute("SELECT count(*) FROM orders").fetchone()[0] == 0


def test_a_second_buyer_is_refused_while_the_first_holds_the_work(parties, signed_in):
    _, _, buyer_client, _, _, work = parties
    other, _ = signed_in()
    assert order(buyer_client, work).status_code == 201
    assert "held for them" in assert_problem(order(other, work), 409)["detail"]


def test_an_unpaid_order_lapses_after_its_hold_and_frees_the_work(parties, signed_in, db):
    artist_client, _, buyer_client, _, _, work = parties
    placed = order(buyer_client, work).get_json()
    db.execute("UPDATE orders SET expires_at = '2000-01-01T00:00:00.000Z' WHERE id = ?", (placed["id"],))
    other, _ = signed_in()
    assert order(other, work).status_code == 201
    lapsed = buyer_client.get(f"/api/orders/{placed['id']}").get_json()
    assert lapsed["status"] == "cancelled"
    assert lapsed["events"][-1]["actor_role"] == "system"
    assert "cancelled" in assert_problem(artist_client.put(f"/api/orders/{placed['id']}", json={"status": "paid"}),
                                         409)["detail"]


def test_paying_for_a_work_marked_sold_since_is_refused(parties, db):
    artist_client, _, buyer_client, _, _, work = parties
    placed = order(buyer_client, work).get_json()
    db.execute("UPDATE artworks SET availability_status = 'sold' WHERE id = ?", (work,))
    assert_problem(artist_client.put(f"/api/orders/{placed['id']}", json={"status": "paid"}), 409)
    assert buyer_client.get(f"/api/orders/{placed['id']}").get_json()["status"] == "pending_payment"


def test_editions_keep_an_exact_remaining_count(parties, signed_in, db):
    artist_client, artist, buyer_client, _, _, _ = parties
    edition = add_artwork(db, artist["id"], title="Print", price=80, currency="USD", edition_size=5)
    assert db.execute("SELECT editions_remaining FROM artworks WHERE id = ?", (edition,)).fetchone()[0] == 5
    first = order(buyer_client, edition, quantity=3).get_json()
    assert first["quantity"] == 3 and first["total"] == 24000 and first["is_edition"]
    other, _ = signed_in()
    assert "Only 2" in assert_problem(order(other, edition, quantity=3), 409)["detail"]
    second = order(other, edition, quantity=2).get_json()
    assert db.execute("SELECT editions_remaining FROM artworks WHERE id = ?", (edition,)).fetchone()[0] == 0
    assert "sold or reserved" in assert_problem(order(other, edition), 409)["detail"]
    other.put(f"/api/orders/{second['id']}", json={"status": "cancelled"})
    assert db.execute("SELECT editions_remaining FROM artworks WHERE id = ?", (edition,)).fetchone()[0] == 2
    artist_client.put(f"/api/orders/{first['id']}", json={"status": "paid"})
    assert db.execute("SELECT availability_status, editions_remaining FROM artworks WHERE id = ?",
                      (edition,)).fetchone()[:] == ("available", 2)


def test_an_original_sells_as_one(parties):
    _, _, buyer_client, _, _, work = parties
    assert assert_problem(order(buyer_client, work, quantity=2), 400)["errors"] == {"quantity": "must be 1"}


@pytest.mark.parametrize("body, field", [
    ({"artwork_id": "x", "offer_id": "y"}, ""),
    ({"artwork_id": "x", "provider": "bitcoin"}, "provider"),
    ({"artwork_id": "x", "status": "paid"}, "status"),
    ({"artwork_id": "x", "shipping_address": {**ADDRESS, "country": "France"}}, "shipping_address.country"),
    ({"artwork_id": "x", "total": 1}, "total"),
])
def test_bad_order_bodies_are_400s_that_name_the_field(parties, db, body, field):
    _, _, buyer_client, _, _, _ = parties
    problem = assert_problem(buyer_client.post("/api/orders", json=body), 400)
    assert field in problem["errors"] or any(key.startswith(field) for key in problem["errors"])
    assert db.execute("SELECT count(*) FROM orders").fetchone()[0] == 0


# --- Every move by every role ----------------------------------------------------------------

# The manual provider's path to each status, as the party who may take each step.
PATH = {"pending_payment": [], "paid": [("artist", "paid")], "shipped": [("artist", "paid"), ("artist", "shipped")],
        "delivered": [("artist", "paid"), ("artist", "shipped"), ("buyer", "delivered")],
        "completed": [("artist", "paid"), ("artist", "shipped"), ("buyer", "delivered"), ("buyer", "completed")],
        "cancelled": [("buyer", "cancelled")], "refunded": [("artist", "paid"), ("artist", "refunded")]}


def _expected(current, wanted, role):
    authorities = sales.order_authorities({}, role, confirms_payment_by_hand=True)
    if wanted in sales.allowed_order_moves(current, authorities):
        return 200
    return 403 if wanted in sales.ORDER_MOVES[current] else 409


@pytest.mark.parametrize("current, wanted", [(current, wanted) for current in sales.ORDER_STATUSES
                                              for wanted in sales.ORDER_STATUSES if wanted != current])
@pytest.mark.parametrize("role", ["buyer", "artist"])
def test_every_order_move_by_every_role(parties, current, wanted, role):
    artist_client, _, buyer_client, _, stranger_client, work = parties
    clients = {"artist": artist_client, "buyer": buyer_client}
    placed = order(buyer_client, work).get_json()
    for who, step in PATH[current]:
        body = {"status": step, **({"carrier": "La Poste"} if step == "shipped" else {})}
        assert clients[who].put(f"/api/orders/{placed['id']}", json=body).status_code == 200, (who, step)
    assert stranger_client.put(f"/api/orders/{placed['id']}", json={"status": wanted}).status_code == 404
    body = {"status": wanted, **({"carrier": "La Poste"} if wanted == "shipped" and role == "artist" else {})}
    answer = clients[role].put(f"/api/orders/{placed['id']}", json=body)
    assert answer.status_code == _expected(current, wanted, role), answer.get_json()
    now = buyer_client.get(f"/api/orders/{placed['id']}").get_json()["status"]
    assert now == (wanted if answer.status_code == 200 else current)


def test_shipping_needs_a_carrier_and_tracking_is_shown_to_both(parties):
    artist_client, _, buyer_client, _, _, work = parties
    placed = order(buyer_client, work, shipping_address=ADDRESS).get_json()
    artist_client.put(f"/api/orders/{placed['id']}", json={"status": "paid"})
    assert "carrier" in assert_problem(artist_client.put(f"/api/orders/{placed['id']}", json={"status": "shipped"}),
                                       400)["errors"]
    shipped = artist_client.put(f"/api/orders/{placed['id']}",
                                json={"status": "shipped", "carrier": "DHL", "tracking_number": "JD0140"})
    assert shipped.status_code == 200
    seen = buyer_client.get(f"/api/orders/{placed['id']}").get_json()
    assert (seen["carrier"], seen["tracking_number"], seen["shipping_address"]["city"]) == ("DHL", "JD0140", "Paris")
    assert_problem(buyer_client.put(f"/api/orders/{placed['id']}", json={"carrier": "UPS"}), 403)
    assert_problem(buyer_client.put(f"/api/orders/{placed['id']}", json={"shipping_address": ADDRESS}), 409)


def test_a_refund_puts_the_original_back_on_sale_and_is_logged(parties, db):
    artist_client, _, buyer_client, _, _, work = parties
    placed = order(buyer_client, work).get_json()
    artist_client.put(f"/api/orders/{placed['id']}", json={"status": "paid"})
    refunded = artist_client.put(f"/api/orders/{placed['id']}", json={"status": "refunded", "note": "damaged"})
    assert refunded.get_json()["events"][-1] | {"id": 0, "created_at": ""} == {
        "id": 0, "kind": "refunded", "actor_id": placed["artist"]["id"], "actor_role": "payment",
        "amount": 120050, "currency": "EUR", "provider": "manual", "reference": None, "note": "damaged",
        "created_at": ""}
    assert db.execute("SELECT availability_status FROM artworks WHERE id = ?", (work,)).fetchone()[0] == "available"


def test_the_money_log_is_append_only(parties, db):
    _, _, buyer_client, _, _, work = parties
    order(buyer_client, work)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE sales_events SET amount = 1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM sales_events")


def test_money_changes_are_written_with_synchronous_full(parties):
    _, _, buyer_client, _, _, work = parties
    seen = []
    original = sales.durable_transaction

    @contextlib.contextmanager
    def watched(conn):
        with original(conn):
            seen.append(conn.execute("PRAGMA synchronous").fetchone()[0])
            yield conn
    sales.durable_transaction = watched
    try:
        assert order(buyer_client, work).status_code == 201
    finally:
        sales.durable_transaction = original
    assert seen == [2]  # FULL


def test_an_edition_cannot_shrink_below_the_prints_orders_hold(parties, db):
    artist_client, artist, buyer_client, _, _, _ = parties
    edition = add_artwork(db, artist["id"], title="Print", price=80, currency="USD", edition_size=5)
    order(buyer_client, edition, quantity=3)
    assert "3 prints" in assert_problem(artist_client.put(f"/api/artworks/{edition}", json={"edition_size": 2}),
                                        409)["detail"]
    grown = artist_client.put(f"/api/artworks/{edition}", json={"edition_size": 8}).get_json()
    assert (grown["edition_size"], grown["editions_remaining"]) == (8, 5)


def test_a_work_with_an_open_order_cannot_be_deleted_and_its_record_outlives_it(parties, db):
    artist_client, _, buyer_client, _, _, work = parties
    placed = order(buyer_client, work).get_json()
    artist_client.put(f"/api/orders/{placed['id']}", json={"status": "paid"})
    assert_problem(artist_client.delete(f"/api/artworks/{work}"), 409)
    artist_client.put(f"/api/orders/{placed['id']}", json={"status": "shipped", "carrier": "DHL"})
    buyer_client.put(f"/api/orders/{placed['id']}", json={"status": "delivered"})
    assert artist_client.delete(f"/api/artworks/{work}").status_code == 200
    kept = buyer_client.get(f"/api/orders/{placed['id']}").get_json()
    assert (kept["artwork"]["id"], kept["artwork"]["title"], kept["total"]) == (None, "Harbour at Dusk", 120050)
