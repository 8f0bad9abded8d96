"""Print-on-demand rows: the products enabled per work, the print-ready files made, the queue of
paid print orders for the fulfilment provider, and the provider's status callbacks.

The queue (fulfilment_dispatches) is claimed one order at a time with a lease (claimed_until),
so two processes never send the same order at once; a process that dies mid-send leaves a lease
that runs out, and the order is sent again with the same idempotency key.
"""

import json
from datetime import timedelta

from market import prints as catalogue
from store import durable_transaction, new_id, notifications, sales, transaction, utc_now

CLAIM_SECONDS = 120
# Where an order's print job stands; a callback never moves it backwards.
FULFILMENT_STEPS = ("queued", "sent", "accepted", "printed", "shipped", "delivered")
MESSAGES = {
    "sent": "The print order for “{title}” went to the print lab.",
    "accepted": "The print lab accepted the order for “{title}”.",
    "printed": "“{title}” is printed.",
    "failed": "The print lab could not make the order for “{title}”: {reason}",
}


# --- Products --------------------------------------------------------------------------------

def products_of(conn, artwork_id):
    return [dict(row) for row in conn.execute("SELECT product, size, price, currency FROM print_products "
                                              "WHERE artwork_id = ? ORDER BY product, size", (artwork_id,))]


def replace_products(conn, artwork_id, products):
    """The work's enabled products become `products` [{product, size, price, currency}]."""
    with transaction(conn):
        conn.execute("DELETE FROM print_products WHERE artwork_id = ?", (artwork_id,))
        conn.executemany("INSERT INTO print_products (artwork_id, product, size, price, currency) "
                         "VALUES (?, ?, ?, ?, ?)",
                         [(artwork_id, item["product"], item["size"], item["price"], item["currency"])
                          for item in products])
    return products_of(conn, artwork_id)


def product_for_sale(conn, artwork_id, buyer_id, product, size):
    """(work, product row) when the work offers that print to this buyer. Raises SaleRefused."""
    work = conn.execute("SELECT id, artist_id, title, medium, category_id, availability_status FROM artworks "
                        "WHERE id = ?", (artwork_id,)).fetchone()
    if work is None or (work["availability_status"] == "private" and work["artist_id"] != buyer_id):
        raise sales.SaleRefused(404, "Not Found", "No artwork has that id.")
    if work["artist_id"] == buyer_id:
        raise sales.SaleRefused(403, "Your own work", "You cannot buy prints of your own work.")
    if work["availability_status"] == "private":
        raise sales.SaleRefused(409, "Not for sale", f"“{work['title']}” is private.")
    offered = conn.execute("SELECT product, size, price, currency FROM print_products WHERE artwork_id = ? "
                           "AND product = ? AND size = ?", (artwork_id, product, size)).fetchone()
    if offered is None:
        listed = ", ".join(f"{row['product']} {row['size']}" for row in products_of(conn, artwork_id)) or "none"
        raise sales.SaleRefused(400, "Bad Request", f"“{work['title']}” is not offered as {product} {size}.",
                                errors={"product": f"must be one the work offers: {listed}"})
    return dict(work), dict(offered)


def production_cost(product, size, currency, rates):
    """The print lab's cost of one unit in `currency` minor units, or None without a rate."""
    return rates.exchange(catalogue.CATALOGUE[product].sizes[size], catalogue.CATALOGUE_CURRENCY, currency)


def insert_print_order(conn, buyer_id, artwork_id, *, product, size, quantity, provider, hold_until, rates,
                       shipping_address, note):
    """A pending order for `quantity` prints of an enabled product, inside the caller's write
    transaction (store.sales.create_order). Raises SaleRefused."""
    work, offered = product_for_sale(conn, artwork_id, buyer_id, product, size)
    if not shipping_address:
        raise sales.SaleRefused(400, "Bad Request", "Prints are shipped by the print lab: give a shipping address.",
                                errors={"shipping_address": "is required for a print"})
    unit_cost = production_cost(product, size, offered["currency"], rates)
    if unit_cost is None:
        raise sales.SaleRefused(409, "No conversion rate", f"The print lab's costs cannot be converted to "
                                                           f"{offered['currency']} (CURRENCY_RATES).")
    order_id = sales.insert_row(conn, work, buyer_id=buyer_id, currency=offered["currency"],
                                unit_price=offered["price"], quantity=quantity, rates=rates,
                                shipping_address=shipping_address, kind="print", product=product, print_size=size,
                                unit_cost=unit_cost, provider=provider, note=note, expires_at=hold_until)
    sales.record_created(conn, order_id, buyer_id)
    return order_id


