"""Licensing: the terms a work is offered under, licences asked for and granted, and their
certificates (usage reports and royalties: royalties.py). Only the two parties know a licence
exists; anyone holding its id may check that it is valid (and nothing personal)."""

from typing import Any, ClassVar, Literal

from flask import Response, current_app, jsonify, request
from pydantic import Field, model_validator

import imaging
from api.access import own_artwork, visible_artwork_or_404
from api.auth import current_user_id, require_user
from api.config import PROVIDERS
from api.db import get_db, media
from api.fields import Body, Country, Currency, FutureMoment, MinorUnits, MinorUnitsOrZero, Text
from api.limits import rate_limit
from api.parsing import Choice, Paged, list_response
from api.problems import ApiError, validation_error
from api.routes import bp
from api.routing import operation
from api.sales import hold_until, party_license, providers, rates, refused
from api.shapes import Person, Shape, page_of, person_json, thumbnail_urls
from market import certificate, licensing, money
from store import licenses, sales, utc_now


class LicenseTermFields(Body):
    """One way a work may be licensed. Send the id of a current term to change it in place (the
    licences already asked for on it keep their copy)."""
    server_owned: ClassVar[frozenset] = frozenset({"artwork_id", "retired_at", "created_at", "updated_at"})
    id: Text(64, 1) | None = None
    usage: Literal[licensing.USAGES]
    # The usage "exclusive" is exclusive by definition; any other usage may be made exclusive.
    exclusive: bool = False
    media: list[Literal[licensing.MEDIA]] = Field(min_length=1, max_length=len(licensing.MEDIA))
    territory: Literal["worldwide"] | list[Country] = Field(
        "worldwide", description='"worldwide", or a list of ISO 3166-1 alpha-2 country codes')
    duration_months: int | None = Field(None, ge=1, le=1200, description="None: perpetual")
    max_units: int | None = Field(None, ge=1, le=10 ** 12, description="A print run or unit limit")
    max_impressions: int | None = Field(None, ge=1, le=10 ** 15)
    attribution_required: bool = True
    pricing: Literal["flat", "royalty"]
    fee: MinorUnits | None = None
    royalty_bps: int | None = Field(None, ge=1, le=licensing.BASIS_POINTS)
    advance: MinorUnitsOrZero = 0
    currency: Currency | None = Field(None, description="Default: the work's currency")

    @model_validator(mode="after")
    def priced_once(self):
        if self.pricing == "flat" and (self.fee is None or self.royalty_bps is not None or self.advance):
            raise ValueError("a flat licence has a fee, and no royalty_bps or advance")
        if self.pricing == "royalty" and (self.royalty_bps is None or self.fee is not None):
            raise ValueError("a royalty licence has royalty_bps (and may have an advance), not a fee")
        if isinstance(self.territory, list) and not self.territory:
            raise ValueError("territory lists at least one country, or is \"worldwide\"")
        return self


class LicenseTermsUpdate(Body):
    terms: list[LicenseTermFields] = Field(max_length=20)


class LicenseTerm(Shape):
    id: str
    usage: str
    exclusive: bool
    media: list[str]
    territory: str | list[str]
    duration_months: int | None
    max_units: int | None
    max_impressions: int | None
    attribution_required: bool
    pricing: str
    fee: int | None
    royalty_bps: int | None
    advance: int
    currency: str
    created_at: str
    updated_at: str


class LicenseTerms(Shape):
    artwork_id: str
    items: list[LicenseTerm]
    exclusive_license: dict[str, Any] | None


class LicenseRequest(Body):
    term_id: Text(64, 1)
    starts_at: FutureMoment | None = Field(None, description="Default: from its approval")
    purpose: Text(2000) | None = Field(None, description="What the work will be used for, for the artist")
    provider: Literal[PROVIDERS] = "manual"


class LicenseUpdate(Body):
    server_owned: ClassVar[frozenset] = frozenset({"id", "terms", "role", "allowed_statuses", "order_id",
                                                   "created_at", "updated_at"})
    status: Literal[licenses.LICENSE_STATUSES]
    note: Text(1000, 1) | None = None


class License(Shape):
    id: str
    artwork: dict[str, Any] | None
    licensor: Person | None
    licensee: Person | None
    role: str | None
    status: str
    allowed_statuses: list[str]
    terms: dict[str, Any]
    currency: str
    amount_due: int
    order_id: str | None
    provider: str
    purpose: str | None
    starts_at: str
    ends_at: str | None
    reported: dict[str, int]
    certificate_url: str
    verify_url: str
    created_at: str
    updated_at: str


class LicenseDetail(License):
    events: list[dict[str, Any]]


class LicensesQuery(Paged):
    role: Choice(licenses.LICENSE_ROLES) | None = None
    status: Choice(licenses.LICENSE_STATUSES) | None = None
    artwork_id: str | None = None


class Verification(Shape):
    license_id: str
    valid: bool
    status: str
    artwork: dict[str, Any]
    terms: dict[str, Any]
    starts_at: str
    ends_at: str | None


