"""Sending print orders to a print lab that is down at first, refuses, or is not there: retries
with backoff under one idempotency key, never a second send once one got through."""

import contextlib

import pytest

from api import fulfilment as lab_settings
from market import dispatcher, fulfilment
from store import prints, sales
from store.media import MediaStore
from tests.conftest import encoded, painting, register, upload_ok
from tests.labserver import Lab

ADDRESS = {"name": "Ada Collector", "line1": "1 Rue de la Paix", "city": "Paris", "country": "FR"}


@contextlib.contextmanager
def paid_print_order(make_app, lab_url):
    """(app, order id) of a print order paid by hand, after the send its payment started."""
    app = make_app(FULFILMENT_URL=lab_url, FULFILMENT_SECRET="lab-secret", SERVER_URL="http://localhost")
    artist, buyer = app.test_client(), app.test_client()
    register(artist)
    register(buyer)
    work = upload_ok(artist, encoded(painting(21, (2400, 1800))), availability_status="available")["id"]
    artist.put(f"/api/artworks/{work}/prints", json={"products": [
        {"product": "poster", "sizes": [{"size": "21x30", "price": 4000}]}]})
    order = buyer.post("/api/orders", json={"artwork_id": work, "product": {"product": "poster", "size": "21x30"},
                                            "shipping_address": ADDRESS}).get_json()
    assert artist.put(f"/api/orders/{order['id']}", json={"status": "paid"}).status_code == 200
    for thread in app.extensions["easel_fulfilment_threads"]:
        thread.join(timeout=60)
    yield app, order["id"]


def dispatch_now(app):
    """Make every queued order due, then run the scheduled send."""
    conn = app.extensions["easel_connections"].take()
    try:
        conn.execute("UPDATE fulfilment_dispatches SET next_attempt_at = '2000-01-01T00:00:00.000Z' "
                     "WHERE status = 'pending'")
        return dispatcher.dispatch_due(conn, MediaStore(app.config["MEDIA_DIR"]),
                                       app.extensions["easel_fulfilment"],
                                       lab_settings.links(app.config, "http://localhost"),
                                       max_pixels=app.config["MAX_IMAGE_PIXELS"])
    finally:
        app.extensions["easel_connections"].give_back(conn)


def dispatch_row(app, order_id):
    conn = app.extensions["easel_connections"].take()
    try:
        return prints.dispatch_of(conn, order_id)
    finally:
        app.extensions["easel_connections"].give_back(conn)


def test_a_lab_down_at_first_gets_the_order_later_under_the_same_key(make_app):
    with Lab(answers=(503, 502, 200)) as lab, paid_print_order(make_app, lab.url) as (app, order_id):
        first = dispatch_row(app, order_id)
        assert (first["status"], first["attempts"]) == ("pending", 1)
        assert "503" in first["last_error"] and first["next_attempt_at"] > first["created_at"]
        assert dispatch_now(app).retrying == [order_id]
        assert dispatch_now(app).sent == [order_id]
        assert [request["answered"] for request in lab.received] == [503, 502, 200]
        assert len({request["headers"]["Idempotency-Key"] for request in lab.received}) == 1
        sent = dispatch_row(app, order_id)
        assert (sent["status"], sent["attempts"], sent["provider_reference"]) == ("sent", 3, "LAB-3")
        # Nothing is ever sent again once the lab took it.
        assert dispatch_now(app).sent == [] and len(lab.received) == 3


