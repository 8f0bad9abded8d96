"""Sending paid print orders to the print lab: make (or find) the print-ready file, hand the
order to the provider, and retry with backoff while it is down.

Runs outside any request: in a background thread right after a print order is paid, and from
`flask fulfilment dispatch` on a schedule for the retries. No transaction is open while the
file is made or the provider is called; each order is leased first (store.prints.claim_due).
"""

import time
from dataclasses import dataclass, field

from imaging import ImageRejected, printfile
from market import fulfilment
from market import prints as catalogue
from store import prints, sales


@dataclass
class DispatchResult:
    sent: list = field(default_factory=list)
    retrying: list = field(default_factory=list)
    failed: list = field(default_factory=list)


@dataclass(frozen=True)
class FileLinks:
    """How the lab reaches print files: this server's base URL, the signing secret, and how long a link lasts."""
    base_url: str
    secret: str
    ttl_seconds: int


def ensure_print_file(conn, media, order, *, max_pixels) -> dict:
    """The print_files row of the order's product, made from the stored original if missing."""
    work = conn.execute("SELECT image_sha256, image_path FROM artworks WHERE id = ?", (order["artwork_id"],)).fetchone()
    if work is None or not work["image_path"]:
        raise fulfilment.ProviderRefused("the work or its original image is gone")
    made = prints.print_file(conn, work["image_sha256"], order["product"], order["print_size"])
    if made and media.exists(made["path"]):
        return made
    data = media.read(work["image_path"])
    width, height = printfile.upright_size(data, max_pixels)
    option = catalogue.size_option(order["product"], order["print_size"], width, height)
    result = printfile.make_print_file(data, option.crop, option.file_pixels, option.file_dpi, max_pixels=max_pixels)
    name = f"print-{order['product'].replace('_', '-')}-{order['print_size']}.jpg"
    path = media.rendition(work["image_sha256"], name)
    media.write(path, result.data)
    prints.save_print_file(conn, work["image_sha256"], order["product"], order["print_size"], path=path, made=result)
    return prints.print_file(conn, work["image_sha256"], order["product"], order["print_size"])


def payload(order: dict, made: dict, links: FileLinks, now: float) -> dict:
    """What the lab is sent: the order, what to print, where to ship it, and the file's link."""
    name = f"{made['file_sha256']}.jpg"
    width_cm, height_cm = catalogue.oriented(order["print_size"], made["width_px"], made["height_px"])
    return {
        "order_id": order["id"], "product": order["product"], "size": order["print_size"],
        "width_cm": width_cm, "height_cm": height_cm, "bleed_mm": catalogue.CATALOGUE[order["product"]].bleed_mm,
        "quantity": order["quantity"], "shipping_address": order["shipping_address"],
        "file": {"url": fulfilment.signed_file_url(links.secret, links.base_url, name, int(now) + links.ttl_seconds),
                 "sha256": made["file_sha256"], "width_px": made["width_px"], "height_px": made["height_px"],
                 "dpi": made["dpi"], "bytes": made["bytes"], "format": "image/jpeg", "colour_profile": "sRGB"},
    }


def dispatch_due(conn, media, provider: fulfilment.FulfilmentProvider, links: FileLinks, *, max_pixels: int,
                 limit: int = 100, clock=time.time) -> DispatchResult:
    """Send every print order that is due (at most `limit`), one lease at a time."""
    result = DispatchResult()
    for _ in range(limit):
        dispatch = prints.claim_due(conn)
        if dispatch is None:
            break
        _send(conn, media, provider, links, dispatch, result, max_pixels, clock)
    return result


def _send(conn, media, provider, links, dispatch, result, max_pixels, clock):
    order = sales.get_order(conn, dispatch["order_id"])
    try:
        made = ensure_print_file(conn, media, order, max_pixels=max_pixels)
        submitted = provider.submit(payload(order, made, links, clock()), dispatch["idempotency_key"])
    except (fulfilment.ProviderDown, OSError) as error:  # an OSError is our disk: as passing as the lab being down
        delay = fulfilment.retry_delay(dispatch["attempts"])
        prints.mark_retry(conn, dispatch, str(error), delay)
        (result.retrying if delay is not None else result.failed).append(order["id"])
        return
    except (fulfilment.ProviderRefused, ImageRejected) as error:
        prints.mark_retry(conn, dispatch, str(error), None)
        result.failed.append(order["id"])
        return
    prints.mark_sent(conn, dispatch, submitted.reference)
    result.sent.append(order["id"])
