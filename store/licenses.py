"""Licensing: the terms an artist offers a work under, licences asked for and granted on them,
usage reports and the royalties they earn.

A licence copies its term when it is asked for (licenses.terms and the columns the exclusivity
rule reads), so a later change to the offer never changes it. The exclusivity rule
(market.licensing.collides) is checked when a licence is asked for and again when it is
approved, inside the write transaction, where no other grant can slip in between.

Money (a flat fee, or a royalty licence's advance) is paid through an order of kind 'license'
(store.sales); the order's payment moves the licence to paid, and then to active once its start
has come. Every status move and every usage report is written to sales_events in the same
durable transaction.
"""

import json
from datetime import timedelta

from market import licensing, money
from store import durable_transaction, new_id, notifications, sales, utc_now

TERM_FIELDS = ("usage", "exclusive", "media", "territory", "duration_months", "max_units", "max_impressions",
               "attribution_required", "pricing", "fee", "royalty_bps", "advance", "currency")
LICENSE_STATUSES = ("requested", "approved", "paid", "active", "expired", "revoked", "declined", "withdrawn",
                    "cancelled")
LIVE = ("approved", "paid", "active")
LICENSE_ROLES = ("licensee", "licensor")
# From each status: where a licence may go, and on whose authority. "payment" is the order's
# payment (a provider, or the artist for a manual one); "system" is the clock (a start or an
# end date reached) or the order's hold running out.
LICENSE_MOVES = {
    "requested": {"approved": ("licensor",), "declined": ("licensor",), "withdrawn": ("licensee",)},
    "approved": {"paid": ("payment",), "cancelled": ("licensee", "licensor", "system")},
    "paid": {"active": ("system",), "revoked": ("licensor",)},
    "active": {"expired": ("system",), "revoked": ("licensor",)},
    "expired": {}, "revoked": {}, "declined": {}, "withdrawn": {}, "cancelled": {},
}
STAMPS = {"approved": "approved_at", "paid": "paid_at", "active": "activated_at", "expired": "expired_at",
          "revoked": "revoked_at", "declined": "declined_at", "withdrawn": "withdrawn_at",
          "cancelled": "cancelled_at"}
MESSAGES = {
    "requested": "{licensee} asked for a {usage} licence of “{title}”.",
    "approved": "Your {usage} licence of “{title}” was approved{due}.",
    "paid": "The {usage} licence of “{title}” is paid.",
    "active": "The {usage} licence of “{title}” is in force.",
    "expired": "The {usage} licence of “{title}” has expired.",
    "revoked": "The {usage} licence of “{title}” was revoked.",
    "declined": "Your request for a {usage} licence of “{title}” was declined.",
    "withdrawn": "The request for a {usage} licence of “{title}” was withdrawn.",
    "cancelled": "The {usage} licence of “{title}” was cancelled before payment.",
    "expiring": "The {usage} licence of “{title}” expires on {date}.",
    "over_limit": "Usage reported on the {usage} licence of “{title}” passed its limit ({what}).",
}


# --- Terms offered -----------------------------------------------------------------------

def _term(row):
    term = dict(row)
    term["media"] = json.loads(term["media"])
    term["territory"] = term["territory"] if term["territory"] == licensing.WORLDWIDE else json.loads(
        term["territory"])
    term["exclusive"], term["attribution_required"] = bool(term["exclusive"]), bool(term["attribution_required"])
    return term


def terms_of(conn, artwork_id, *, include_retired=False):
    where = "" if include_retired else " AND retired_at IS NULL"
    rows = conn.execute(f"SELECT * FROM license_terms WHERE artwork_id = ?{where} ORDER BY position, created_at",
                        (artwork_id,))
    return [_term(row) for row in rows]


def get_term(conn, term_id):
    row = conn.execute("SELECT * FROM license_terms WHERE id = ?", (term_id,)).fetchone()
    return _term(row) if row else None


def _stored(term):
    """A term's columns as SQL values."""
    values = {name: term[name] for name in TERM_FIELDS}
    values["media"] = json.dumps(sorted(set(term["media"])))
    territory = term["territory"]
    values["territory"] = territory if territory == licensing.WORLDWIDE else json.dumps(sorted(set(territory)))
    values["exclusive"] = int(term["exclusive"] or term["usage"] == "exclusive")
    values["attribution_required"] = int(term["attribution_required"])
    return values


