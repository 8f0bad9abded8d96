"""The signed payment webhook: HMAC over the raw body, a replay window, and each event id once."""

import json
import time

import pytest

from market import payments
from tests.conftest import add_artwork, assert_problem

SECRET = "whsec-test-secret"


@pytest.fixture
def app(make_app):
    return make_app(PAYMENT_WEBHOOK_SECRET=SECRET)


@pytest.fixture
def pending(signed_in, db):
    """(buyer client, an order paid through the webhook provider, the work's id)."""
    artist_client, artist = signed_in()
    buyer_client, _ = signed_in()
    work = add_artwork(db, artist["id"], title="Salt Marsh", price=950, currency="GBP")
    placed = buyer_client.post("/api/orders", json={"artwork_id": work, "provider": "webhook"}).get_json()
    buyer_client.artist_client = artist_client
    return buyer_client, placed, work


def event(order, kind="payment.succeeded", event_id="evt_1", **data):
    return {"id": event_id, "type": kind,
            "data": {"order_id": order["id"], "amount": order["total"], "currency": order["currency"],
                     "reference": "ch_123", **data}}


def post(client, body, *, secret=SECRET, at=None, raw=None):
    raw = raw if raw is not None else json.dumps(body).encode()
    header = payments.sign(secret, int(at if at is not None else time.time()), raw)
    return client.post("/api/payments/webhook", data=raw, headers={payments.SIGNATURE_HEADER: header},
                       content_type="application/json")


def test_a_signed_payment_marks_the_order_paid_and_the_work_sold(client, pending, db):
    buyer_client, placed, work = pending
    assert placed["payment"] == {"provider": "webhook", "reference": placed["id"], "amount": 95000,
                                 "currency": "GBP", "steps": placed["payment"]["steps"]}
    answer = post(client, event(placed))
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() | {"detail": ""} == {"received": True, "event_id": "evt_1", "outcome": "applied",
                                                   "detail": "", "duplicate": False}
    seen = buyer_client.get(f"/api/orders/{placed['id']}").get_json()
    assert seen["status"] == "paid"
    assert seen["events"][-1]["reference"] == "ch_123" and seen["events"][-1]["provider"] == "webhook"
    assert db.execute("SELECT availability_status FROM artworks WHERE id = ?", (work,)).fetchone()[0] == "sold"


def test_a_replayed_event_changes_nothing_twice(client, pending, db):
    _, placed, _ = pending
    post(client, event(placed))
    again = post(client, event(placed))
    assert again.status_code == 200 and again.get_json()["duplicate"] is True
    assert again.get_json()["outcome"] == "applied"
    assert db.execute("SELECT count(*) FROM sales_events WHERE kind = 'paid'").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM payment_events").fetchone()[0] == 1


@pytest.mark.parametrize("tamper", ["secret", "body", "stale", "future", "missing", "garbled"])
def test_a_bad_signature_is_401_and_changes_nothing(client, pending, db, tamper):
    _, placed, _ = pending
    body = event(placed)
    raw = json.dumps(body).encode()
    if tamper == "secret":
        answer = post(client, body, secret="not-the-secret")
    elif tamper == "body":
        header = payments.sign(SECRET, int(time.time()), raw)
        answer = client.post("/api/payments/webhook", data=raw.replace(b"95000", b"1"),
                             headers={payments.SIGNATURE_HEADER: header}, content_type="application/json")
    elif tamper in ("stale", "future"):
        answer = post(client, body, at=time.time() + (-301 if tamper == "stale" else 301))
    elif tamper == "missing":
        answer = client.post("/api/payments/webhook", data=raw, content_type="application/json")
    else:
        answer = client.post("/api/payments/webhook", data=raw, content_type="application/json",
                             headers={payments.SIGNATURE_HEADER: "v1=abc"})
    assert_problem(answer, 401)
    assert db.execute("SELECT status FROM orders").fetchone()[0] == "pending_payment"
    assert db.execute("SELECT count(*) FROM payment_events").fetchone()[0] == 0


def test_a_payment_of_the_wrong_amount_is_recorded_and_refused(client, pending, db):
    _, placed, _ = pending
    answer = post(client, event(placed, amount=100))
    assert answer.status_code == 200 and answer.get_json()["outcome"] == "refused"
    assert db.execute("SELECT status FROM orders").fetchone()[0] == "pending_payment"
    assert db.execute("SELECT kind, amount FROM sales_events ORDER BY id DESC").fetchone()[:] == (
        "payment_refused", 100)


def test_a_payment_for_a_lapsed_order_is_recorded_for_a_refund(client, pending, db):
    _, placed, work = pending
    db.execute("UPDATE orders SET expires_at = '2000-01-01T00:00:00.000Z'")
    answer = post(client, event(placed))
    assert answer.get_json()["outcome"] == "refused"
    assert db.execute("SELECT availability_status FROM artworks WHERE id = ?", (work,)).fetchone()[0] == "available"


def test_a_refund_event_refunds_a_paid_order(client, pending):
    buyer_client, placed, _ = pending
    post(client, event(placed))
    answer = post(client, event(placed, kind="refund.succeeded", event_id="evt_2"))
    assert answer.get_json()["outcome"] == "applied"
    assert buyer_client.get(f"/api/orders/{placed['id']}").get_json()["status"] == "refunded"


def test_only_the_processor_marks_a_webhook_order_paid_or_refunded(client, pending, db):
    buyer_client, placed, _ = pending
    artist_client = buyer_client.artist_client
    assert artist_client.get(f"/api/orders/{placed['id']}").get_json()["allowed_statuses"] == ["cancelled"]
    assert_problem(artist_client.put(f"/api/orders/{placed['id']}", json={"status": "paid"}), 403)
    post(client, event(placed))
    assert_problem(artist_client.put(f"/api/orders/{placed['id']}", json={"status": "refunded"}), 403)
    assert db.execute("SELECT status FROM orders").fetchone()[0] == "paid"


def test_an_unknown_order_or_event_body_is_answered_plainly(client, pending):
    _, placed, _ = pending
    assert post(client, event({**placed, "id": "nope"})).get_json()["outcome"] == "unknown_order"
    problem = assert_problem(post(client, {"id": "evt_9", "type": "payment.succeeded", "data": {}}), 400)
    assert "data.order_id" in problem["errors"]


def test_servers_without_the_webhook_provider_answer_404(make_app):
    client = make_app(PAYMENT_PROVIDERS="manual").test_client()
    assert_problem(client.post("/api/payments/webhook", json={}), 404)
    assert client.get("/api/payments/providers").get_json() == {
        "items": [{"name": "manual", "confirmed_by_artist": True}]}


def test_the_contract_declares_the_signature(client):
    document = client.get("/api/openapi.json").get_json()
    scheme = document["components"]["securitySchemes"]["webhookSignature"]
    assert (scheme["in"], scheme["name"]) == ("header", payments.SIGNATURE_HEADER)
    webhook = document["paths"]["/api/payments/webhook"]["post"]
    assert webhook["security"] == [{"webhookSignature": []}]
    assert {"200", "400", "401", "404"} <= set(webhook["responses"])
