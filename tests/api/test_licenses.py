"""Licensing: offered terms, requests and grants paid through orders, every status move by every
role, exclusivity, the certificate, verification, usage reports, royalties and expiry."""

import csv
import io

import pytest
from pypdf import PdfReader

from market import licensing
from store import licenses, utc_now
from tests.conftest import add_artwork, assert_problem, encoded, painting, upload_ok

FLAT_WEB = {"usage": "editorial", "media": ["web"], "territory": "worldwide", "duration_months": 12,
            "pricing": "flat", "fee": 25000, "currency": "EUR"}
ROYALTY_MERCH = {"usage": "merchandise", "media": ["print"], "territory": ["FR", "de"], "pricing": "royalty",
                 "royalty_bps": 800, "advance": 10000, "max_units": 500, "currency": "EUR"}
EXCLUSIVE_COMMERCIAL = {"usage": "commercial", "exclusive": True, "media": ["print", "web"], "territory": ["FR"],
                        "duration_months": 6, "pricing": "flat", "fee": 90000, "currency": "EUR"}


@pytest.fixture
def parties(signed_in, db):
    """(artist client, artist, licensee client, licensee, stranger client, work id)."""
    artist_client, artist = signed_in()
    licensee_client, licensee = signed_in(account_type="collector")
    stranger_client, _ = signed_in()
    work = add_artwork(db, artist["id"], title="Harbour at Dusk", price=1200, currency="EUR")
    return artist_client, artist, licensee_client, licensee, stranger_client, work


def offer_terms(client, work, *terms):
    response = client.put(f"/api/artworks/{work}/licenses", json={"terms": list(terms)})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def ask(client, term_id, **fields):
    return client.post("/api/licenses", json={"term_id": term_id, **fields})


def granted(artist_client, licensee_client, work, term=FLAT_WEB, **fields):
    """A licence asked for, approved and (where money is due) paid by hand: its JSON."""
    term_id = offer_terms(artist_client, work, term)[0]["id"]
    asked = ask(licensee_client, term_id, **fields)
    assert asked.status_code == 201, asked.get_json()
    license_id = asked.get_json()["id"]
    approved = artist_client.put(f"/api/licenses/{license_id}", json={"status": "approved"})
    assert approved.status_code == 200, approved.get_json()
    order_id = approved.get_json()["order_id"]
    if order_id:
        paid = artist_client.put(f"/api/orders/{order_id}", json={"status": "paid"})
        assert paid.status_code == 200, paid.get_json()
    return artist_client.get(f"/api/licenses/{license_id}").get_json()


def test_terms_are_published_by_the_artist_and_read_by_anyone(parties, client):
    artist_client, _, licensee_client, _, _, work = parties
    items = offer_terms(artist_client, work, FLAT_WEB, ROYALTY_MERCH)
    assert [(t["usage"], t["pricing"], t["fee"], t["royalty_bps"]) for t in items] == [
        ("editorial", "flat", 25000, None), ("merchandise", "royalty", None, 800)]
    assert items[1]["territory"] == ["DE", "FR"]
    public = client.get(f"/api/artworks/{work}/licenses").get_json()
    assert [t["id"] for t in public["items"]] == [t["id"] for t in items]
    assert public["exclusive_license"] is None
    assert_problem(licensee_client.put(f"/api/artworks/{work}/licenses", json={"terms": [FLAT_WEB]}), 403)


@pytest.mark.parametrize("term, field", [
    ({**FLAT_WEB, "fee": None}, "terms.0"),
    ({**FLAT_WEB, "royalty_bps": 500}, "terms.0"),
    ({**ROYALTY_MERCH, "royalty_bps": None}, "terms.0"),
    ({**FLAT_WEB, "territory": ["ZZ"]}, "terms.0.territory"),
    ({**FLAT_WEB, "territory": []}, "terms.0"),
    ({**FLAT_WEB, "media": ["radio"]}, "terms.0.media.0"),
    ({**FLAT_WEB, "usage": "everything"}, "terms.0.usage"),
    ({**FLAT_WEB, "currency": "XYZ"}, "terms.0.currency"),
    ({**FLAT_WEB, "duration_months": 0}, "terms.0.duration_months"),
])
def test_bad_terms_are_refused_naming_the_field(parties, term, field):
    artist_client, *_, work = parties
    body = assert_problem(artist_client.put(f"/api/artworks/{work}/licenses", json={"terms": [term]}), 400)
    assert any(name.startswith(field) for name in body["errors"]), body["errors"]
    assert artist_client.get(f"/api/artworks/{work}/licenses").get_json()["items"] == []


