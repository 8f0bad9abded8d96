"""Sales analytics, market trends and pricing insight over a simulated market, and the commands
that make and evaluate it."""

import random
from datetime import UTC, datetime

import pytest

import store
from market import simulate
from tests.conftest import add_artwork, assert_problem

MEDIUMS = ("oil on canvas", "watercolour", "bronze", "etching")


@pytest.fixture
def market(app, signed_in, db):
    """Six artists with 40 works each (the first one signed in), and 150 synthetic buyers' sales."""
    rng = random.Random(7)
    artist_client, artist = signed_in()
    artists = [artist["id"]] + [signed_in()[1]["id"] for _ in range(5)]
    for artist_id in artists:
        for n in range(40):
            side = rng.randint(20, 120)
            add_artwork(db, artist_id, title=f"Work {n}", medium=rng.choice(MEDIUMS),
                        category_id=rng.choice((1, 5, 12)), dimensions=f"{side} x {side} cm",
                        created_at="2025-06-01T00:00:00.000Z")
    conn = store.connect(app.config["DATABASE"])
    result = simulate.simulate_buyers(conn, app.config["CURRENCY_RATES"], buyers=150, days=300, seed=3,
                                      price_unpriced=True)
    conn.close()
    return artist_client, artist, result


def test_simulated_sales_are_marked_and_keep_stock_exact(market, db):
    _, _, result = market
    assert result.priced == 240 and result.orders > 100
    assert db.execute("SELECT count(*), min(synthetic), min(provider) FROM orders").fetchone()[:] == (
        result.orders, 1, "simulated")
    assert db.execute("SELECT count(*) FROM artists WHERE email LIKE '%@simulated.invalid'").fetchone()[0] == 150
    sold = db.execute("SELECT count(*) FROM artworks WHERE availability_status = 'sold'").fetchone()[0]
    assert sold == db.execute("SELECT count(DISTINCT artwork_id) FROM orders").fetchone()[0] == result.orders


def test_an_artists_sales_figures_add_up(market, db):
    artist_client, artist, _ = market
    figures = artist_client.get("/api/analytics/sales?period=365d").get_json()
    rows = db.execute("SELECT count(*), sum(total), sum(total_base) FROM orders WHERE artist_id = ?",
                      (artist["id"],)).fetchone()
    assert figures["orders"] == figures["synthetic_orders"] == rows[0] > 0
    assert figures["revenue"]["by_currency"] == {"USD": rows[1]}
    assert figures["revenue"]["converted"] == pytest.approx(rows[2])
    assert figures["average_sale_price"] == pytest.approx(rows[2] / rows[0], abs=0.01)
    assert sum(week["orders"] for week in figures["weekly"]) == rows[0]
    assert len(figures["weekly"]) in (53, 54)
    assert figures["sell_through"] == {"sold": rows[0], "listed": 40, "rate": round(rows[0] / 40, 4)}
    assert figures["median_days_to_sell"] > 0
    assert figures["funnel"]["orders"] == rows[0] and figures["funnel"]["enquiries"] > 0
    assert sum(split["orders"] for split in figures["by_medium"]) == rows[0]
    assert figures["top_collectors"][0]["spent_converted"] >= figures["top_collectors"][-1]["spent_converted"]
    recent = artist_client.get("/api/analytics/sales").get_json()
    assert recent["period"]["days"] == 30 and recent["orders"] <= figures["orders"]
    assert_problem(artist_client.get("/api/analytics/sales?period=7d"), 400)


def test_market_trends_withhold_thin_figures(market, client):
    trends = client.get("/api/market/trends?period=365d").get_json()
    assert trends["sales"] > 100 and trends["min_sales"] == 5
    for group in trends["by_medium"] + trends["by_category"]:
        for figure in [group, *group["monthly"]]:
            assert figure["withheld"] == (figure["median_price"] is None) == (figure["sales"] is None)
            assert figure["withheld"] or figure["sales"] >= 5
    assert sum(group["sales"] or 0 for group in trends["by_medium"]) <= trends["sales"]
    assert any(month["withheld"] for group in trends["by_medium"] for month in group["monthly"])
    only_bronze = client.get("/api/market/trends?period=365d&medium=bronze").get_json()
    assert [group["name"] for group in only_bronze["by_medium"]] == ["bronze"]
    assert client.get("/api/market/trends?category=Sculpture").status_code == 200
    assert_problem(client.get("/api/market/trends?category=Nonsense"), 400)


