"""Print-on-demand through the API: products limited by the original's pixels, print orders, the
hand-off to a print lab (a real local HTTP server), its signed callbacks, retries and margins."""

import io
import json
import time
from urllib.parse import urlsplit

import pytest
from PIL import Image, ImageCms

from market import fulfilment, payments
from market import prints as catalogue
from store import prints as prints_store
from tests.conftest import assert_problem, encoded, painting, upload_ok
from tests.labserver import Lab

ADDRESS = {"name": "Ada Collector", "line1": "1 Rue de la Paix", "city": "Paris", "country": "FR"}
PRINT_30X40 = {"product": "fine_art_print", "sizes": [{"size": "30x40", "price": 9000}]}


@pytest.fixture
def lab():
    with Lab() as running:
        yield running


@pytest.fixture
def shop(make_app, lab):
    """(app, artist client, buyer client, work id of a 3000 x 2000 original with a 30x40 print)."""
    app = make_app(FULFILMENT_URL=lab.url, FULFILMENT_SECRET="lab-secret", SERVER_URL="http://localhost")
    artist_client, buyer_client = app.test_client(), app.test_client()
    from tests.conftest import register
    register(artist_client)
    register(buyer_client, account_type="collector")
    work = upload_ok(artist_client, encoded(painting(7, (3000, 2000))), title="Calanques", price="4000", currency="EUR",
                     availability_status="available")["id"]
    assert artist_client.put(f"/api/artworks/{work}/prints", json={"products": [PRINT_30X40]}).status_code == 200
    return app, artist_client, buyer_client, work


def order_print(client, work, size="30x40", quantity=2, **fields):
    return client.post("/api/orders", json={"artwork_id": work, "product": {"product": "fine_art_print", "size": size},
                                            "quantity": quantity, "shipping_address": ADDRESS, **fields})


def wait_for_sends(app):
    for thread in list(app.extensions["easel_fulfilment_threads"]):
        thread.join(timeout=60)


LAB_SECRET = "lab-secret"  # noqa: S105 - a test's own shared secret


def signed_post(client, body, secret=LAB_SECRET, stamp=None):
    raw = json.dumps(body).encode()
    header = payments.sign(secret, int(stamp or time.time()), raw)
    return client.post("/api/fulfilment/webhook", data=raw, content_type="application/json",
                       headers={payments.SIGNATURE_HEADER: header})


def test_the_artist_sees_which_sizes_the_pixels_allow(shop, client):
    app, artist_client, _, work = shop
    answer = artist_client.get(f"/api/artworks/{work}/prints").get_json()
    options = {(o["product"], o["size"]): o for o in answer["options"]}
    small, big = options[("fine_art_print", "30x40")], options[("fine_art_print", "40x50")]
    # 40.6 x 30.6 cm with bleed, cut from a 2654 x 2000 box: 166 DPI. 50.6 cm across: 125 DPI.
    assert (small["width_cm"], small["height_cm"], small["dpi"], small["allowed"], small["recommended"]) == (
        40, 30, 166, True, False)
    assert "300 DPI" in small["limitation"]
    assert (big["dpi"], big["allowed"]) == (125, False) and "150 DPI" in big["limitation"]
    assert small["crop"] == {"left": 173, "top": 0, "width": 2654, "height": 2000, "kept": 0.8847}
    assert options[("fine_art_print", "30x30")]["crop"]["width"] == 2000
    assert small["enabled"] and small["price"] == 9000 and small["currency"] == "EUR"
    assert small["margin"] == 9000 - small_cost_eur()
    public = client.get(f"/api/artworks/{work}/prints").get_json()
    assert public["options"] is None
    assert [(item["product"], item["size"], item["price"]) for item in public["items"]] == [
        ("fine_art_print", "30x40", 9000)]


def small_cost_eur():
    """1,900 US cents at the default table's 1.035 USD per EUR."""
    return round(19.00 / 1.035 * 100)


def test_a_size_beyond_the_pixels_is_refused_naming_the_largest(shop):
    _, artist_client, _, work = shop
    body = assert_problem(artist_client.put(f"/api/artworks/{work}/prints", json={"products": [
        {"product": "fine_art_print", "sizes": [{"size": "30x40", "price": 9000}, {"size": "40x50", "price": 12000}]},
        {"product": "canvas", "sizes": [{"size": "60x90", "price": 30000}]}]}), 400)
    assert "largest this image allows is 30x40" in body["errors"]["products[0].sizes[1]"]
    assert "125 DPI" in body["errors"]["products[0].sizes[1]"]
    assert "products[1].sizes[0]" in body["errors"]
    assert len(body["errors"]) == 2
    # Nothing changed.
    assert [i["size"] for i in artist_client.get(f"/api/artworks/{work}/prints").get_json()["items"]] == ["30x40"]


