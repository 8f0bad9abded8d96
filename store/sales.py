"""Orders: who may move them where, stock, what has fallen due, and the append-only log of every
change to orders and offers (store.offers holds the offers' own path).

Every write here runs in one durable transaction (synchronous=FULL) that first settles what has
fallen due (expired offers, unpaid orders past their hold), so a decision is always taken on the
rows as they are, under SQLite's write lock, whichever process takes it.

Stock. An original is held by one live order at a time (a unique index refuses a second one);
an edition's units are counted out of artworks.editions_remaining by trigger (its CHECK refuses
more than are left). Paying an original sets the work sold in the same transaction; refunding it
puts it back on sale.
"""

import json
import sqlite3
from dataclasses import dataclass

from market import money
from store import durable_transaction, licenses, new_id, notifications, prints, utc_now

ORDER_STATUSES = ("pending_payment", "paid", "shipped", "delivered", "completed", "cancelled", "refunded")
HOLDING = ("pending_payment", "paid", "shipped", "delivered", "completed")
SOLD = ("paid", "shipped", "delivered", "completed")
ORDER_ROLES = ("buyer", "artist")
# From each status: where an order may go, and on whose authority. "payment" is the provider's
# (a signed webhook) or, for the manual provider, the artist's word that the money arrived.
ORDER_MOVES = {
    "pending_payment": {"paid": ("payment",), "cancelled": ("buyer", "artist", "system")},
    "paid": {"shipped": ("artist",), "refunded": ("payment",)},
    "shipped": {"delivered": ("artist", "buyer"), "refunded": ("payment",)},
    "delivered": {"completed": ("buyer",), "refunded": ("payment",)},
    "completed": {},
    "cancelled": {},
    "refunded": {},
}
# Prints are shipped by the fulfilment provider (its signed callbacks), not by the artist; a
# licence's order ends at payment (the licence itself carries on: store.licenses).
PRINT_ORDER_MOVES = {
    **ORDER_MOVES,
    "paid": {"shipped": ("fulfilment",), "refunded": ("payment",)},
    "shipped": {"delivered": ("fulfilment", "buyer"), "refunded": ("payment",)},
}
LICENSE_ORDER_MOVES = {**ORDER_MOVES, "paid": {"refunded": ("payment",)}, "shipped": {}, "delivered": {}}
MOVES_BY_KIND = {"artwork": ORDER_MOVES, "print": PRINT_ORDER_MOVES, "license": LICENSE_ORDER_MOVES}
ORDER_KINDS = tuple(MOVES_BY_KIND)
ORDER_STAMPS = {"paid": "paid_at", "shipped": "shipped_at", "delivered": "delivered_at",
                "completed": "completed_at", "cancelled": "cancelled_at", "refunded": "refunded_at"}

ORDER_MESSAGES = {
    "pending_payment": "{buyer} ordered “{title}” ({amount}).",
    "paid": "Payment for “{title}” arrived ({amount}).",
    "shipped": "“{title}” is on its way.",
    "delivered": "“{title}” was delivered.",
    "completed": "The order for “{title}” is complete.",
    "cancelled": "The order for “{title}” was cancelled.",
    "refunded": "The order for “{title}” was refunded ({amount}).",
}
PRINT_ORDERED = "{buyer} ordered {prints} of “{title}” ({amount})."
OFFER_MESSAGES = {
    "open": "{buyer} offered {amount} for “{title}”.",
    "countered": "The artist countered your offer for “{title}” with {amount}.",
    "accepted": "The offer of {amount} for “{title}” was accepted.",
    "declined": "The offer for “{title}” was declined.",
    "withdrawn": "The offer for “{title}” was withdrawn.",
    "expired": "The offer for “{title}” expired.",
}


class SaleRefused(Exception):
    """What the caller asked for cannot happen: status is the HTTP answer it deserves (403, 404,
    409), title and detail say why in words."""

    def __init__(self, status, title, detail, *, errors=None):
        super().__init__(detail)
        self.status, self.title, self.detail, self.errors = status, title, detail, errors


@dataclass(frozen=True)
class Payment:
    """A provider's word that money moved: who confirms it and what it was."""
    provider: str
    reference: str | None = None
    amount: int | None = None
    currency: str | None = None


# --- The log ------------------------------------------------------------------------------

