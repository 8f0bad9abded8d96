"""Payments: the providers a buyer may choose, and the signed webhook a card processor calls."""

import time
from typing import Any, ClassVar, Literal

from flask import jsonify

from api import fulfilment as lab
from api.db import get_db
from api.fields import Body, Currency, MinorUnits, Text
from api.parsing import validated
from api.problems import ApiError
from api.routes import bp
from api.routing import operation
from api.sales import providers, signed_request_time
from api.shapes import Shape
from market import payments
from store import payments as payments_store
from store import sales


class PaymentData(Body):
    order_id: Text(64, 1)
    amount: MinorUnits
    currency: Currency
    # The processor's own id for the charge or refund, kept in the order's log.
    reference: Text(200) | None = None


class WebhookEvent(Body):
    """A processor's event, sent as JSON with the header Easel-Signature: t=<unix seconds>,v1=<hex
    HMAC-SHA256 of "<t>.<raw body>" under PAYMENT_WEBHOOK_SECRET>."""
    server_owned: ClassVar[frozenset] = frozenset()  # the processor's own event id
    id: Text(200, 1)
    type: Literal[payments.EVENT_TYPES]
    data: PaymentData


class WebhookAnswer(Shape):
    received: bool
    event_id: str
    outcome: str
    detail: str
    duplicate: bool


class Provider(Shape):
    name: str
    confirmed_by_artist: bool


class ProviderList(Shape):
    items: list[Provider]


@operation(bp, "GET", "/payments/providers", response=ProviderList)
def list_providers(query):
    """The payment providers this server offers buyers (the provider field of an order)."""
    return jsonify({"items": [{"name": name, "confirmed_by_artist": provider.confirmed_by_artist}
                              for name, provider in providers().items()]})


@operation(bp, "POST", "/payments/webhook", access="signed", body_choices=(WebhookEvent,), response=WebhookAnswer,
           errors=(404,))
def payment_webhook(query):
    """A card processor's signed event. 401 for a bad or stale signature (nothing changes); an
    event id already received answers 200 again and changes nothing twice. An event the order
    cannot take (a payment for a lapsed order) is recorded for a refund and answered 200, so the
    processor stops retrying."""
    provider = providers().get("webhook")
    if provider is None:
        raise ApiError(404, "This server takes no webhook payments (PAYMENT_PROVIDERS).")
    sent = signed_request_time(provider.secret, provider.tolerance_seconds, "Webhook")
    event = validated(WebhookEvent)
    data = event.data
    outcome, detail, first = payments_store.apply_payment_event(
        get_db(), provider.name, event.id, event.type, data.order_id,
        _iso(sent),
        sales.Payment(provider.name, data.reference, data.amount, data.currency))
    if outcome == "applied" and event.type == "payment.succeeded":
        lab.send_due_in_background(get_db())
    answer: dict[str, Any] = {"received": True, "event_id": event.id, "outcome": outcome, "detail": detail,
                              "duplicate": not first}
    return jsonify(answer)


def _iso(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(epoch))