def replace_terms(conn, artwork_id, terms):
    """The work's offered terms become `terms` (in order): one carrying the id of a current term
    changes it, one without an id is new, and a current term left out is retired (kept for the
    licences that name it). Raises SaleRefused(400) for an id that is not a current term."""
    with durable_transaction(conn):
        current = {term["id"] for term in terms_of(conn, artwork_id)}
        errors = {f"terms[{index}].id": "is not a current term of this work"
                  for index, term in enumerate(terms) if term.get("id") and term["id"] not in current}
        if errors:
            raise sales.SaleRefused(400, "Bad Request", "Some terms name ids this work does not offer.", errors=errors)
        now, kept = utc_now(), set()
        for position, term in enumerate(terms):
            values = {**_stored(term), "position": position, "now": now, "artwork": artwork_id}
            if term.get("id"):
                kept.add(term["id"])
                assignments = ", ".join(f"{name} = :{name}" for name in (*TERM_FIELDS, "position"))
                conn.execute(f"UPDATE license_terms SET {assignments}, updated_at = :now WHERE id = :id",
                             {**values, "id": term["id"]})
            else:
                columns, names = ", ".join(TERM_FIELDS), ", ".join(f":{name}" for name in TERM_FIELDS)
                conn.execute(f"INSERT INTO license_terms (id, artwork_id, position, {columns}, created_at, updated_at) "
                             f"VALUES (:id, :artwork, :position, {names}, :now, :now)", {**values, "id": new_id()})
        for retired in current - kept:
            conn.execute("UPDATE license_terms SET retired_at = ?, updated_at = ? WHERE id = ?", (now, now, retired))
    return terms_of(conn, artwork_id)


# --- Licences ------------------------------------------------------------------------------

_COLUMNS = """
    l.*, e.username AS licensee_username, e.artist_name AS licensee_artist_name,
    e.profile_image_url AS licensee_profile_image_url, e.account_type AS licensee_account_type,
    r.username AS licensor_username, r.artist_name AS licensor_artist_name,
    r.profile_image_url AS licensor_profile_image_url, r.account_type AS licensor_account_type,
    w.image_sha256 AS artwork_image_sha256, w.image_path AS artwork_image_path,
    w.availability_status AS artwork_availability
"""
_FROM = ("FROM licenses l LEFT JOIN artists e ON e.id = l.licensee_id LEFT JOIN artists r ON r.id = l.licensor_id "
         "LEFT JOIN artworks w ON w.id = l.artwork_id")


def _license(row):
    if row is None:
        return None
    found = dict(row)
    found["terms"] = json.loads(found["terms"])
    return found


def get_license(conn, license_id):
    return _license(conn.execute(f"SELECT {_COLUMNS} {_FROM} WHERE l.id = ?", (license_id,)).fetchone())


def license_role(found, user_id):
    if user_id is not None and user_id == found["licensor_id"]:
        return "licensor"
    return "licensee" if user_id is not None and user_id == found["licensee_id"] else None


def allowed_moves(status, authorities):
    return [target for target, roles in LICENSE_MOVES[status].items() if set(authorities) & set(roles)]


def list_licenses(conn, user_id, *, role=None, status=None, artwork_id=None, limit=20, offset=0):
    """(licences, total): those the user holds (licensee), grants (licensor) or both, newest first."""
    parties = {"licensor": "l.licensor_id = :user", "licensee": "l.licensee_id = :user"}
    where = [parties[role] if role else "(l.licensor_id = :user OR l.licensee_id = :user)"]
    if status:
        where.append("l.status = :status")
    if artwork_id:
        where.append("l.artwork_id = :artwork")
    clause = " AND ".join(where)
    params = {"user": user_id, "status": status, "artwork": artwork_id, "limit": limit, "offset": offset}
    total = conn.execute(f"SELECT count(*) FROM licenses l WHERE {clause}", params).fetchone()[0]
    rows = conn.execute(f"SELECT {_COLUMNS} {_FROM} WHERE {clause} ORDER BY l.created_at DESC, l.id "
                        "LIMIT :limit OFFSET :offset", params)
    return [_license(row) for row in rows], total