def log_event(conn, *, role, kind, actor_id=None, order_id=None, offer_id=None, license_id=None, amount=None,
              currency=None, provider=None, reference=None, note=None):
    conn.execute(
        "INSERT INTO sales_events (order_id, offer_id, license_id, actor_id, actor_role, kind, amount, currency, "
        "provider, reference, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (order_id, offer_id, license_id, actor_id, role, kind, amount, currency, provider, reference, note,
         utc_now()))


def events_of(conn, *, order_id=None, offer_id=None, license_id=None):
    column, value = next((name, value) for name, value in (("order_id", order_id), ("offer_id", offer_id),
                                                          ("license_id", license_id)) if value)
    return [dict(row) for row in conn.execute(
        f"SELECT id, actor_id, actor_role, kind, amount, currency, provider, reference, note, created_at "
        f"FROM sales_events WHERE {column} = ? ORDER BY id", (value,))]


# --- What has fallen due --------------------------------------------------------------------

def settle_due(conn, now=None):
    """Expire offers and release unpaid orders past their time. Call inside a write transaction."""
    now = now or utc_now()
    for offer in conn.execute("SELECT * FROM offers WHERE status IN ('open', 'countered') AND expires_at <= ?",
                              (now,)).fetchall():
        set_offer_status(conn, dict(offer), "expired", actor_id=None, role="system")
    for order in conn.execute("SELECT * FROM orders WHERE status = 'pending_payment' AND expires_at <= ?",
                              (now,)).fetchall():
        set_order_status(conn, dict(order), "cancelled", actor_id=None, role="system",
                         note="not paid within the hold")
    licenses.settle_due(conn, now)


def anything_due(conn, now=None) -> bool:
    now = now or utc_now()
    return licenses.anything_due(conn, now) or conn.execute(
        "SELECT EXISTS (SELECT 1 FROM offers WHERE status IN ('open', 'countered') AND expires_at <= :now) "
        "OR EXISTS (SELECT 1 FROM orders WHERE status = 'pending_payment' AND expires_at <= :now)",
        {"now": now}).fetchone()[0] == 1


def settle_if_due(conn):
    """Settle what has fallen due, taking the write lock only when there is something to do."""
    if anything_due(conn):
        with durable_transaction(conn):
            settle_due(conn)


# --- Artworks for sale ----------------------------------------------------------------------

def work_for_sale(conn, artwork_id, buyer_id, *, priced=True):
    work = conn.execute(
        "SELECT id, artist_id, title, medium, category_id, price, currency, availability_status, edition_size, "
        "editions_remaining FROM artworks WHERE id = ?", (artwork_id,)).fetchone()
    if work is None or (work["availability_status"] == "private" and work["artist_id"] != buyer_id):
        raise SaleRefused(404, "Not Found", "No artwork has that id.")
    if work["artist_id"] == buyer_id:
        raise SaleRefused(403, "Your own work", "You cannot buy or make an offer on your own work.")
    if work["availability_status"] == "sold":
        raise SaleRefused(409, "Sold", f"“{work['title']}” is sold.")
    if work["edition_size"] is not None and work["editions_remaining"] == 0:
        raise SaleRefused(409, "Sold out", f"Every print of “{work['title']}” is sold or reserved.")
    if priced and work["price"] is None:
        raise SaleRefused(409, "Not for sale", f"“{work['title']}” has no price; make an offer or send an enquiry.")
    if work["currency"] not in money.CURRENCIES:
        raise SaleRefused(409, "Not for sale", f"“{work['title']}” is priced in an unknown currency.")
    return dict(work)


def currency_of(conn, artwork_id):
    """The currency a work is priced in (what an offer defaults to), or None for no such work."""
    row = conn.execute("SELECT currency FROM artworks WHERE id = ?", (artwork_id,)).fetchone()
    return row["currency"] if row else None


def open_orders_of(conn, artwork_id) -> int:
    """Orders of the work still on their way (not yet delivered, cancelled or refunded); a paid
    licence's order has arrived."""
    return conn.execute("SELECT count(*) FROM orders WHERE artwork_id = ? AND status IN "
                        "('pending_payment', 'paid', 'shipped') AND NOT (kind = 'license' AND status = 'paid')",
                        (artwork_id,)).fetchone()[0]


