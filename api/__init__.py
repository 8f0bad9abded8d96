"""Easel's HTTP layer: the only package that knows HTTP.

    factory.py     create_app(): settings, blueprint, limiter, error handlers, CLI
    config.py      settings from the environment, validated at start
    routing.py     operation(): one declaration per route, for validation and for OpenAPI
    openapi.py     the OpenAPI 3.1 document built from those declarations
    parsing.py     JSON bodies, multipart fields and query strings against pydantic models
    fields.py      field types shared by request bodies
    problems.py    RFC 9457 problem details, faults included
    auth.py        sessions, sign-in, roles
    access.py      finding what a request names, or 404/403
    db.py          the request's connection and media store
    limits.py      rate limits
    logs.py        JSON logs, request ids, security headers
    shapes.py      response shapes several resources share
    sales.py       what the sales and licensing routes share: rates, providers, order and offer shapes
    fulfilment.py  the print lab: its provider, file links, and the send after a payment
    copyright_shapes.py  copy alerts and takedowns, shown by the copyright and moderation routes
    cli.py         `flask --app app <command>`
    routes/        one module per resource, with its request models and response shapes
"""

from api.factory import create_app

__all__ = ["create_app"]
