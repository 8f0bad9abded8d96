"""Conversations at a million messages: the inbox and a page of messages, through the store and
through the app, beside plain OFFSET paging.

Prints figures; asserts nothing. Run with `make bench` (or `python -m bench.messages`).
- the data: ACCOUNTS accounts in CONVERSATIONS two-person conversations holding MESSAGES
  messages; one reader is in INBOX of them, one of which holds LONG messages; a few hundred
  blocks, so the "hidden from you" filter has rows to look at. Bulk-loaded, then the members'
  counters set as the messages trigger would have;
- GET /api/conversations (the reader's first inbox page, 20 with unread counts and last messages)
  and GET /api/conversations/<id> (50 messages: the newest page and one deep in the long thread),
  as full requests through the in-process client, and the store calls beneath them;
- the peer: the same deep page read by plain LIMIT/OFFSET, which SQLite walks row by row; the
  ratio is ours over the peer's, in the same run;
- writes: messages posted per second through conversations.post (trigger, notification).
BENCH_MESSAGES, BENCH_CONVERSATIONS, BENCH_ACCOUNTS and BENCH_SAMPLES change the sizes.
"""

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import store  # noqa: E402
from app import create_app  # noqa: E402
from bench import percentile, timed  # noqa: E402
from store import conversations  # noqa: E402

MESSAGES = int(os.environ.get("BENCH_MESSAGES", "1000000"))
CONVERSATIONS = int(os.environ.get("BENCH_CONVERSATIONS", "100000"))
ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "10000"))
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "300"))
INBOX = 2000
LONG = MESSAGES // 10
PAGE = 50
PASSWORD = "bench password 1"
TRIGGER = "messages_insert"


def make_app(folder):
    return create_app({"DATA_DIR": folder, "RATELIMIT_ENABLED": False, "LOG_LEVEL": "WARNING",
                       "PASSWORD_HASH_METHOD": "scrypt:1024:8:1"})


def _stamp(second):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(1_700_000_000 + second)) + ".000Z"


def _pairs(rng, reader_id, account_ids):
    """(conversation id, two members): the reader is in the first INBOX, everyone else at random."""
    for number in range(CONVERSATIONS):
        first = reader_id if number < INBOX else rng.choice(account_ids)
        second = rng.choice(account_ids)
        while second == first:
            second = rng.choice(account_ids)
        yield f"c{number:07d}", first, second


def populate(conn, reader_id, rng):
    account_ids = [f"a{n:06d}" for n in range(ACCOUNTS)]
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO artists (id, username, email, password_hash, artist_name) VALUES (?, ?, ?, 'x', ?)",
                     [(a, f"user_{a}", f"{a}@example.com", a) for a in account_ids])
    pairs = list(_pairs(rng, reader_id, account_ids))
    conn.executemany("INSERT INTO conversations (id, started_by, created_at) VALUES (?, ?, ?)",
                     [(cid, first, _stamp(0)) for cid, first, _ in pairs])
    conn.executemany("INSERT INTO conversation_members (conversation_id, account_id, last_activity_at, joined_at) "
                     "VALUES (?, ?, ?, ?)", [(cid, m, _stamp(0), _stamp(0)) for cid, a, b in pairs for m in (a, b)])
    conn.executemany("INSERT OR IGNORE INTO blocks (blocker_id, blocked_id) VALUES (?, ?)",
                     [(rng.choice(account_ids), rng.choice(account_ids)) for _ in range(500)])
    conn.execute("DELETE FROM blocks WHERE blocker_id = blocked_id")
    # Bulk load without the per-message trigger, then set what it keeps in one pass each.
    conn.execute(f"DROP TRIGGER {TRIGGER}")
    long_id = pairs[0][0]

    def rows():
        for n in range(MESSAGES):
            cid, first, second = pairs[0] if n < LONG else pairs[rng.randrange(CONVERSATIONS)]
            yield cid, first if n % 2 else second, f"message number {n}", _stamp(n)
    conn.executemany("INSERT INTO messages (conversation_id, author_id, body, created_at) VALUES (?, ?, ?, ?)",
                     rows())
    conn.execute("UPDATE conversations SET message_count = (SELECT count(*) FROM messages m "
                 "WHERE m.conversation_id = conversations.id), last_message_at = (SELECT max(created_at) "
                 "FROM messages m WHERE m.conversation_id = conversations.id)")
    conn.execute("UPDATE conversation_members SET last_activity_at = coalesce((SELECT last_message_at FROM "
                 "conversations c WHERE c.id = conversation_id), joined_at), unread_count = (SELECT count(*) "
                 "FROM messages m WHERE m.conversation_id = conversation_members.conversation_id "
                 "AND m.author_id IS NOT conversation_members.account_id)")
    conn.execute("COMMIT")
    trigger = next(sql for sql in store.split_statements(store.SCHEMA_PATH.read_text()) if TRIGGER in sql
                   and sql.lstrip().upper().startswith("CREATE TRIGGER"))
    conn.execute(trigger)
    conn.execute("ANALYZE")
    return long_id


