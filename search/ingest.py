"""The indexing pipeline of an upload, and of a work that becomes visible: image analysis,
candidate originals for copy detection, TF-IDF keywords and copy alerts, written in one
transaction.

Everything that reads a process-wide index (the copy check) runs before the write, in a read
snapshot of its own: a write that rolls back must leave no trace in any index, and the index
must never take a change-log sequence number that a rollback would hand out again.
"""

import logging
from dataclasses import dataclass, field

import imaging
import store
from search import tfidf, visual
from store import artworks, copyright
from store.media import MediaStore

log = logging.getLogger("easel")

Match = tuple[str, float, dict]


@dataclass
class Stored:
    """An artwork written by upload() or a change written by edit()."""
    artwork_id: str
    # Works by other artists this one looks like a copy of: (original id, score, evidence).
    possible_copy_of: list[Match] = field(default_factory=list)
    # Kept private for review: its artist has too many standing takedowns.
    held: bool = False


def upload(conn, media: MediaStore, database: str, artist_id: str, data: bytes, fields: dict,
           tags: list[str], *, max_pixels: int = imaging.DEFAULT_MAX_PIXELS) -> Stored:
    """Analyse `data`, look for the works it may copy, and store it with its keywords and the
    alerts it raises. Raises imaging.ImageRejected for a file we do not accept."""
    if not data:
        raise imaging.ImageRejected("The file is empty.")
    processed = imaging.process(data, max_pixels=max_pixels)
    matches = originals_of(conn, database, processed.probe, artist_id)
    with store.transaction(conn):
        held = copyright.is_repeat_offender(conn, artist_id)
        artwork_id = artworks.insert_artwork(conn, media, artist_id, fields, tags, processed, data)
        tfidf.describe(conn, [artwork_id])
        requested = fields.get("availability_status") or artworks.AVAILABILITY[0]
        if held:       # alerts wait for the release, when others could first open the work
            copyright.hold_upload(conn, artwork_id, artist_id, requested)
        elif requested != "private":   # nobody else could open a private copy
            copyright.raise_alerts(conn, artwork_id, matches)
    return Stored(artwork_id, matches, held)


def edit(conn, media: MediaStore, database: str, artwork: dict, changes: dict, tags: list[str] | None, *,
         max_pixels: int = imaging.DEFAULT_MAX_PIXELS) -> Stored:
    """Write an artist's changes and refresh the work's keywords. A private work made visible
    gets the copy check an upload gets, so that privacy is no way around it."""
    shown = (artwork["availability_status"] == "private"
             and changes.get("availability_status", "private") != "private")
    probe = stored_probe(media, artwork, max_pixels=max_pixels) if shown and artwork["image_path"] else None
    matches = originals_of(conn, database, probe, artwork["artist_id"]) if probe is not None else []
    with store.transaction(conn):
        if artworks.update_artwork(conn, artwork["id"], changes, tags):
            tfidf.describe(conn, [artwork["id"]])
        copyright.raise_alerts(conn, artwork["id"], matches)
    return Stored(artwork["id"], matches)


def decide_hold(conn, media: MediaStore, database: str, hold: dict, decision: str, actor_id: str,
                note: str | None = None, *, max_pixels: int = imaging.DEFAULT_MAX_PIXELS) -> dict:
    """A curator's decision on a held upload; a released work gets the copy check it skipped."""
    matches = []
    if decision == "release" and hold["requested_status"] != "private":
        artwork = artworks.get_artwork(conn, hold["artwork_id"])
        probe = (stored_probe(media, artwork, max_pixels=max_pixels)
                 if artwork is not None and artwork["image_path"] else None)
        matches = originals_of(conn, database, probe, artwork["artist_id"]) if probe is not None and artwork else []
    with store.transaction(conn):
        decided = copyright.decide_hold(conn, hold, decision, actor_id, note)
        copyright.raise_alerts(conn, hold["artwork_id"], matches)
    return decided


def originals_of(conn, database: str, probe, uploader_id: str) -> list[Match]:
    """Works by other artists, of any visibility, that an image with `probe` looks like a copy
    of, read in a snapshot of its own (never inside a write)."""
    conn.execute("BEGIN")
    try:
        return visual.originals_of_upload(conn, database, probe, uploader_id)
    finally:
        conn.execute("COMMIT")


def read_probe(media: MediaStore, artwork: dict, *, max_pixels: int = imaging.DEFAULT_MAX_PIXELS):
    """The copy-detection probe of a stored original; OSError or imaging.ImageRejected when its
    file cannot be read."""
    return imaging.probe(media.read(artwork["image_path"]), max_pixels=max_pixels)


def stored_probe(media: MediaStore, artwork: dict, *, max_pixels: int = imaging.DEFAULT_MAX_PIXELS):
    """read_probe(), or None when the file cannot be read: the change that asked for it goes
    ahead without the check, and the log says so."""
    try:
        return read_probe(media, artwork, max_pixels=max_pixels)
    except (OSError, imaging.ImageRejected) as error:
        log.warning("no copy check for %s: %s", artwork["id"], error)
        return None
