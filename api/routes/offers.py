"""Offers: a buyer names a price for a work; the artist accepts, declines or counters; the buyer
withdraws or answers the counter. Accepting creates the order."""

from datetime import timedelta
from typing import ClassVar, Literal

from flask import jsonify

from api.auth import require_user
from api.config import PROVIDERS
from api.db import get_db
from api.fields import Body, Currency, FutureMoment, MinorUnits, Text
from api.limits import rate_limit
from api.parsing import Choice, Paged, list_response
from api.problems import validation_error
from api.routes import bp
from api.routing import operation
from api.sales import Offer, OfferDetail, hold_until, offer_json, party_to, providers, rates, refused
from api.shapes import page_of
from store import offers, sales, utc_now

DEFAULT_DAYS, MAX_DAYS = 7, 30
OFFER_SERVER_FIELDS = frozenset({"id", "artwork", "artist", "buyer", "role", "status", "allowed_statuses",
                                 "order_id", "synthetic", "events", "created_at", "updated_at"})


class OfferCreate(Body):
    server_owned: ClassVar[frozenset] = OFFER_SERVER_FIELDS | {"counter_amount"}
    # In the currency's minor unit: 150000 is 1,500.00 USD.
    amount: MinorUnits
    # Default: the work's own currency.
    currency: Currency = None
    message: Text(2000) | None = None
    # Default: 7 days from now; at most 30.
    expires_at: FutureMoment = None
    provider: Literal[PROVIDERS] = "manual"


class OfferUpdate(Body):
    server_owned: ClassVar[frozenset] = OFFER_SERVER_FIELDS - {"status"} | {"amount", "currency"}
    status: Literal["accepted", "declined", "countered", "withdrawn"]
    counter_amount: MinorUnits = None
    note: Text(1000, 1) = None


class OffersQuery(Paged):
    role: Choice(("artist", "buyer")) | None = None
    status: Choice(offers.OFFER_STATUSES) | None = None
    artwork_id: str | None = None


@operation(bp, "POST", "/artworks/<artwork_id>/offers", access="user", body=OfferCreate, response=OfferDetail,
           status=201, errors=(409,), links={target: {"offer_id": "$response.body#/id"}
                                             for target in ("get_offer", "update_offer")})
@rate_limit("20 per minute")
def create_offer(artwork_id, query, body):
    """Offer a price for a work (one open offer per buyer and work)."""
    user_id = require_user()
    if body.provider not in providers():
        raise validation_error({"provider": f"must be one of: {', '.join(providers())}"})
    latest = utc_now(timedelta(days=MAX_DAYS))
    if body.expires_at is not None and body.expires_at > latest:
        raise validation_error({"expires_at": f"must be within {MAX_DAYS} days"})
    try:
        offer_id = offers.create_offer(get_db(), user_id, artwork_id, amount=body.amount,
                                      currency=body.currency or sales.currency_of(get_db(), artwork_id) or "USD",
                                      expires_at=body.expires_at or utc_now(timedelta(days=DEFAULT_DAYS)),
                                      provider=body.provider, message=body.message)
    except sales.SaleRefused as error:
        raise refused(error) from error
    shaped = offer_json(offers.get_offer(get_db(), offer_id), user_id, detail=True)
    return jsonify(shaped), 201, {"Location": f"/api/offers/{offer_id}"}


@operation(bp, "GET", "/offers", access="user", query=OffersQuery, response=page_of(Offer))
def list_offers(query):
    """Offers the caller made (role=buyer) or received (role=artist), latest activity first."""
    user_id = require_user()
    sales.settle_if_due(get_db())
    rows, total = offers.list_offers(get_db(), user_id, role=query.role, status=query.status,
                                    artwork_id=query.artwork_id, limit=query.per_page, offset=query.offset)
    return list_response([offer_json(row, user_id) for row in rows], total, query.page, query.per_page)


def _party_offer(offer_id):
    return party_to(offers.get_offer, offers.offer_role, offer_id, "offer")


@operation(bp, "GET", "/offers/<offer_id>", access="user", response=OfferDetail)
def get_offer(offer_id, query):
    user_id, _ = _party_offer(offer_id)
    sales.settle_if_due(get_db())
    return jsonify(offer_json(offers.get_offer(get_db(), offer_id), user_id, detail=True))


@operation(bp, "PUT", "/offers/<offer_id>", access="user", body=OfferUpdate, response=OfferDetail, errors=(409,))
@rate_limit("60 per minute")
def update_offer(offer_id, query, body):
    """Accept, decline or counter (the artist; the buyer answers a counter) or withdraw (the
    buyer). Who may make which move: store.offers.OFFER_MOVES. Accepting creates the order."""
    user_id, _ = _party_offer(offer_id)
    if body.counter_amount is not None and body.status != "countered":
        raise validation_error({"counter_amount": "goes with status countered only"})
    try:
        offers.change_offer(get_db(), offer_id, user_id, body.status, counter_amount=body.counter_amount,
                           note=body.note, hold_until=hold_until(), rates=rates())
    except sales.SaleRefused as error:
        raise refused(error) from error
    return jsonify(offer_json(offers.get_offer(get_db(), offer_id), user_id, detail=True))