def _line(label, samples):
    print(f"{label:<58} median {statistics.median(samples):7.2f} ms   p99 {percentile(samples, 0.99):7.2f} ms")


def main():
    rng = random.Random(23)
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(folder)
        client = app.test_client()
        reader = client.post("/api/auth/register", json={"username": "reader", "email": "reader@example.com",
                                                         "password": PASSWORD, "artist_name": "Reader"})
        reader_id = reader.get_json()["user"]["id"]
        conn = store.connect(app.config["DATABASE"])
        started = time.perf_counter()
        long_id = populate(conn, reader_id, rng)
        print(f"loaded {MESSAGES:,} messages in {CONVERSATIONS:,} conversations of {ACCOUNTS:,} accounts "
              f"in {time.perf_counter() - started:.1f} s; the reader is in {INBOX:,}, one of {LONG:,} messages")
        measure(conn, client, reader_id, long_id)


def measure(conn, client, reader_id, long_id):
    ids = [row[0] for row in conn.execute("SELECT id FROM messages WHERE conversation_id = ? ORDER BY id",
                                          (long_id,))]
    deep = ids[len(ids) // 2]
    conn.execute("BEGIN")  # one read snapshot, as a request has
    try:
        _line("store inbox: first page of 20", timed(lambda: conversations.inbox(conn, reader_id), SAMPLES))
        _line(f"store messages: newest {PAGE}", timed(
            lambda: conversations.messages_page(conn, long_id, reader_id, limit=PAGE), SAMPLES))
        ours = timed(lambda: conversations.messages_page(conn, long_id, reader_id, before=deep, limit=PAGE), SAMPLES)
        _line(f"store messages: {PAGE} from the middle (keyset)", ours)
        offset = len(ids) - 1 - ids.index(deep)
        plain = timed(lambda: conn.execute(
            "SELECT * FROM messages WHERE conversation_id = ? ORDER BY id DESC LIMIT ? OFFSET ?",
            (long_id, PAGE, offset)).fetchall(), max(20, SAMPLES // 10))
        _line(f"peer: the same page by LIMIT/OFFSET {offset:,}", plain)
        print(f"keyset / OFFSET median ratio: {statistics.median(ours) / statistics.median(plain):.3f}")
    finally:
        conn.execute("COMMIT")
    _line("GET /api/conversations (full request)", timed(lambda: client.get("/api/conversations"), SAMPLES))
    _line(f"GET /api/conversations/<id>?limit={PAGE} (full request)",
          timed(lambda: client.get(f"/api/conversations/{long_id}?limit={PAGE}"), SAMPLES))
    _line("GET /api/conversations/<id>?before=<middle> (full request)",
          timed(lambda: client.get(f"/api/conversations/{long_id}?limit={PAGE}&before={deep}"), SAMPLES))
    tag = client.get("/api/conversations").headers["ETag"]
    _line("GET /api/conversations with If-None-Match (304)",
          timed(lambda: client.get("/api/conversations", headers={"If-None-Match": tag}), SAMPLES))
    writes = timed(lambda: conversations.post(conn, long_id, reader_id, body="a new message"), SAMPLES)
    print(f"conversations.post: {1000 / statistics.median(writes):,.0f} messages/s (median "
          f"{statistics.median(writes):.2f} ms, p99 {percentile(writes, 0.99):.2f} ms)")


if __name__ == "__main__":
    main()