def _grant(row_or_term, starts_at, ends_at):
    territory = row_or_term["territory"]
    territory = territory if territory == licensing.WORLDWIDE else frozenset(
        json.loads(territory) if isinstance(territory, str) else territory)
    media = row_or_term["media"]
    media = json.loads(media) if isinstance(media, str) else media
    return licensing.Grant(row_or_term["usage"], bool(row_or_term["exclusive"]), frozenset(media), territory,
                           starts_at, ends_at)


def _collision(conn, artwork_id, wanted, *, ignore=None):
    """The live licence `wanted` cannot stand beside, or None."""
    rows = conn.execute("SELECT id, usage, exclusive, media, territory, starts_at, ends_at FROM licenses "
                        "WHERE artwork_id = ? AND status IN ('approved', 'paid', 'active') AND id IS NOT ?",
                        (artwork_id, ignore))
    for row in rows:
        if licensing.collides(wanted, _grant(row, row["starts_at"], row["ends_at"])):
            return row
    return None


def _refuse_collision(conn, artwork_id, wanted, ignore=None):
    clash = _collision(conn, artwork_id, wanted, ignore=ignore)
    if clash is not None:
        until = f"until {clash['ends_at'][:10]}" if clash["ends_at"] else "with no end"
        kind = "an exclusive" if clash["exclusive"] else "a"
        raise sales.SaleRefused(409, "Exclusive licence overlaps",
                                f"This work is under {kind} {clash['usage']} licence from {clash['starts_at'][:10]} "
                                f"{until} that shares usage, media and territory with this one.")


def request_license(conn, licensee_id, term_id, *, starts_at=None, purpose=None, provider="manual"):
    """A licence asked for on an offered term, with the term copied in; starts_at None runs it
    from its approval. Raises SaleRefused."""
    on_approval = starts_at is None
    starts_at = starts_at or utc_now()
    with durable_transaction(conn):
        settle_due(conn)
        term = get_term(conn, term_id)
        work = term and conn.execute("SELECT id, artist_id, title, availability_status FROM artworks WHERE id = ?",
                                     (term["artwork_id"],)).fetchone()
        if term is None or work is None or term["retired_at"] is not None:
            raise sales.SaleRefused(400, "Bad Request", "That term is not offered.",
                                    errors={"term_id": "is not a term any work offers now"})
        if work["availability_status"] == "private" and work["artist_id"] != licensee_id:
            raise sales.SaleRefused(400, "Bad Request", "That term is not offered.",
                                    errors={"term_id": "is not a term any work offers now"})
        if work["artist_id"] == licensee_id:
            raise sales.SaleRefused(403, "Your own work", "You cannot license your own work.")
        ends = licensing.ends_at(starts_at, term["duration_months"])
        stored = _stored(term)
        _refuse_collision(conn, work["id"], _grant(stored, starts_at, ends))
        license_id = new_id()
        snapshot = {name: term[name] for name in TERM_FIELDS}
        snapshot["exclusive"] = bool(stored["exclusive"])
        snapshot.update(term_id=term["id"], copied_at=utc_now())
        due = term["fee"] if term["pricing"] == "flat" else term["advance"]
        conn.execute(
            "INSERT INTO licenses (id, term_id, artwork_id, licensor_id, licensee_id, title, terms, usage, exclusive, "
            "media, territory, currency, amount_due, royalty_bps, advance, purpose, provider, starts_at, ends_at, "
            "starts_on_approval) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (license_id, term["id"], work["id"], work["artist_id"], licensee_id, work["title"], json.dumps(snapshot),
             term["usage"], stored["exclusive"], stored["media"], stored["territory"], term["currency"], due,
             term["royalty_bps"], term["advance"], purpose, provider, starts_at, ends, int(on_approval)))
        sales.log_event(conn, role="licensee", kind="requested", actor_id=licensee_id, license_id=license_id,
                        amount=due or None, currency=term["currency"] if due else None, note=purpose)
        _notify(conn, get_license(conn, license_id), "requested", licensee_id)
    return license_id