def test_market_trends_leave_private_works_out(market, client, db):
    before = client.get("/api/market/trends?period=365d").get_json()["sales"]
    db.execute("UPDATE artworks SET availability_status = 'private' WHERE id IN "
               "(SELECT artwork_id FROM orders LIMIT 10)")
    assert client.get("/api/market/trends?period=365d").get_json()["sales"] == before - 10


def test_price_insight_suggests_a_range_from_comparables(market, db, signed_in):
    artist_client, artist, _ = market
    work = add_artwork(db, artist["id"], title="New", medium="bronze", dimensions="50 x 50 cm")
    insight = artist_client.get(f"/api/artworks/{work}/price-insight")
    assert insight.status_code == 200, insight.get_json()
    shown = insight.get_json()
    assert shown["low"] <= shown["suggested"] <= shown["high"] and shown["currency"] == "USD"
    assert len(shown["comparables"]) == 12 and 0 <= shown["confidence"] <= 1
    assert all(float(f"{item['price']:.2g}") == item["price"] for item in shown["comparables"])
    stranger, _ = signed_in()
    assert_problem(stranger.get(f"/api/artworks/{work}/price-insight"), 403)


def test_price_insight_needs_sales_to_compare_with(artist, db):
    artist_client, user = artist
    work = add_artwork(db, user["id"], title="Alone")
    assert "at least" in assert_problem(artist_client.get(f"/api/artworks/{work}/price-insight"), 409)["detail"]


def test_the_commands_simulate_buyers_and_evaluate_pricing(app, signed_in, db):
    _, artist = signed_in()
    for n in range(120):
        add_artwork(db, artist["id"] if n % 2 else signed_in()[1]["id"], title=f"W{n}", medium=MEDIUMS[n % 4],
                    dimensions=f"{20 + n} x {30 + n} cm", created_at=datetime(2025, 1, 1, tzinfo=UTC).isoformat())
    runner = app.test_cli_runner()
    made = runner.invoke(args=["simulate", "--users", "0", "--buyers", "120", "--price-unpriced"])
    assert made.exit_code == 0, made.output
    assert "Simulated 120 buyers" in made.output and "120 works given synthetic prices" in made.output
    evaluated = runner.invoke(args=["evaluate", "pricing"])
    assert evaluated.exit_code == 0, evaluated.output
    assert "median absolute % error" in evaluated.output and "medium median" in evaluated.output


def test_buyers_need_a_past_to_buy_in_and_spread_uploads_gives_it(app, signed_in, db):
    _, artist = signed_in()
    for n in range(40):
        add_artwork(db, artist["id"], title=f"Fresh {n}", medium=MEDIUMS[n % 4])  # all uploaded just now
    runner = app.test_cli_runner()
    made = runner.invoke(args=["simulate", "--users", "0", "--buyers", "60", "--price-unpriced"])
    assert ": 0 orders" in made.output
    made = runner.invoke(args=["simulate", "--users", "0", "--buyers", "60", "--spread-uploads"])
    assert made.exit_code == 0 and ": 0 orders" not in made.output, made.output  # "40 orders" holds "0 orders"
    assert db.execute("SELECT min(artworks.created_at) < min(paid_at) FROM artworks JOIN orders ON orders.artwork_id = "
                      "artworks.id").fetchone()[0] == 1


def test_price_insight_answers_once_enough_sales_come(app, artist, db, signed_in):
    artist_client, user = artist
    work = add_artwork(db, user["id"], title="Waiting", medium="bronze", dimensions="40 x 40 cm")
    assert_problem(artist_client.get(f"/api/artworks/{work}/price-insight"), 409)
    for n in range(60):
        add_artwork(db, signed_in()[1]["id"] if n % 3 else user["id"], title=f"W{n}", medium=MEDIUMS[n % 4],
                    dimensions=f"{20 + n} x {20 + n} cm", created_at="2025-01-01T00:00:00.000Z")
    conn = store.connect(app.config["DATABASE"])
    assert simulate.simulate_buyers(conn, app.config["CURRENCY_RATES"], buyers=80, seed=1,
                                    price_unpriced=True).orders >= 10
    conn.close()
    assert artist_client.get(f"/api/artworks/{work}/price-insight").status_code == 200
