"""SQLite access: connections, transactions, schema creation and migrations.

Everything here takes a path or an open connection; nothing knows about HTTP.
"""

import contextlib
import logging
import os
import re
import sqlite3
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SCHEMA_PATH = PACKAGE_DIR / "schema.sql"
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"

log = logging.getLogger("easel")

# How long a writer waits for another writer's lock before SQLITE_BUSY.
BUSY_TIMEOUT_MS = 5000
MMAP_BYTES = 1 << 31


class SchemaTooNew(RuntimeError):
    """The database was written by a newer Easel than this one."""


ROWID_MAX = 2 ** 63 - 1


def is_rowid(value) -> bool:
    """Whether `value` fits SQLite's 64-bit INTEGER (and so can be a rowid): SQLite refuses Python
    ints past that with OverflowError, so such an id names no row rather than being an error."""
    return isinstance(value, int) and not isinstance(value, bool) and -ROWID_MAX - 1 <= value <= ROWID_MAX

def utc_now(offset: timedelta = timedelta(0)) -> str:
    """The current time (plus `offset`) in the schema's timestamp format."""
    return (datetime.now(UTC) + offset).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def utc_today() -> str:
    """Today's date in UTC, 'YYYY-MM-DD': the calendar that deadlines and exhibition dates use."""
    return datetime.now(UTC).date().isoformat()