def change_license(conn, license_id, actor_id, authorities, status, *, note=None, hold_until=None, rates=None):
    """One party's status move, checked against LICENSE_MOVES on the row as it is now."""
    with durable_transaction(conn):
        settle_due(conn)
        found = get_license(conn, license_id)
        if status == found["status"]:
            raise sales.SaleRefused(409, "Already so", f"The licence is already {status}.")
        _check_move(found, status, authorities)
        if status == "approved":
            found = _dated_from_approval(conn, found)
            _refuse_collision(conn, found["artwork_id"], _grant(found, found["starts_at"], found["ends_at"]),
                              ignore=found["id"])
        role = next(iter(set(authorities) - {"payment"}), "payment")
        _set_status(conn, found, status, actor_id=actor_id, role=role, note=note)
        if status == "approved":
            _after_approval(conn, get_license(conn, license_id), actor_id, hold_until, rates)
        elif status in ("revoked", "cancelled") and found["order_id"]:
            _cancel_unpaid_order(conn, found["order_id"], actor_id)


def _dated_from_approval(conn, found):
    """A licence asked for without a start runs from now, its approval, for its whole duration."""
    if not found["starts_on_approval"]:
        return found
    starts = utc_now()
    ends = licensing.ends_at(starts, found["terms"]["duration_months"])
    conn.execute("UPDATE licenses SET starts_at = ?, ends_at = ? WHERE id = ?", (starts, ends, found["id"]))
    return {**found, "starts_at": starts, "ends_at": ends}


def _check_move(found, wanted, authorities):
    allowed = allowed_moves(found["status"], authorities)
    if wanted in allowed:
        return
    if wanted in LICENSE_MOVES[found["status"]]:
        who = " or ".join(LICENSE_MOVES[found["status"]][wanted])
        raise sales.SaleRefused(403, "Forbidden", f"Only the {who} can move this licence to {wanted}.")
    listed = ", ".join(allowed) or "none"
    raise sales.SaleRefused(409, "Not allowed from this status",
                            f"A licence that is {found['status']} cannot become {wanted}; you may move it to: "
                            f"{listed}.",
                            errors={"status": f"must be one of: {listed}"})


def _after_approval(conn, found, actor_id, hold_until, rates):
    """An approved licence is paid through an order, or is paid at once when nothing is due."""
    if found["amount_due"] == 0:
        _set_status(conn, found, "paid", actor_id=actor_id, role="licensor", note="nothing due at grant")
        _activate_if_started(conn, get_license(conn, found["id"]))
        return
    work = {"id": found["artwork_id"], "artist_id": found["licensor_id"], "title": found["title"]}
    order_id = sales.insert_row(conn, work, buyer_id=found["licensee_id"], currency=found["currency"],
                                unit_price=found["amount_due"], quantity=1, rates=rates, shipping_address=None,
                                kind="license", license_id=found["id"], provider=found["provider"],
                                note=f"{found['usage']} licence {found['id']}", expires_at=hold_until)
    sales.record_created(conn, order_id, found["licensor_id"], role="licensor")  # opened by the approval
    conn.execute("UPDATE licenses SET order_id = ? WHERE id = ?", (order_id, found["id"]))


def _cancel_unpaid_order(conn, order_id, actor_id):
    order = sales.get_order(conn, order_id)
    if order and order["status"] == "pending_payment":
        sales.set_order_status(conn, order, "cancelled", actor_id=actor_id, role="system",
                               note="the licence was cancelled")


def follow_order(conn, order, status):
    """Called by store.sales when a licence's order moves: paid pays the licence, a lapsed or
    cancelled order cancels it, a refund revokes it."""
    found = get_license(conn, order["license_id"])
    if found is None:
        return
    if status == "paid" and found["status"] == "approved":
        _set_status(conn, found, "paid", actor_id=None, role="payment", note=f"order {order['id']} paid")
        _activate_if_started(conn, get_license(conn, found["id"]))
    elif status == "cancelled" and found["status"] == "approved":
        _set_status(conn, found, "cancelled", actor_id=None, role="system", note=f"order {order['id']} cancelled")
    elif status == "refunded" and found["status"] in ("paid", "active"):
        _set_status(conn, found, "revoked", actor_id=None, role="payment", note=f"order {order['id']} refunded")


