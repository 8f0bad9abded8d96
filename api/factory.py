"""create_app(): settings, then the blueprint, the limiter, error handlers and the CLI."""

import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.security import generate_password_hash

import imaging
import store
from api import cli, config, db, fulfilment, logs, readiness
from api.limits import build_limiter, refuse_long_query_strings
from api.problems import register_error_handlers
from api.routes import bp
from market import payments
from store import rates


def create_app(overrides=None):
    """Build the app from the environment, with `overrides` replacing any setting (tests use it)."""
    settings = config.settings({**config.load_config(), **(overrides or {})})
    app = Flask("easel", root_path=str(Path(__file__).resolve().parents[1]))
    app.json.sort_keys = False  # keep fields in the order the response shapers give them
    app.config.update(settings)
    app.config.update(
        SESSION_COOKIE_NAME="easel_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(days=settings["SESSION_LIFETIME_DAYS"]),
        # The server-side row holds the expiry; re-sending the cookie on every answer buys nothing.
        SESSION_REFRESH_EACH_REQUEST=False,
        RATELIMIT_HEADERS_ENABLED=True,
    )
    if settings["TRUST_PROXY"]:
        hops = settings["TRUST_PROXY"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    logs.configure_logging(settings["LOG_LEVEL"])
    _open_storage(app)
    _register_http(app)
    cli.init_app(app)
    return app


def _open_storage(app):
    # Unknown usernames are checked against this, so they cost as much time as a wrong password.
    app.extensions["easel_dummy_hash"] = generate_password_hash(secrets.token_hex(16),
                                                                method=app.config["PASSWORD_HASH_METHOD"])
    store.initialise(app.config["DATABASE"])
    app.extensions["easel_connections"] = store.ConnectionPool(app.config["DATABASE"])
    conn = store.connect(app.config["DATABASE"])
    try:
        rates.save_rates(conn, app.config["CURRENCY_RATES"])
    finally:
        conn.close()
    app.extensions["easel_payments"] = _payment_providers(app.config)
    app.extensions["easel_fulfilment"] = fulfilment.build_provider(app.config)
    app.extensions["easel_fulfilment_threads"] = []
    imaging.set_pixel_budget(app.config["MAX_IMAGE_PIXELS"])
    if app.config["SEARCH_WARM"]:
        readiness.start_loading(app.config["DATABASE"], app.config["FEED_MODEL_MAX_AGE"])


def _payment_providers(settings):
    available = {"manual": payments.ManualProvider(),
                 "webhook": payments.WebhookProvider(settings["PAYMENT_WEBHOOK_SECRET"],
                                                     settings["PAYMENT_WEBHOOK_TOLERANCE_SECONDS"])}
    return {name: available[name] for name in settings["PAYMENT_PROVIDERS"]}


def _register_http(app):
    app.register_blueprint(bp)
    # always_send=False: no CORS headers on requests that sent no Origin (they are not cross-origin).
    CORS(app, resources={r"/api/*": {"origins": app.config["CORS_ORIGINS"]}}, supports_credentials=True,
         always_send=False,
         expose_headers=["X-Request-ID", "Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining"])
    app.before_request(logs.start_request)
    app.before_request(refuse_long_query_strings)
    # Registered before the limiter so that it runs after the limiter's own header hook.
    app.after_request(logs.finish_request)
    build_limiter(app)
    register_error_handlers(app)
    app.teardown_appcontext(db.close_db)

