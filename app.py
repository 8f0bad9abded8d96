"""Easel's entry point: `gunicorn app:app`, `flask --app app …` and `python app.py` all start here.

The HTTP layer lives in the api package; see api/__init__.py for its layout.
"""

import logging
import os

from api import create_app
from api.config import ConfigError

__all__ = ["create_app"]


def _started():
    """The app, or an exit with one line naming the bad setting (no traceback to read through)."""
    try:
        return create_app()
    except ConfigError as error:
        raise SystemExit(f"Easel cannot start: {error}") from None


def __getattr__(name):
    """`app.app`, built on first use: importing create_app (tests, scripts) must not touch ./data."""
    if name == "app":
        globals()["app"] = _started()
        return globals()["app"]
    raise AttributeError(name)


if __name__ == "__main__":
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # requests are logged as JSON already
    _started().run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "5000")))
