"""The writes of SYNTHETIC buyers (market.simulate): the same rows, stock and log a real sale leaves,
marked synthetic (orders and offers) or "(simulated enquiry)", and told to nobody."""

from store import conversations, new_id, transaction
from store.sales import log_event


def market_works(conn):
    """Public works a simulated buyer may consider: with their price, size and stock."""
    return [dict(row) for row in conn.execute(
        "SELECT id, artist_id, title, medium, category_id, dimensions, price, currency, created_at, edition_size, "
        "editions_remaining, availability_status FROM artworks WHERE availability_status IN ('available', "
        "'exhibition') ORDER BY created_at, id")]


def set_synthetic_prices(conn, prices):
    """List prices for works that had none: [(price, currency, artwork_id)]."""
    with transaction(conn):
        conn.executemany("UPDATE artworks SET price = ?, currency = ? WHERE id = ? AND price IS NULL", prices)


def record_synthetic_sale(conn, buyer_id, work, *, unit_price, currency, at, rates, offer=None):
    """A SYNTHETIC buyer's completed purchase at `at` (with its accepted offer, if any): the same
    rows, stock and log a real sale leaves, marked synthetic, with no notifications."""
    order_id = new_id()
    is_edition = work["edition_size"] is not None
    with transaction(conn):
        offer_id = None
        if offer is not None:
            offer_id = new_id()
            conn.execute(
                "INSERT INTO offers (id, artwork_id, artist_id, buyer_id, amount, currency, counter_amount, status, "
                "expires_at, order_id, synthetic, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'accepted', ?, ?, 1, ?, ?)",
                (offer_id, work["id"], work["artist_id"], buyer_id, offer["amount"], currency, offer.get("counter"),
                 at, order_id, offer["at"], at))
            log_event(conn, role="system", kind="synthetic_offer", offer_id=offer_id, amount=unit_price,
                      currency=currency)
        conn.execute(
            "INSERT INTO orders (id, artwork_id, artist_id, buyer_id, offer_id, title, medium, category_id, "
            "is_edition, currency, unit_price, subtotal, total, total_base, base_currency, rate_as_of, provider, "
            "status, synthetic, expires_at, paid_at, completed_at, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'simulated', 'completed', 1, ?, ?, ?, ?, ?)",
            (order_id, work["id"], work["artist_id"], buyer_id, offer_id, work["title"], work["medium"],
             work["category_id"], int(is_edition), currency, unit_price, unit_price, unit_price,
             rates.convert_minor(unit_price, currency), rates.base, rates.as_of, at, at, at, at, at))
        if not is_edition:
            conn.execute("UPDATE artworks SET availability_status = 'sold' WHERE id = ?", (work["id"],))
        log_event(conn, role="system", kind="synthetic_sale", order_id=order_id, amount=unit_price,
                  currency=currency, provider="simulated")
    return order_id


def record_synthetic_enquiry(conn, buyer_id, work, at):
    enquiry_id = new_id()
    with transaction(conn):
        conn.execute("INSERT INTO enquiries (id, artwork_id, artwork_title, artist_id, collector_id, created_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)", (enquiry_id, work["id"], work["title"], work["artist_id"], buyer_id,
                                                  at))
        conversations.open_thread(conn, "enquiry", enquiry_id, [buyer_id, work["artist_id"]], buyer_id)
        conn.execute("INSERT INTO messages (conversation_id, author_id, body, created_at) VALUES (?, ?, ?, ?)",
                     (enquiry_id, buyer_id, "Is this work still available? (simulated enquiry)", at))
    return enquiry_id
