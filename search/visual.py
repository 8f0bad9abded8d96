"""Search by image and copy checks over the image index, inside one read snapshot of the database."""


import sqlite3

from imaging.fingerprint import Probe
from search import copies, images


def refreshed(conn, database):
    """The process's image index for `database`, brought up to `conn`'s snapshot."""
    return images.index_for(database).refresh(conn)


def evidence_json(evidence, position, probe=None):
    """What matched: the whole picture or a window (where, in the query), how far, which way."""
    by_window = bool(evidence.by_window[position])
    shaped = {
        "matched_by": "window" if by_window else "whole",
        "mirrored": bool(evidence.window_mirrored[position] if by_window else evidence.whole_mirrored[position]),
        "whole_distance": int(evidence.whole[position]),
        "window_distance": int(evidence.window[position]),
        "max_distance": 2 * copies.HASH_BITS,
        "colour_distance": round(float(evidence.colour[position]), 3),
    }
    if by_window and probe is not None:
        shaped["query_window"] = [round(v, 3) for v in probe.windows[int(evidence.window_index[position])]]
    return shaped


def _matches(index, probe, *, viewer_id, exclude_artist=None, include_private=False, limit=50):
    """[(row, artwork_id, score, evidence)] best first."""
    visible = index.alive if include_private else index.visible(viewer_id)
    allowed = visible & (index.artist != index.artist_codes.get(exclude_artist, -2))
    return [(row, index.ids[row].decode(), score, evidence_json(evidence, i, probe))
            for row, score, evidence, i in index.matches(probe, allowed=allowed, limit=limit)]


def image_search(conn: sqlite3.Connection, database: str, probe: Probe, *, viewer_id: str | None = None,
                 limit: int = 20) -> tuple[list[tuple[str, float, dict]], list[tuple[str, float]]]:
    """(duplicates, similar): [(artwork_id, score, evidence)] above the copy threshold, and
    [(artwork_id, similarity)] ranked by visual similarity, the duplicates left out."""
    conn.execute("BEGIN")
    try:
        index = refreshed(conn, database)
        with index.lock:
            found = _matches(index, probe, viewer_id=viewer_id, limit=limit)
            allowed = index.visible(viewer_id)
            allowed[[row for row, *_ in found]] = False
            rows, similarity = index.similar(probe.colour, probe.full_dct, allowed=allowed, limit=limit)
            similar = [(index.ids[row].decode(), round(float(s), 4)) for row, s in zip(rows, similarity, strict=False)]
    finally:
        conn.execute("COMMIT")
    return [match[1:] for match in found], similar


def copies_by_others(conn: sqlite3.Connection, database: str, probe: Probe, artist_id: str, *,
                     limit: int = 50) -> list[tuple[str, float, dict]]:
    """Works by other artists, visible to `artist_id`, that look like copies of the probed image."""
    conn.execute("BEGIN")
    try:
        index = refreshed(conn, database)
        with index.lock:
            return [match[1:] for match in _matches(index, probe, viewer_id=artist_id, exclude_artist=artist_id,
                                                    limit=limit)]
    finally:
        conn.execute("COMMIT")


def originals_of_upload(conn: sqlite3.Connection, database: str, probe: Probe, uploader_id: str, *,
                        limit: int = 20) -> list[tuple[str, float, dict]]:
    """Inside a read transaction, before the upload's write: works by other artists, of any
    visibility, that the new upload looks like a copy of (their artists get an alert)."""
    index = refreshed(conn, database)
    with index.lock:
        # Private originals too: their artists deserve the alert as much.
        return [match[1:] for match in _matches(index, probe, viewer_id=None, include_private=True,
                                                exclude_artist=uploader_id, limit=limit)]
