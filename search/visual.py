"""Search by image and copy checks over the image index, inside one read snapshot of the database."""


import sqlite3
from collections.abc import Callable
from functools import partial

import numpy as np

from imaging import keypoints
from imaging.fingerprint import CENTRE_MARGIN, ORIENTATIONS, REFLECTIONS, Probe
from imaging.keypoints import Keypoints, Verification
from search import copies, images
from store import artworks

# Keypoint verification (under 1 ms each) runs on the best voted rows of the visual-word index
# and on the best hash matches, whose evidence then gains the matched boxes. (16 voted rows found
# no more originals than 8 at a million works: those missed are voted far lower.)
VERIFY_CANDIDATES = 8
VERIFIED_HASH_MATCHES = 4
# A hash match short of certain is refuted when both pictures have keypoints enough to tell and
# none agree on a view: on the copy benchmark this drops every near-threshold look-alike (a
# different work of similar composition) and costs 3 true matches in 4,700.
REFUTES_BELOW = 0.99
REFUTING_KEYPOINTS = 100


def refreshed(conn, database):
    """The process's image index for `database`, brought up to `conn`'s snapshot."""
    return images.index_for(database).refresh(conn)


def evidence_json(evidence, position, probe=None):
    """What matched: the whole picture (in which orientation), a window of it or a picture it
    holds (where, in the query), how far, which way."""
    matched_by = copies.MATCHED_BY[int(evidence.matched_by[position])]
    orientation = ORIENTATIONS[int(evidence.orientation[position])]
    mirrored = {"whole": int(evidence.orientation[position]) % 8 in REFLECTIONS,
                "window": bool(evidence.window_mirrored[position]),
                "part": bool(evidence.part_mirrored[position])}[matched_by]
    shaped = {
        "matched_by": matched_by,
        "orientation": orientation if matched_by == "whole" else ("mirrored" if mirrored else "as given"),
        "mirrored": mirrored,
        "whole_distance": int(evidence.whole[position]),
        "window_distance": int(evidence.window[position]),
        "max_distance": 2 * copies.HASH_BITS,
        "colour_distance": round(float(evidence.colour[position]), 3),
    }
    if probe is not None and matched_by == "window":
        shaped["query_box"] = [round(v, 3) for v in probe.windows[int(evidence.window_index[position])]]
    if probe is not None and matched_by == "part":
        shaped["query_box"] = [round(v, 3) for v in probe.parts[int(evidence.part_index[position])]]
    return shaped


WHOLE_BOX = [0.0, 0.0, 1.0, 1.0]


def matched_boxes(evidence: dict) -> tuple[list[float], list[float]]:
    """(box in the original, box in the copy), as fractions, of what an alert's evidence says
    matched: the keypoints' boxes when they were verified, else the hash evidence's."""
    if "keypoints" in evidence:
        return evidence["keypoints"]["original_box"], evidence["keypoints"]["query_box"]
    if evidence.get("matched_by") == "window":
        margin = CENTRE_MARGIN
        return [margin, margin, 1 - margin, 1 - margin], evidence.get("query_box", WHOLE_BOX)
    if evidence.get("matched_by") == "part":
        return WHOLE_BOX, evidence.get("query_box", WHOLE_BOX)
    return WHOLE_BOX, WHOLE_BOX


def keypoint_json(check: Verification) -> dict:
    return {"inliers": check.inliers, "query_box": list(check.query_box), "original_box": list(check.stored_box),
            "rotation": check.rotation, "perspective": check.perspective, "mirrored": check.mirrored}


