"""Print-on-demand: the products an artist enables per work (sizes its pixels can print), the
print lab's signed status callbacks, and the signed links the lab fetches print files from."""

import time
from typing import Any, ClassVar, Literal

from flask import Response, current_app, jsonify
from pydantic import Field

from api import fulfilment as lab
from api.access import own_artwork, visible_artwork_or_404
from api.auth import current_user_id
from api.db import get_db, media
from api.fields import Body, Currency, MinorUnits, Text
from api.parsing import Query, validated
from api.problems import ApiError, validation_error
from api.routes import bp
from api.routing import operation
from api.sales import rates, signed_request_time
from api.shapes import Shape
from market import fulfilment, money
from market import prints as catalogue
from store import prints

FILE_NAME_LENGTH = 64 + len(".jpg")


class PrintSize(Body):
    size: Text(12, 3) = Field(description="Short x long edge in cm, from the catalogue, like 30x40")
    price: MinorUnits
    currency: Currency | None = Field(None, description="Default: the work's currency")


class PrintProduct(Body):
    product: Literal[catalogue.PRODUCTS]
    sizes: list[PrintSize] = Field(min_length=1, max_length=20)


class PrintProductsUpdate(Body):
    products: list[PrintProduct] = Field(max_length=len(catalogue.PRODUCTS))


class PrintOffer(Shape):
    product: str
    label: str
    size: str
    width_cm: float
    height_cm: float
    price: int
    currency: str
    dpi: int
    recommended: bool
    crop: dict[str, Any] | None


class PrintProducts(Shape):
    artwork_id: str
    items: list[PrintOffer]
    options: list[dict[str, Any]] | None = Field(
        description="For the artist only: every catalogue size, whether the original's pixels allow it (and why "
                    "not), the crop, the production cost and the margin at the price set.")


class LabCallback(Body):
    """A print lab's status callback, sent as JSON with the header Easel-Signature: t=<unix
    seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" under FULFILMENT_SECRET>."""
    server_owned: ClassVar[frozenset] = frozenset()  # the lab's own event id
    id: Text(200, 1)
    order_id: Text(64, 1)
    status: Literal[fulfilment.FULFILMENT_STATUSES]
    carrier: Text(100, 1) | None = None
    tracking_number: Text(100, 1) | None = None
    tracking_url: Text(500, 1) | None = None
    reason: Text(1000) | None = None


class LabAnswer(Shape):
    received: bool
    event_id: str
    outcome: str
    duplicate: bool


class FileQuery(Query):
    expires: int = Field(description="Unix seconds the link is good until")
    signature: str = Field(description="HMAC of the file name and expiry (market.fulfilment.file_signature)")


# --- Products ---------------------------------------------------------------------------------

def _crop_json(option, width, height):
    kept = option.kept_fraction(width, height)
    if kept > 0.995:
        return None  # the proportions match: nothing is cut
    left, top, crop_width, crop_height = option.crop
    return {"left": left, "top": top, "width": crop_width, "height": crop_height, "kept": round(kept, 4)}


def _offer_json(item, option, width, height):
    return {"product": item["product"], "label": catalogue.CATALOGUE[item["product"]].label, "size": item["size"],
            "width_cm": option.width_cm, "height_cm": option.height_cm, "price": item["price"],
            "currency": item["currency"], "dpi": option.dpi, "recommended": option.recommended,
            "crop": _crop_json(option, width, height)}


def _option_json(option, enabled, width, height):
    price = enabled.get((option.product, option.size))
    currency = price["currency"] if price else None
    cost = prints.production_cost(option.product, option.size, currency, rates()) if price else None
    return {"product": option.product, "size": option.size, "width_cm": option.width_cm,
            "height_cm": option.height_cm, "bleed_mm": option.bleed_mm, "dpi": option.dpi, "allowed": option.allowed,
            "recommended": option.recommended, "limitation": option.limitation(),
            "crop": _crop_json(option, width, height), "print_file_px": list(option.file_pixels),
            "production_cost": option.cost, "cost_currency": catalogue.CATALOGUE_CURRENCY,
            "enabled": price is not None, "price": price["price"] if price else None, "currency": currency,
            "margin": price["price"] - cost if price and cost is not None else None}


def _pixels(artwork):
    if not artwork["image_sha256"]:
        raise ApiError(409, "This work has no image to print from.", title="No image", problem="conflict")
    return artwork["image_width"], artwork["image_height"]


def _products_answer(artwork, owner):
    width, height = _pixels(artwork)
    enabled = {(item["product"], item["size"]): item for item in prints.products_of(get_db(), artwork["id"])}
    items = [_offer_json(item, catalogue.size_option(item["product"], item["size"], width, height), width, height)
             for item in enabled.values()]
    options = None
    if owner:
        options = [_option_json(option, enabled, width, height) for product in catalogue.PRODUCTS
                   for option in catalogue.size_options(product, width, height)]
    return {"artwork_id": artwork["id"], "items": items, "options": options}


