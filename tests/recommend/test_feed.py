"""Feed cursors: opaque to clients, checked when they come back."""

import pytest

from recommend import InvalidCursor
from recommend.feed import decode_cursor, encode_cursor


def test_a_cursor_round_trips_without_padding_or_unsafe_characters():
    position = {"p": 3, "t": "2026-01-01T10:00:00.000Z", "i": "0f8c4e9a-2b1d-4c55-9a7e-1f2e3d4c5b6a"}
    cursor = encode_cursor(position)
    assert "=" not in cursor and "+" not in cursor and "/" not in cursor
    assert decode_cursor(cursor, {"p": int, "t": str, "i": str}) == position


@pytest.mark.parametrize("cursor", [
    "", "!!!", encode_cursor({"p": 1}), encode_cursor([1, "t", "i"]),
    encode_cursor({"p": "1", "t": "t", "i": "i"}), encode_cursor({"p": 0, "t": "t", "i": "i"}),
    encode_cursor({"p": True, "t": "t", "i": "i"}), encode_cursor({"p": 1, "t": "t" * 65, "i": "i"}),
    encode_cursor({"p": 1, "t": "t", "i": None}),
])
def test_anything_else_is_an_invalid_cursor(cursor):
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, {"p": int, "t": str, "i": str})


def test_a_stale_feed_model_is_rebuilt_in_the_background(app, db):
    import time

    import store
    from recommend import model
    from tests.conftest import add_artwork, insert

    reader = insert(db, "artists", {"id": store.new_id(), "username": "reader", "email": "r@example.com",
                                    "password_hash": "!", "artist_name": "Reader"})
    work = add_artwork(db, reader)
    conn = store.connect(app.config["DATABASE"])
    try:
        first = model.model_for(conn, app.config["DATABASE"], 10, max_age=0)
        assert first.likes.nnz == 0
        db.execute("INSERT INTO artwork_likes (artwork_id, user_id) VALUES (?, ?)", (work, reader))
        assert model.model_for(conn, app.config["DATABASE"], 10, max_age=0) is first   # served at once
        for _ in range(200):
            current = model.model_for(conn, app.config["DATABASE"], 10, max_age=3600)
            if current is not first:
                break
            time.sleep(0.01)
        assert current is not first and current.likes.nnz == 1
    finally:
        conn.close()
        model.forget(app.config["DATABASE"])
