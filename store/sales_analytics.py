"""Sales figures: an artist's own (revenue, sell-through, the funnel from views to orders), and
the public market's (median prices and volumes per medium and category), from orders.

A sale is an order that was paid and not refunded since; its date is paid_at. Amounts across
currencies are added in the conversion table's base currency (orders.total_base, converted when
the order was placed). Market figures come from sales of works that are public today and are
withheld where fewer than MIN_SALES sales stand behind them, so that no seller's prices can be
read off a thin market.
"""

import functools
import statistics
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import numpy as np

from store import utc_now

PERIODS = {"30d": 30, "90d": 90, "365d": 365}
MIN_SALES = 5
TOP_COLLECTORS = 5
_SALE = "o.paid_at IS NOT NULL AND o.status NOT IN ('cancelled', 'refunded')"


def period_start(days: int, now: datetime | None = None) -> str:
    moment = (now or datetime.now(UTC)) - timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def artist_sales(conn, artist_id: str, days: int) -> dict:
    """The artist's sales figures over the last `days` days."""
    since, until = period_start(days), utc_now()
    rows = conn.execute(
        f"SELECT o.artwork_id, o.buyer_id, o.currency, o.total, o.total_base, o.medium, o.category_id, o.paid_at, "
        f"o.synthetic, o.kind, o.product, o.print_size, o.quantity, o.unit_price, o.unit_cost, "
        f"julianday(o.paid_at) - julianday(a.created_at) AS days_to_sell "
        f"FROM orders o LEFT JOIN artworks a ON a.id = o.artwork_id "
        f"WHERE o.artist_id = :artist AND o.paid_at >= :since AND {_SALE}",
        {"artist": artist_id, "since": since}).fetchall()
    categories = dict(conn.execute("SELECT id, name FROM categories").fetchall())
    return {
        "period": {"days": days, "from": since, "to": until},
        "revenue": _revenue(rows),
        "orders": len(rows),
        "synthetic_orders": sum(row["synthetic"] for row in rows),
        "average_sale_price": _average(rows),
        "sell_through": _sell_through(conn, artist_id, since, [row for row in rows if row["kind"] == "artwork"]),
        "median_days_to_sell": _days_to_sell([row for row in rows if row["kind"] == "artwork"]),
        "margin": _margin(rows),
        "by_kind": _split(rows, lambda row: row["kind"]),
        "prints": _prints(rows),
        "funnel": _funnel(conn, artist_id, since, len(rows)),
        "top_collectors": _top_collectors(conn, rows),
        "by_medium": _split(rows, lambda row: row["medium"] or "unknown"),
        "by_category": _split(rows, lambda row: categories.get(row["category_id"]) or "uncategorised"),
        "weekly": _weekly(rows, since, until),
    }


def _revenue(rows):
    per_currency = defaultdict(int)
    for row in rows:
        per_currency[row["currency"]] += row["total"]
    known = [row["total_base"] for row in rows if row["total_base"] is not None]
    return {"by_currency": dict(sorted(per_currency.items())), "converted": round(sum(known), 2),
            "unconverted_orders": len(rows) - len(known)}


def _average(rows):
    known = [row["total_base"] for row in rows if row["total_base"] is not None]
    return round(sum(known) / len(known), 2) if known else None


def _days_to_sell(rows):
    """Median days from a work's upload to its payment (SQLite's julianday difference)."""
    days = [row["days_to_sell"] for row in rows if row["days_to_sell"] is not None]
    return round(statistics.median(days), 1) if days else None


def _sell_through(conn, artist_id, since, rows):
    """Works sold in the period, of the works on offer in it: listed with a price (or sold) and
    not sold out before it began."""
    sold = {row["artwork_id"] for row in rows if row["artwork_id"]}
    listed = conn.execute(
        "SELECT count(*) FROM artworks a WHERE a.artist_id = :artist AND a.availability_status <> 'private' "
        "AND (a.price IS NOT NULL OR a.availability_status = 'sold') "
        "AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.artwork_id = a.id AND o.kind = 'artwork' AND o.is_edition = 0 "
        f"                AND o.paid_at < :since AND {_SALE})", {"artist": artist_id, "since": since}).fetchone()[0]
    listed = max(listed, len(sold))
    return {"sold": len(sold), "listed": listed, "rate": round(len(sold) / listed, 4) if listed else None}