@pytest.mark.parametrize("product, errors_key, message", [
    ({"product": "fine_art_print", "sizes": [{"size": "30x40", "price": 1000}]}, "products[0].sizes[0]",
     "production cost"),
    ({"product": "fine_art_print", "sizes": [{"size": "33x44", "price": 9000}]}, "products[0].sizes[0]",
     "comes in"),
    ({"product": "fine_art_print", "sizes": [{"size": "30x40", "price": 9000}, {"size": "30x40", "price": 9500}]},
     "products[0].sizes[1]", "twice"),
])
def test_bad_products_are_refused(shop, product, errors_key, message):
    _, artist_client, _, work = shop
    body = assert_problem(artist_client.put(f"/api/artworks/{work}/prints", json={"products": [product]}), 400)
    assert message in body["errors"][errors_key]


def test_only_the_artist_sets_up_prints(shop):
    _, _, buyer_client, work = shop
    assert_problem(buyer_client.put(f"/api/artworks/{work}/prints", json={"products": []}), 403)


def test_a_paid_print_order_goes_to_the_lab_with_a_signed_file_link(shop, lab, db):
    app, artist_client, buyer_client, work = shop
    placed = order_print(buyer_client, work)
    assert placed.status_code == 201, placed.get_json()
    order = placed.get_json()
    assert (order["kind"], order["product"], order["unit_price"], order["quantity"], order["total"]) == (
        "print", {"product": "fine_art_print", "size": "30x40"}, 9000, 2, 18000)
    assert order["margin"] is None  # the artist's business
    assert artist_client.get(f"/api/orders/{order['id']}").get_json()["margin"] == 2 * (9000 - small_cost_eur())
    # A print of a work does not hold or sell the work itself.
    assert db.execute("SELECT availability_status FROM artworks WHERE id = ?", (work,)).fetchone()[0] == "available"
    told = db.execute("SELECT data ->> 'message' FROM notifications WHERE subject_id = ?", (order["id"],)).fetchone()
    assert told[0].endswith("ordered 2 × fine art print 30x40 of “Calanques” (180.00 EUR).")
    assert artist_client.put(f"/api/orders/{order['id']}", json={"status": "paid"}).status_code == 200
    wait_for_sends(app)

    assert len(lab.received) == 1
    sent = lab.received[0]
    payments.verify_signature("lab-secret", sent["headers"][payments.SIGNATURE_HEADER], sent["body"], time.time(),
                              300)
    assert sent["headers"]["Idempotency-Key"] == prints_store.dispatch_of(db, order["id"])["idempotency_key"]
    payload = json.loads(sent["body"])
    assert (payload["order_id"], payload["product"], payload["quantity"], payload["width_cm"]) == (
        order["id"], "fine_art_print", 2, 40)
    assert payload["shipping_address"]["city"] == "Paris"
    link = urlsplit(payload["file"]["url"])
    assert link.netloc == "localhost"

    client = app.test_client()
    got = client.get(f"{link.path}?{link.query}")
    assert got.status_code == 200 and got.mimetype == "image/jpeg"
    option = catalogue.size_option("fine_art_print", "30x40", 3000, 2000)
    with Image.open(io.BytesIO(got.data)) as printed:
        assert printed.size == option.file_pixels == (payload["file"]["width_px"], payload["file"]["height_px"])
        assert printed.info["dpi"] == (166, 166) == (option.file_dpi,) * 2
        profile = ImageCms.ImageCmsProfile(io.BytesIO(printed.info["icc_profile"]))
        assert "srgb" in ImageCms.getProfileDescription(profile).lower()
    # A link changed or run out is refused.
    assert_problem(client.get(f"{link.path}?{link.query.replace('signature=', 'signature=0')}"), 401)
    expired = int(time.time()) - 1
    name = link.path.rsplit("/", 1)[1]
    stale = fulfilment.signed_file_url("lab-secret", "", name, expired)
    assert_problem(client.get(stale), 401)
    assert buyer_client.get(f"/api/orders/{order['id']}").get_json()["fulfilment_status"] == "sent"


def test_the_labs_callbacks_move_the_order_once_each(shop, lab):
    app, artist_client, buyer_client, work = shop
    order = order_print(buyer_client, work).get_json()
    artist_client.put(f"/api/orders/{order['id']}", json={"status": "paid"})
    wait_for_sends(app)
    client = app.test_client()
    accepted = signed_post(client, {"id": "ev-1", "order_id": order["id"], "status": "accepted"}).get_json()
    assert (accepted["outcome"], accepted["duplicate"]) == ("applied", False)
    assert signed_post(client, {"id": "ev-1", "order_id": order["id"], "status": "accepted"}).get_json()["duplicate"]
    shipped = signed_post(client, {"id": "ev-2", "order_id": order["id"], "status": "shipped", "carrier": "DHL",
                                   "tracking_number": "JD0142", "tracking_url": "https://dhl.example/JD0142"})
    assert shipped.get_json()["outcome"] == "applied"
    seen = buyer_client.get(f"/api/orders/{order['id']}").get_json()
    assert (seen["status"], seen["fulfilment_status"], seen["carrier"], seen["tracking_number"]) == (
        "shipped", "shipped", "DHL", "JD0142")
    assert seen["events"][-1]["actor_role"] == "fulfilment"
    late = signed_post(client, {"id": "ev-3", "order_id": order["id"], "status": "printed"}).get_json()
    assert late["outcome"].startswith("ignored")
    # The artist does not ship prints; the lab does.
    assert_problem(artist_client.put(f"/api/orders/{order['id']}", json={"status": "delivered"}), 403)
    assert signed_post(client, {"id": "ev-4", "order_id": order["id"], "status": "delivered"}).status_code == 200
    assert buyer_client.get(f"/api/orders/{order['id']}").get_json()["status"] == "delivered"