def escape_like(text: str) -> str:
    """`text` with LIKE's wildcards escaped, for `LIKE ... ESCAPE '\\'` (a typed % or _ is literal)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def change_log_bounds(conn, table):
    """(oldest, newest) seq of a change log table (search_changes, image_changes); 0 when empty.

    Two statements: SQLite answers a lone max() or min() from the end of the index, but scans the
    whole log for both in one SELECT.
    """
    newest = conn.execute(f"SELECT max(seq) FROM {table}").fetchone()[0] or 0
    oldest = conn.execute(f"SELECT min(seq) FROM {table}").fetchone()[0] or 0
    return oldest, newest


def changed_since(conn, table, column, after, upto):
    """The distinct `column` values a change log recorded after seq `after`, up to `upto`."""
    return [row[0] for row in conn.execute(
        f"SELECT DISTINCT {column} FROM {table} WHERE seq > ? AND seq <= ?", (after, upto))]


def new_id() -> str:
    return str(uuid.uuid4())


def connect(path: str | Path, *, check_same_thread: bool = True) -> sqlite3.Connection:
    """A connection for one unit of work (a command, a background job; requests borrow theirs
    from a ConnectionPool).

    Autocommit mode (isolation_level=None) so that transactions are explicit: see transaction().
    """
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                           check_same_thread=check_same_thread)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # Safe with WAL: a power cut can lose the last commits but never corrupts the file.
    conn.execute("PRAGMA synchronous = NORMAL")
    # Reads map the file instead of copying each page into the connection's cache: a feed page
    # touches a few hundred scattered pages, and this took its median from ~12 to ~11 ms at
    # 100,000 works. SQLite caps the size at its build's limit (2 GiB by default); pages past
    # it, and those still in the WAL, are read as before.
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    return conn


class ConnectionPool:
    """Idle connections to one database, lent to one request at a time.

    Opening a connection costs about a millisecond, nearly all of it SQLite parsing the schema
    (tables, triggers, FTS5 tables) at the first statement: more than a cached page serves in.
    A connection comes back with any transaction a failed request left open rolled back; one
    that cannot, or that was opened by a parent process before a fork, is closed instead.

    Lent connections never checkpoint the WAL themselves. SQLite would do it in whichever commit
    takes the log past 1,000 pages: copying them into the database and syncing it, about 10 ms
    added to that one request. A background thread checkpoints every pool each second instead.
    """

    def __init__(self, path, keep=8):
        self.path, self.keep = path, keep
        self._idle = []
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._lent = False    # since the last checkpoint
        _pools.add(self)

    def take(self):
        with self._lock:
            self._forget_parents()
            self._lent = True
            if self._idle:
                return self._idle.pop()
        _start_checkpointer()
        # Lent to whichever thread serves the request, one at a time.
        conn = connect(self.path, check_same_thread=False)
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        return conn

    def give_back(self, conn):
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        except sqlite3.Error:
            conn.close()
            return
        with self._lock:
            if os.getpid() == self._pid and len(self._idle) < self.keep:
                self._idle.append(conn)
                return
        conn.close()

    def checkpoint(self):
        """Copy the WAL into the database without waiting for anyone (PASSIVE), on an idle
        connection; skipped when nothing was lent since the last one or none is idle."""
        with self._lock:
            self._forget_parents()
            if not (self._lent and self._idle):
                return
            conn, self._lent = self._idle.pop(), False
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as error:
            log.warning("WAL checkpoint of %s failed: %s", self.path, error)
        self.give_back(conn)

    def _forget_parents(self):
        # A forked worker must not share its parent's connections; dropping them (not closing:
        # the parent still owns the file locks) is what SQLite asks for.
        if os.getpid() != self._pid:
            self._idle, self._pid = [], os.getpid()


CHECKPOINT_SECONDS = 1.0
_pools: weakref.WeakSet[ConnectionPool] = weakref.WeakSet()
_checkpointer_pid = None
_checkpointer_lock = threading.Lock()


def _start_checkpointer():
    """One checkpoint thread per process (a forked worker starts its own), for every pool."""
    global _checkpointer_pid
    with _checkpointer_lock:
        if _checkpointer_pid == os.getpid():
            return
        _checkpointer_pid = os.getpid()
        threading.Thread(target=_checkpoint_forever, name="wal-checkpoint", daemon=True).start()


def _checkpoint_forever():
    while True:
        time.sleep(CHECKPOINT_SECONDS)
        try:
            for pool in list(_pools):
                pool.checkpoint()
        except Exception:   # the thread must outlive any one failure; the next round tries again
            log.exception("WAL checkpoint round failed")


class _Pending:
    """What waits on one write transaction: callbacks for after COMMIT and after ROLLBACK."""

    def __init__(self):
        self.after_commit, self.after_rollback = [], []


# Keyed by id(conn): sqlite3 connections take neither attributes nor weak references. An entry
# lives exactly as long as its transaction, so an id is never reused while it is here.
_pending: dict[int, _Pending] = {}


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction that takes the write lock up front.

    A deferred transaction that reads and then writes fails at once with SQLITE_BUSY when
    another writer got in between, whatever the busy timeout; BEGIN IMMEDIATE waits instead.

    Process-wide state (in-memory indexes, caches) must change only once the write is durable:
    register that work with after_commit(), and undo work outside the database (files written)
    with after_rollback(). A failed COMMIT counts as a rollback.
    """
    conn.execute("BEGIN IMMEDIATE")
    pending = _pending[id(conn)] = _Pending()
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        _pending.pop(id(conn), None)
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        _run_hooks(pending.after_rollback, "after rollback")
        raise
    _pending.pop(id(conn), None)
    _run_hooks(pending.after_commit, "after commit")


def _run_hooks(hooks, when):
    # The write has ended either way; one failing hook must neither undo it nor stop the others.
    for hook in hooks:
        try:
            hook()
        except Exception:
            log.exception("a callback %s failed", when)


def in_write(conn: sqlite3.Connection) -> bool:
    """Whether `conn` holds a write transaction opened by transaction()."""
    return id(conn) in _pending


def after_commit(conn: sqlite3.Connection, callback: Callable[[], object]) -> None:
    """Run `callback()` once the current write on `conn` has committed; never if it rolls back.
    Outside a write there is nothing to wait for, so it runs at once."""
    pending = _pending.get(id(conn))
    if pending is None:
        callback()
    else:
        pending.after_commit.append(callback)


