"""Sales over HTTP against gunicorn with 2 workers: 8 buyers racing for one original and for an
edition's last prints, and a card processor's signed webhook sent by a real HTTP client."""

import json
import threading
import time
import urllib.request

import pytest

from market import payments
from tests.conftest import encoded, painting
from tests.servers import COMMANDS, Server

pytestmark = pytest.mark.e2e
SECRET = "e2e-webhook-secret"
BUYERS = 8


@pytest.fixture
def server(tmp_path):
    env = {"PAYMENT_WEBHOOK_SECRET": SECRET, "RATELIMIT_ENABLED": "0", "SEARCH_WARM": "0"}
    with Server(COMMANDS["gunicorn app:app"], tmp_path / "data", env=env) as running:
        yield running


def race(server, cookies, body):
    """Every buyer posts `body` to /api/orders at the same moment; their statuses."""
    barrier, statuses = threading.Barrier(len(cookies)), [None] * len(cookies)

    def buy(index):
        barrier.wait()
        statuses[index] = server.call("POST", "/api/orders", body, cookie=cookies[index])[0]
    threads = [threading.Thread(target=buy, args=(index,)) for index in range(len(cookies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_eight_buyers_racing_across_two_workers(server):
    artist = server.register("racer_artist")
    original = server.upload(artist, encoded(painting(1)), title="One of a kind", price="2400", currency="EUR")
    edition = server.upload(artist, encoded(painting(2)), title="Prints", price="90", currency="EUR",
                            edition_size="3")
    buyers = [server.register(f"racer_{n}") for n in range(BUYERS)]

    statuses = race(server, buyers, {"artwork_id": original["id"], "provider": "webhook"})
    assert sorted(statuses) == [201] + [409] * (BUYERS - 1), statuses
    statuses = race(server, buyers, {"artwork_id": edition["id"]})
    assert sorted(statuses) == [201] * 3 + [409] * (BUYERS - 3), statuses
    _, _, shown = server.call("GET", f"/api/artworks/{edition['id']}")
    assert shown["editions_remaining"] == 0


def signed_post(server, event, secret=SECRET):
    raw = json.dumps(event).encode()
    request = urllib.request.Request(server.base + "/api/payments/webhook", data=raw, method="POST", headers={
        "Content-Type": "application/json", payments.SIGNATURE_HEADER: payments.sign(secret, int(time.time()), raw)})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def test_a_processor_pays_an_order_through_the_signed_webhook(server):
    artist = server.register("webhook_artist")
    work = server.upload(artist, encoded(painting(3)), title="Paid by card", price="310.00", currency="USD")
    buyer = server.register("webhook_buyer")
    status, _, placed = server.call("POST", "/api/orders", {"artwork_id": work["id"], "provider": "webhook"},
                                    cookie=buyer)
    assert status == 201 and placed["payment"]["amount"] == 31000
    event = {"id": "evt_e2e_1", "type": "payment.succeeded",
             "data": {"order_id": placed["id"], "amount": 31000, "currency": "USD", "reference": "ch_e2e"}}
    assert signed_post(server, event, secret="wrong")[0] == 401
    assert server.call("GET", f"/api/orders/{placed['id']}", cookie=buyer)[2]["status"] == "pending_payment"
    # The processor retries: both workers may see the same event; it applies once.
    answers = [signed_post(server, event) for _ in range(4)]
    assert [status for status, _ in answers] == [200] * 4
    assert sorted(answer["duplicate"] for _, answer in answers) == [False, True, True, True]
    _, _, paid = server.call("GET", f"/api/orders/{placed['id']}", cookie=buyer)
    assert paid["status"] == "paid" and [e["kind"] for e in paid["events"]].count("paid") == 1
    assert server.call("GET", f"/api/artworks/{work['id']}")[2]["availability_status"] == "sold"
