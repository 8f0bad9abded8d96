"""Offers: a buyer names a price; the artist accepts, declines or counters; the buyer withdraws or
answers a counter; offers expire. Accepting creates the order in the same durable transaction.
Who may make which move is in OFFER_MOVES; every move is logged in sales_events."""

import sqlite3

from store import durable_transaction, new_id, utc_now
from store.sales import SaleRefused, insert_order, log_event, notify_offer, set_offer_status, settle_due, work_for_sale

OFFER_STATUSES = ("open", "countered", "accepted", "declined", "withdrawn", "expired")
# An offer waits on the artist while open, on the buyer once countered.
OFFER_MOVES = {
    "open": {"accepted": ("artist",), "declined": ("artist",), "countered": ("artist",), "withdrawn": ("buyer",),
             "expired": ("system",)},
    "countered": {"accepted": ("buyer",), "declined": ("buyer",), "withdrawn": ("buyer",), "expired": ("system",)},
    "accepted": {}, "declined": {}, "withdrawn": {}, "expired": {},
}


_OFFER_COLUMNS = """
    f.*, w.title AS artwork_title, w.price AS list_price, w.currency AS list_currency,
    b.username AS buyer_username, b.artist_name AS buyer_artist_name,
    b.profile_image_url AS buyer_profile_image_url, b.account_type AS buyer_account_type,
    s.username AS artist_username, s.artist_name AS artist_artist_name,
    s.profile_image_url AS artist_profile_image_url, s.account_type AS artist_account_type
"""
_OFFER_FROM = ("FROM offers f JOIN artworks w ON w.id = f.artwork_id LEFT JOIN artists b ON b.id = f.buyer_id "
               "LEFT JOIN artists s ON s.id = f.artist_id")


def get_offer(conn, offer_id):
    row = conn.execute(f"SELECT {_OFFER_COLUMNS} {_OFFER_FROM} WHERE f.id = ?", (offer_id,)).fetchone()
    return dict(row) if row else None


def offer_role(offer, user_id):
    if user_id is not None and user_id == offer["artist_id"]:
        return "artist"
    return "buyer" if user_id is not None and user_id == offer["buyer_id"] else None


def allowed_offer_moves(status, role):
    return [target for target, roles in OFFER_MOVES[status].items() if role in roles]


def create_offer(conn, buyer_id, artwork_id, *, amount, currency, expires_at, provider, message=None,
                 synthetic=False):
    """An open offer; refuses a second open one by the same buyer on the same work (409)."""
    with durable_transaction(conn):
        settle_due(conn)
        work = work_for_sale(conn, artwork_id, buyer_id, priced=False)
        offer_id, now = new_id(), utc_now()
        try:
            conn.execute(
                "INSERT INTO offers (id, artwork_id, artist_id, buyer_id, amount, currency, message, expires_at, "
                "provider, synthetic, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (offer_id, artwork_id, work["artist_id"], buyer_id, amount, currency, message, expires_at, provider,
                 int(synthetic), now, now))
        except sqlite3.IntegrityError as error:
            raise SaleRefused(409, "Offer already open", "You already have an open offer on this work: change it "
                                                         "by withdrawing it first.") from error
        log_event(conn, role="buyer", kind="open", actor_id=buyer_id, offer_id=offer_id, amount=amount,
                  currency=currency, note=message)
        notify_offer(conn, get_offer(conn, offer_id), "open", buyer_id)
    return offer_id


def change_offer(conn, offer_id, actor_id, status, *, counter_amount=None, note=None, hold_until=None, rates=None):
    """Move an offer; accepting creates its order in the same transaction. Returns the order id
    when one was made. Raises SaleRefused."""
    with durable_transaction(conn):
        settle_due(conn)
        offer = get_offer(conn, offer_id)
        role = offer_role(offer, actor_id)
        _check_offer_move(offer, status, role)
        if status == "countered":
            if counter_amount is None:
                raise SaleRefused(400, "Bad Request", "Say the counter offer.",
                                  errors={"counter_amount": "is required to counter"})
            conn.execute("UPDATE offers SET counter_amount = ? WHERE id = ?", (counter_amount, offer_id))
            offer["counter_amount"] = counter_amount
        order_id = None
        if status == "accepted":
            agreed = offer["counter_amount"] if offer["status"] == "countered" else offer["amount"]
            order_id = insert_order(conn, offer["buyer_id"], offer["artwork_id"], provider=offer["provider"],
                                    hold_until=hold_until, rates=rates, quantity=1, shipping_address=None,
                                    note=None, offer={**offer, "agreed": agreed}, synthetic=bool(offer["synthetic"]))
            conn.execute("UPDATE offers SET order_id = ? WHERE id = ?", (order_id, offer_id))
        set_offer_status(conn, offer, status, actor_id=actor_id, role=role, note=note)
        return order_id


def _check_offer_move(offer, wanted, role):
    allowed = allowed_offer_moves(offer["status"], role)
    if wanted in allowed:
        return
    if wanted in OFFER_MOVES[offer["status"]]:
        who = " or ".join(OFFER_MOVES[offer["status"]][wanted])
        raise SaleRefused(403, "Forbidden", f"Only the {who} can make this offer {wanted} now.")
    listed = ", ".join(allowed) or "none (it is closed)"
    raise SaleRefused(409, "Not allowed from this status",
                      f"An offer that is {offer['status']} cannot become {wanted}; you may move it to: {listed}.",
                      errors={"status": f"must be one of: {listed}"})


def list_offers(conn, user_id, *, role=None, status=None, artwork_id=None, limit=20, offset=0):
    parties = {"artist": "f.artist_id = :user", "buyer": "f.buyer_id = :user"}
    where = [parties[role] if role else "(f.artist_id = :user OR f.buyer_id = :user)"]
    if status:
        where.append("f.status = :status")
    if artwork_id:
        where.append("f.artwork_id = :artwork")
    clause = " AND ".join(where)
    params = {"user": user_id, "status": status, "artwork": artwork_id, "limit": limit, "offset": offset}
    total = conn.execute(f"SELECT count(*) FROM offers f WHERE {clause}", params).fetchone()[0]
    rows = conn.execute(f"SELECT {_OFFER_COLUMNS} {_OFFER_FROM} WHERE {clause} "
                        "ORDER BY f.updated_at DESC, f.id LIMIT :limit OFFSET :offset", params)
    return [dict(row) for row in rows], total
