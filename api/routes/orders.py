"""Orders: buying a work at its list price (or at an accepted offer's), paying through a provider,
and the path to delivery. Only the buyer and the artist know an order exists."""

from typing import ClassVar, Literal

from flask import jsonify
from pydantic import model_validator

from api import fulfilment as lab
from api.auth import require_user
from api.config import PROVIDERS
from api.db import get_db
from api.fields import Body, Country, MinorUnitsOrZero, Text
from api.limits import rate_limit
from api.parsing import Choice, Paged, list_response
from api.problems import ApiError, validation_error
from api.routes import bp
from api.routing import operation
from api.sales import Order, OrderDetail, authorities, hold_until, order_json, party_to, providers, rates, refused
from api.shapes import page_of
from market import prints as catalogue
from store import offers, sales

ORDER_SERVER_FIELDS = frozenset({
    "id", "artist", "buyer", "buyer_id", "artist_id", "role", "allowed_statuses", "currency", "unit_price", "subtotal",
    "total", "total_converted", "payment", "is_edition", "synthetic", "expires_at", "paid_at", "shipped_at",
    "delivered_at", "completed_at", "cancelled_at", "refunded_at", "events", "created_at", "updated_at", "kind",
    "license_id", "fulfilment_status", "tracking_url", "margin"})


class Address(Body):
    name: Text(200, 1)
    line1: Text(200, 1)
    line2: Text(200) | None = None
    city: Text(100, 1)
    region: Text(100) | None = None
    postal_code: Text(20) | None = None
    country: Country


class ProductLine(Body):
    product: Literal[catalogue.PRODUCTS]
    size: Text(12, 3)


class OrderCreate(Body):
    """Buy `artwork_id` at its list price, or buy from an accepted offer (`offer_id`) whose first
    order lapsed unpaid; with `product`, buy prints of `artwork_id` made on demand."""
    server_owned: ClassVar[frozenset] = ORDER_SERVER_FIELDS | {"status", "tax", "shipping", "kind", "unit_cost",
                                                               "fulfilment_status", "license_id"}
    artwork_id: Text(64, 1) = None
    offer_id: Text(64, 1) = None
    product: ProductLine | None = None
    quantity: int = 1
    provider: Literal[PROVIDERS] = "manual"
    shipping_address: Address | None = None
    note: Text(1000) | None = None

    @model_validator(mode="after")
    def one_source(self):
        if (self.artwork_id is None) == (self.offer_id is None):
            raise ValueError("give artwork_id (buy at the list price) or offer_id (an accepted offer), not both")
        if not 1 <= self.quantity <= 1000:
            raise ValueError("quantity must be between 1 and 1000")
        if self.product is not None and self.offer_id is not None:
            raise ValueError("a print is bought at its price: give artwork_id with product, not offer_id")
        return self


class OrderUpdate(Body):
    server_owned: ClassVar[frozenset] = ORDER_SERVER_FIELDS - {"status"} | {"product"}
    status: Literal[sales.ORDER_STATUSES] = None
    carrier: Text(100, 1) = None
    tracking_number: Text(100, 1) = None
    shipping_address: Address = None
    # Minor units, set by the artist before payment: they quote tax and shipping once they know
    # where the work goes.
    tax: MinorUnitsOrZero = None
    shipping: MinorUnitsOrZero = None
    # Why (a cancellation or refund), kept in the order's log.
    note: Text(1000, 1) = None


class OrdersQuery(Paged):
    role: Choice(sales.ORDER_ROLES) | None = None
    status: Choice(sales.ORDER_STATUSES) | None = None


def _provider(name):
    if name not in providers():
        raise validation_error({"provider": f"must be one of: {', '.join(providers())}"})
    return name


@operation(bp, "POST", "/orders", access="user", body=OrderCreate, response=OrderDetail, status=201,
           errors=(403, 404, 409),
           links={target: {"order_id": "$response.body#/id"} for target in ("get_order", "update_order")})
