"""Recommendation engines: the personalised feed (and, later, featured and trending scores).

No Flask here: functions take an open SQLite connection or plain data.
"""

from recommend.feed import MODES, FeedPage, InvalidCursor, feed

__all__ = ["MODES", "FeedPage", "InvalidCursor", "feed"]