def test_a_lab_that_is_not_listening_is_retried_and_in_the_end_given_up(make_app):
    with Lab() as closed:
        url = closed.url  # the port is free again once the server stops
    with paid_print_order(make_app, url) as (app, order_id):
        row = dispatch_row(app, order_id)
        assert row["status"] == "pending" and "could not be reached" in row["last_error"]
        conn = app.extensions["easel_connections"].take()
        conn.execute("UPDATE fulfilment_dispatches SET attempts = ? WHERE order_id = ?",
                     (len(fulfilment.RETRY_DELAYS), order_id))
        app.extensions["easel_connections"].give_back(conn)
        assert dispatch_now(app).failed == [order_id]
        assert dispatch_row(app, order_id)["status"] == "failed"
        conn = app.extensions["easel_connections"].take()
        told = conn.execute("SELECT count(*) FROM notifications WHERE subject_id = ? "
                            "AND data ->> 'fulfilment' = 'failed'", (order_id,)).fetchone()[0]
        status = conn.execute("SELECT fulfilment_status FROM orders WHERE id = ?", (order_id,)).fetchone()[0]
        app.extensions["easel_connections"].give_back(conn)
        assert (told, status) == (2, "failed")


def test_a_lab_that_refuses_the_order_fails_it_at_once(make_app):
    with Lab(answers=(422,)) as lab, paid_print_order(make_app, lab.url) as (app, order_id):
        row = dispatch_row(app, order_id)
        assert (row["status"], row["attempts"]) == ("failed", 1) and "422" in row["last_error"]
        assert dispatch_now(app).sent == [] and len(lab.received) == 1


def test_the_scheduled_command_sends_what_is_due(make_app):
    with Lab(answers=(503, 200)) as lab, paid_print_order(make_app, lab.url) as (app, order_id):
        conn = app.extensions["easel_connections"].take()
        conn.execute("UPDATE fulfilment_dispatches SET next_attempt_at = '2000-01-01T00:00:00.000Z'")
        app.extensions["easel_connections"].give_back(conn)
        result = app.test_cli_runner().invoke(args=["fulfilment", "dispatch"])
        assert result.exit_code == 0, result.output
        assert "Sent 1" in result.output and len(lab.received) == 2


def test_the_command_says_when_there_is_no_lab(make_app):
    result = make_app().test_cli_runner().invoke(args=["fulfilment", "dispatch"])
    assert result.exit_code != 0 and "FULFILMENT_URL" in result.output


@pytest.mark.parametrize("attempts, delay", [(1, 30), (2, 120), (len(fulfilment.RETRY_DELAYS), 12 * 3600),
                                             (len(fulfilment.RETRY_DELAYS) + 1, None)])
def test_the_backoff_grows_then_gives_up(attempts, delay):
    assert fulfilment.retry_delay(attempts) == delay


def test_an_order_refunded_before_the_lab_got_it_is_never_sent(make_app):
    with Lab(answers=(503, 200)) as lab, paid_print_order(make_app, lab.url) as (app, order_id):
        conn = app.extensions["easel_connections"].take()
        try:
            artist_id = conn.execute("SELECT artist_id FROM orders WHERE id = ?", (order_id,)).fetchone()[0]
            sales.change_order(conn, order_id, artist_id, {"artist", "payment"}, status="refunded",
                               payment=sales.Payment("manual"))
        finally:
            app.extensions["easel_connections"].give_back(conn)
        assert dispatch_row(app, order_id)["status"] == "withdrawn"
        assert dispatch_now(app).sent == [] and len(lab.received) == 1


def test_the_labs_callback_arriving_before_the_send_is_recorded_is_kept(make_app):
    with Lab(answers=(503, 200)) as lab, paid_print_order(make_app, lab.url) as (app, order_id):
        conn = app.extensions["easel_connections"].take()
        try:
            assert prints.apply_callback(conn, "early", order_id, "accepted") == ("applied", False)
        finally:
            app.extensions["easel_connections"].give_back(conn)
        assert dispatch_now(app).sent == [order_id] and len(lab.received) == 2
        conn = app.extensions["easel_connections"].take()
        try:
            status = conn.execute("SELECT fulfilment_status FROM orders WHERE id = ?", (order_id,)).fetchone()[0]
        finally:
            app.extensions["easel_connections"].give_back(conn)
        assert status == "accepted"