@operation(bp, "GET", "/artworks/<artwork_id>/prints", access="optional", response=PrintProducts, errors=(409,))
def list_prints(artwork_id, query):
    """The prints a work is offered as; to its artist also every catalogue size with what the
    original's pixels allow (at least 150 DPI, 300 recommended), the crop, the cost and margin."""
    viewer = current_user_id()
    artwork = visible_artwork_or_404(artwork_id, viewer)
    return jsonify(_products_answer(artwork, owner=viewer == artwork["artist_id"]))


def _checked_products(body, artwork):
    width, height = _pixels(artwork)
    errors, chosen = {}, []
    for p_index, product in enumerate(body.products):
        spec = catalogue.CATALOGUE[product.product]
        for s_index, size in enumerate(product.sizes):
            where = f"products[{p_index}].sizes[{s_index}]"
            error = _size_error(product.product, size, width, height, artwork, spec)
            if error:
                errors[where] = error
            elif any((item["product"], item["size"]) == (product.product, size.size) for item in chosen):
                errors[where] = "is listed twice"
            else:
                chosen.append({"product": product.product, "size": size.size, "price": size.price,
                               "currency": size.currency or artwork["currency"]})
    if errors:
        raise validation_error(errors, "Some print sizes cannot be offered; see errors.")
    return chosen


def _size_error(product, size, width, height, artwork, spec):
    if size.size not in spec.sizes:
        return f"{product} comes in {', '.join(spec.sizes)}"
    option = catalogue.size_option(product, size.size, width, height)
    if not option.allowed:
        largest = catalogue.largest_allowed(product, width, height)
        best = f"the largest this image allows is {largest.size}" if largest else "no size of it is possible"
        return f"{option.limitation()}; {best}"
    currency = size.currency or artwork["currency"]
    if currency not in money.CURRENCIES:
        return "give a currency (the work's is not a known one)"
    cost = prints.production_cost(product, size.size, currency, rates())
    if cost is None:
        return f"no conversion rate to {currency} for the print lab's costs (CURRENCY_RATES)"
    if size.price <= cost:
        return f"the price must be above the production cost of {money.format_amount(cost, currency)}"
    return None


@operation(bp, "PUT", "/artworks/<artwork_id>/prints", access="user", body=PrintProductsUpdate,
           response=PrintProducts, errors=(409,))
def replace_prints(artwork_id, query, body):
    """Enable the work's print products (the whole list). A size the original's pixels cannot
    print at 150 DPI is refused (400, naming the largest allowed), as is a price at or below the
    production cost."""
    artwork = own_artwork(artwork_id)
    prints.replace_products(get_db(), artwork_id, _checked_products(body, artwork))
    return jsonify(_products_answer(artwork, owner=True))


# --- The print lab ------------------------------------------------------------------------------

@operation(bp, "POST", "/fulfilment/webhook", access="signed", body_choices=(LabCallback,), response=LabAnswer,
           errors=(404,))
def fulfilment_webhook(query):
    """The print lab's signed status callback (accepted, printed, shipped with tracking,
    delivered, failed). 401 for a bad or stale signature, and nothing changes; an event id
    already received answers 200 again and changes nothing twice; a step behind where the order
    stands is recorded and ignored."""
    if lab.provider() is None:
        raise ApiError(404, "This server sends no prints to a lab (FULFILMENT_URL).")
    signed_request_time(lab.provider().secret, current_app.config["PAYMENT_WEBHOOK_TOLERANCE_SECONDS"], "Callback")
    event = validated(LabCallback)
    outcome, duplicate = prints.apply_callback(get_db(), event.id, event.order_id, event.status,
                                               carrier=event.carrier, tracking_number=event.tracking_number,
                                               tracking_url=event.tracking_url, reason=event.reason)
    return jsonify({"received": True, "event_id": event.id, "outcome": outcome, "duplicate": duplicate})


@operation(bp, "GET", "/fulfilment/files/<name>", query=FileQuery, response=None, errors=(401,),
           content={"image/jpeg": "The print-ready file: sRGB with its ICC profile, the print's DPI in its header"})
def print_file(name, query):
    """A print-ready file, to whoever holds the signed, expiring link sent to the print lab."""
    if lab.provider() is None or len(name) != FILE_NAME_LENGTH or not name.endswith(".jpg"):
        raise ApiError(404, "No print file has that name.")
    if not fulfilment.file_url_valid(lab.provider().secret, name, query.expires, query.signature, time.time()):
        raise ApiError(401, "The link is not signed by this server, or has expired.", title="Bad signature")
    made = prints.print_file_by_sha(get_db(), name[:-4])
    if made is None or not media().exists(made["path"]):
        raise ApiError(404, "No print file has that name.")
    return Response(media().read(made["path"]), mimetype="image/jpeg", headers={
        "Cache-Control": "private, no-store", "Content-Disposition": f'attachment; filename="{name}"'})