def _funnel(conn, artist_id, since, orders):
    views = conn.execute("SELECT coalesce(sum(count), 0) FROM activity_daily WHERE artist_id = ? AND kind = 'view' "
                         "AND day >= ?", (artist_id, since[:10])).fetchone()[0]
    enquiries = conn.execute("SELECT count(*) FROM enquiries WHERE artist_id = ? AND created_at >= ?",
                             (artist_id, since)).fetchone()[0]
    offers = conn.execute("SELECT count(*) FROM offers WHERE artist_id = ? AND created_at >= ?",
                          (artist_id, since)).fetchone()[0]
    return {"views": views, "enquiries": enquiries, "offers": offers, "orders": orders,
            "view_to_enquiry": round(enquiries / views, 4) if views else None,
            "enquiry_to_order": round(orders / enquiries, 4) if enquiries else None,
            "view_to_order": round(orders / views, 4) if views else None}


def _margin(rows):
    """Per currency: what the artist keeps before tax and shipping (price less production cost)."""
    kept = defaultdict(int)
    for row in rows:
        kept[row["currency"]] += (row["unit_price"] - row["unit_cost"]) * row["quantity"]
    return {"by_currency": dict(sorted(kept.items()))}


def _prints(rows):
    """Per print product and size: orders, units, revenue, the lab's cost and the artist's margin."""
    lines = {}
    for row in rows:
        if row["kind"] != "print":
            continue
        line = lines.setdefault((row["product"], row["print_size"], row["currency"]), {
            "product": row["product"], "size": row["print_size"], "currency": row["currency"], "orders": 0,
            "units": 0, "revenue": 0, "production_cost": 0, "margin": 0})
        line["orders"] += 1
        line["units"] += row["quantity"]
        line["revenue"] += row["unit_price"] * row["quantity"]
        line["production_cost"] += row["unit_cost"] * row["quantity"]
        line["margin"] += (row["unit_price"] - row["unit_cost"]) * row["quantity"]
    return sorted(lines.values(), key=lambda line: (-line["margin"], line["product"], line["size"]))


def _top_collectors(conn, rows):
    spent, bought = defaultdict(float), defaultdict(int)
    for row in rows:
        if row["buyer_id"] is not None:
            spent[row["buyer_id"]] += row["total_base"] or 0
            bought[row["buyer_id"]] += 1
    ranked = sorted(spent, key=lambda buyer: (-spent[buyer], -bought[buyer], buyer))[:TOP_COLLECTORS]
    names = {row["id"]: row for row in conn.execute(
        f"SELECT id, username, artist_name FROM artists WHERE id IN ({', '.join('?' * len(ranked))})", ranked)}
    return [{"id": buyer, "username": names[buyer]["username"], "artist_name": names[buyer]["artist_name"],
             "orders": bought[buyer], "spent_converted": round(spent[buyer], 2)} for buyer in ranked if buyer in names]


def _split(rows, key):
    groups = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    ranked = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return [{"name": name, "orders": len(group),
             "revenue_converted": round(sum(row["total_base"] or 0 for row in group), 2)} for name, group in ranked]


@functools.lru_cache(maxsize=4096)
def _week_of(day):
    """The Monday starting the ISO week of `day` (YYYY-MM-DD)."""
    moment = datetime.fromisoformat(day).date()
    return (moment - timedelta(days=moment.weekday())).isoformat()


def _weekly(rows, since, until):
    """Orders and converted revenue per ISO week (starting Mondays), quiet weeks included."""
    weeks, week = {}, datetime.fromisoformat(_week_of(since[:10])).date()
    while week.isoformat() <= until[:10]:
        weeks[week.isoformat()] = {"week": week.isoformat(), "orders": 0, "revenue_converted": 0.0}
        week += timedelta(days=7)
    for row in rows:
        entry = weeks.get(_week_of(row["paid_at"][:10]))
        if entry is not None:
            entry["orders"] += 1
            entry["revenue_converted"] = round(entry["revenue_converted"] + (row["total_base"] or 0), 2)
    return list(weeks.values())


# --- The public market ----------------------------------------------------------------------

# A public sale: what the orders_market index covers, so that trends read the index alone.
MARKET_SALE = ("o.paid_at IS NOT NULL AND o.status NOT IN ('cancelled', 'refunded') AND o.public = 1 "
               "AND o.total_base IS NOT NULL AND o.kind = 'artwork'")


