"""JSON logs, request ids and the security headers every answer carries."""

import json
import logging
import re
import sys
import time
import uuid

from flask import g, request


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {"time": self.formatTime(record), "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging(level):
    # Flask-Limiter reports its store going away and coming back on its own logger: log it alike.
    for name in ("flask-limiter", "easel"):
        logger = logging.getLogger(name)
        if not any(getattr(handler, "easel", False) for handler in logger.handlers):
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(JsonFormatter())
            handler.easel = True
            logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False
    return logger


_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


def start_request():
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.started = time.perf_counter()


def finish_request(response):
    response.headers["X-Request-ID"] = g.get("request_id", "")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    if response.mimetype in ("application/json", "application/problem+json"):
        response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    response.headers.setdefault("Cache-Control", "no-store")
    if response.status_code not in (429, 503):
        # Flask-Limiter adds Retry-After to every answer; it only means something on these two.
        response.headers.pop("Retry-After", None)
    logging.getLogger("easel.request").info("request", extra={"fields": {
        "request_id": g.get("request_id"),
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 2),
        "remote_addr": request.remote_addr,
        "user_id": g.get("user_id"),
    }})
    return response

