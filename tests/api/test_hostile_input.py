"""Input an attacker sends: each class gets a clear 4xx that names the field and changes nothing."""

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import assert_problem, image_bytes, upload, upload_ok
from tests.imaging.corpus import corpus
from tests.imaging.test_extremes import forged_jpeg

HUGE = 10 ** 30
SIGNED_64_PLUS_ONE = 2 ** 63


@pytest.fixture
def curator(signed_in, db):
    client, user = signed_in()
    db.execute("UPDATE artists SET role = 'curator' WHERE id = ?", (user["id"],))
    return client


def raw_json(client, method, url, text):
    return client.open(url, method=method, data=text, content_type="application/json")


def counts(db):
    tables = ("artworks", "galleries", "categories", "exhibitions", "artwork_comments", "artwork_tags")
    return {table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in tables}


# --- JSON nesting ----------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/api/auth/login", "/api/galleries", "/api/commissions"])
def test_json_nested_100000_deep_is_a_400(artist, url):
    client, _ = artist
    deep = "[" * 100_000 + "]" * 100_000
    problem = assert_problem(raw_json(client, "POST", url, '{"name": ' + deep + "}"), 400)
    assert "nested" in problem["detail"]


def test_json_nested_past_the_limit_but_parseable_is_a_400_naming_the_field(artist):
    client, _ = artist
    nested = json.loads("[" * 40 + "]" * 40)
    problem = assert_problem(client.post("/api/galleries", json={"name": "x", "description": nested}), 400)
    assert any(field.startswith("description") for field in problem["errors"])


# --- Integers past 64 bits -------------------------------------------------------------------

def test_huge_integers_in_json_bodies_are_400s_naming_the_field(artist, curator, db):
    client, _ = artist
    before = counts(db)
    cases = [
        (curator, "POST", "/api/categories", {"name": "Huge", "parent_id": HUGE}, "parent_id"),
        (curator, "POST", "/api/categories", {"name": "Huge", "parent_category": SIGNED_64_PLUS_ONE},
         "parent_category"),
        (curator, "POST", "/api/featured/config/rollback", {"version": HUGE}, "version"),
        (client, "POST", "/api/exhibitions", {"title": "T", "submission_deadline": "2030-01-01",
                                              "rules": {"allowed_category_ids": [HUGE]}}, "rules"),
        # Checked before any model: a field of any type, or none, cannot carry one on.
        (client, "POST", "/api/galleries", {"name": "G", "description": -HUGE}, "description"),
    ]
    for who, method, url, body, field in cases:
        problem = assert_problem(who.open(url, method=method, json=body), 400)
        assert any(name.startswith(field) for name in problem["errors"]), (url, problem)
    assert counts(db) == before


def test_huge_integers_in_the_query_and_upload_form_are_not_errors_of_ours(artist, db):
    client, _ = artist
    for url in ("/api/artworks?category=" + "9" * 30, "/api/search?category=" + "9" * 30,
                "/api/artworks?page=" + "9" * 30, "/api/artworks?per_page=" + "9" * 30,
                "/api/exhibitions?page=" + "9" * 25):
        response = client.get(url)
        assert response.status_code in (200, 400), (url, response.get_data(as_text=True))
    assert client.get("/api/artworks?category=" + "9" * 30).get_json()["total"] == 0
    problem = assert_problem(upload(client, (image_bytes(), "a.jpg"), category_id="9" * 30), 400)
    assert "category_id" in problem["errors"]
    assert counts(db)["artworks"] == 0


# --- Text that is not Unicode ----------------------------------------------------------------

@pytest.mark.parametrize("body, field", [
    ('{"name": "\\ud800"}', "name"),
    ('{"name": "ok", "description": "tail \\udfff"}', "description"),
    ('{"name": "ok", "\\ud800": 1}', "body"),
])
def test_lone_surrogates_in_text_are_400s(artist, db, body, field):
    client, _ = artist
    problem = assert_problem(raw_json(client, "POST", "/api/galleries", body), 400)
    assert field in problem["errors"]
    assert counts(db)["galleries"] == 0


