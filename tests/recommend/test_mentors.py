"""Mentor matching: specialty overlap, colour likeness of the works, availability, and the reason."""

import numpy as np

import store
from recommend import mentors
from tests.conftest import add_artwork, insert


def _colour(values):
    vector = np.asarray(values, dtype="<f4")
    return (vector / np.linalg.norm(vector)).astype("<f4").tobytes()


def _work(conn, artist_id, colour, medium="oil"):
    artwork_id = add_artwork(conn, artist_id, medium=medium)
    insert(conn, "image_fingerprints", {"artwork_id": artwork_id, "full_dct": 0, "full_gradient": 0,
                                        "centre_dct": 0, "centre_gradient": 0, "colour": _colour(colour)})


def profile(artist_id, specialties, open_slots, capacity=3):
    return {"artist_id": artist_id, "specialties": specialties, "mediums": [], "open_slots": open_slots,
            "capacity": capacity}


def test_a_mentor_alike_in_subject_and_colour_ranks_first_with_its_reason(tmp_path):
    conn = store.connect(tmp_path / "easel.sqlite3")
    store.migrate(conn)
    for person in ("mentee", "alike", "apart"):
        insert(conn, "artists", {"id": person, "username": person, "email": f"{person}@example.com",
                                 "password_hash": "x", "artist_name": person.title(),
                                 "specialties": '["landscape"]' if person == "mentee" else "[]"})
    _work(conn, "mentee", [1, 0.1, 0])
    _work(conn, "alike", [0.9, 0.2, 0])
    _work(conn, "apart", [0, 0, 1], medium="ink")
    ranked = mentors.rank(conn, "mentee", [profile("apart", ["manga"], 3), profile("alike", ["landscape"], 1)])
    assert [m.artist_id for m in ranked] == ["alike", "apart"]
    best = ranked[0]
    assert best.shared == ["landscape"] and best.similarity > 0.95 and ranked[1].similarity == 0.0
    assert best.reason == ("Shares your interest in landscape; their work looks like yours (similarity "
                           f"{best.similarity:.2f}); 1 of 3 slots open.")
    conn.close()