def after_rollback(conn: sqlite3.Connection, callback: Callable[[], object]) -> None:
    """Run `callback()` if the current write on `conn` rolls back (or its COMMIT fails)."""
    pending = _pending.get(id(conn))
    if pending is None:
        raise RuntimeError("after_rollback() needs a write transaction")
    pending.after_rollback.append(callback)


class WriteInProgress(RuntimeError):
    """A process-wide index was asked to read inside a write transaction."""


def require_read_snapshot(conn: sqlite3.Connection) -> None:
    """Refuse to feed a process-wide index from inside a write: what it read could still roll
    back, and the change-log sequence numbers it took would then be handed out again."""
    if in_write(conn):
        raise WriteInProgress("process-wide indexes refresh outside write transactions only")


@contextlib.contextmanager
def durable_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """transaction(), on disk when COMMIT returns: for money and agreements (commissions).

    Connections run WAL with synchronous=NORMAL, where a power cut may lose the last commits;
    FULL syncs the log at every commit. SQLite refuses to change the level inside a transaction,
    so it is raised around this one and lowered again after.
    """
    conn.execute("PRAGMA synchronous = FULL")
    try:
        with transaction(conn):
            yield conn
    finally:
        conn.execute("PRAGMA synchronous = NORMAL")


def split_statements(sql):
    """Split an SQL script into statements, keeping trigger bodies whole.

    Needed because Connection.executescript() commits any open transaction first, so a script
    could not run inside the BEGIN IMMEDIATE that makes migrations safe between processes.
    """
    statements, pending = [], ""
    for line in sql.splitlines(keepends=True):
        between_statements = not pending.strip()
        if between_statements and (not line.strip() or line.lstrip().startswith("--")):
            continue
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                statements.append(pending.strip())
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement at the end of the script: {pending.strip()[:80]!r}")
    return statements


_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def load_migrations(directory=MIGRATIONS_DIR):
    """[(version, sql)] from files named NNNN_description.sql, where NNNN is the version they produce."""
    found = []
    for path in sorted(Path(directory).glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise ValueError(f"migration file name must look like 0002_add_things.sql: {path.name}")
        found.append((int(match.group(1)), path.read_text(encoding="utf-8")))
    versions = [version for version, _ in found]
    if len(set(versions)) != len(versions) or any(v < 2 for v in versions):
        raise ValueError(f"migration versions must be unique and start at 2: {versions}")
    return found


def schema_version(migrations):
    """Version 1 is the first release of schema.sql; each migration moves one version on."""
    return max([1] + [version for version, _ in migrations])


def _run(conn, sql):
    for statement in split_statements(sql):
        conn.execute(statement)


def migrate(conn, migrations=None, schema_sql=None):
    """Create the schema in an empty database, or apply the migrations it has not seen.

    Runs in one BEGIN IMMEDIATE transaction, so several server processes starting at once
    neither apply a step twice nor see a half-built schema. Returns the version reached.
    """
    migrations = load_migrations() if migrations is None else migrations
    target = schema_version(migrations)
    with transaction(conn):
        current = conn.execute("PRAGMA user_version").fetchone()[0]
        if current > target:
            raise SchemaTooNew(f"database schema is version {current}; this code knows up to {target}")
        if current == 0:
            _run(conn, SCHEMA_PATH.read_text(encoding="utf-8") if schema_sql is None else schema_sql)
        else:
            for version, sql in sorted(migrations):
                if version > current:
                    _run(conn, sql)
        conn.execute(f"PRAGMA user_version = {int(target)}")
    return target


def initialise(path: str | Path) -> int:
    """Make sure the database file exists, is in WAL mode and has the current schema."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = connect(path)
    try:
        # WAL lets readers carry on while one writer commits; the mode persists in the file.
        conn.execute("PRAGMA journal_mode = WAL")
        return migrate(conn)
    finally:
        conn.close()
