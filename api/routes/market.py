"""Sales analytics for an artist, pricing insight for a work, and the public market's trends."""

import threading
import time
from typing import Any

from flask import jsonify

import store
from api.auth import require_user
from api.db import database_path, get_db
from api.parsing import Choice, Query
from api.problems import ApiError, validation_error
from api.routes import bp
from api.routing import operation
from api.sales import rates
from api.shapes import Shape
from market import pricing
from store import sales_analytics

MODEL_MAX_AGE = 60.0  # seconds a fitted pricing model serves after sales changed
_models: dict[str, tuple[tuple, float, pricing.PriceModel | None]] = {}
_models_lock = threading.Lock()
_refitting: set[str] = set()


class PeriodQuery(Query):
    period: Choice(tuple(sales_analytics.PERIODS)) = "30d"


class TrendsQuery(PeriodQuery):
    period: Choice(tuple(sales_analytics.PERIODS)) = "365d"
    medium: str | None = None
    # A category's id or name.
    category: str | None = None


class SalesAnalytics(Shape):
    period: dict[str, Any]
    currency: str
    revenue: dict[str, Any]
    orders: int
    average_sale_price: float | None
    sell_through: dict[str, Any]
    median_days_to_sell: float | None
    margin: dict[str, Any]
    by_kind: list[dict[str, Any]]
    prints: list[dict[str, Any]]
    funnel: dict[str, Any]
    top_collectors: list[dict[str, Any]]
    by_medium: list[dict[str, Any]]
    by_category: list[dict[str, Any]]
    weekly: list[dict[str, Any]]


class PriceInsight(Shape):
    artwork_id: str
    currency: str
    low: float
    suggested: float
    high: float
    confidence: float
    confidence_label: str
    artist_sales: int
    comparables: list[dict[str, Any]]
    list_price: dict[str, Any] | None


class MarketTrends(Shape):
    period: dict[str, Any]
    currency: str
    min_sales: int
    sales: int
    by_medium: list[dict[str, Any]]
    by_category: list[dict[str, Any]]
    growing_categories: list[dict[str, Any]]


class Rates(Shape):
    base: str
    as_of: str
    rates: dict[str, float]


@operation(bp, "GET", "/analytics/sales", access="user", query=PeriodQuery, response=SalesAnalytics)
def sales_analytics_view(query):
    """Your sales over the period: revenue per currency and converted, orders, average price,
    sell-through, median days to sell, views → enquiries → orders, top collectors, splits by
    medium and category, and a weekly series."""
    user_id = require_user()
    figures = sales_analytics.artist_sales(get_db(), user_id, sales_analytics.PERIODS[query.period])
    return jsonify({**figures, "currency": rates().base})


def _model():
    """The pricing model for this database. The first is fitted in the request; after that, once
    sales have changed and the model is a minute old, a new one is fitted in the background while
    the old one keeps answering (a fit over 100,000 sales takes seconds)."""
    stamp = sales_analytics.sales_stamp(get_db())
    path = database_path()
    with _models_lock:
        cached = _models.get(path)
        if cached is None or (cached[2] is None and cached[0] != stamp):  # none yet: few sales fit quickly
            _models[path] = (stamp, time.monotonic(), _fit(get_db()))
            return _models[path][2]
        if cached[0] != stamp and time.monotonic() - cached[1] >= MODEL_MAX_AGE and path not in _refitting:
            _refitting.add(path)
            threading.Thread(target=_refit, args=(path, stamp), daemon=True, name="pricing-refit").start()
        return cached[2]


def _fit(conn):
    try:
        return pricing.PriceModel(sales_analytics.sold_works(conn))
    except ValueError:  # too few sales so far
        return None


def _refit(path, stamp):
    try:
        conn = store.connect(path)
        try:
            model = _fit(conn)
        finally:
            conn.close()
        with _models_lock:
            _models[path] = (stamp, time.monotonic(), model)
    finally:
        with _models_lock:
            _refitting.discard(path)


def _rounded(price):
    """Two significant figures: a comparable shows the market's level, not a seller's exact price."""
    return float(f"{price:.2g}")


@operation(bp, "GET", "/artworks/<artwork_id>/price-insight", access="user", response=PriceInsight, errors=(409,))
def price_insight(artwork_id, query):
    """A suggested price range for your work from the comparable sold works (in the conversion
    table's base currency), with those comparables and how confident the range is."""
    user_id = require_user()
    work = sales_analytics.work_features(get_db(), artwork_id)
    if work is None or (work["artist_id"] != user_id and work["availability_status"] == "private"):
        raise ApiError(404, "No artwork has that id.")
    if work["artist_id"] != user_id:
        raise ApiError(403, "Pricing insight is for the work's artist.")
    model = _model()
    if model is None:
        raise ApiError(409, f"Pricing insight needs at least {pricing.MIN_SALES} sales of public works to compare "
                            "with; there are fewer so far.", title="Not enough sales", problem="conflict")
    insight = model.suggest(work)
    table = rates()
    listed = None
    if work["list_price"] is not None:
        listed = {"amount": work["list_price"], "currency": work["currency"],
                  "converted": table.convert(work["list_price"], work["currency"])}
    comparables = [{**item, "price": _rounded(item["price"])} for item in insight.comparables]
    return jsonify({"artwork_id": artwork_id, "currency": table.base, "low": insight.low,
                    "suggested": insight.suggested, "high": insight.high, "confidence": insight.confidence,
                    "confidence_label": insight.confidence_label, "artist_sales": insight.artist_sales,
                    "comparables": comparables, "list_price": listed})


def _category_id(text):
    if text is None:
        return None
    found = sales_analytics.category_named(get_db(), text)
    if found is None:
        raise validation_error({"category": "must be a category's id or name"})
    return found


@operation(bp, "GET", "/market/trends", query=TrendsQuery, response=MarketTrends)
def market_trends(query):
    """Median sold price and volume per medium and category by month, over public sales, and the
    fastest-growing categories by demand. A figure with fewer than 5 sales behind it is withheld."""
    figures = sales_analytics.market_trends(get_db(), sales_analytics.PERIODS[query.period],
                                            medium=query.medium, category_id=_category_id(query.category))
    return jsonify({**figures, "currency": rates().base})


@operation(bp, "GET", "/market/rates", response=Rates)
def currency_rates(query):
    """The dated conversion table used to compare prices across currencies (CURRENCY_RATES)."""
    return jsonify(rates().describe())