def test_a_flat_licence_is_paid_through_an_order_and_then_in_force(parties, db):
    artist_client, artist, licensee_client, licensee, _, work = parties
    term_id = offer_terms(artist_client, work, FLAT_WEB)[0]["id"]
    asked = ask(licensee_client, term_id, purpose="A magazine cover")
    assert asked.status_code == 201, asked.get_json()
    licence = asked.get_json()
    assert asked.headers["Location"] == f"/api/licenses/{licence['id']}"
    assert (licence["status"], licence["amount_due"], licence["currency"], licence["role"]) == (
        "requested", 25000, "EUR", "licensee")
    assert licence["allowed_statuses"] == ["withdrawn"]
    approved = artist_client.put(f"/api/licenses/{licence['id']}", json={"status": "approved"}).get_json()
    assert approved["status"] == "approved" and approved["order_id"]
    order = licensee_client.get(f"/api/orders/{approved['order_id']}").get_json()
    assert (order["kind"], order["license_id"], order["total"], order["status"]) == (
        "license", licence["id"], 25000, "pending_payment")
    assert_problem(artist_client.put(f"/api/licenses/{licence['id']}", json={"status": "paid"}), 409)
    artist_client.put(f"/api/orders/{approved['order_id']}", json={"status": "paid"})
    active = licensee_client.get(f"/api/licenses/{licence['id']}").get_json()
    assert active["status"] == "active"
    assert active["ends_at"][:4] == str(int(active["starts_at"][:4]) + 1)
    assert [(e["kind"], e["actor_role"]) for e in active["events"]] == [
        ("requested", "licensee"), ("approved", "licensor"), ("created", "licensor"), ("paid", "payment"),
        ("active", "system"), ("paid", "payment")]
    kinds = [row[0] for row in db.execute("SELECT data ->> 'event' FROM notifications WHERE kind = 'license' "
                                          "AND recipient_id = ?", (licensee["id"],))]
    assert {"approved", "paid", "active"} <= set(kinds)
    told = db.execute("SELECT data ->> 'message' FROM notifications WHERE recipient_id = ? "
                      "AND data ->> 'event' = 'approved'", (licensee["id"],)).fetchone()[0]
    assert told == "Your editorial licence of “Harbour at Dusk” was approved; 250.00 EUR is due through its order."
    # The licence tells of its order's moves; the order adds no second notice of its own.
    assert db.execute("SELECT count(*) FROM notifications WHERE kind = 'order'").fetchone()[0] == 0
    # The work's own stock is untouched by a licence.
    assert db.execute("SELECT availability_status FROM artworks WHERE id = ?", (work,)).fetchone()[0] != "sold"


def test_the_licence_keeps_its_terms_when_the_offer_changes(parties):
    artist_client, _, licensee_client, _, _, work = parties
    term = offer_terms(artist_client, work, FLAT_WEB)[0]
    licence = ask(licensee_client, term["id"]).get_json()
    offer_terms(artist_client, work, {**FLAT_WEB, "id": term["id"], "fee": 99000, "media": ["broadcast"]})
    kept = licensee_client.get(f"/api/licenses/{licence['id']}").get_json()
    assert (kept["terms"]["fee"], kept["terms"]["media"], kept["amount_due"]) == (25000, ["web"], 25000)
    offer_terms(artist_client, work)  # every term withdrawn
    assert licensee_client.get(f"/api/licenses/{licence['id']}").get_json()["terms"]["fee"] == 25000
    body = assert_problem(ask(licensee_client, term["id"]), 400)
    assert "term_id" in body["errors"]


def test_a_term_that_is_not_offered_is_refused(parties, signed_in, db):
    artist_client, artist, licensee_client, _, _, work = parties
    assert "term_id" in assert_problem(ask(licensee_client, "no-such-term"), 400)["errors"]
    private = add_artwork(db, artist["id"], title="Sketch", availability_status="private")
    term_id = offer_terms(artist_client, private, FLAT_WEB)[0]["id"]
    assert_problem(ask(licensee_client, term_id), 400)
    own_term = offer_terms(artist_client, work, FLAT_WEB)[0]["id"]
    assert_problem(ask(artist_client, own_term), 403)
    body = assert_problem(artist_client.put(f"/api/artworks/{work}/licenses",
                                            json={"terms": [{**FLAT_WEB, "id": "not-ours"}]}), 400)
    assert "terms[0].id" in body["errors"]


