"""Pricing insight on a market whose prices follow a known rule: it must beat the medium's median."""

import math

import numpy as np
import pytest

from market import pricing


@pytest.mark.parametrize("text, area", [
    ("60 x 80 cm", 4800), ("24 × 36 in", 24 * 36 * 2.54 ** 2), ("30x40", 1200), ("1.2 x 0.5 m", 6000),
    ("12 x 16 x 2 in", 12 * 16 * 2.54 ** 2), ("about a metre", None), (None, None), ("0 x 10 cm", None),
])
def test_area_is_read_from_the_dimensions(text, area):
    assert pricing.area_cm2(text) == (pytest.approx(area) if area else None)


def market(n, seed=0):
    rng = np.random.default_rng(seed)
    artists = {f"artist{a}": rng.normal(0, 0.8) for a in range(40)}
    mediums = {"oil": 0.4, "watercolour": -0.3, "print": -0.8, "bronze": 0.7}
    sales = []
    for i in range(n):
        artist = f"artist{int(rng.integers(40))}"
        medium = list(mediums)[int(rng.integers(4))]
        side = float(rng.uniform(20, 120))
        price = math.exp(math.log(800) + artists[artist] + mediums[medium] + 0.5 * math.log(side * side / 2500)
                         + rng.normal(0, 0.15))
        sales.append({"artwork_id": f"w{i}", "artist_id": artist, "title": f"Work {i}", "medium": medium,
                      "category_id": None, "dimensions": f"{side:.0f} x {side:.0f} cm", "views": int(rng.integers(50)),
                      "likes": int(rng.integers(10)), "enquiries": 0, "is_edition": 0, "price": price,
                      "paid_at": f"2026-{1 + i * 11 // n:02d}-01T00:00:00.000Z"})
    return sales


def test_insight_beats_the_mediums_median_on_held_out_sales():
    result = pricing.evaluate(market(1500))
    assert result.held_out == 300
    assert result.mape < 0.6 * result.baseline_mape, result
    assert result.in_range > 0.35


def test_a_suggestion_shows_its_comparables_and_confidence():
    sales = market(400)
    model = pricing.PriceModel(sales)
    work = {**sales[0], "artwork_id": "new"}
    insight = model.suggest(work)
    assert insight.low <= insight.suggested <= insight.high
    assert len(insight.comparables) == pricing.K
    assert 0 <= insight.confidence <= 1 and insight.confidence_label in ("low", "medium", "high")
    newcomer = model.suggest({**work, "artist_id": "nobody"})
    assert newcomer.artist_sales == 0 and newcomer.confidence < insight.confidence


def test_a_work_is_never_its_own_comparable():
    sales = market(100)
    insight = pricing.PriceModel(sales).suggest(sales[5])
    assert "w5" not in {item["artwork_id"] for item in insight.comparables}


def test_too_few_sales_are_refused():
    with pytest.raises(ValueError, match="at least"):
        pricing.PriceModel(market(5))


def test_the_artist_level_leaves_the_sale_itself_out():
    sales = market(300)
    model = pricing.PriceModel(sales)
    logs = np.log([sale["price"] for sale in sales])
    for index in range(0, 300, 7):
        artist = sales[index]["artist_id"]
        others = [logs[i] for i, sale in enumerate(sales) if sale["artist_id"] == artist and i != index]
        level, count = model._artist_level(artist, exclude=index)
        assert count == len(others)
        assert level == pytest.approx(np.median(others) if others else model.market_median)
