"""Print fulfilment: how a paid print order reaches a print lab, and how its files are fetched.

A provider is an object with a name and `submit(payload, idempotency_key)`. One ships:
`WebhookFulfilment` POSTs the order as JSON to a configured URL, signed like the payment
webhooks (`Easel-Signature: t=<unix seconds>,v1=<HMAC-SHA256 of "<t>.<body>">`), with an
`Idempotency-Key` header that stays the same on every retry of one order, so a lab that took a
request whose answer was lost does not print it twice. A 2xx answer is taken; a timeout, a
refused connection, 408, 429 or a 5xx is the lab being down (ProviderDown: try again later); any
other 4xx is a refusal that no retry will fix (ProviderRefused).

The lab fetches the print-ready file from a signed URL that expires: the signature is an HMAC of
the file name and the expiry under a key derived from the shared secret, so only whoever the
server gave the URL can fetch it, and only until then.
"""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Protocol

from market.payments import SIGNATURE_HEADER, sign

# Seconds to wait before each retry; after the last, the order's dispatch is marked failed.
RETRY_DELAYS = (30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600)
TEMPORARY_STATUSES = frozenset({408, 425, 429})
FULFILMENT_STATUSES = ("accepted", "printed", "shipped", "delivered", "failed")


class ProviderDown(Exception):
    """The provider could not take the order now; the same request may be sent again later."""


class ProviderRefused(Exception):
    """The provider refused the order for good (a 4xx): retrying the same request will not help."""


@dataclass(frozen=True)
class Submitted:
    reference: str | None


class FulfilmentProvider(Protocol):
    name: str

    def submit(self, payload: dict[str, Any], idempotency_key: str) -> Submitted: ...


@dataclass(frozen=True)
class WebhookFulfilment:
    url: str
    secret: str = field(repr=False)
    timeout_seconds: float = 10.0
    name: str = "webhook"

    def __post_init__(self):
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"the fulfilment URL must be http(s), not {self.url!r}")

    def submit(self, payload: dict[str, Any], idempotency_key: str) -> Submitted:
        body = json.dumps(payload, sort_keys=True).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": idempotency_key,
                   SIGNATURE_HEADER: sign(self.secret, int(time.time()), body), "User-Agent": "Easel-fulfilment/1"}
        # The scheme is checked in __post_init__: only http(s) is ever opened.
        request = urllib.request.Request(self.url, data=body, method="POST", headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as answer:  # noqa: S310
                return Submitted(_reference(answer.read()))
        except urllib.error.HTTPError as error:
            if error.code >= 500 or error.code in TEMPORARY_STATUSES:
                raise ProviderDown(f"the provider answered {error.code}") from error
            raise ProviderRefused(f"the provider refused the order ({error.code}: {_text(error)})") from error
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
            raise ProviderDown(f"the provider could not be reached ({getattr(error, 'reason', error)})") from error


def _reference(body: bytes) -> str | None:
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        return None
    reference = answer.get("reference") if isinstance(answer, dict) else None
    return str(reference)[:200] if reference is not None else None


def _text(error: urllib.error.HTTPError) -> str:
    try:
        return error.read(300).decode("utf-8", "replace").strip() or error.reason
    except OSError:
        return str(error.reason)


def retry_delay(attempts: int) -> int | None:
    """Seconds before the next try after `attempts` failed ones, or None when it is time to give up."""
    return RETRY_DELAYS[attempts - 1] if 1 <= attempts <= len(RETRY_DELAYS) else None


def _file_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"easel print files", hashlib.sha256).digest()


def file_signature(secret: str, name: str, expires: int) -> str:
    return hmac.new(_file_key(secret), f"{name}:{expires}".encode(), hashlib.sha256).hexdigest()


def signed_file_url(secret: str, base_url: str, name: str, expires: int) -> str:
    """The URL a lab downloads the print file `name` from, good until `expires` (unix seconds)."""
    return (f"{base_url.rstrip('/')}/api/fulfilment/files/{name}?expires={expires}"
            f"&signature={file_signature(secret, name, expires)}")


def file_url_valid(secret: str, name: str, expires: int, signature: str, now: float) -> bool:
    expected = file_signature(secret, name, expires)
    return hmac.compare_digest(expected, signature) and now < expires