def test_an_exclusive_licence_refuses_overlapping_grants(parties, signed_in):
    artist_client, _, licensee_client, _, _, work = parties
    rival_client, _ = signed_in()
    exclusive, editorial_fr, editorial_us = offer_terms(
        artist_client, work, EXCLUSIVE_COMMERCIAL,
        {**FLAT_WEB, "usage": "commercial", "territory": ["FR", "BE"]},
        {**FLAT_WEB, "usage": "commercial", "territory": ["US"]})
    first = ask(licensee_client, exclusive["id"]).get_json()
    second = ask(rival_client, editorial_fr["id"]).get_json()  # asked while the exclusive is only requested
    artist_client.put(f"/api/licenses/{first['id']}", json={"status": "approved"})
    # Same usage, a shared medium and country, overlapping dates: refused at approval...
    clash = assert_problem(artist_client.put(f"/api/licenses/{second['id']}", json={"status": "approved"}), 409)
    assert "exclusive" in clash["detail"]
    # ... and at request.
    assert_problem(ask(rival_client, editorial_fr["id"]), 409)
    # Another territory, or a date after the exclusive ends, does not overlap.
    assert ask(rival_client, editorial_us["id"]).status_code == 201
    later = ask(rival_client, editorial_fr["id"], starts_at="2099-01-01T00:00:00Z")
    assert later.status_code == 201, later.get_json()
    # A second exclusive cannot be asked for on top of the first either.
    assert_problem(ask(rival_client, exclusive["id"]), 409)


def test_an_active_exclusive_licence_shows_on_the_work(parties, client):
    artist_client, _, licensee_client, licensee, _, work = parties
    granted(artist_client, licensee_client, work, EXCLUSIVE_COMMERCIAL)
    detail = client.get(f"/api/artworks/{work}").get_json()
    shown = detail["exclusive_license"]
    assert (shown["usage"], shown["media"], shown["territory"]) == ("commercial", ["print", "web"], ["FR"])
    assert licensee["id"] not in str(shown) and licensee["username"] not in str(shown)
    assert client.get(f"/api/artworks/{work}/licenses").get_json()["exclusive_license"] == shown


# Every move in LICENSE_MOVES, tried by each role: it goes through for its roles and is 403 for the
# other party; a stranger gets 404.
def _licence_at(status, artist_client, licensee_client, work, term):
    later = {"starts_at": "2090-01-01T00:00:00Z"} if status == "paid" else {}  # paid, and not yet begun
    licence = ask(licensee_client, term, **later).get_json()
    path = {"requested": [], "approved": ["approved"]}.get(status, ["approved"])
    for move in path:
        assert artist_client.put(f"/api/licenses/{licence['id']}", json={"status": move}).status_code == 200
    if status in ("paid", "active"):
        found = artist_client.get(f"/api/licenses/{licence['id']}").get_json()
        artist_client.put(f"/api/orders/{found['order_id']}", json={"status": "paid"})
    return licence["id"]


MOVES = [(source, target, roles) for source, targets in licenses.LICENSE_MOVES.items()
         for target, roles in targets.items() if source in ("requested", "approved", "paid", "active")]


@pytest.mark.parametrize("source, target, roles", MOVES)
def test_every_status_move_by_every_role(parties, source, target, roles):
    artist_client, _, licensee_client, _, stranger_client, work = parties
    term = offer_terms(artist_client, work, FLAT_WEB)[0]["id"]
    for role, client in (("licensor", artist_client), ("licensee", licensee_client)):
        license_id = _licence_at(source, artist_client, licensee_client, work, term)
        assert artist_client.get(f"/api/licenses/{license_id}").get_json()["status"] == source
        assert_problem(stranger_client.put(f"/api/licenses/{license_id}", json={"status": target}), 404)
        answer = client.put(f"/api/licenses/{license_id}", json={"status": target})
        if role in roles:
            assert answer.status_code == 200, answer.get_json()
            assert answer.get_json()["status"] == target
        elif target == "paid":
            assert_problem(answer, 409)  # paid through the order, by either party
        else:
            assert_problem(answer, 403)
        artist_client.put(f"/api/licenses/{license_id}", json={"status": "revoked"})


