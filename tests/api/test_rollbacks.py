"""Side effects only after COMMIT: a write that rolls back leaves no trace in the process-wide
image index, so copy detection keeps working on the works uploaded after it.

Each fault is real: a folder where a file must go, or a trigger that refuses a row. Before the
upload pipeline moved out of the write, a rolled-back upload left its row in the index, whose
change-log sequence number the next upload was handed again; that next upload then went unseen
by copy detection, and a copy of the rolled-back image answered 500.
"""

import hashlib
import io
import shutil
from pathlib import Path

import pytest

from store.media import MediaStore
from tests.conftest import assert_problem, encoded, painting, upload, upload_ok


def originals(app, data):
    return Path(app.config["MEDIA_DIR"]) / MediaStore("").original(hashlib.sha256(data).hexdigest(), "jpg")


def block(path):
    """Put a non-empty folder where a file must be written or removed: both then fail with OSError."""
    path.unlink(missing_ok=True)
    path.mkdir(parents=True)
    (path / "in-the-way").write_text("x")


def unblock(path, data=None):
    """The fault goes away (a disk freed, a mount back), with the file as it was where there was one."""
    shutil.rmtree(path)
    if data is not None:
        path.write_bytes(data)


def copies_of(client, data):
    response = upload(client, (data, "copy.jpg"))
    assert response.status_code == 201, response.get_json()
    return [entry["artwork"]["id"] for entry in response.get_json()["possible_copy_of"]]


@pytest.fixture
def painters(signed_in):
    (first, _), (second, _) = signed_in(), signed_in()
    upload_ok(first, encoded(painting(300)))   # the image index is loaded and in use before the fault
    return first, second


def test_after_a_rolled_back_upload_the_next_upload_is_found_as_a_copy(app, db, painters):
    painter, copier = painters
    failed = encoded(painting(301))
    block(originals(app, failed))
    assert_problem(upload(painter, (failed, "harbour.jpg")), 503)
    assert db.execute("SELECT count(*) FROM artworks").fetchone()[0] == 1
    unblock(originals(app, failed))

    # An exact copy of the image that was never stored is no copy of anything (it was a 500).
    assert copies_of(copier, failed) == []
    following = upload_ok(painter, encoded(painting(302)))
    assert copies_of(copier, encoded(painting(302))) == [following["id"]]
    assert painter.get("/api/copyright/alerts").get_json()["total"] == 1


def test_after_a_rolled_back_delete_the_work_is_still_guarded(app, db, painters):
    painter, copier = painters
    data = encoded(painting(310))
    kept = upload_ok(painter, data)
    block(originals(app, data))
    assert_problem(painter.delete(f"/api/artworks/{kept['id']}"), 503)
    assert painter.get(f"/api/artworks/{kept['id']}").status_code == 200
    unblock(originals(app, data), data)

    assert copies_of(copier, data) == [kept["id"]]
    following = upload_ok(painter, encoded(painting(311)))
    assert copies_of(copier, encoded(painting(311))) == [following["id"]]


def test_after_a_rolled_back_privacy_change_the_work_stays_hidden_and_guarded(app, db, painters, client):
    painter, copier = painters
    original = upload_ok(painter, encoded(painting(320)))
    hidden = upload_ok(copier, encoded(painting(320)), availability_status="private")
    db.execute("CREATE TRIGGER refuse_alerts BEFORE INSERT ON copy_alerts BEGIN SELECT RAISE(ABORT, 'injected'); END")
    response = copier.put(f"/api/artworks/{hidden['id']}", json={"availability_status": "available"})
    assert response.status_code >= 500 and response.mimetype == "application/problem+json"
    db.execute("DROP TRIGGER refuse_alerts")

    status = db.execute("SELECT availability_status FROM artworks WHERE id = ?", (hidden["id"],)).fetchone()[0]
    assert status == "private"
    probe = {"image_file": [(io.BytesIO(encoded(painting(320))), "probe.jpg")]}
    found = client.post("/api/search/image", data=probe, content_type="multipart/form-data").get_json()
    assert [entry["artwork"]["id"] for entry in found["duplicates"]] == [original["id"]]   # not the private copy
    following = upload_ok(painter, encoded(painting(321)))
    assert copies_of(copier, encoded(painting(321))) == [following["id"]]

    shown = copier.put(f"/api/artworks/{hidden['id']}", json={"availability_status": "available"})
    assert shown.status_code == 200
    alerts = painter.get("/api/copyright/alerts").get_json()["items"]
    assert [alert["original"]["id"] for alert in alerts if alert["copy"]["id"] == hidden["id"]] == [original["id"]]
    assert len(alerts) == 2   # the shown copy, and the copy of the work uploaded after the fault