def edition_change_refusal(conn, artwork_id, new_size):
    """Why the edition size cannot become `new_size` now, or None: an original and an edition
    cannot swap while an order holds the work, and an edition cannot shrink below its held prints."""
    work = conn.execute("SELECT edition_size FROM artworks WHERE id = ?", (artwork_id,)).fetchone()
    held = conn.execute(f"SELECT count(*), coalesce(sum(quantity), 0) FROM orders WHERE artwork_id = ? "
                        f"AND kind = 'artwork' AND status IN "
                        f"({', '.join('?' * len(HOLDING))})", (artwork_id, *HOLDING)).fetchone()
    if not held[0]:
        return None
    if (work["edition_size"] is None) != (new_size is None):
        return "Orders hold this work: it cannot change between an original and an edition now."
    if new_size < held[1]:
        return f"Orders hold {held[1]} prints of this edition: it cannot be smaller."
    return None


def _held_by_someone(conn, work):
    if work["edition_size"] is not None:
        return False
    return conn.execute("SELECT 1 FROM orders WHERE artwork_id = ? AND kind = 'artwork' AND is_edition = 0 "
                        "AND status IN "
                        f"({', '.join('?' * len(HOLDING))})", (work["id"], *HOLDING)).fetchone() is not None


# --- Orders ---------------------------------------------------------------------------------

_ORDER_COLUMNS = """
    o.*, b.username AS buyer_username, b.artist_name AS buyer_artist_name,
    b.profile_image_url AS buyer_profile_image_url, b.account_type AS buyer_account_type,
    s.username AS artist_username, s.artist_name AS artist_artist_name,
    s.profile_image_url AS artist_profile_image_url, s.account_type AS artist_account_type
"""
_ORDER_FROM = "FROM orders o LEFT JOIN artists b ON b.id = o.buyer_id LEFT JOIN artists s ON s.id = o.artist_id"


def get_order(conn, order_id):
    row = conn.execute(f"SELECT {_ORDER_COLUMNS} {_ORDER_FROM} WHERE o.id = ?", (order_id,)).fetchone()
    return _order(row)


def _order(row):
    if row is None:
        return None
    order = dict(row)
    order["shipping_address"] = json.loads(order["shipping_address"]) if order["shipping_address"] else None
    return order


def order_role(order, user_id):
    if user_id is not None and user_id == order["artist_id"]:
        return "artist"
    return "buyer" if user_id is not None and user_id == order["buyer_id"] else None


def order_authorities(order, role, confirms_payment_by_hand):
    """The roles a party acts with: the artist of a manually paid order also speaks for payment."""
    if role == "artist" and confirms_payment_by_hand:
        return {"artist", "payment"}
    return {role} if role else set()


def allowed_order_moves(status, authorities, kind="artwork"):
    return [target for target, roles in MOVES_BY_KIND[kind][status].items() if authorities & set(roles)]


def create_order(conn, buyer_id, artwork_id, *, provider, hold_until, rates, quantity=1, shipping_address=None,
                 note=None, offer=None, synthetic=False, product=None):
    """A pending order at the list price (or an accepted offer's), holding its stock until
    hold_until; or, with product (name, size), an order for prints made on demand. Raises
    SaleRefused. Returns the order id."""
    with durable_transaction(conn):
        settle_due(conn)
        if product:
            return prints.insert_print_order(conn, buyer_id, artwork_id, product=product[0], size=product[1],
                                      quantity=quantity, provider=provider, hold_until=hold_until, rates=rates,
                                      shipping_address=shipping_address, note=note)
        return insert_order(conn, buyer_id, artwork_id, provider=provider, hold_until=hold_until, rates=rates,
                             quantity=quantity, shipping_address=shipping_address, note=note, offer=offer,
                             synthetic=synthetic)


def insert_order(conn, buyer_id, artwork_id, *, provider, hold_until, rates, quantity, shipping_address, note,
                  offer, synthetic):
    work = work_for_sale(conn, artwork_id, buyer_id, priced=offer is None)
    is_edition = work["edition_size"] is not None
    if not is_edition and quantity != 1:
        raise SaleRefused(400, "Bad Request", "An original sells as one.", errors={"quantity": "must be 1"})
    if is_edition and quantity > work["editions_remaining"]:
        raise SaleRefused(409, "Not enough prints", f"Only {work['editions_remaining']} of “{work['title']}” left.")
    if _held_by_someone(conn, work):
        raise SaleRefused(409, "Reserved", f"Someone else is buying “{work['title']}”; it is held for them.")
    currency = offer["currency"] if offer else work["currency"]
    unit_price = offer["agreed"] if offer else money.to_minor(work["price"], currency)
    if unit_price < 1:
        raise SaleRefused(409, "Not for sale", f"“{work['title']}” has no price to pay.")
    order_id = insert_row(conn, work, buyer_id=buyer_id, offer_id=offer["id"] if offer else None,
                           is_edition=int(is_edition), quantity=quantity, currency=currency, unit_price=unit_price,
                           rates=rates, provider=provider, shipping_address=shipping_address, note=note,
                           synthetic=int(synthetic), expires_at=hold_until)
    record_created(conn, order_id, buyer_id)
    return order_id