def verified(index: images.ImageIndex, probe: Probe, allowed: np.ndarray,
             keypoints_of: Callable[[list[str]], dict[str, Keypoints]], also=()) -> dict[int, Verification | None]:
    """{row: Verification} of the best voted allowed rows of the visual-word index, and of the
    rows in `also`, whose keypoints pass geometric verification against the probe's; {row: None}
    where both have REFUTING_KEYPOINTS keypoints or more and they fail it."""
    if probe.keypoints is None:
        return {}
    candidates = list(dict.fromkeys([*also, *index.keypoint_candidates(probe, allowed, VERIFY_CANDIDATES).tolist()]))
    stored = keypoints_of([index.ids[row].decode() for row in candidates])
    checks: dict[int, Verification | None] = {}
    for row in candidates:
        own = stored.get(index.ids[row].decode())
        check = keypoints.verify(probe.keypoints, own) if own is not None else None
        if check is not None or (own is not None and min(len(own), len(probe.keypoints)) >= REFUTING_KEYPOINTS):
            checks[row] = check
    return checks


def refuted(score: float, check: Verification | None) -> bool:
    """Whether a verification that failed overrules a hash match of `score`."""
    return check is None and score < REFUTES_BELOW


def find_copies(index: images.ImageIndex, probe: Probe, allowed: np.ndarray,
                keypoints_of: Callable[[list[str]], dict[str, Keypoints]], *,
                limit: int = 50) -> list[tuple[int, float, dict]]:
    """[(row, score, evidence)] of the allowed rows that look like the probed image's original,
    best first: hash matches (whole, window, sub-picture) that verification does not refute, and
    keypoint matches that pass it. keypoints_of(artwork ids) gives the stored keypoints of some works."""
    found = {row: (score, evidence_json(evidence, i, probe))
             for row, score, evidence, i in index.matches(probe, allowed=allowed, limit=limit)}
    for row, check in verified(index, probe, allowed, keypoints_of, list(found)[:VERIFIED_HASH_MATCHES]).items():
        score, evidence = found.get(row) or (0.0, evidence_json(copies.evidence(probe, index.stored([row])), 0, probe))
        if check is None:
            if row in found and refuted(score, check):
                del found[row]
            continue
        evidence = {**evidence, "keypoints": keypoint_json(check)}
        if copies.keypoint_score(check.inliers) > score:
            score, evidence["matched_by"] = copies.keypoint_score(check.inliers), "keypoints"
        found[row] = (score, evidence)
    ranked = sorted(((row, *value) for row, value in found.items()), key=lambda m: -m[1])
    return [match for match in ranked if match[1] >= copies.COPY_THRESHOLD][:limit]


def _matches(conn, index, probe, *, viewer_id, exclude_artist=None, include_private=False, limit=50):
    """[(row, artwork_id, score, evidence)] best first."""
    visible = index.alive if include_private else index.visible(viewer_id)
    allowed = visible & (index.artist != index.artist_codes.get(exclude_artist, -2))
    return [(row, index.ids[row].decode(), score, evidence)
            for row, score, evidence in find_copies(index, probe, allowed, partial(artworks.keypoints_of, conn),
                                                    limit=limit)]


def image_search(conn: sqlite3.Connection, database: str, probe: Probe, *, viewer_id: str | None = None,
                 limit: int = 20) -> tuple[list[tuple[str, float, dict]], list[tuple[str, float]]]:
    """(duplicates, similar): [(artwork_id, score, evidence)] above the copy threshold, and
    [(artwork_id, similarity)] ranked by visual similarity, the duplicates left out."""
    conn.execute("BEGIN")
    try:
        index = refreshed(conn, database)
        with index.lock:
            found = _matches(conn, index, probe, viewer_id=viewer_id, limit=limit)
            allowed = index.visible(viewer_id)
            allowed[[row for row, *_ in found]] = False
            rows, similarity = index.similar(probe.colour, probe.full_dct[:2], allowed=allowed, limit=limit)
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
            return [match[1:] for match in _matches(conn, index, probe, viewer_id=artist_id, exclude_artist=artist_id,
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
        return [match[1:] for match in _matches(conn, index, probe, viewer_id=None, include_private=True,
                                                exclude_artist=uploader_id, limit=limit)]