# --- Terms offered ----------------------------------------------------------------------------

def _term_json(term):
    shaped = {name: term[name] for name in ("id", *licenses.TERM_FIELDS, "created_at", "updated_at")}
    shaped["fee"] = term["fee"] or None
    shaped["royalty_bps"] = term["royalty_bps"] or None
    return shaped


def _terms_answer(artwork_id):
    return {"artwork_id": artwork_id, "items": [_term_json(term) for term in licenses.terms_of(get_db(), artwork_id)],
            "exclusive_license": licenses.exclusive_in_force(get_db(), artwork_id)}


@operation(bp, "GET", "/artworks/<artwork_id>/licenses", access="optional", response=LicenseTerms)
def list_license_terms(artwork_id, query):
    """The licences a work can be taken under, and the exclusive licence it is under now, if any."""
    visible_artwork_or_404(artwork_id, current_user_id())
    licenses.settle_if_due(get_db())
    return jsonify(_terms_answer(artwork_id))


@operation(bp, "PUT", "/artworks/<artwork_id>/licenses", access="user", body=LicenseTermsUpdate,
           response=LicenseTerms)
def replace_license_terms(artwork_id, query, body):
    """Publish the work's licence terms (the whole list): a term left out is withdrawn; licences
    already asked for keep the terms they were asked on."""
    artwork = own_artwork(artwork_id)
    terms = [{**term.model_dump(), "fee": term.fee or 0, "royalty_bps": term.royalty_bps or 0,
              "currency": term.currency or artwork["currency"]} for term in body.terms]
    unknown = {f"terms[{index}].currency": "the work's currency is not a known one; give currency"
               for index, term in enumerate(terms) if term["currency"] not in money.CURRENCIES}
    if unknown:
        raise validation_error(unknown)
    try:
        licenses.replace_terms(get_db(), artwork_id, terms)
    except sales.SaleRefused as error:
        raise refused(error) from error
    return jsonify(_terms_answer(artwork_id))


# --- Licences -----------------------------------------------------------------------------------

def _authorities(found, user_id):
    role = licenses.license_role(found, user_id)
    return {role} if role else set()


def license_json(found, user_id, *, detail=False):
    role = licenses.license_role(found, user_id)
    shaped = {"id": found["id"], "artwork": _artwork_ref(found), "licensor": person_json(found, "licensor_"),
              "licensee": person_json(found, "licensee_"), "role": role, "status": found["status"],
              "allowed_statuses": licenses.allowed_moves(found["status"], _authorities(found, user_id)),
              "terms": dict(found["terms"])}
    shaped.update({key: found[key] for key in ("currency", "amount_due", "order_id", "provider", "purpose",
                                               "starts_at", "ends_at", "created_at", "updated_at")})
    shaped["reported"] = {"units": found["units_reported"], "impressions": found["impressions_reported"],
                          "revenue": found["revenue_reported"], "royalties_earned": found["royalties_earned"]}
    shaped["certificate_url"] = f"/api/licenses/{found['id']}/certificate"
    shaped["verify_url"] = f"/api/licenses/{found['id']}/verify"
    if detail:
        shaped["events"] = [{key: event[key] for key in ("id", "kind", "actor_id", "actor_role", "amount", "currency",
                                                         "note", "created_at")}
                            for event in sales.events_of(get_db(), license_id=found["id"])]
    return shaped


def _artwork_ref(found):
    if found["artwork_id"] is None:
        return None
    return {"id": found["artwork_id"], "title": found["title"], "thumbnail_urls": thumbnail_urls(found["artwork_id"])}


@operation(bp, "POST", "/licenses", access="user", body=LicenseRequest, response=LicenseDetail, status=201,
           errors=(403, 409),
           links={target: {"license_id": "$response.body#/id"} for target in ("get_license", "update_license")})
@rate_limit("30 per minute")
def request_license(query, body):
    """Ask for a licence on a term a work offers (400 for a term that is not offered; 409 when an
    exclusive licence already covers it). The terms are copied into the licence now."""
    user_id = require_user()
    if body.provider not in providers():
        raise validation_error({"provider": f"must be one of: {', '.join(providers())}"})
    try:
        license_id = licenses.request_license(get_db(), user_id, body.term_id, starts_at=_moment(body.starts_at),
                                              purpose=body.purpose, provider=body.provider)
    except sales.SaleRefused as error:
        raise refused(error) from error
    shaped = license_json(licenses.get_license(get_db(), license_id), user_id, detail=True)
    return jsonify(shaped), 201, {"Location": f"/api/licenses/{license_id}"}


def _moment(text):
    return licensing.iso(licensing.parse_moment(text)) if text else None


@operation(bp, "GET", "/licenses", access="user", query=LicensesQuery, response=page_of(License))
def list_licenses(query):
    """Licences you hold (role=licensee) and grant (role=licensor), newest first."""
    user_id = require_user()
    licenses.settle_if_due(get_db())
    rows, total = licenses.list_licenses(get_db(), user_id, role=query.role, status=query.status,
                                         artwork_id=query.artwork_id, limit=query.per_page, offset=query.offset)
    return list_response([license_json(row, user_id) for row in rows], total, query.page, query.per_page)