def insert_row(conn, work, *, buyer_id, currency, unit_price, quantity, rates, shipping_address, **columns):
    """INSERT one order of `work` (its id, artist, title, medium, category); the stock's index
    and CHECKs have the last word (SaleRefused 409)."""
    order_id, now, subtotal = new_id(), utc_now(), unit_price * quantity
    values = {"id": order_id, "artwork_id": work["id"], "artist_id": work["artist_id"], "buyer_id": buyer_id,
              "title": work["title"], "medium": work.get("medium"), "category_id": work.get("category_id"),
              "quantity": quantity, "currency": currency, "unit_price": unit_price, "subtotal": subtotal,
              "total": subtotal, "total_base": rates.convert_minor(subtotal, currency), "base_currency": rates.base,
              "rate_as_of": rates.as_of,
              "shipping_address": json.dumps(shipping_address) if shipping_address else None,
              "created_at": now, "updated_at": now, **columns}
    try:
        conn.execute(f"INSERT INTO orders ({', '.join(values)}) VALUES ({', '.join(':' + name for name in values)})",
                     values)
    except sqlite3.IntegrityError as error:  # the index or the edition CHECK: the last word on stock
        raise SaleRefused(409, "Reserved", f"“{work['title']}” was just taken by another buyer.") from error
    return order_id


def record_created(conn, order_id, actor_id, role="buyer"):
    """Log a new order and tell the other party (inside the transaction that inserted it)."""
    order = get_order(conn, order_id)
    log_event(conn, role=role, kind="created", actor_id=actor_id, order_id=order_id, license_id=order["license_id"],
              amount=order["subtotal"], currency=order["currency"], provider=order["provider"], note=order["note"])
    _notify_order(conn, order, "pending_payment", actor_id)


def change_order(conn, order_id, actor_id, authorities, *, status=None, payment=None, details=None, note=None,
                 rates=None):
    """One party's change: a status move (checked against ORDER_MOVES on the row as it is now),
    and/or details (carrier, tracking_number, shipping_address, tax, shipping). Raises SaleRefused."""
    with durable_transaction(conn):
        settle_due(conn)
        change_order_in(conn, order_id, actor_id, authorities, status=status, payment=payment, details=details,
                      note=note, rates=rates)


def change_order_in(conn, order_id, actor_id, authorities, *, status, payment, details, note, rates):
    order = get_order(conn, order_id)
    if details:
        _change_details(conn, order, details, actor_id, authorities, rates)
        order = get_order(conn, order_id)
    if status is None:
        return
    if status == order["status"]:
        raise SaleRefused(409, "Already so", f"The order is already {status}.")
    _check_order_move(order, status, authorities)
    _before_move(conn, order, status, payment)
    role = "payment" if status in ("paid", "refunded") else next(iter(authorities - {"payment"}), "payment")
    if status in ("shipped", "delivered") and "fulfilment" in authorities:
        role = "fulfilment"
    set_order_status(conn, order, status, actor_id=actor_id, role=role, payment=payment, note=note)


def _check_order_move(order, wanted, authorities):
    moves = MOVES_BY_KIND[order["kind"]]
    allowed = allowed_order_moves(order["status"], authorities, order["kind"])
    if wanted in allowed:
        return
    if order["status"] == "cancelled" and order["cancelled_at"] and wanted == "paid":
        raise SaleRefused(409, "Order cancelled", "This order was cancelled (its hold ran out or a party "
                                                   "cancelled it) and cannot be paid; place a new order.")
    if wanted in moves[order["status"]]:
        who = " or ".join(moves[order["status"]][wanted])
        raise SaleRefused(403, "Forbidden", f"Only the {who} can move this order to {wanted}.")
    listed = ", ".join(allowed) or "none (it is closed)"
    raise SaleRefused(409, "Not allowed from this status",
                      f"An order that is {order['status']} cannot become {wanted}; you may move it to: {listed}.",
                      errors={"status": f"must be one of: {listed}"})