def market_trends(conn, days: int, *, medium: str | None = None, category_id: int | None = None) -> dict:
    """Median sold price and volume per medium and category, per month, over public sales; the
    fastest-growing categories by demand (orders, offers and enquiries, this half of the period
    against the one before)."""
    since = period_start(days)
    where = [MARKET_SALE, "o.paid_at >= :since"]
    params: dict[str, str | int] = {"since": since}
    if medium:
        where.append("o.medium = :medium COLLATE NOCASE")
        params["medium"] = medium
    if category_id is not None:
        where.append("o.category_id = :category")
        params["category"] = category_id
    # One pass over the index; SQLite hands each (medium, category, month) cell's prices over as
    # one string, which numpy parses far faster than Python builds a row per sale.
    cells = [(medium_name, category, month, np.array(prices.split(","), dtype=float), synthetic)
             for medium_name, category, month, prices, synthetic in conn.execute(
                 "SELECT o.medium, o.category_id, substr(o.paid_at, 1, 7), group_concat(o.total_base), "
                 f"sum(o.synthetic) FROM orders o WHERE {' AND '.join(where)} GROUP BY 1, 2, 3", params)]
    names = dict(conn.execute("SELECT id, name FROM categories").fetchall())
    return {"period": {"days": days, "from": since}, "min_sales": MIN_SALES,
            "sales": sum(len(cell[3]) for cell in cells), "synthetic_sales": sum(cell[4] for cell in cells),
            "by_medium": _trend_groups(cells, lambda cell: cell[0]),
            "by_category": _trend_groups(cells, lambda cell: names.get(cell[1])),
            "growing_categories": _growing(conn, days, names)}


def _figures(prices):
    count = sum(len(part) for part in prices)
    if count < MIN_SALES:
        return {"sales": None, "median_price": None, "withheld": True}
    return {"sales": count, "median_price": round(float(np.median(np.concatenate(prices))), 2), "withheld": False}


def _trend_groups(cells, key):
    groups: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for cell in cells:
        name = key(cell)
        if name:
            groups[name][cell[2]].append(cell[3])
    shaped = []
    for name, months in groups.items():
        every = [prices for parts in months.values() for prices in parts]
        shaped.append({"name": name, **_figures(every),
                       "monthly": [{"month": month, **_figures(parts)} for month, parts in sorted(months.items())]})
    # Largest markets first; withheld groups (their size is not shown) after, by name.
    return sorted(shaped, key=lambda group: (group["withheld"], -(group["sales"] or 0), group["name"]))


def _growing(conn, days, names):
    half = max(days // 2, 1)
    recent, before = period_start(half)[:10], period_start(2 * half)[:10]
    demand: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for category, is_recent, count in conn.execute(
            "SELECT category_id, day >= :recent, sum(count) FROM market_demand WHERE day >= :before GROUP BY 1, 2",
            {"recent": recent, "before": before}):
        demand[category][int(bool(is_recent))] += count
    growing = []
    for category, (earlier, later) in demand.items():
        if earlier >= MIN_SALES and later >= MIN_SALES:
            growing.append({"name": names.get(category), "demand_before": earlier, "demand_recent": later,
                            "growth": round(later / earlier - 1, 4)})
    return sorted(growing, key=lambda entry: (-entry["growth"], entry["name"] or ""))[:10]


# --- What pricing insight learns from -------------------------------------------------------

_WORK_FEATURES = """
    a.id AS artwork_id, a.artist_id, a.title, a.medium, a.category_id, a.dimensions, a.view_count AS views,
    a.like_count AS likes, a.edition_size IS NOT NULL AS is_edition,
    (SELECT count(*) FROM enquiries q WHERE q.artwork_id = a.id) AS enquiries
"""


def sold_works(conn) -> list[dict]:
    """Every sale of a public work with what pricing insight compares: the unit price in the
    base currency (major units), when, and the work's medium, size, category and demand."""
    return [dict(row) for row in conn.execute(
        f"SELECT {_WORK_FEATURES}, o.id AS order_id, o.total_base * o.unit_price / o.total AS price, o.paid_at "
        f"FROM orders o JOIN artworks a ON a.id = o.artwork_id "
        f"WHERE {MARKET_SALE} "
        f"ORDER BY o.paid_at, o.id")]


def work_features(conn, artwork_id: str) -> dict | None:
    row = conn.execute(f"SELECT {_WORK_FEATURES}, a.price AS list_price, a.currency, a.availability_status "
                       "FROM artworks a WHERE a.id = ?",
                       (artwork_id,)).fetchone()
    return dict(row) if row else None


def category_named(conn, text: str) -> int | None:
    """The id of the category with this id or name (any case), or None."""
    row = conn.execute("SELECT id FROM categories WHERE id = ? OR name = ? COLLATE NOCASE",
                       (int(text) if text.isdigit() else -1, text)).fetchone()
    return row[0] if row else None


def sales_stamp(conn) -> tuple:
    """Changes whenever a sale is added or undone (every one is a row of the append-only money log):
    what a cached pricing model is checked against. One primary-key lookup, not a scan of orders."""
    return tuple(conn.execute("SELECT max(id) FROM sales_events").fetchone())
