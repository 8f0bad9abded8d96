"""What the sales routes (orders, offers, payments, enquiries, collectors, licences) share: the settings
they read, how a refused sale becomes a problem, and the shapes of orders and offers."""

import time
from datetime import timedelta
from typing import Any

from flask import current_app, request

from api.auth import require_user
from api.db import get_db
from api.problems import ApiError
from api.shapes import Person, Shape, person_json, thumbnail_urls
from market import money, payments
from store import licenses, offers, sales, utc_now


def rates() -> money.RateTable:
    return current_app.config["CURRENCY_RATES"]


def providers() -> dict:
    return current_app.extensions["easel_payments"]


def hold_until() -> str:
    return utc_now(timedelta(hours=current_app.config["ORDER_HOLD_HOURS"]))


def refused(error: sales.SaleRefused) -> ApiError:
    problem = "conflict" if error.status == 409 else "about:blank"
    return ApiError(error.status, error.detail, title=error.title, problem=problem, errors=error.errors)


def converted(minor, currency):
    """An amount in the conversion table's base currency, for comparing; None without a rate."""
    table = rates()
    value = table.convert_minor(minor, currency) if minor is not None else None
    return None if value is None else {"amount": value, "currency": table.base, "as_of": table.as_of}


class Order(Shape):
    id: str
    kind: str
    artwork: dict[str, Any] | None
    artist: Person | None
    buyer: Person | None
    role: str | None
    status: str
    allowed_statuses: list[str]
    quantity: int
    is_edition: bool
    currency: str
    unit_price: int
    subtotal: int
    tax: int
    shipping: int
    total: int
    total_converted: dict[str, Any] | None
    provider: str
    payment: dict[str, Any] | None
    offer_id: str | None
    shipping_address: dict[str, Any] | None
    carrier: str | None
    tracking_number: str | None
    tracking_url: str | None
    product: dict[str, Any] | None
    license_id: str | None
    fulfilment_status: str | None
    margin: int | None
    synthetic: bool
    expires_at: str | None
    created_at: str


class OrderDetail(Order):
    events: list[dict[str, Any]]


def authorities(order, user_id):
    provider = providers().get(order["provider"])
    by_hand = provider.confirmed_by_artist if provider else order["provider"] == "manual"
    return sales.order_authorities(order, sales.order_role(order, user_id), by_hand)


def order_json(order, user_id, *, detail=False):
    role = sales.order_role(order, user_id)
    shaped = {"id": order["id"], "kind": order["kind"], "artwork": _artwork_ref(order["artwork_id"], order["title"]),
              "artist": person_json(order, "artist_"), "buyer": person_json(order, "buyer_"), "role": role,
              "status": order["status"],
              "allowed_statuses": sales.allowed_order_moves(order["status"], authorities(order, user_id),
                                                            order["kind"])}
    shaped.update({key: order[key] for key in ("quantity", "currency", "unit_price", "subtotal", "tax", "shipping",
                                               "total")})
    shaped["is_edition"] = bool(order["is_edition"])
    shaped["total_converted"] = (None if order["total_base"] is None else
                                 {"amount": order["total_base"], "currency": order["base_currency"],
                                  "as_of": order["rate_as_of"]})
    provider = providers().get(order["provider"])
    shaped["provider"] = order["provider"]
    shaped["payment"] = (provider.instructions(order) if provider and order["status"] == "pending_payment"
                         else None)
    shaped.update({key: order[key] for key in ("offer_id", "shipping_address", "carrier", "tracking_number",
                                               "tracking_url", "note")})
    shaped["product"] = ({"product": order["product"], "size": order["print_size"]} if order["kind"] == "print"
                         else None)
    shaped["license_id"] = order["license_id"]
    shaped["fulfilment_status"] = order["fulfilment_status"]
    # What the artist keeps of a print after the lab's cost: theirs to see, not the buyer's.
    shaped["margin"] = sales.margin_of(order) if role == "artist" else None
    shaped["synthetic"] = bool(order["synthetic"])
    shaped["expires_at"] = order["expires_at"] if order["status"] == "pending_payment" else None
    shaped.update({key: order[key] for key in ("paid_at", "shipped_at", "delivered_at", "completed_at",
                                               "cancelled_at", "refunded_at", "created_at", "updated_at")})
    if detail:
        shaped["events"] = [_event_json(event) for event in sales.events_of(get_db(), order_id=order["id"])]
    return shaped


class Offer(Shape):
    id: str
    artwork: dict[str, Any] | None
    artist: Person | None
    buyer: Person | None
    role: str | None
    amount: int
    currency: str
    counter_amount: int | None
    message: str | None
    status: str
    allowed_statuses: list[str]
    expires_at: str
    order_id: str | None
    provider: str
    synthetic: bool
    created_at: str
    updated_at: str


class OfferDetail(Offer):
    events: list[dict[str, Any]]


def offer_json(offer, user_id, *, detail=False):
    role = offers.offer_role(offer, user_id)
    artwork = _artwork_ref(offer["artwork_id"], offer["artwork_title"])
    artwork["list_price"] = offer["list_price"]
    artwork["list_currency"] = offer["list_currency"]
    shaped = {"id": offer["id"], "artwork": artwork, "artist": person_json(offer, "artist_"),
              "buyer": person_json(offer, "buyer_"), "role": role}
    shaped.update({key: offer[key] for key in ("amount", "currency", "counter_amount", "message", "status")})
    shaped["allowed_statuses"] = offers.allowed_offer_moves(offer["status"], role)
    shaped["amount_converted"] = converted(offer["amount"], offer["currency"])
    shaped.update({key: offer[key] for key in ("expires_at", "order_id", "provider", "created_at", "updated_at")})
    shaped["synthetic"] = bool(offer["synthetic"])
    if detail:
        shaped["events"] = [_event_json(event) for event in sales.events_of(get_db(), offer_id=offer["id"])]
    return shaped


def _artwork_ref(artwork_id, title):
    if artwork_id is None:
        return {"id": None, "title": title, "thumbnail_urls": None}
    return {"id": artwork_id, "title": title, "thumbnail_urls": thumbnail_urls(artwork_id)}


def _event_json(event):
    return {key: event[key] for key in ("id", "kind", "actor_id", "actor_role", "amount", "currency", "provider",
                                        "reference", "note", "created_at")}


def party_to(get, role_of, item_id, noun):
    """(user id, row) when the signed-in user is a party to the row `get` finds (role_of names
    their role); 404 for anyone else, who may not know it exists."""
    user_id = require_user()
    found = get(get_db(), item_id)
    if found is None or role_of(found, user_id) is None:
        raise ApiError(404, f"No {noun} of yours has that id.")
    return user_id, found


def party_license(license_id):
    return party_to(licenses.get_license, licenses.license_role, license_id, "licence")


def signed_request_time(secret: str, tolerance_seconds: int, refused_what: str) -> float:
    """The signed time (unix seconds) of this request's body, once its Easel-Signature proves it
    is the secret holder's and recent; 401 otherwise, before anything is read or changed."""
    try:
        return payments.verify_signature(secret, request.headers.get(payments.SIGNATURE_HEADER),
                                         request.get_data(cache=True), time.time(), tolerance_seconds)
    except payments.SignatureError as error:
        raise ApiError(401, f"{refused_what} refused: {error}.", title="Bad signature",
                       headers={"WWW-Authenticate": payments.SIGNATURE_HEADER}) from error