def _before_move(conn, order, status, payment):
    """Checks a move needs beyond the table: the money matches, and the work can still be sold."""
    if status == "paid":
        if payment and payment.amount is not None and (payment.amount, payment.currency) != (order["total"],
                                                                                          order["currency"]):
            raise SaleRefused(409, "Amount mismatch",
                              f"The payment was {payment.amount} {payment.currency}; the order totals "
                              f"{order['total']} {order['currency']}.")
        work = conn.execute("SELECT availability_status, title FROM artworks WHERE id = ?",
                            (order["artwork_id"],)).fetchone()
        if work is None:
            raise SaleRefused(409, "Gone", "The work of this order was deleted.")
        if order["kind"] == "artwork" and not order["is_edition"] and work["availability_status"] in ("sold",
                                                                                                     "private"):
            raise SaleRefused(409, "Not for sale", f"“{work['title']}” is {work['availability_status']} now.")
    if status == "shipped" and not order["carrier"]:
        raise SaleRefused(400, "Bad Request", "Say who carries it.", errors={"carrier": "is required to ship"})


EDITABLE_DETAILS = {"carrier": ("artist",), "tracking_number": ("artist",), "shipping_address": ("buyer",),
                    "tax": ("artist",), "shipping": ("artist",)}


def _change_details(conn, order, details, actor_id, authorities, rates):
    for name in details:
        if not authorities & set(EDITABLE_DETAILS[name]):
            raise SaleRefused(403, "Forbidden", f"Only the {EDITABLE_DETAILS[name][0]} can set {name}.")
    if ({"tax", "shipping"} & set(details)) and order["status"] != "pending_payment":
        raise SaleRefused(409, "Already paid", "Tax and shipping can change only before payment.")
    if "shipping_address" in details and order["status"] not in ("pending_payment", "paid"):
        raise SaleRefused(409, "Already shipped", "The address can change only until the order ships.")
    values = dict(details)
    if "shipping_address" in values:
        values["shipping_address"] = json.dumps(values["shipping_address"])
    assignments = [f"{name} = :{name}" for name in values]
    if {"tax", "shipping"} & set(details):  # SET reads the old values: the new total from the new lines
        lines = " + ".join(f":{line}" if line in details else line for line in ("tax", "shipping"))
        assignments.append(f"total = subtotal + {lines}")
    total = conn.execute(f"UPDATE orders SET {', '.join(assignments)}, updated_at = :now WHERE id = :id "
                         "RETURNING total", {**values, "now": utc_now(), "id": order["id"]}).fetchone()[0]
    if {"tax", "shipping"} & set(details):
        conn.execute("UPDATE orders SET total_base = ?, base_currency = ?, rate_as_of = ? WHERE id = ?",
                     (rates.convert_minor(total, order["currency"]), rates.base, rates.as_of, order["id"]))
        log_event(conn, role="artist", kind="repriced", actor_id=actor_id, order_id=order["id"], amount=total,
                  currency=order["currency"], note=f"tax {details.get('tax', order['tax'])}, "
                                                   f"shipping {details.get('shipping', order['shipping'])}")


def set_order_status(conn, order, status, *, actor_id, role, payment=None, note=None):
    now = utc_now()
    conn.execute(f"UPDATE orders SET status = ?, {ORDER_STAMPS[status]} = ?, updated_at = ? WHERE id = ?",
                 (status, now, now, order["id"]))
    if order["kind"] == "artwork":
        _restock(conn, order, status, now)
    elif order["kind"] == "license":
        licenses.follow_order(conn, order, status)
    elif status == "paid":
        prints.queue_dispatch(conn, order)
    elif status in ("cancelled", "refunded"):
        prints.withdraw_dispatch(conn, order, status)
    money_moved = status in ("paid", "refunded")
    log_event(conn, role=role, kind=status, actor_id=actor_id, order_id=order["id"], license_id=order["license_id"],
              amount=order["total"] if money_moved else None, currency=order["currency"] if money_moved else None,
              provider=payment.provider if payment else order["provider"] if money_moved else None,
              reference=payment.reference if payment else None, note=note)
    _notify_order(conn, {**order, "status": status}, status, actor_id)