# --- Print-ready files ------------------------------------------------------------------------

def print_file(conn, image_sha256, product, size):
    row = conn.execute("SELECT * FROM print_files WHERE image_sha256 = ? AND product = ? AND size = ?",
                       (image_sha256, product, size)).fetchone()
    return dict(row) if row else None


def print_file_by_sha(conn, file_sha256):
    row = conn.execute("SELECT * FROM print_files WHERE file_sha256 = ? LIMIT 1", (file_sha256,)).fetchone()
    return dict(row) if row else None


def save_print_file(conn, image_sha256, product, size, *, path, made):
    with transaction(conn):
        conn.execute("INSERT OR REPLACE INTO print_files (image_sha256, product, size, path, file_sha256, width_px, "
                     "height_px, dpi, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (image_sha256, product, size, str(path), made.sha256, made.width, made.height, made.dpi,
                      len(made.data)))


# --- The queue to the print lab ----------------------------------------------------------------

def queue_dispatch(conn, order):
    """A print order was paid: queue it for the lab (inside the payment's transaction)."""
    conn.execute("INSERT OR IGNORE INTO fulfilment_dispatches (order_id, idempotency_key, next_attempt_at) "
                 "VALUES (?, ?, ?)", (order["id"], new_id(), utc_now()))
    conn.execute("UPDATE orders SET fulfilment_status = 'queued' WHERE id = ?", (order["id"],))


def withdraw_dispatch(conn, order, status):
    """A print order refunded or cancelled before the lab got it is not sent. One the lab took
    already is the artist's to stop with the lab."""
    withdrawn = conn.execute("UPDATE fulfilment_dispatches SET status = 'withdrawn', last_error = ? "
                             "WHERE order_id = ? AND status = 'pending'", (f"the order was {status}", order["id"]))
    if withdrawn.rowcount:
        sales.log_event(conn, role="system", kind="fulfilment_withdrawn", order_id=order["id"],
                        note=f"not sent to the print lab: the order was {status}")


def claim_due(conn, now=None):
    """Lease the next order due to be sent (pending and due, or a lapsed lease), or None."""
    now = now or utc_now()
    with transaction(conn):
        row = conn.execute(
            "UPDATE fulfilment_dispatches SET status = 'sending', attempts = attempts + 1, claimed_until = :until "
            "WHERE order_id = (SELECT order_id FROM fulfilment_dispatches WHERE (status = 'pending' AND "
            "next_attempt_at <= :now) OR (status = 'sending' AND claimed_until <= :now) "
            "ORDER BY next_attempt_at LIMIT 1) RETURNING *",
            {"now": now, "until": utc_now(timedelta(seconds=CLAIM_SECONDS))}).fetchone()
    return dict(row) if row else None


def due_count(conn, now=None) -> int:
    return conn.execute("SELECT count(*) FROM fulfilment_dispatches WHERE (status = 'pending' AND "
                        "next_attempt_at <= :now) OR (status = 'sending' AND claimed_until <= :now)",
                        {"now": now or utc_now()}).fetchone()[0]


def dispatch_of(conn, order_id):
    row = conn.execute("SELECT * FROM fulfilment_dispatches WHERE order_id = ?", (order_id,)).fetchone()
    return dict(row) if row else None


def mark_sent(conn, dispatch, reference):
    with durable_transaction(conn):
        conn.execute("UPDATE fulfilment_dispatches SET status = 'sent', sent_at = ?, provider_reference = ?, "
                     "claimed_until = NULL, last_error = NULL WHERE order_id = ?",
                     (utc_now(), reference, dispatch["order_id"]))
        order = sales.get_order(conn, dispatch["order_id"])
        if order["fulfilment_status"] in (None, "queued"):  # the lab's own callback may have come first
            _step(conn, order, "sent", reference=reference, note=f"attempt {dispatch['attempts']}")


