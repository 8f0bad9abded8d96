"""Recommendation engines: featured works and rising artists, trending, the personal feed, and
their offline evaluation and simulation.

No Flask here: functions take an open SQLite connection (and the database path, which names the
process's in-memory indexes) or plain data.
"""

from recommend.feed import MODES, ExpiredCursor, FeedPage, InvalidCursor, feed

__all__ = ["MODES", "ExpiredCursor", "FeedPage", "InvalidCursor", "feed"]