def _activate_if_started(conn, found, now=None):
    if found["status"] == "paid" and found["starts_at"] <= (now or utc_now()):
        _set_status(conn, found, "active", actor_id=None, role="system")


def _set_status(conn, found, status, *, actor_id, role, note=None):
    now = utc_now()
    conn.execute(f"UPDATE licenses SET status = ?, {STAMPS[status]} = ?, updated_at = ? WHERE id = ?",
                 (status, now, now, found["id"]))
    paid = status == "paid" and found["amount_due"] > 0
    sales.log_event(conn, role=role, kind=status, actor_id=actor_id, license_id=found["id"],
                    order_id=found["order_id"], amount=found["amount_due"] if paid else None,
                    currency=found["currency"] if paid else None, note=note)
    _notify(conn, {**found, "status": status}, status, actor_id)


def _notify(conn, found, event, actor_id, **values):
    due = (f"; {money.format_amount(found['amount_due'], found['currency'])} is due through its order"
           if found["amount_due"] else "")
    message = MESSAGES[event].format(licensee=found.get("licensee_artist_name") or "A licensee",
                                     usage=found["usage"], title=found["title"], due=due, **values)
    for recipient in {found["licensee_id"], found["licensor_id"]} - {actor_id, None}:
        notifications.notify(conn, recipient, "license", actor_id=actor_id, artwork_id=found["artwork_id"],
                             subject_id=found["id"], data={"license_id": found["id"], "status": found["status"],
                                                           "event": event, "message": message})


# --- The clock: starts, warnings, expiries -------------------------------------------------

def anything_due(conn, now=None) -> bool:
    now = now or utc_now()
    warn_before = licensing.iso(licensing.parse_moment(now) + timedelta(days=licensing.EXPIRY_WARNING_DAYS))
    return conn.execute(
        "SELECT EXISTS (SELECT 1 FROM licenses WHERE status = 'paid' AND starts_at <= :now) "
        "OR EXISTS (SELECT 1 FROM licenses WHERE status = 'active' AND ends_at <= :warn "
        "           AND (expiry_warned_at IS NULL OR ends_at <= :now))",
        {"now": now, "warn": warn_before}).fetchone()[0] == 1


def settle_due(conn, now=None):
    """Activate paid licences whose start has come, warn of expiries EXPIRY_WARNING_DAYS ahead,
    and expire those whose end has passed. Call inside a write transaction."""
    now = now or utc_now()
    for row in conn.execute("SELECT id FROM licenses WHERE status = 'paid' AND starts_at <= ?", (now,)).fetchall():
        _activate_if_started(conn, get_license(conn, row["id"]), now)
    for row in conn.execute("SELECT id FROM licenses WHERE status = 'active' AND ends_at <= ?", (now,)).fetchall():
        _set_status(conn, get_license(conn, row["id"]), "expired", actor_id=None, role="system")
    warn_before = licensing.iso(licensing.parse_moment(now) + timedelta(days=licensing.EXPIRY_WARNING_DAYS))
    for row in conn.execute("SELECT id FROM licenses WHERE status = 'active' AND ends_at <= ? "
                            "AND expiry_warned_at IS NULL", (warn_before,)).fetchall():
        found = get_license(conn, row["id"])
        conn.execute("UPDATE licenses SET expiry_warned_at = ? WHERE id = ?", (now, found["id"]))
        _notify(conn, found, "expiring", None, date=found["ends_at"][:10])


def settle_if_due(conn, now=None):
    if anything_due(conn, now):
        with durable_transaction(conn):
            settle_due(conn, now)


