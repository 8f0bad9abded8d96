"""Prices across currencies sort and filter by value, through the conversion table."""

import pytest

from tests.conftest import assert_problem, image_bytes, upload_ok

RATES = '{"base": "USD", "as_of": "2026-12-01", "rates": {"EUR": 1.1, "JPY": 0.0065}}'


@pytest.fixture
def app(make_app):
    return make_app(CURRENCY_RATES=RATES)


@pytest.fixture
def priced(artist):
    client, _ = artist
    for title, price, currency, colour in (("Yen", "600000", "JPY", (200, 30, 30)),  # $3,900
                                           ("Dollar", "5000", "USD", (30, 200, 30)),
                                           ("Euro", "4000", "EUR", (30, 30, 200)),   # $4,400
                                           ("Franc", "100", "CHF", (90, 90, 90))):   # no rate in the table
        upload_ok(client, image_bytes(colour=colour), title=f"{title} harbour", price=price, currency=currency)
    return client


def titles(response):
    return [item["title"].split()[0] for item in response.get_json()["items"]]


def test_price_sort_compares_value_not_number(client, priced):
    assert titles(client.get("/api/artworks?sort=price_asc")) == ["Yen", "Euro", "Dollar", "Franc"]
    assert titles(client.get("/api/artworks?sort=price_desc")) == ["Dollar", "Euro", "Yen", "Franc"]
    assert titles(client.get("/api/search?q=harbour&sort=price")) == ["Yen", "Euro", "Dollar", "Franc"]
    assert titles(client.get("/api/search?q=harbour&sort=price_desc")) == ["Dollar", "Euro", "Yen", "Franc"]


def test_price_filters_are_in_the_base_currency(client, priced):
    assert set(titles(client.get("/api/artworks?price_min=4000&price_max=4500"))) == {"Euro"}
    assert set(titles(client.get("/api/search?q=harbour&price_min=4000&price_max=4500"))) == {"Euro"}


def test_the_table_is_published(client):
    assert client.get("/api/market/rates").get_json() == {
        "base": "USD", "as_of": "2026-12-01", "rates": {"EUR": 1.1, "JPY": 0.0065, "USD": 1.0}}


def test_an_unknown_currency_is_refused_on_upload(artist):
    client, _ = artist
    from tests.conftest import upload
    problem = assert_problem(upload(client, (image_bytes(), "w.jpg"), title="X", price="5", currency="XYZ"), 400)
    assert "currency" in str(problem)