def mark_retry(conn, dispatch, error, delay_seconds):
    """A failed attempt: try again after delay_seconds, or give up (delay None)."""
    with durable_transaction(conn):
        if delay_seconds is None:
            conn.execute("UPDATE fulfilment_dispatches SET status = 'failed', claimed_until = NULL, last_error = ? "
                         "WHERE order_id = ?", (error, dispatch["order_id"]))
            _failed(conn, sales.get_order(conn, dispatch["order_id"]), error)
            return
        conn.execute("UPDATE fulfilment_dispatches SET status = 'pending', claimed_until = NULL, last_error = ?, "
                     "next_attempt_at = ? WHERE order_id = ?",
                     (error, utc_now(timedelta(seconds=delay_seconds)), dispatch["order_id"]))


def _step(conn, order, step, *, reference=None, note=None):
    conn.execute("UPDATE orders SET fulfilment_status = ?, updated_at = ? WHERE id = ?", (step, utc_now(), order["id"]))
    sales.log_event(conn, role="fulfilment", kind=f"fulfilment_{step}", order_id=order["id"], reference=reference,
                    note=note)
    if step in MESSAGES:
        _tell(conn, order, MESSAGES[step].format(title=order["title"], reason=note or ""), step)


def _failed(conn, order, reason):
    conn.execute("UPDATE orders SET fulfilment_status = 'failed', updated_at = ? WHERE id = ?",
                 (utc_now(), order["id"]))
    sales.log_event(conn, role="fulfilment", kind="fulfilment_failed", order_id=order["id"], note=reason)
    _tell(conn, order, MESSAGES["failed"].format(title=order["title"], reason=reason), "failed")


def _tell(conn, order, message, step):
    for recipient in {order["buyer_id"], order["artist_id"]} - {None}:
        notifications.notify(conn, recipient, "order", subject_id=order["id"],
                             data={"order_id": order["id"], "status": order["status"], "fulfilment": step,
                                   "message": message})


# --- The lab's callbacks -------------------------------------------------------------------------

def apply_callback(conn, event_id, order_id, status, *, carrier=None, tracking_number=None, tracking_url=None,
                   reason=None):
    """Apply one signed status callback once: returns (outcome, duplicate). A step behind where
    the order stands is recorded and ignored (callbacks can arrive out of order)."""
    with durable_transaction(conn):
        seen = conn.execute("SELECT outcome FROM fulfilment_events WHERE event_id = ?", (event_id,)).fetchone()
        if seen is not None:
            return seen["outcome"], True
        order = sales.get_order(conn, order_id)
        outcome = _outcome(conn, order, status, carrier, tracking_number, tracking_url, reason)
        conn.execute("INSERT INTO fulfilment_events (event_id, order_id, status, outcome) VALUES (?, ?, ?, ?)",
                     (event_id, order_id, status, outcome))
        return outcome, False


def _outcome(conn, order, status, carrier, tracking_number, tracking_url, reason):
    if order is None or order["kind"] != "print":
        return "unknown_order"
    if order["status"] in ("cancelled", "refunded", "pending_payment"):
        return f"ignored: the order is {order['status']}"
    current = order["fulfilment_status"]
    if current == "failed" or status == "failed":
        if current in ("shipped", "delivered", "failed"):
            return f"ignored: the print job is {current}"
        _failed(conn, order, reason or "no reason given")
        return "applied"
    if current in FULFILMENT_STEPS and FULFILMENT_STEPS.index(status) <= FULFILMENT_STEPS.index(current):
        return f"ignored: the print job is already {current}"
    if status in ("shipped", "delivered"):
        _ship(conn, order, status, carrier, tracking_number, tracking_url)
    else:
        _step(conn, order, status)
    return "applied"


def _ship(conn, order, status, carrier, tracking_number, tracking_url):
    details = {name: value for name, value in (("carrier", carrier), ("tracking_number", tracking_number),
                                               ("tracking_url", tracking_url)) if value}
    if details:
        conn.execute(f"UPDATE orders SET {', '.join(f'{name} = :{name}' for name in details)} WHERE id = :id",
                     {**details, "id": order["id"]})
    for step in ("shipped", "delivered")[: ("shipped", "delivered").index(status) + 1]:
        order = sales.get_order(conn, order["id"])
        conn.execute("UPDATE orders SET fulfilment_status = ? WHERE id = ?", (step, order["id"]))
        if order["status"] != step and step in sales.PRINT_ORDER_MOVES[order["status"]]:
            sales.set_order_status(conn, order, step, actor_id=None, role="fulfilment",
                                   note=json.dumps(details) if details and step == "shipped" else None)
