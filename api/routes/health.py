"""Liveness and readiness, for load balancers and orchestrators (exempt from rate limits)."""

import time

from flask import current_app, jsonify

from api import readiness
from api.db import database_path, get_db
from api.limits import unlimited
from api.problems import ApiError
from api.routes import bp
from api.routing import operation
from api.shapes import Shape

STARTED = time.monotonic()
# Loading 100,000 works' indexes takes about 10 s; a probe that comes back sooner only sees 503 again.
RETRY_AFTER_SECONDS = 5


class Health(Shape):
    status: str
    uptime_seconds: float


class Readiness(Shape):
    status: str
    database: str
    indexes: str


@operation(bp, "GET", "/health", response=Health)
@unlimited
def health(query):
    """The process is up and answering. It reads nothing and writes nothing."""
    return jsonify({"status": "ok", "uptime_seconds": round(time.monotonic() - STARTED, 3)})


@operation(bp, "GET", "/ready", response=Readiness, errors=(503,))
@unlimited
def ready(query):
    """200 once this process's database answers and its search, image and feed indexes are in memory;
    503 with Retry-After until then (the first probe starts the loading if SEARCH_WARM is off)."""
    get_db().execute("SELECT 1 FROM search_state").fetchone()
    database = database_path()
    if not readiness.indexes_loaded(database):
        readiness.start_loading(database, current_app.config["FEED_MODEL_MAX_AGE"])
        raise ApiError(503, "The search indexes are still loading into this process.", title="Not ready",
                       headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    return jsonify({"status": "ready", "database": "ok", "indexes": "loaded"})
