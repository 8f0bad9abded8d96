"""Licence usage and royalties: the licensee's usage reports on an active licence, and the
artist's royalty statement per licence and period (JSON or CSV)."""

import csv
import io

from flask import Response, jsonify
from pydantic import Field, model_validator

from api.auth import require_user
from api.db import get_db
from api.fields import Body, MinorUnitsOrZero, Text
from api.limits import rate_limit
from api.parsing import Choice, Paged
from api.problems import ApiError, validation_error
from api.routes import bp
from api.routing import operation
from api.sales import party_license, refused
from api.shapes import Shape, inert_cell
from market import licensing
from store import licenses, sales


class UsageFields(Body):
    period: Text(7, 7) = Field(description="The month the use happened in, YYYY-MM")
    units: int = Field(0, ge=0, le=10 ** 12)
    impressions: int = Field(0, ge=0, le=10 ** 15)
    revenue: MinorUnitsOrZero = Field(0, description="The licensee's revenue from the use, in the licence's "
                                                     "currency minor units (royalty licences)")
    note: Text(1000) | None = None

    @model_validator(mode="after")
    def something(self):
        if not licensing.is_period(self.period):
            raise ValueError("period must be a month like 2026-11")
        if not (self.units or self.impressions or self.revenue):
            raise ValueError("report some units, impressions or revenue")
        return self


class UsageReport(Shape):
    id: int
    license_id: str
    period: str
    units: int
    impressions: int
    revenue: int
    currency: str
    earned: int
    recouped: int
    payable: int
    note: str | None
    created_at: str


class UsageAnswer(UsageReport):
    over_limit: str | None


class UsageList(Shape):
    items: list[UsageReport]
    advance: int
    advance_remaining: int


class RoyaltiesQuery(Paged):
    period: str | None = Field(None, description="YYYY-MM, or YYYY for a year; all periods when left out")
    format: Choice(("json", "csv")) = "json"


class RoyaltyLine(Shape):
    license_id: str
    title: str
    artwork_id: str | None
    licensee: str | None
    usage: str
    period: str
    units: int
    impressions: int
    revenue: int
    royalty_bps: int
    earned: int
    recouped: int
    payable: int
    currency: str
    reports: int


class RoyaltyStatement(Shape):
    period: str | None
    items: list[RoyaltyLine]
    total: int
    page: int
    per_page: int
    totals: dict[str, dict[str, int]]


def _report_json(report, over_limit=False):
    shaped = {key: report[key] for key in ("id", "license_id", "period", "units", "impressions", "revenue", "currency",
                                           "earned", "recouped", "payable", "note", "created_at")}
    if over_limit is not False:
        shaped["over_limit"] = over_limit
    return shaped


@operation(bp, "POST", "/licenses/<license_id>/usage", access="user", body=UsageFields, response=UsageAnswer,
           status=201, errors=(403, 409))
@rate_limit("60 per minute")
def report_usage(license_id, query, body):
    """The licensee reports use for a month: units, impressions and (for a royalty licence) the
    revenue, which earns royalties less the advance still to recoup. 409 unless the licence is
    active. A report past the licence's limits is kept (and the artist told): over_limit says so."""
    user_id, found = party_license(license_id)
    if licenses.license_role(found, user_id) != "licensee":
        raise ApiError(403, "Only the licensee reports usage.")
    try:
        report, over = licenses.report_usage(get_db(), license_id, user_id, period=body.period, units=body.units,
                                             impressions=body.impressions, revenue=body.revenue, note=body.note)
    except sales.SaleRefused as error:
        raise refused(error) from error
    return jsonify(_report_json(report, over)), 201


@operation(bp, "GET", "/licenses/<license_id>/usage", access="user", response=UsageList)
def list_usage(license_id, query):
    """Every usage report of a licence, oldest period first, with the advance still to recoup."""
    _, found = party_license(license_id)
    reports = licenses.usage_of(get_db(), license_id)
    remaining = max(0, found["advance"] - found["royalties_earned"])
    return jsonify({"items": [_report_json(report) for report in reports], "advance": found["advance"],
                    "advance_remaining": remaining})


def _line_json(line):
    return {"license_id": line["license_id"], "title": line["title"], "artwork_id": line["artwork_id"],
            "licensee": line["licensee_name"], **{key: line[key] for key in (
                "usage", "period", "units", "impressions", "revenue", "royalty_bps", "earned", "recouped", "payable",
                "currency", "reports")}}


ROYALTY_CSV = ("period", "license_id", "title", "licensee", "usage", "units", "impressions", "revenue", "royalty_bps",
               "earned", "recouped", "payable", "currency", "reports")


def _royalty_csv(lines):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ROYALTY_CSV)
    for line in lines:
        writer.writerow([inert_cell(line[column]) for column in ROYALTY_CSV])
    return out.getvalue()


@operation(bp, "GET", "/royalties", access="user", query=RoyaltiesQuery, response=RoyaltyStatement,
           content={"text/csv": "The statement, one licence and period per row (format=csv)."})
def royalty_statement(query):
    """Your royalty statement as a licensor: per licence and period, the revenue reported, the
    royalty earned, how much went against the advance, and what is payable; totals per currency."""
    user_id = require_user()
    period = query.period
    if period and not (licensing.is_period(period) or (len(period) == 4 and period.isdigit())):
        raise validation_error({"period": "must be a month like 2026-11 or a year like 2026"})
    lines = [_line_json(line) for line in licenses.royalty_statement(get_db(), user_id, period)]
    if query.format == "csv":
        name = f"royalties-{period or 'all'}.csv"
        return Response(_royalty_csv(lines), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    totals = licenses.statement_totals(lines)
    page = lines[query.offset:query.offset + query.per_page]
    return jsonify({"period": period, "items": page, "total": len(lines), "page": query.page,
                    "per_page": query.per_page, "totals": totals})
