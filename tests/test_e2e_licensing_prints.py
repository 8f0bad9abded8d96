"""Licensing and prints over HTTP against gunicorn with 2 workers: an artist approving eight
overlapping exclusive licences at once grants exactly one; a print paid by a card processor's
webhook reaches a real local print lab, which fetches the print file from its signed link and
calls back signed."""

import io
import json
import threading
import time
import urllib.request

import pytest
from PIL import Image

from market import payments
from tests.conftest import encoded, painting
from tests.labserver import Lab
from tests.servers import COMMANDS, Server

pytestmark = pytest.mark.e2e
PAYMENT_SECRET, LAB_SECRET = "e2e-payment-secret", "e2e-lab-secret"  # noqa: S105 - the test's own
LICENSEES = 8
ADDRESS = {"name": "Ada Collector", "line1": "1 Rue de la Paix", "city": "Paris", "country": "FR"}


@pytest.fixture
def lab():
    with Lab() as running:
        yield running


@pytest.fixture
def server(tmp_path, lab):
    env = {"PAYMENT_WEBHOOK_SECRET": PAYMENT_SECRET, "FULFILMENT_SECRET": LAB_SECRET, "FULFILMENT_URL": lab.url,
           "RATELIMIT_ENABLED": "0", "SEARCH_WARM": "0"}
    with Server(COMMANDS["gunicorn app:app"], tmp_path / "data", env=env) as running:
        yield running


def all_at_once(calls):
    """Run the calls at the same moment, one thread each; their results in order."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index):
        barrier.wait()
        results[index] = calls[index]()
    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_approving_overlapping_exclusive_licences_at_once_grants_one(server):
    artist = server.register("licensor")
    work = server.upload(artist, encoded(painting(4)), title="Exclusive", price="100", currency="EUR")
    status, _, offered = server.call("PUT", f"/api/artworks/{work['id']}/licenses", {"terms": [
        {"usage": "commercial", "exclusive": True, "media": ["web"], "territory": ["FR"], "duration_months": 12,
         "pricing": "royalty", "royalty_bps": 500}]}, cookie=artist)
    assert status == 200, offered
    term = offered["items"][0]["id"]
    requested = []
    for n in range(LICENSEES):
        status, _, licence = server.call("POST", "/api/licenses", {"term_id": term},
                                         cookie=server.register(f"licensee_{n}"))
        assert status == 201, licence
        requested.append(licence["id"])
    answers = all_at_once([lambda licence=licence: server.call("PUT", f"/api/licenses/{licence}",
                                                               {"status": "approved"}, cookie=artist)[0]
                           for licence in requested])
    assert sorted(answers) == [200] + [409] * (LICENSEES - 1), answers
    _, _, listed = server.call("GET", "/api/licenses?role=licensor&status=active", cookie=artist)
    assert listed["total"] == 1


def signed(server, path, body, secret):
    raw = json.dumps(body).encode()
    request = urllib.request.Request(server.base + path, data=raw, method="POST", headers={
        "Content-Type": "application/json", payments.SIGNATURE_HEADER: payments.sign(secret, int(time.time()), raw)})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the test's own server
        return json.loads(response.read())


def test_a_paid_print_reaches_the_lab_which_fetches_its_file(server, lab):
    artist = server.register("printmaker")
    work = server.upload(artist, encoded(painting(5, (2400, 1800))), title="Print me", price="800", currency="EUR")
    status, _, _ = server.call("PUT", f"/api/artworks/{work['id']}/prints", {"products": [
        {"product": "poster", "sizes": [{"size": "21x30", "price": 3500}]}]}, cookie=artist)
    assert status == 200
    buyer = server.register("poster_buyer")
    status, _, order = server.call("POST", "/api/orders", {
        "artwork_id": work["id"], "product": {"product": "poster", "size": "21x30"}, "quantity": 2,
        "provider": "webhook", "shipping_address": ADDRESS}, cookie=buyer)
    assert status == 201, order
    paid = signed(server, "/api/payments/webhook", {"id": "evt_print", "type": "payment.succeeded", "data": {
        "order_id": order["id"], "amount": 7000, "currency": "EUR"}}, PAYMENT_SECRET)
    assert paid["outcome"] == "applied"

    deadline = time.monotonic() + 60  # the worker makes the file and sends it in a thread of its own
    while not lab.received and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(lab.received) == 1, server.log()[-3000:]
    sent = json.loads(lab.received[0]["body"])
    assert sent["order_id"] == order["id"] and sent["quantity"] == 2
    assert sent["file"]["url"].startswith(server.base + "/api/fulfilment/files/")
    with urllib.request.urlopen(sent["file"]["url"], timeout=30) as answer:  # noqa: S310 - the test's own server
        assert answer.headers["Content-Type"] == "image/jpeg"
        with Image.open(io.BytesIO(answer.read())) as printed:
            assert printed.size == (sent["file"]["width_px"], sent["file"]["height_px"])
            assert printed.info["dpi"] == (sent["file"]["dpi"],) * 2 and "icc_profile" in printed.info

    shipped = signed(server, "/api/fulfilment/webhook", {"id": "lab-1", "order_id": order["id"], "status": "shipped",
                                                         "carrier": "La Poste", "tracking_number": "LP123"}, LAB_SECRET)
    assert shipped["outcome"] == "applied"
    _, _, seen = server.call("GET", f"/api/orders/{order['id']}", cookie=buyer)
    assert (seen["status"], seen["carrier"], seen["fulfilment_status"]) == ("shipped", "La Poste", "shipped")