def test_a_closed_licence_cannot_move(parties):
    artist_client, _, licensee_client, _, _, work = parties
    term = offer_terms(artist_client, work, FLAT_WEB)[0]["id"]
    licence = ask(licensee_client, term).get_json()
    artist_client.put(f"/api/licenses/{licence['id']}", json={"status": "declined"})
    body = assert_problem(artist_client.put(f"/api/licenses/{licence['id']}", json={"status": "approved"}), 409)
    assert "none" in body["detail"]


def test_a_lapsed_or_refunded_order_carries_the_licence_with_it(parties, db):
    artist_client, _, licensee_client, _, _, work = parties
    term = offer_terms(artist_client, work, FLAT_WEB)[0]["id"]
    licence = ask(licensee_client, term).get_json()
    order_id = artist_client.put(f"/api/licenses/{licence['id']}", json={"status": "approved"}).get_json()["order_id"]
    licensee_client.put(f"/api/orders/{order_id}", json={"status": "cancelled"})
    assert artist_client.get(f"/api/licenses/{licence['id']}").get_json()["status"] == "cancelled"
    paid = granted(artist_client, licensee_client, work)
    assert paid["status"] == "active"
    artist_client.put(f"/api/orders/{paid['order_id']}", json={"status": "refunded", "note": "changed plans"})
    assert artist_client.get(f"/api/licenses/{paid['id']}").get_json()["status"] == "revoked"


def test_a_royalty_licence_without_an_advance_is_in_force_on_approval(parties):
    artist_client, _, licensee_client, _, _, work = parties
    licence = granted(artist_client, licensee_client, work, {**ROYALTY_MERCH, "advance": 0})
    assert (licence["status"], licence["order_id"], licence["amount_due"]) == ("active", None, 0)


def test_the_certificate_states_parties_work_terms_and_id(parties, app):
    artist_client, artist, licensee_client, licensee, stranger_client, _ = parties
    work = upload_ok(artist_client, encoded(painting(3)), title="Le Port de Marseille", price="900",
                     availability_status="available")["id"]
    licence = granted(artist_client, licensee_client, work, ROYALTY_MERCH)
    response = licensee_client.get(f"/api/licenses/{licence['id']}/certificate")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(page.extract_text() for page in reader.pages)
    for expected in (licence["id"], "Le Port de Marseille", artist["artist_name"], licensee["artist_name"],
                     "merchandise", "DE, FR", "8 % of revenue", "100.00 EUR", "up to 500",
                     f"/api/licenses/{licence['id']}/verify"):
        assert expected in text, expected
    assert any(page.images for page in reader.pages)  # the thumbnail
    assert_problem(stranger_client.get(f"/api/licenses/{licence['id']}/certificate"), 404)


def test_no_certificate_before_the_licence_is_paid(parties):
    artist_client, _, licensee_client, _, _, work = parties
    term = offer_terms(artist_client, work, FLAT_WEB)[0]["id"]
    licence = ask(licensee_client, term).get_json()
    assert_problem(licensee_client.get(f"/api/licenses/{licence['id']}/certificate"), 409)


def test_anyone_with_the_id_can_verify_without_learning_who(parties, client):
    artist_client, artist, licensee_client, licensee, _, work = parties
    licence = granted(artist_client, licensee_client, work, purpose="Secret campaign")
    answer = client.get(f"/api/licenses/{licence['id']}/verify")
    assert answer.status_code == 200
    shown = answer.get_json()
    assert (shown["valid"], shown["status"], shown["artwork"]["title"]) == (True, "active", "Harbour at Dusk")
    assert shown["terms"]["usage"] == "editorial" and shown["terms"]["fee"] == 25000
    text = answer.get_data(as_text=True)
    for private in (licensee["id"], licensee["username"], licensee["artist_name"], "Secret campaign", artist["id"]):
        assert private not in text
    artist_client.put(f"/api/licenses/{licence['id']}", json={"status": "revoked"})
    assert client.get(f"/api/licenses/{licence['id']}/verify").get_json()["valid"] is False
    assert_problem(client.get("/api/licenses/not-a-licence/verify"), 404)


