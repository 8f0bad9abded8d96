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