def _restock(conn, order, status, now):
    """A work's own order moved: an original is sold or back on sale; an edition may sell out."""
    if not order["is_edition"] and order["artwork_id"]:
        if status == "paid":
            conn.execute("UPDATE artworks SET availability_status = 'sold', updated_at = ? WHERE id = ?",
                         (now, order["artwork_id"]))
        elif status == "refunded":  # back on sale, as the artist had it before
            conn.execute("UPDATE artworks SET availability_status = 'available', updated_at = ? "
                         "WHERE id = ? AND availability_status = 'sold'", (now, order["artwork_id"]))
    elif status == "paid":
        _mark_sold_out(conn, order["artwork_id"], now)
    elif status == "refunded":  # its prints are back (the trigger counted them): on sale again
        conn.execute("UPDATE artworks SET availability_status = 'available', updated_at = ? "
                     "WHERE id = ? AND availability_status = 'sold' AND editions_remaining > 0",
                     (now, order["artwork_id"]))


def _mark_sold_out(conn, artwork_id, now):
    conn.execute("UPDATE artworks SET availability_status = 'sold', updated_at = ? WHERE id = ? "
                 "AND editions_remaining = 0 AND NOT EXISTS (SELECT 1 FROM orders WHERE artwork_id = ? "
                 "AND status = 'pending_payment')", (now, artwork_id, artwork_id))


def _notify_order(conn, order, status, actor_id):
    if order["kind"] == "license":
        return  # store.licenses tells of the licence's moves, its payment and refund included
    amount = money.format_amount(order["total"], order["currency"])
    template = PRINT_ORDERED if order["kind"] == "print" and status == "pending_payment" else ORDER_MESSAGES[status]
    message = (template.replace("{title}", order["title"]).replace("{amount}", amount)
               .replace("{buyer}", order.get("buyer_artist_name") or "A collector")
               .replace("{prints}", f"{order['quantity']} × {(order['product'] or '').replace('_', ' ')} "
                                    f"{order['print_size']}"))
    for recipient in {order["buyer_id"], order["artist_id"]} - {actor_id, None}:
        notifications.notify(conn, recipient, "order", actor_id=actor_id, subject_id=order["id"],
                             data={"order_id": order["id"], "status": status, "message": message})


def margin_of(order) -> int:
    """What the artist earns on an order before tax and shipping: the price less any production cost."""
    return (order["unit_price"] - order["unit_cost"]) * order["quantity"]


def list_orders(conn, user_id, *, role=None, status=None, limit=20, offset=0):
    """(orders, total): the user's purchases (role buyer), sales (artist) or both, newest first."""
    parties = {"artist": "o.artist_id = :user", "buyer": "o.buyer_id = :user"}
    where = [parties[role] if role else "(o.artist_id = :user OR o.buyer_id = :user)"]
    if status:
        where.append("o.status = :status")
    clause = " AND ".join(where)
    params = {"user": user_id, "status": status, "limit": limit, "offset": offset}
    total = conn.execute(f"SELECT count(*) FROM orders o WHERE {clause}", params).fetchone()[0]
    rows = conn.execute(f"SELECT {_ORDER_COLUMNS} {_ORDER_FROM} WHERE {clause} "
                        "ORDER BY o.created_at DESC, o.id LIMIT :limit OFFSET :offset", params)
    return [_order(row) for row in rows], total


# --- An offer's status, logged and told -----------------------------------------------

def set_offer_status(conn, offer, status, *, actor_id, role, note=None):
    conn.execute("UPDATE offers SET status = ?, updated_at = ? WHERE id = ?", (status, utc_now(), offer["id"]))
    amount = offer["counter_amount"] if status == "countered" else None
    log_event(conn, role=role, kind=status, actor_id=actor_id, offer_id=offer["id"], amount=amount,
              currency=offer["currency"] if amount else None, note=note)
    notify_offer(conn, {**offer, "status": status}, status, actor_id)


def notify_offer(conn, offer, status, actor_id):
    shown = offer["counter_amount"] if status == "countered" else offer["amount"]
    message = (OFFER_MESSAGES[status].replace("{title}", offer.get("artwork_title") or "a work")
               .replace("{amount}", money.format_amount(shown, offer["currency"]))
               .replace("{buyer}", offer.get("buyer_artist_name") or "A collector"))
    for recipient in {offer["buyer_id"], offer["artist_id"]} - {actor_id, None}:
        notifications.notify(conn, recipient, "offer", actor_id=actor_id, artwork_id=offer["artwork_id"],
                             subject_id=offer["id"], data={"offer_id": offer["id"], "status": status,
                                                           "message": message})
