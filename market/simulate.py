"""SYNTHETIC buyers: a market to see and evaluate sales analytics and pricing insight on before
real sales exist. Everything it writes is marked: buyer accounts are sim_NNNNN collectors
(@simulated.invalid, no usable password), orders and offers carry synthetic = 1 and provider
'simulated', enquiries say "(simulated enquiry)".

The hidden market. Each work has a value, what a typical buyer would pay:

    log value = log 600 + artist level + medium level + 0.5 log(area / 2500 cm²) + 0.25 appeal + ε
    artist level ~ N(0, 0.7) per artist, medium level ~ N(0, 0.35) per medium,
    appeal ~ N(0, 1) per work, ε ~ N(0, 0.15); an edition print is worth a fifth.

With price_unpriced, works without a list price get one: value × LogNormal(0, 0.1), in the
conversion table's base currency. Buyers come at random times over the last `days` days, each
looking at a few works they can afford; a buyer's valuation of a work is its value × LogNormal(0,
0.2). At or above the list price they buy; within 25% under it they offer their valuation, which
the simulated artist accepts at 85% of the list price or more, or counters at 92%, which the
buyer takes if it is within 5% of their valuation. A third of buyers enquire first.
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from market import money
from market.pricing import area_cm2
from store import accounts, ranking, synthetic_sales

LOOKS_PER_BUYER = 6


class NothingForSale(ValueError):
    """No public work has a price, so simulated buyers have nothing to buy."""


@dataclass
class Result:
    buyers: int
    orders: int
    offers: int
    enquiries: int
    priced: int


def hidden_values(works, rng):
    artists = {work["artist_id"] for work in works}
    mediums = {(work["medium"] or "").lower() for work in works}
    artist_level = {artist: rng.normal(0, 0.7) for artist in sorted(artists)}
    medium_level = {medium: rng.normal(0, 0.35) for medium in sorted(mediums)}
    values = []
    for work in works:
        area = area_cm2(work["dimensions"])
        log_value = (math.log(600) + artist_level[work["artist_id"]] + medium_level[(work["medium"] or "").lower()]
                     + (0.5 * math.log(area / 2500) if area else 0.0) + 0.25 * rng.normal() + rng.normal(0, 0.15))
        values.append(math.exp(log_value) / (5 if work["edition_size"] is not None else 1))
    return np.array(values)


def simulate_buyers(conn, rates: money.RateTable, *, buyers: int = 100, days: int = 365, seed: int = 0,
                    price_unpriced: bool = False, now: datetime | None = None) -> Result:
    rng = np.random.default_rng(seed)
    moment = now or datetime.now(UTC)
    works = synthetic_sales.market_works(conn)
    if not works:
        raise ValueError("there are no public works for simulated buyers: import a catalogue first")
    values = hidden_values(works, rng)
    priced = _price_unpriced(conn, works, values, rates, rng) if price_unpriced else 0
    for_sale = [i for i, work in enumerate(works) if work["price"] is not None and work["currency"] in money.CURRENCIES]
    if not for_sale:
        raise NothingForSale("no public work has a price: pass --price-unpriced to give them synthetic ones")
    totals = Result(buyers, 0, 0, 0, priced)
    first = ranking.next_simulated_number(conn)
    for number in range(first, first + buyers):
        buyer_id = accounts.create_simulated_account(conn, number, "buyer")
        for _ in range(LOOKS_PER_BUYER):
            index = int(rng.choice(for_sale))
            at = moment - timedelta(seconds=float(rng.uniform(0, days * 86400)))
            _consider(conn, buyer_id, works[index], values[index], at, moment, rates, rng, totals)
    return totals


def _price_unpriced(conn, works, values, rates, rng):
    prices = []
    for work, value in zip(works, values, strict=True):
        if work["price"] is None:
            work["price"] = round(float(value * rng.lognormal(0, 0.1)), 0)
            work["currency"] = rates.base
            prices.append((work["price"], rates.base, work["id"]))
    synthetic_sales.set_synthetic_prices(conn, prices)
    return len(prices)


def _consider(conn, buyer_id, work, value, at, now, rates, rng, totals):
    if work.get("sold") or (work["edition_size"] is not None and (work["editions_remaining"] or 0) <= 0):
        return
    stamp = at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if stamp < work["created_at"]:
        return  # not listed yet
    if rng.random() < 1 / 3:
        synthetic_sales.record_synthetic_enquiry(conn, buyer_id, work, stamp)
        totals.enquiries += 1
    currency = work["currency"]
    list_price = money.to_minor(work["price"], currency)
    valuation = money.to_minor(float(value * rng.lognormal(0, 0.2)) / (rates.rates.get(currency) or 1.0), currency)
    offer, price = None, None
    if valuation >= list_price:
        price = list_price
    elif valuation >= 0.75 * list_price:
        offer = {"amount": valuation, "at": stamp}
        if valuation >= 0.85 * list_price:
            price = valuation
        elif 0.92 * list_price <= 1.05 * valuation:
            price = offer["counter"] = int(0.92 * list_price)
    if price is None:
        return  # no deal: nothing is written for it
    totals.offers += offer is not None
    sold = min(at + timedelta(hours=float(rng.uniform(1, 72))), now)
    sold_at = sold.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    synthetic_sales.record_synthetic_sale(conn, buyer_id, work, unit_price=max(price, 1), currency=currency, at=sold_at,
                                rates=rates, offer=offer)
    totals.orders += 1
    if work["edition_size"] is None:
        work["sold"] = True
    else:
        work["editions_remaining"] -= 1
