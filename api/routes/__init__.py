"""The /api blueprint. Each module below holds one resource's routes, with their request
models and response shapes beside the handlers; none imports another."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from api.routes import (  # noqa: E402, F401  (imported for the routes they register)
    accounts,
    analytics,
    artists,
    artworks,
    blocks,
    collectors,
    commissions,
    conversations,
    copyright,
    critiques,
    docs,
    enquiries,
    exhibitions,
    featured,
    feed,
    galleries,
    health,
    images,
    licenses,
    market,
    mentorships,
    moderation,
    notifications,
    offers,
    orders,
    payments,
    prints,
    royalties,
    search,
    social,
    taxonomy,
    visual,
)