def test_a_callback_with_a_bad_signature_changes_nothing(shop, lab):
    app, artist_client, buyer_client, work = shop
    order = order_print(buyer_client, work).get_json()
    artist_client.put(f"/api/orders/{order['id']}", json={"status": "paid"})
    wait_for_sends(app)
    client = app.test_client()
    body = {"id": "ev-9", "order_id": order["id"], "status": "shipped", "carrier": "DHL"}
    assert_problem(signed_post(client, body, secret="not-the-secret"), 401)
    assert_problem(signed_post(client, body, stamp=time.time() - 3600), 401)
    raw = json.dumps(body).encode()
    assert_problem(client.post("/api/fulfilment/webhook", data=raw, content_type="application/json"), 401)
    seen = buyer_client.get(f"/api/orders/{order['id']}").get_json()
    assert (seen["status"], seen["fulfilment_status"], seen["carrier"]) == ("paid", "sent", None)
    # Refused events are not remembered: the genuine one still applies.
    assert signed_post(client, body).get_json()["outcome"] == "applied"


def test_a_failed_print_is_told_to_both_parties(shop, lab, db):
    app, artist_client, buyer_client, work = shop
    order = order_print(buyer_client, work).get_json()
    artist_client.put(f"/api/orders/{order['id']}", json={"status": "paid"})
    wait_for_sends(app)
    failed = signed_post(app.test_client(), {"id": "ev-f", "order_id": order["id"], "status": "failed",
                                             "reason": "paper out of stock"})
    assert failed.get_json()["outcome"] == "applied"
    messages = [row[0] for row in db.execute("SELECT data ->> 'message' FROM notifications WHERE subject_id = ? "
                                             "AND data ->> 'fulfilment' = 'failed'", (order["id"],))]
    assert len(messages) == 2 and all("paper out of stock" in message for message in messages)


def test_ordering_a_print_that_is_not_offered_is_refused(shop):
    _, _, buyer_client, work = shop
    body = assert_problem(order_print(buyer_client, work, size="20x25"), 400)
    assert "30x40" in body["errors"]["product"]
    no_address = buyer_client.post("/api/orders", json={"artwork_id": work, "product": {
        "product": "fine_art_print", "size": "30x40"}})
    assert "shipping_address" in assert_problem(no_address, 400)["errors"]


def test_without_a_lab_prints_can_be_set_up_but_not_ordered(make_app):
    app = make_app()
    artist_client, buyer_client = app.test_client(), app.test_client()
    from tests.conftest import register
    register(artist_client)
    register(buyer_client)
    work = upload_ok(artist_client, encoded(painting(8, (3000, 2000))), availability_status="available")["id"]
    assert artist_client.put(f"/api/artworks/{work}/prints", json={"products": [PRINT_30X40]}).status_code == 200
    assert_problem(order_print(buyer_client, work), 409)
    assert_problem(signed_post(buyer_client, {"id": "x", "order_id": "y", "status": "accepted"}), 404)


def test_print_margins_show_in_the_artists_sales(shop):
    app, artist_client, buyer_client, work = shop
    order = order_print(buyer_client, work, quantity=3).get_json()
    artist_client.put(f"/api/orders/{order['id']}", json={"status": "paid"})
    wait_for_sends(app)
    figures = artist_client.get("/api/analytics/sales?period=30d").get_json()
    assert figures["prints"] == [{"product": "fine_art_print", "size": "30x40", "currency": "EUR", "orders": 1,
                                  "units": 3, "revenue": 27000, "production_cost": 3 * small_cost_eur(),
                                  "margin": 3 * (9000 - small_cost_eur())}]
    assert figures["margin"]["by_currency"] == {"EUR": 3 * (9000 - small_cost_eur())}
    assert [entry["name"] for entry in figures["by_kind"]] == ["print"]
    assert figures["sell_through"]["sold"] == 0  # prints do not sell the work itself


@pytest.mark.parametrize("target", ["shipped", "delivered", "completed"])
def test_neither_party_ships_a_print_but_the_lab(shop, target):
    app, artist_client, buyer_client, work = shop
    order = order_print(buyer_client, work).get_json()
    artist_client.put(f"/api/orders/{order['id']}", json={"status": "paid", })
    wait_for_sends(app)
    for client in (artist_client, buyer_client):
        answer = client.put(f"/api/orders/{order['id']}", json={"status": target, "carrier": "DHL"}
                            if client is artist_client else {"status": target})
        assert answer.status_code in (403, 409), answer.get_json()
        if target == "shipped":
            assert_problem(answer, 403)
    assert buyer_client.get(f"/api/orders/{order['id']}").get_json()["status"] == "paid"
