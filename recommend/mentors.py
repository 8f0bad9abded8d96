"""Mentor matching: mentors ranked for one mentee, each with the reason.

    score = 0.45 x specialty overlap + 0.35 x work similarity + 0.20 x availability

- specialty overlap: Jaccard of the mentor's specialties and mediums against the mentee's
  specialties and the mediums and categories of the mentee's works (lower-cased);
- work similarity: cosine of the mean colour vectors (the similar-art index's, from
  image_fingerprints) of the mentor's public works and the mentee's works, 0 when either has
  none;
- availability: the share of the mentor's capacity still open (0 when not accepting or full).
"""

import sqlite3
from dataclasses import dataclass

import numpy as np

WEIGHTS = {"specialty": 0.45, "similarity": 0.35, "availability": 0.20}
WORKS_PER_ARTIST = 200


@dataclass(frozen=True)
class Match:
    artist_id: str
    score: float
    specialty: float
    similarity: float
    availability: float
    shared: list[str]
    reason: str


def _mentee_interests(conn, mentee_id):
    words = {row[0].strip().lower() for row in conn.execute(
        "SELECT j.value FROM artists a, json_each(a.specialties) j WHERE a.id = ?", (mentee_id,))}
    for medium, category in conn.execute(
            "SELECT a.medium, c.name FROM artworks a LEFT JOIN categories c ON c.id = a.category_id "
            "WHERE a.artist_id = ? ORDER BY a.created_at DESC LIMIT ?", (mentee_id, WORKS_PER_ARTIST)):
        words.update(w.strip().lower() for w in (medium, category) if w and w.strip())
    return words


def _centroid(conn, artist_id, *, public_only):
    privacy = "AND a.availability_status <> 'private'" if public_only else ""
    blobs = [row[0] for row in conn.execute(
        f"SELECT f.colour FROM image_fingerprints f JOIN artworks a ON a.id = f.artwork_id WHERE a.artist_id = ? "
        f"{privacy} ORDER BY a.created_at DESC LIMIT ?", (artist_id, WORKS_PER_ARTIST))]
    if not blobs:
        return None
    mean = np.mean([np.frombuffer(blob, dtype="<f4") for blob in blobs], axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm else None


def _reason(shared, similarity, profile):
    parts = []
    if shared:
        parts.append("shares your interest in " + ", ".join(shared[:3]))
    if similarity >= 0.5:
        parts.append(f"their work looks like yours (similarity {similarity:.2f})")
    parts.append(f"{profile['open_slots']} of {profile['capacity']} slots open" if profile["open_slots"]
                 else "no open slots at the moment")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def rank(conn: sqlite3.Connection, mentee_id: str, profiles: list[dict]) -> list[Match]:
    """The mentor profiles (store.mentorships rows) ranked for the mentee, best first."""
    interests = _mentee_interests(conn, mentee_id)
    mine = _centroid(conn, mentee_id, public_only=False)
    matches = []
    for profile in profiles:
        offered = {w.lower() for w in profile["specialties"] + profile["mediums"]}
        union = offered | interests
        specialty = len(offered & interests) / len(union) if union else 0.0
        theirs = _centroid(conn, profile["artist_id"], public_only=True)
        similarity = max(0.0, float(mine @ theirs)) if mine is not None and theirs is not None else 0.0
        availability = profile["open_slots"] / profile["capacity"] if profile["capacity"] else 0.0
        score = (WEIGHTS["specialty"] * specialty + WEIGHTS["similarity"] * similarity
                 + WEIGHTS["availability"] * availability)
        shared = sorted(offered & interests)
        matches.append(Match(profile["artist_id"], round(score, 4), round(specialty, 4), round(similarity, 4),
                             round(availability, 4), shared, _reason(shared, similarity, profile)))
    return sorted(matches, key=lambda m: (-m.score, m.artist_id))