def test_usage_earns_royalties_after_the_advance_is_recouped(parties):
    artist_client, _, licensee_client, _, _, work = parties
    licence = granted(artist_client, licensee_client, work, ROYALTY_MERCH)
    assert licence["status"] == "active" and licence["amount_due"] == 10000

    def report(period, **fields):
        answer = licensee_client.post(f"/api/licenses/{licence['id']}/usage", json={"period": period, **fields})
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()

    # 8 % of 100,000 = 8,000 earned, all of it against the 10,000 advance.
    first = report("2026-10", units=200, revenue=100_000)
    assert (first["earned"], first["recouped"], first["payable"], first["over_limit"]) == (8000, 8000, 0, None)
    # 8 % of 50,001 on the running total: 4,000 earned, 2,000 recoups the rest, 2,000 payable.
    second = report("2026-11", units=250, revenue=50_001)
    assert (second["earned"], second["recouped"], second["payable"]) == (4000, 2000, 2000)
    third = report("2026-11", units=100, revenue=12_499, note="late returns")
    assert (third["earned"], third["payable"], third["over_limit"]) == (1000, 1000, "550 of 500 units")
    assert_problem(artist_client.post(f"/api/licenses/{licence['id']}/usage",
                                      json={"period": "2026-11", "units": 1}), 403)

    statement = artist_client.get("/api/royalties?period=2026-11").get_json()
    assert [(line["period"], line["revenue"], line["earned"], line["recouped"], line["payable"], line["reports"])
            for line in statement["items"]] == [("2026-11", 62_500, 5000, 2000, 3000, 2)]
    assert statement["totals"] == {"EUR": {"revenue": 62_500, "earned": 5000, "recouped": 2000, "payable": 3000}}
    year = artist_client.get("/api/royalties?period=2026").get_json()
    assert [line["period"] for line in year["items"]] == ["2026-11", "2026-10"]
    assert year["totals"]["EUR"]["earned"] == 13_000
    exported = artist_client.get("/api/royalties?period=2026&format=csv")
    assert exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert [(row["period"], row["payable"]) for row in rows] == [("2026-11", "3000"), ("2026-10", "0")]
    # The licensee's statement as a licensor is empty; the usage list is both parties'.
    assert licensee_client.get("/api/royalties").get_json()["items"] == []
    usage = licensee_client.get(f"/api/licenses/{licence['id']}/usage").get_json()
    assert (len(usage["items"]), usage["advance"], usage["advance_remaining"]) == (3, 10000, 0)
    assert_problem(artist_client.get("/api/royalties?period=November"), 400)


@pytest.mark.parametrize("body", [{"period": "2026-13", "units": 1}, {"period": "2026-11"},
                                  {"period": "2026-11", "units": -1}, {"period": "2026-11", "revenue": "5"}])
def test_bad_usage_reports_are_refused(parties, body):
    artist_client, _, licensee_client, _, _, work = parties
    licence = granted(artist_client, licensee_client, work, ROYALTY_MERCH)
    assert_problem(licensee_client.post(f"/api/licenses/{licence['id']}/usage", json=body), 400)
    assert licensee_client.get(f"/api/licenses/{licence['id']}/usage").get_json()["items"] == []


def test_usage_on_a_licence_not_in_force_is_a_conflict(parties):
    artist_client, _, licensee_client, _, _, work = parties
    term = offer_terms(artist_client, work, ROYALTY_MERCH)[0]["id"]
    licence = ask(licensee_client, term).get_json()
    body = assert_problem(licensee_client.post(f"/api/licenses/{licence['id']}/usage",
                                               json={"period": "2026-11", "units": 3}), 409)
    assert "requested" in body["detail"]