def exclusive_in_force(conn, artwork_id):
    """The active exclusive licence on a work (no licensee named), or None."""
    row = conn.execute("SELECT id, usage, media, territory, starts_at, ends_at FROM licenses WHERE artwork_id = ? "
                       "AND status = 'active' AND exclusive = 1 ORDER BY starts_at LIMIT 1", (artwork_id,)).fetchone()
    if row is None:
        return None
    territory = row["territory"] if row["territory"] == licensing.WORLDWIDE else json.loads(row["territory"])
    return {"license_id": row["id"], "usage": row["usage"], "media": json.loads(row["media"]), "territory": territory,
            "starts_at": row["starts_at"], "ends_at": row["ends_at"]}


# --- Usage and royalties -------------------------------------------------------------------

def report_usage(conn, license_id, actor_id, *, period, units=0, impressions=0, revenue=0, note=None):
    """Append a usage report of an active licence, with the royalty it earns. Raises SaleRefused
    (409) when the licence is not in force. Returns the report and whether it passed a limit."""
    with durable_transaction(conn):
        settle_due(conn)
        found = get_license(conn, license_id)
        if found["status"] != "active":
            raise sales.SaleRefused(409, "Licence not in force",
                                    f"Usage can be reported on an active licence only; this one is {found['status']}.")
        royalty = licensing.royalty_on(found["revenue_reported"], revenue, found["royalty_bps"], found["advance"])
        report_id = conn.execute(
            "INSERT INTO license_usage (license_id, period, units, impressions, revenue, currency, earned, recouped, "
            "payable, note, reported_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (license_id, period, units, impressions, revenue, found["currency"], royalty.earned, royalty.recouped,
             royalty.payable, note, actor_id)).fetchone()[0]
        sales.log_event(conn, role="licensee", kind="usage_reported", actor_id=actor_id, license_id=license_id,
                        amount=royalty.earned, currency=found["currency"],
                        note=f"{period}: {units} units, {impressions} impressions, revenue {revenue}")
        over = _limits_passed(found, units, impressions)
        if over:
            _notify(conn, found, "over_limit", actor_id, what=over)
    return usage_report(conn, report_id), over


def _limits_passed(found, units, impressions):
    terms, passed = found["terms"], []
    if terms.get("max_units") and found["units_reported"] + units > terms["max_units"]:
        passed.append(f"{found['units_reported'] + units} of {terms['max_units']} units")
    if terms.get("max_impressions") and found["impressions_reported"] + impressions > terms["max_impressions"]:
        passed.append(f"{found['impressions_reported'] + impressions} of {terms['max_impressions']} impressions")
    return "; ".join(passed) or None


def usage_report(conn, report_id):
    return dict(conn.execute("SELECT * FROM license_usage WHERE id = ?", (report_id,)).fetchone())


def usage_of(conn, license_id):
    return [dict(row) for row in conn.execute("SELECT * FROM license_usage WHERE license_id = ? ORDER BY period, id",
                                              (license_id,))]


def royalty_statement(conn, licensor_id, period=None):
    """The licensor's royalties per licence and period (period: YYYY-MM, YYYY, or None for all)."""
    where, params = ["l.licensor_id = :artist"], {"artist": licensor_id, "period": f"{period or ''}%"}
    if period:
        where.append("u.period LIKE :period")
    rows = conn.execute(
        "SELECT l.id AS license_id, l.title, l.artwork_id, l.usage, l.royalty_bps, l.advance, l.currency, "
        "l.status, l.licensee_id, e.artist_name AS licensee_name, u.period, sum(u.units) AS units, "
        "sum(u.impressions) AS impressions, sum(u.revenue) AS revenue, sum(u.earned) AS earned, "
        "sum(u.recouped) AS recouped, sum(u.payable) AS payable, count(*) AS reports "
        "FROM license_usage u JOIN licenses l ON l.id = u.license_id LEFT JOIN artists e ON e.id = l.licensee_id "
        f"WHERE {' AND '.join(where)} GROUP BY l.id, u.period ORDER BY u.period DESC, l.title, l.id", params)
    return [dict(row) for row in rows]


def statement_totals(lines):
    """{currency: {revenue, earned, recouped, payable}} over statement lines."""
    totals = {}
    for line in lines:
        entry = totals.setdefault(line["currency"], {"revenue": 0, "earned": 0, "recouped": 0, "payable": 0})
        for name in entry:
            entry[name] += line[name]
    return totals