@operation(bp, "GET", "/licenses/<license_id>", access="user", response=LicenseDetail)
def get_license(license_id, query):
    """One licence with its log, to its licensor or licensee only."""
    user_id, _ = party_license(license_id)
    licenses.settle_if_due(get_db())
    return jsonify(license_json(licenses.get_license(get_db(), license_id), user_id, detail=True))


@operation(bp, "PUT", "/licenses/<license_id>", access="user", body=LicenseUpdate, response=LicenseDetail,
           errors=(409,))
@rate_limit("60 per minute")
def update_license(license_id, query, body):
    """Move a licence along its path (who may make which move: store.licenses.LICENSE_MOVES).
    Approving a licence with a fee or advance opens its order; it is paid through that order."""
    user_id, found = party_license(license_id)
    if body.status == "paid":
        where = f" {found['order_id']}" if found["order_id"] else " (opened when it is approved)"
        raise ApiError(409, f"A licence is paid through its order{where}.", title="Paid through its order",
                       problem="conflict")
    try:
        licenses.change_license(get_db(), license_id, user_id, _authorities(found, user_id), body.status,
                                note=body.note, hold_until=hold_until(), rates=rates())
    except sales.SaleRefused as error:
        raise refused(error) from error
    return jsonify(license_json(licenses.get_license(get_db(), license_id), user_id, detail=True))


CERTIFIED = ("paid", "active", "expired", "revoked")


@operation(bp, "GET", "/licenses/<license_id>/certificate", access="user", response=None, errors=(409,),
           content={"application/pdf": "The licence certificate"})
def license_certificate(license_id, query):
    """The licence's certificate as PDF, to its parties, once the licence is granted and paid."""
    _, found = party_license(license_id)
    licenses.settle_if_due(get_db())
    found = licenses.get_license(get_db(), license_id)
    if found["status"] not in CERTIFIED:
        raise ApiError(409, f"A certificate is issued once the licence is paid; this one is {found['status']}.",
                       title="Not granted", problem="conflict")
    pdf = certificate.render(_certificate_text(found), _thumbnail(found))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="licence-{license_id}.pdf"', "Cache-Control": "private, no-store"})


def _certificate_text(found):
    return certificate.CertificateText(
        license_id=found["id"], title=found["title"], artwork_id=found["artwork_id"],
        licensor=found["licensor_artist_name"] or "(account closed)",
        licensee=found["licensee_artist_name"] or "(account closed)", status=found["status"],
        lines=term_lines(found), verify_url=f"{request.host_url.rstrip('/')}/api/licenses/{found['id']}/verify",
        issued_at=utc_now()[:10])


def term_lines(found):
    terms = found["terms"]
    territory = terms["territory"] if terms["territory"] == "worldwide" else ", ".join(terms["territory"])
    lines = [("Usage", terms["usage"] + (" (exclusive)" if terms["exclusive"] else "")),
             ("Media", ", ".join(terms["media"])), ("Territory", territory),
             ("From", found["starts_at"][:10]), ("Until", found["ends_at"][:10] if found["ends_at"] else "perpetual"),
             ("Attribution", "required" if terms["attribution_required"] else "not required")]
    if terms.get("max_units"):
        lines.append(("Print run / units", f"up to {terms['max_units']:,}"))
    if terms.get("max_impressions"):
        lines.append(("Impressions", f"up to {terms['max_impressions']:,}"))
    if terms["pricing"] == "flat":
        lines.append(("Fee", money.format_amount(terms["fee"], terms["currency"])))
    else:
        lines.append(("Royalty", f"{terms['royalty_bps'] / 100:g} % of revenue"))
        lines.append(("Advance", money.format_amount(terms["advance"], terms["currency"])))
    return lines


def _thumbnail(found):
    """The work's small JPEG thumbnail, made from its original; None when the work is gone."""
    if not found["artwork_image_path"]:
        return None
    try:
        return imaging.render(media().read(found["artwork_image_path"]), "small", "jpeg",
                              max_pixels=current_app.config["MAX_IMAGE_PIXELS"])
    except (OSError, imaging.ImageRejected):
        return None


@operation(bp, "GET", "/licenses/<license_id>/verify", response=Verification)
@rate_limit("60 per minute")
def verify_license(license_id, query):
    """Whether a licence is valid (active), with its work and terms: nothing about its parties."""
    licenses.settle_if_due(get_db())
    found = licenses.get_license(get_db(), license_id)
    if found is None:
        raise ApiError(404, "No licence has that id.")
    terms = {key: value for key, value in found["terms"].items() if key not in ("copied_at",)}
    return jsonify({"license_id": found["id"], "valid": found["status"] == "active", "status": found["status"],
                    "artwork": {"id": found["artwork_id"], "title": found["title"]}, "terms": terms,
                    "starts_at": found["starts_at"], "ends_at": found["ends_at"]})
