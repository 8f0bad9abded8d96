"""The sales tables' triggers: stock counts, the public flag market trends read, demand per day."""

import sqlite3

import pytest

import store
from market import money
from store import offers, sales
from tests.conftest import add_artwork, insert

RATES = money.parse_rates(None)


@pytest.fixture
def conn(tmp_path):
    connection = store.connect(tmp_path / "easel.sqlite3")
    store.migrate(connection)
    for person in ("ada", "bob", "cyd"):
        insert(connection, "artists", {"id": person, "username": person, "email": f"{person}@example.com",
                                       "password_hash": "x", "artist_name": person.title()})
    yield connection
    connection.close()


def order(conn, buyer, work, **options):
    return sales.create_order(conn, buyer, work, provider="manual", hold_until="2999-01-01T00:00:00.000Z",
                              rates=RATES, **options)


def test_an_original_has_one_holder_whatever_the_path(conn):
    work = add_artwork(conn, "ada", price=10, currency="USD")
    order(conn, "bob", work)
    with pytest.raises(sales.SaleRefused):
        order(conn, "cyd", work)
    with pytest.raises(sqlite3.IntegrityError):  # the index stops even a write that skips the checks
        conn.execute("INSERT INTO orders (id, artwork_id, title, currency, unit_price, subtotal, total, provider, "
                     "expires_at) VALUES ('x', ?, 't', 'USD', 1000, 1000, 1000, 'manual', '2999')", (work,))


def test_edition_counts_follow_orders_and_size_changes(conn):
    work = add_artwork(conn, "ada", price=10, currency="USD", edition_size=4)
    first = order(conn, "bob", work, quantity=3)
    remaining = "SELECT editions_remaining FROM artworks WHERE id = ?"
    assert conn.execute(remaining, (work,)).fetchone()[0] == 1
    assert sales.edition_change_refusal(conn, work, 2) is not None
    assert sales.edition_change_refusal(conn, work, None) is not None
    assert sales.edition_change_refusal(conn, work, 10) is None
    conn.execute("UPDATE artworks SET edition_size = 10 WHERE id = ?", (work,))
    assert conn.execute(remaining, (work,)).fetchone()[0] == 7
    sales.change_order(conn, first, "bob", {"buyer"}, status="cancelled")
    assert conn.execute(remaining, (work,)).fetchone()[0] == 10


def test_the_public_flag_follows_the_works_privacy_and_deletion(conn):
    work = add_artwork(conn, "ada", price=10, currency="USD")
    order(conn, "bob", work)
    flag = "SELECT public FROM orders"
    conn.execute("UPDATE artworks SET availability_status = 'private' WHERE id = ?", (work,))
    assert conn.execute(flag).fetchone()[0] == 0
    conn.execute("UPDATE artworks SET availability_status = 'available' WHERE id = ?", (work,))
    assert conn.execute(flag).fetchone()[0] == 1
    conn.execute("DELETE FROM artworks WHERE id = ?", (work,))
    assert conn.execute("SELECT public, artwork_id, title FROM orders").fetchone()[:] == (0, None, "Untitled")


def test_demand_is_counted_per_category_and_day(conn):
    work = add_artwork(conn, "ada", price=10, currency="USD", category_id=12)
    offers.create_offer(conn, "bob", work, amount=500, currency="USD", expires_at="2999-01-01T00:00:00.000Z",
                       provider="manual")
    placed = order(conn, "cyd", work)
    sales.change_order(conn, placed, "ada", {"artist", "payment"}, status="paid")
    counts = dict(conn.execute("SELECT kind, count FROM market_demand WHERE category_id = 12").fetchall())
    assert counts == {"offer": 1, "order": 1}
