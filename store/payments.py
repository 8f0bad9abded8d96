"""Payment providers' events: each applied to its order exactly once, in one durable transaction
with the record of its id, so that a retried or replayed event changes nothing twice."""

from store import durable_transaction, utc_now
from store.sales import SaleRefused, change_order_in, get_order, log_event, settle_due

# What a provider's event does to its order.
EVENT_MOVES = {"payment.succeeded": "paid", "refund.succeeded": "refunded"}


def apply_payment_event(conn, provider, event_id, event_type, order_id, sent_at, payment):
    """Apply one provider event exactly once: (outcome, detail, first_time). An event id seen
    before changes nothing and answers with the outcome it had."""
    with durable_transaction(conn):
        seen = conn.execute("SELECT outcome FROM payment_events WHERE provider = ? AND event_id = ?",
                            (provider, event_id)).fetchone()
        if seen:
            return seen["outcome"], "this event was received before; nothing changed", False
        settle_due(conn)
        outcome, detail = _apply_event(conn, event_type, order_id, payment)
        conn.execute("INSERT INTO payment_events (provider, event_id, type, order_id, outcome, sent_at, received_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)", (provider, event_id, event_type, order_id, outcome, sent_at,
                                                      utc_now()))
        return outcome, detail, True


def _apply_event(conn, event_type, order_id, payment):
    order = get_order(conn, order_id)
    if order is None or order["provider"] != payment.provider:
        return "unknown_order", f"no {payment.provider} order has the id {order_id!r}"
    if event_type not in EVENT_MOVES:
        log_event(conn, role="payment", kind=event_type, order_id=order_id, amount=payment.amount,
                  currency=payment.currency, provider=payment.provider, reference=payment.reference)
        return "recorded", f"{event_type} recorded; the order stays {order['status']}"
    try:
        change_order_in(conn, order_id, None, {"payment"}, status=EVENT_MOVES[event_type], payment=payment,
                      details=None, note=None, rates=None)
    except SaleRefused as refusal:
        # The money moved at the processor all the same: log it, so someone returns it.
        log_event(conn, role="payment", kind="payment_refused", order_id=order_id, amount=payment.amount,
                  currency=payment.currency, provider=payment.provider, reference=payment.reference,
                  note=refusal.detail)
        return "refused", refusal.detail
    return "applied", f"the order is {EVENT_MOVES[event_type]}"
