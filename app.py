"""Easel's entry point: `gunicorn app:app`, `flask --app app …` and `python app.py` all start here.

The HTTP layer lives in the api package; see api/__init__.py for its layout.
"""

import logging
import os

from api import create_app

__all__ = ["create_app"]


def __getattr__(name):
    """`app.app`, built on first use: importing create_app (tests, scripts) must not touch ./data."""
    if name == "app":
        globals()["app"] = create_app()
        return globals()["app"]
    raise AttributeError(name)


if __name__ == "__main__":
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # requests are logged as JSON already
    create_app().run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "5000")))
