"""Collectors: the people an artist sells to and hears from, with what they bought and the
artist's private notes. Only the artist sees their own collectors."""

import csv
import io
from typing import Any

from flask import Response, jsonify

from api.auth import require_user
from api.db import get_db
from api.fields import Body, Tags, Text
from api.parsing import Choice, Flag, Paged, given, list_response
from api.problems import ApiError
from api.routes import bp
from api.routing import operation
from api.shapes import Shape, inert_cell, page_of
from store import collectors

CSV_LIMIT = 100_000


class CollectorsQuery(Paged):
    sort: Choice(tuple(collectors.SORTS)) = "lifetime_value"
    tag: str | None = None
    repeat: Flag | None = None
    source: Choice(collectors.SOURCES) | None = None
    # csv: every matching collector as a spreadsheet (page and per_page are ignored).
    format: Choice(("json", "csv")) = "json"


class CollectorNotes(Body):
    notes: Text(5000) | None = None
    tags: Tags = None


class Collector(Shape):
    id: str
    username: str
    artist_name: str
    account_type: str
    contact_info: str | None
    sources: list[str]
    purchases: int
    repeat_buyer: bool
    lifetime_value: dict[str, int]
    lifetime_value_converted: float | None
    first_purchase: str | None
    last_purchase: str | None
    last_contact: str | None
    works_bought: list[dict[str, Any]]
    notes: str | None
    tags: list[str]


def collector_json(row):
    return {"id": row["collector_id"], "username": row["username"], "artist_name": row["artist_name"],
            "profile_image_url": row["profile_image_url"], "account_type": row["account_type"],
            # Only someone who bought from or enquired with this artist shares their details.
            "contact_info": row["contact_info"] if row["may_contact"] else None,
            "location": row["location"] if row["may_contact"] else None,
            "sources": row["sources"], "purchases": row["purchases"], "repeat_buyer": row["purchases"] >= 2,
            "lifetime_value": row["lifetime_value"],
            "lifetime_value_converted": (None if row["lifetime_value_base"] is None
                                         else round(row["lifetime_value_base"], 2)),
            "first_purchase": row["first_purchase"], "last_purchase": row["last_purchase"],
            "last_contact": row["last_contact"], "works_bought": row["works_bought"], "notes": row["notes"],
            "tags": row["tags"]}


CSV_COLUMNS = ("id", "username", "artist_name", "contact_info", "sources", "purchases", "repeat_buyer",
               "lifetime_value", "lifetime_value_converted", "first_purchase", "last_purchase", "works_bought",
               "tags", "notes")


def _csv(items):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for item in items:
        value = ";".join(f"{amount} {currency}" for currency, amount in item["lifetime_value"].items())
        cells = {**item, "sources": ";".join(item["sources"]), "tags": ";".join(item["tags"]), "lifetime_value": value,
                 "works_bought": ";".join(work["title"] for work in item["works_bought"])}
        writer.writerow([inert_cell(cells[column]) for column in CSV_COLUMNS])
    return out.getvalue()


@operation(bp, "GET", "/collectors", access="user", query=CollectorsQuery, response=page_of(Collector),
           content={"text/csv": "Every matching collector, one per row (format=csv)."})
def list_collectors(query):
    """Your collectors: who bought, had an offer accepted, commissioned, enquired or follows you."""
    user_id = require_user()
    csv_wanted = query.format == "csv"
    rows, total = collectors.list_collectors(
        get_db(), user_id, sort=query.sort, tag=query.tag, repeat=query.repeat, source=query.source,
        limit=CSV_LIMIT if csv_wanted else query.per_page, offset=0 if csv_wanted else query.offset)
    items = [collector_json(row) for row in rows]
    if csv_wanted:
        return Response(_csv(items), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="collectors.csv"'})
    return list_response(items, total, query.page, query.per_page)


def _collector_or_404(user_id, collector_id):
    row = collectors.get_collector(get_db(), user_id, collector_id)
    if row is None:
        raise ApiError(404, "No collector of yours has that id.")
    return row


@operation(bp, "GET", "/collectors/<collector_id>", access="user", response=Collector)
def get_collector(collector_id, query):
    user_id = require_user()
    return jsonify(collector_json(_collector_or_404(user_id, collector_id)))


@operation(bp, "PUT", "/collectors/<collector_id>", access="user", body=CollectorNotes, response=Collector)
def update_collector(collector_id, query, body):
    """Your private notes and tags about a collector (they never see them)."""
    user_id = require_user()
    _collector_or_404(user_id, collector_id)
    sent = given(body)
    collectors.save_notes(get_db(), user_id, collector_id, notes=sent.get("notes"), tags=sent.get("tags"),
                          keep_notes="notes" not in sent, keep_tags="tags" not in sent)
    return jsonify(collector_json(_collector_or_404(user_id, collector_id)))
