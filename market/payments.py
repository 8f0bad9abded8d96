"""Payment providers: how a buyer pays for an order, and who tells Easel that the money arrived.

A provider is an object with a name, a flag saying whether the artist confirms payment by hand,
and `instructions(order)`: what the buyer is told to do. Two ship:

* `ManualProvider`: bank transfer or cash in person; the artist marks the order paid (and
  refunded) once the money has moved.
* `WebhookProvider`: a card processor that calls `POST /api/payments/webhook` with a JSON event
  signed by HMAC-SHA256 under a shared secret. The header `Easel-Signature: t=<unix
  seconds>,v1=<hex>` signs "<t>.<raw body>" (several v1 values may be given while a secret is
  rotated). An event older or newer than the tolerance is refused, so a captured request cannot
  be replayed later; inside the window the event id is remembered, so a retry changes nothing.

A real processor plugs in as another provider: name it, say how the buyer pays, and have it post
signed events (or write a verifier of its own signature scheme beside `verify_signature`).
"""

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any, Protocol

SIGNATURE_HEADER = "Easel-Signature"
EVENT_TYPES = ("payment.succeeded", "payment.failed", "refund.succeeded")


class PaymentProvider(Protocol):
    name: str
    confirmed_by_artist: bool

    def instructions(self, order: dict) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ManualProvider:
    name: str = "manual"
    confirmed_by_artist: bool = True

    def instructions(self, order: dict) -> dict[str, Any]:
        return {"provider": self.name, "reference": order["id"],
                "steps": "Pay the artist by bank transfer or in person, quoting the reference; the artist marks "
                         "the order paid when the money arrives."}


@dataclass(frozen=True)
class WebhookProvider:
    secret: str = field(repr=False)
    tolerance_seconds: int = 300
    name: str = "webhook"
    confirmed_by_artist: bool = False

    def instructions(self, order: dict) -> dict[str, Any]:
        return {"provider": self.name, "reference": order["id"], "amount": order["total"],
                "currency": order["currency"],
                "steps": "Pay through the card processor with this reference and amount; the order becomes paid "
                         "when the processor confirms it."}


class SignatureError(ValueError):
    """The request was not signed by the holder of the secret, or not recently."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The Easel-Signature header value for `body` sent at `timestamp` (what a processor sends)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(secret: str, header: str | None, body: bytes, now: float, tolerance_seconds: int) -> int:
    """The signed timestamp, once the header proves `body` is the secret holder's and recent.
    Raises SignatureError saying what is wrong (never which part of a digest failed)."""
    if not header:
        raise SignatureError(f"the {SIGNATURE_HEADER} header is missing")
    parts = [part.strip().partition("=") for part in header.split(",")]
    stamps = [value for key, _, value in parts if key == "t"]
    digests = [value for key, _, value in parts if key == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit() or not digests:
        raise SignatureError(f"the {SIGNATURE_HEADER} header must be t=<unix seconds>,v1=<hex digest>")
    timestamp = int(stamps[0])
    expected = sign(secret, timestamp, body).partition("v1=")[2]
    if not any(hmac.compare_digest(expected, digest) for digest in digests):
        raise SignatureError("the signature does not match the body")
    if abs(now - timestamp) > tolerance_seconds:
        raise SignatureError(f"the signature is more than {tolerance_seconds} s from the server's clock")
    return timestamp


def parse_event(body: bytes) -> dict:
    """The event as JSON (after verify_signature); ValueError when it is not an object."""
    event = json.loads(body)
    if not isinstance(event, dict):
        raise ValueError("the event must be a JSON object")
    return event