def test_licences_start_warn_and_expire_on_the_clock(parties, app, db):
    artist_client, artist, licensee_client, licensee, _, work = parties
    licence = granted(artist_client, licensee_client, work, {**FLAT_WEB, "duration_months": 2},
                      starts_at="2030-01-31T09:00:00Z")
    assert licence["status"] == "paid" and licence["ends_at"] == "2030-03-31T09:00:00.000Z"
    conn = app.extensions["easel_connections"].take()
    try:
        licenses.settle_if_due(conn, "2030-01-31T09:00:00.000Z")
        assert licenses.get_license(conn, licence["id"])["status"] == "active"
        licenses.settle_if_due(conn, "2030-03-02T00:00:00.000Z")  # 29 days before the end
        licenses.settle_if_due(conn, "2030-03-03T00:00:00.000Z")  # told once only
        assert licenses.get_license(conn, licence["id"])["status"] == "active"
        licenses.settle_if_due(conn, "2030-03-31T09:00:00.001Z")
        assert licenses.get_license(conn, licence["id"])["status"] == "expired"
    finally:
        app.extensions["easel_connections"].give_back(conn)
    for person in (artist, licensee):
        events = [row[0] for row in db.execute(
            "SELECT data ->> 'event' FROM notifications WHERE kind = 'license' AND recipient_id = ? ORDER BY rowid",
            (person["id"],))]
        assert events.count("expiring") == 1 and events[-1] == "expired", events
    assert "expires on 2030-03-31" in db.execute(
        "SELECT data ->> 'message' FROM notifications WHERE data ->> 'event' = 'expiring'").fetchone()[0]
    assert licensee_client.get(f"/api/licenses/{licence['id']}/verify").get_json()["valid"] is False


def test_lists_show_each_party_its_licences(parties):
    artist_client, _, licensee_client, _, stranger_client, work = parties
    granted(artist_client, licensee_client, work)
    assert artist_client.get("/api/licenses?role=licensor").get_json()["total"] == 1
    assert artist_client.get("/api/licenses?role=licensee").get_json()["total"] == 0
    assert licensee_client.get("/api/licenses?status=active").get_json()["total"] == 1
    assert stranger_client.get("/api/licenses").get_json()["total"] == 0
    assert_problem(licensee_client.get("/api/licenses?colour=red"), 400)


def test_the_log_of_a_licence_is_append_only(parties, db):
    import sqlite3
    artist_client, _, licensee_client, _, _, work = parties
    licence = granted(artist_client, licensee_client, work, ROYALTY_MERCH)
    licensee_client.post(f"/api/licenses/{licence['id']}/usage", json={"period": "2026-11", "revenue": 500})
    for statement in ("UPDATE license_usage SET revenue = 0", "DELETE FROM license_usage",
                      "UPDATE sales_events SET amount = 0 WHERE license_id IS NOT NULL"):
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(statement)
    assert utc_now() > licence["starts_at"]


def test_a_licence_without_a_start_runs_from_its_approval(parties, db):
    artist_client, _, licensee_client, _, _, work = parties
    term = offer_terms(artist_client, work, {**FLAT_WEB, "duration_months": 3})[0]["id"]
    licence = ask(licensee_client, term).get_json()
    db.execute("UPDATE licenses SET starts_at = '2020-01-01T00:00:00.000Z', ends_at = '2020-04-01T00:00:00.000Z' "
               "WHERE id = ?", (licence["id"],))  # as if asked for long ago
    approved = artist_client.put(f"/api/licenses/{licence['id']}", json={"status": "approved"}).get_json()
    assert approved["starts_at"] >= licence["created_at"]
    assert approved["ends_at"] == licensing.ends_at(approved["starts_at"], 3)


def test_a_work_with_a_paid_licence_can_still_be_deleted(parties):
    artist_client, _, licensee_client, _, _, work = parties
    licence = granted(artist_client, licensee_client, work)
    assert artist_client.delete(f"/api/artworks/{work}").status_code == 200
    kept = licensee_client.get(f"/api/licenses/{licence['id']}").get_json()
    assert (kept["status"], kept["artwork"], kept["terms"]["fee"]) == ("active", None, 25000)


def test_a_licence_order_ends_at_payment(parties):
    artist_client, _, licensee_client, _, _, work = parties
    licence = granted(artist_client, licensee_client, work)
    order = artist_client.get(f"/api/orders/{licence['order_id']}").get_json()
    assert (order["status"], order["allowed_statuses"]) == ("paid", ["refunded"])
    for target, client in (("shipped", artist_client), ("delivered", licensee_client), ("completed", licensee_client)):
        assert_problem(client.put(f"/api/orders/{order['id']}", json={"status": target, **(
            {"carrier": "DHL"} if target == "shipped" else {})}), 409)