def test_lone_surrogates_in_tags_are_400s(artist, db):
    client, _ = artist
    work = upload_ok(client)
    before = db.execute("SELECT tag_id FROM artwork_tags ORDER BY tag_id").fetchall()
    problem = assert_problem(raw_json(client, "PUT", f"/api/artworks/{work['id']}",
                                      '{"tags": ["fine", "bad\\ud83d"]}'), 400)
    assert "tags.1" in problem["errors"]
    assert db.execute("SELECT tag_id FROM artwork_tags ORDER BY tag_id").fetchall() == before


# --- Far dates -------------------------------------------------------------------------------

@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00",
                                    "9999-12-31T23:59:59.999999-23:59"])
def test_dates_past_the_calendar_in_utc_are_400s(client, moment):
    for url in ("/api/artworks", "/api/search"):
        problem = assert_problem(client.get(url, query_string={"created_after": moment}), 400)
        assert "outside the calendar" in problem["errors"]["created_after"]


def test_the_calendar_s_own_edges_are_fine(client):
    assert client.get("/api/artworks?created_after=9999-12-31&created_before=0001-01-01").status_code == 200


# --- Long query text -------------------------------------------------------------------------

@pytest.mark.parametrize("url, limit", [("/api/search/suggest", 100), ("/api/tags", 100),
                                        ("/api/search", 500), ("/api/artists?location=", 100)])
def test_query_text_past_its_documented_cap_is_a_400(client, url, limit):
    name = "location" if "location" in url else "q"
    base = url.split("?")[0]
    assert client.get(base, query_string={name: "a" * limit}).status_code == 200
    for length in (limit + 1, 50_000):
        problem = assert_problem(client.get(base, query_string={name: "a" * length}), 400)
        assert problem["errors"][name] == f"must be at most {limit} characters"


def test_a_query_string_past_64_kib_is_a_414_problem(client):
    problem = assert_problem(client.get("/api/artworks", query_string={"tag": ["x" * 100] * 700}), 414)
    assert "query string" in problem["detail"]


# --- Valid but extreme images ----------------------------------------------------------------

def media_files(app):
    return sorted(str(path) for path in Path(app.config["MEDIA_DIR"]).rglob("*") if path.is_file())


def strip_png(size):
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 200, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def test_extreme_aspect_ratios_and_forged_sizes_are_refused_at_upload(app, artist, db):
    client, _ = artist
    for data, name in ((strip_png((65535, 1)), "strip.png"), (forged_jpeg(), "forged.jpg")):
        problem = assert_problem(upload(client, (data, name)), 422)
        assert "image_file" in problem["errors"]
    assert counts(db)["artworks"] == 0
    assert media_files(app) == []


def test_search_by_image_refuses_them_too(client):
    response = client.post("/api/search/image", data={"image_file": (io.BytesIO(forged_jpeg()), "f.jpg")},
                           content_type="multipart/form-data")
    assert_problem(response, 422)


def test_every_size_and_format_of_a_wide_but_allowed_work_renders(artist):
    client, _ = artist
    work = upload_ok(client, strip_png((6000, 150)), "scroll.png")
    for size in ("small", "medium", "large", "xlarge", "full"):
        for fmt in ("image/webp", "image/jpeg", "image/png"):
            response = client.get(f"/api/artworks/{work['id']}/image?size={size}", headers={"Accept": fmt})
            assert response.status_code == 200, (size, fmt, response.get_data(as_text=True))
            assert Image.open(io.BytesIO(response.data)).size[0] <= 4096


# --- Malformed image files -------------------------------------------------------------------

def test_a_thousand_malformed_uploads_get_no_5xx_and_refusals_leave_nothing(app, artist, db):
    client, _ = artist
    statuses = {}
    for case in corpus(1000):
        response = upload(client, (case.data, "upload.bin"))
        assert response.status_code in (201, 413, 415, 422), (case.name, response.get_data(as_text=True))
        statuses[case.name] = response.status_code
    stored = sum(1 for status in statuses.values() if status == 201)
    assert db.execute("SELECT COUNT(*) FROM artworks").fetchone()[0] == stored
    originals = [path for path in media_files(app) if "/originals/" in path]
    assert len(originals) == db.execute("SELECT COUNT(DISTINCT image_sha256) FROM artworks").fetchone()[0]
    assert 500 < len(statuses) - stored, "the corpus should be mostly refused"
