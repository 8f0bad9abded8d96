"""Faults that are not our bugs get a clear answer, not a 500, and lose nothing: the database locked
by another process past the busy timeout (503 + Retry-After), and a full disk under the media and the
database (507), from which the server recovers by itself once space is freed.

The faults are real: a second process holds SQLite's write lock, and the data folder sits on a small
tmpfs that is filled up (the disk tests need root to mount it, and skip without).
"""

import errno
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

import store
from tests.conftest import assert_problem, encoded, painting, upload, upload_ok

HOLD_THE_WRITE_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE artists SET bio = 'kept from the other process' WHERE id = ?", (sys.argv[2],))
print("locked", flush=True)
sys.stdin.readline()
conn.execute("COMMIT")
"""


def test_a_database_locked_past_the_busy_timeout_is_503_with_retry_after_and_loses_nothing(app, artist, db):
    client, user = artist
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_WRITE_LOCK, app.config["DATABASE"], user["id"]],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert client.get("/api/galleries?artist_id=" + user["id"]).status_code == 200  # reads go on (WAL)
        refused = client.post("/api/galleries", json={"name": "While locked"})
        body = assert_problem(refused, 503)
        assert refused.headers["Retry-After"] == "2" and "busy" in body["detail"]
    finally:
        holder.communicate("done\n", timeout=30)
    assert holder.returncode == 0
    assert db.execute("SELECT count(*) FROM galleries").fetchone()[0] == 0
    assert client.post("/api/galleries", json={"name": "After"}).status_code == 201
    assert db.execute("SELECT bio FROM artists WHERE id = ?", (user["id"],)).fetchone()[0] == \
        "kept from the other process"
    assert store.BUSY_TIMEOUT_MS >= 1000  # the 503 came after waiting, not at the first contention


def test_an_attachment_refused_by_a_locked_database_leaves_no_file_behind(app, signed_in, db):
    (ada, ada_user), (_, bob_user) = signed_in(), signed_in()
    started = ada.post("/api/conversations", json={"participants": [bob_user["id"]], "message": "hi"}).get_json()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_WRITE_LOCK, app.config["DATABASE"], ada_user["id"]],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        refused = ada.post(f"/api/conversations/{started['id']}/attachments",
                           data={"image_file": (io.BytesIO(encoded(painting(8))), "a.jpg")},
                           content_type="multipart/form-data")
        assert_problem(refused, 503)
    finally:
        holder.communicate("done\n", timeout=30)
    assert list((Path(app.config["MEDIA_DIR"]) / "attachments").rglob("*.*")) == []
    assert db.execute("SELECT count(*) FROM messages").fetchone()[0] == 1


@pytest.fixture
def small_disk(tmp_path):
    """A 24 MiB tmpfs, unmounted after the test (lazily: the app may still hold its files open)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs for the disk-full tests needs root")
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount_point)],
                             capture_output=True, text=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=True)


def fill(folder):
    """Write a ballast file until the disk is full; returns its path."""
    ballast = folder / "ballast"
    chunk = os.urandom(1 << 16)
    with open(ballast, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(chunk)
                handle.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC
    # Smaller writes can still find a few bytes; take those too.
    with open(folder / "ballast-crumbs", "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"x" * 512)
                handle.flush()
        except OSError:
            pass
    return ballast


def media_files(app):
    return sorted(str(path) for path in Path(app.config["MEDIA_DIR"]).rglob("*") if path.is_file())


def intact(app):
    conn = sqlite3.connect(app.config["DATABASE"])
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_a_full_disk_is_507_leaves_no_half_files_and_recovers_when_space_is_freed(make_app, small_disk, db):
    app = make_app(DATA_DIR=str(small_disk / "data"))
    client = app.test_client()
    client.post("/api/auth/register", json={"username": "fuller", "email": "fuller@example.com",
                                            "password": "a full disk", "artist_name": "Full"})
    first = upload_ok(client, encoded(painting(900, size=(1600, 1200))))
    files_before = media_files(app)
    fill(small_disk)

    refused = upload(client, (encoded(painting(901, size=(1600, 1200))), "second.jpg"))
    body = assert_problem(refused, 507)
    assert "no room" in body["detail"]
    assert media_files(app) == files_before   # nothing half-written is left behind
    statuses = []
    for n in range(400):  # database writes go on until SQLite itself meets the full disk
        answer = client.post("/api/galleries", json={"name": f"Gallery {n}", "description": "x" * 1000})
        statuses.append(answer.status_code)
        if answer.status_code != 201:
            assert_problem(answer, answer.status_code)
            break
    assert statuses[-1] == 507 and set(statuses[:-1]) <= {201}, statuses[-5:]
    assert client.get(f"/api/artworks/{first['id']}").status_code == 200   # reads still answer
    anonymous = app.test_client()  # its view is counted, in a database with no room: the image comes all the same
    rendition = anonymous.get(f"/api/artworks/{first['id']}/image?size=large&format=png")
    assert rendition.status_code == 200 and rendition.data.startswith(b"\x89PNG"), rendition.get_data()[:300]
    assert media_files(app) == files_before   # served without being kept
    assert intact(app)

    for path in small_disk.glob("ballast*"):
        path.unlink()
    again = upload_ok(client, encoded(painting(901, size=(1600, 1200))))
    assert client.post("/api/galleries", json={"name": f"After {uuid.uuid4()}"}).status_code == 201
    assert client.get(f"/api/artworks/{again['id']}/image").status_code == 200
    conn = sqlite3.connect(app.config["DATABASE"])
    try:
        assert conn.execute("SELECT count(*) FROM galleries").fetchone()[0] == statuses.count(201) + 1
        assert conn.execute("SELECT count(*) FROM artworks").fetchone()[0] == 2
    finally:
        conn.close()
    assert intact(app)
