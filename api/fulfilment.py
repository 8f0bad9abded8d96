"""The print lab as the routes see it: the configured provider, the links it fetches files
from, and the background send that follows a print order's payment."""

import logging
import threading

from flask import current_app, request

import store
from market import dispatcher, fulfilment
from store import prints
from store.media import MediaStore

log = logging.getLogger("easel.fulfilment")


def build_provider(settings) -> fulfilment.WebhookFulfilment | None:
    if not settings["FULFILMENT_URL"]:
        return None
    return fulfilment.WebhookFulfilment(settings["FULFILMENT_URL"], settings["FULFILMENT_SECRET"],
                                        settings["FULFILMENT_TIMEOUT_SECONDS"])


def provider() -> fulfilment.WebhookFulfilment | None:
    return current_app.extensions["easel_fulfilment"]


def links(settings, base_url) -> dispatcher.FileLinks:
    return dispatcher.FileLinks(settings["SERVER_URL"] or base_url, settings["FULFILMENT_SECRET"],
                                settings["FULFILMENT_FILE_URL_HOURS"] * 3600)


def send_due_in_background(conn) -> threading.Thread | None:
    """After a payment committed: send what is due to the lab in a thread of its own (making a
    print file takes seconds), so the request answers at once. The scheduled `flask fulfilment
    dispatch` retries what this could not send."""
    lab = provider()
    if lab is None or not prints.due_count(conn):
        return None
    settings = dict(current_app.config)
    thread = threading.Thread(target=_send_due, args=(settings, lab, links(settings, request.host_url)),
                              name="easel-fulfilment", daemon=True)
    running = current_app.extensions["easel_fulfilment_threads"]  # kept so that tests can wait for them
    running[:] = [other for other in running if other.is_alive()] + [thread]
    thread.start()
    return thread


def _send_due(settings, lab, file_links):
    conn = store.connect(settings["DATABASE"])
    try:
        result = dispatcher.dispatch_due(conn, MediaStore(settings["MEDIA_DIR"]), lab, file_links,
                                         max_pixels=settings["MAX_IMAGE_PIXELS"])
        log.info("fulfilment: %d sent, %d to retry, %d failed", len(result.sent), len(result.retrying),
                 len(result.failed))
    except Exception:  # a thread's error has nobody to answer to: log it; the scheduled run retries
        log.exception("fulfilment: sending failed")
    finally:
        conn.close()
