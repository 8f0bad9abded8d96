"""gunicorn's settings for Easel; gunicorn reads ./gunicorn.conf.py by itself, so `gunicorn app:app`
from the project folder uses them. Environment: HOST, PORT, WEB_CONCURRENCY (workers), WEB_THREADS.

With more than one worker, point the workers at one rate-limit store, or each counts on its own:
    RATELIMIT_STORAGE_URI=redis://localhost:6379/0 gunicorn app:app
(see README, "Rate limits and Redis"; without it the master logs a warning at start)."""

import gc
import logging
import os

from api.config import rate_limit_store_warning

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104  (a server listens)
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads per worker (gunicorn runs its gthread worker past 1). Live conversation streams
# (CONVERSATION_STREAM_SECONDS) each hold a thread while open, so give them threads to hold.
threads = int(os.environ.get("WEB_THREADS", "1"))
# 0 lets request lines grow to gunicorn's hard ceiling of 1 MiB, so that a long query string meets
# Easel's own 414 problem document (past 64 KiB) rather than gunicorn's HTML page at 4 KiB.
limit_request_line = 0
# Uploads can take a while on slow links; 120 s is enough for MAX_UPLOAD_MB at about 3 Mbit/s.
timeout = 120


def when_ready(server):
    # Several workers with the in-memory store each count alone: a limit of 10 lets 10 x workers through.
    warning = rate_limit_store_warning(server.cfg.workers, os.environ)
    if warning:
        logging.getLogger("easel").warning(warning)
        server.log.warning(warning)


def post_worker_init(worker):
    # Everything loaded so far (modules, the app) lives as long as the worker: leave it out of the
    # collector's full passes, which otherwise pause a request that allocates a lot (a year of an
    # artist's sales) by tens of milliseconds each time they walk it.
    gc.collect()
    gc.freeze()