@rate_limit("30 per minute")
def create_order(query, body):
    """Order a work (the stock is held for ORDER_HOLD_HOURS until paid; 409 if another buyer holds it)."""
    user_id = require_user()
    provider = _provider(body.provider)
    address = body.shipping_address.model_dump() if body.shipping_address else None
    offer = None
    if body.offer_id is not None:
        sales.settle_if_due(get_db())  # its first order may just have lapsed
        offer = _accepted_offer(body.offer_id, user_id)
    if body.product is not None and lab.provider() is None:
        raise ApiError(409, "This server sends no prints to a print lab (FULFILMENT_URL is not set).",
                       title="No print fulfilment", problem="conflict")
    line = (body.product.product, body.product.size) if body.product else None
    try:
        order_id = sales.create_order(get_db(), user_id, offer["artwork_id"] if offer else body.artwork_id,
                                      provider=provider, hold_until=hold_until(), rates=rates(),
                                      quantity=body.quantity, shipping_address=address, note=body.note, offer=offer,
                                      product=line)
    except sales.SaleRefused as error:
        raise refused(error) from error
    shaped = order_json(sales.get_order(get_db(), order_id), user_id, detail=True)
    return jsonify(shaped), 201, {"Location": f"/api/orders/{order_id}"}


def _accepted_offer(offer_id, user_id):
    offer = offers.get_offer(get_db(), offer_id)
    if offer is None or offer["buyer_id"] != user_id:
        raise validation_error({"offer_id": "must be an offer of yours"})
    if offer["status"] != "accepted":
        raise ApiError(409, f"That offer is {offer['status']}, not accepted.", title="Offer not accepted",
                       problem="conflict")
    live = offer["order_id"] and sales.get_order(get_db(), offer["order_id"])
    if live and live["status"] != "cancelled":
        raise ApiError(409, f"That offer's order {live['id']} is {live['status']}.", title="Already ordered",
                       problem="conflict")
    agreed = offer["counter_amount"] or offer["amount"]
    return {**offer, "agreed": agreed}


@operation(bp, "GET", "/orders", access="user", query=OrdersQuery, response=page_of(Order))
def list_orders(query):
    """The caller's purchases (role=buyer) and sales (role=artist), newest first."""
    user_id = require_user()
    sales.settle_if_due(get_db())
    rows, total = sales.list_orders(get_db(), user_id, role=query.role, status=query.status, limit=query.per_page,
                                    offset=query.offset)
    return list_response([order_json(row, user_id) for row in rows], total, query.page, query.per_page)


def _party_order(order_id):
    return party_to(sales.get_order, sales.order_role, order_id, "order")


@operation(bp, "GET", "/orders/<order_id>", access="user", response=OrderDetail)
def get_order(order_id, query):
    """One order with its log, to its buyer or artist only."""
    user_id, _ = _party_order(order_id)
    sales.settle_if_due(get_db())
    return jsonify(order_json(sales.get_order(get_db(), order_id), user_id, detail=True))


@operation(bp, "PUT", "/orders/<order_id>", access="user", body=OrderUpdate, response=OrderDetail, errors=(409,))
@rate_limit("60 per minute")
def update_order(order_id, query, body):
    """Move an order along its path (who may make which move: store.sales.ORDER_MOVES) and set
    its shipping details, tax and shipping lines."""
    user_id, order = _party_order(order_id)
    details = {name: getattr(body, name) for name in sales.EDITABLE_DETAILS if getattr(body, name) is not None}
    if "shipping_address" in details:
        details["shipping_address"] = body.shipping_address.model_dump()
    if body.status is None and not details:
        raise validation_error({"status": "give a new status, shipping details, or both"})
    try:
        sales.change_order(get_db(), order_id, user_id, authorities(order, user_id), status=body.status,
                           payment=sales.Payment(order["provider"]) if body.status in ("paid", "refunded") else None,
                           details=details, note=body.note, rates=rates())
    except sales.SaleRefused as error:
        raise refused(error) from error
    if body.status == "paid":
        lab.send_due_in_background(get_db())
    return jsonify(order_json(sales.get_order(get_db(), order_id), user_id, detail=True))
