"""Artwork routes: upload, list, details, update, delete, and the files behind them."""

import io
import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from store.media import MediaStore
from tests.conftest import add_artwork, assert_problem, image_bytes, register, upload, upload_ok


def media_files(app):
    return MediaStore(app.config["MEDIA_DIR"]).files()


def referenced_files(app):
    """Every media path some artwork row accounts for: its original and its renditions folder."""
    conn = sqlite3.connect(app.config["DATABASE"])
    rows = conn.execute("SELECT image_path, image_sha256 FROM artworks WHERE image_sha256 IS NOT NULL").fetchall()
    conn.close()
    return {path for path, _ in rows}, {sha for _, sha in rows}


def assert_no_orphan_files(app):
    originals, shas = referenced_files(app)
    for path in media_files(app):
        parts = Path(path).parts
        assert not parts[-1].endswith(".tmp"), path
        if parts[0] == "originals":
            assert str(path) in originals, f"orphan original {path}"
        else:
            assert parts[0] == "derived" and parts[2] in shas, f"orphan rendition {path}"


# --- Upload ----------------------------------------------------------------------------------

def test_upload_creates_the_artwork_with_its_analysis(app, artist, db):
    client, user = artist
    body = upload_ok(client, image_bytes(size=(900, 600)), "harbour_at_dawn.jpg", title="Harbour", price="1250.50",
                     currency="eur", medium="Oil", dimensions="60 x 40 cm", creation_date="2024-05",
                     category_id="12", tags="Sea, boats ,SEA", availability_status="available",
                     description="Morning light.")
    assert body["title"] == "Harbour" and body["price"] == 1250.5 and body["currency"] == "EUR"
    assert body["category"] == {"id": 12, "name": "Landscape"}
    assert body["tags"] == ["boats", "sea"] and body["colour_tags"] == ["red"]
    assert body["artist"]["id"] == user["id"] and body["creation_date"] == "2024-05"
    assert body["image"]["width"] == 900 and body["image"]["format"] == "image/jpeg"
    assert set(body["thumbnail_urls"]) == {"small", "medium", "large"}
    assert body["palette"][0]["name"] == "red" and 0 <= body["quality"]["score"] <= 1
    assert body["exhibition_history"] == [] and body["exif"] == {}
    row = db.execute("SELECT * FROM image_features WHERE artwork_id = ?", (body["id"],)).fetchone()
    assert row["phash"] is not None and len(row["histogram"]) == 4 * 108
    assert db.execute("SELECT artwork_count FROM artists WHERE id = ?", (user["id"],)).fetchone()[0] == 1
    assert_no_orphan_files(app)


def test_title_defaults_to_the_file_name(artist):
    client, _ = artist
    assert upload_ok(client, name="blue_horses-1911.png")["title"] == "blue horses 1911"


def test_upload_requires_a_signed_in_artist(app, client):
    assert_problem(upload(client, (image_bytes(), "a.jpg")), 401)
    collector = app.test_client()
    register(collector, account_type="collector")
    assert_problem(upload(collector, (image_bytes(), "a.jpg")), 403)


def test_upload_needs_multipart_and_a_file(artist):
    client, _ = artist
    assert_problem(client.post("/api/artworks/upload", json={"title": "x"}), 415)
    body = assert_problem(upload(client, title="No file"), 400)
    assert body["errors"] == {"image_file": "is required"}


@pytest.mark.parametrize(("fields", "field"), [
    ({"price": "-3"}, "price"), ({"price": "12.345"}, "price"), ({"price": "lots"}, "price"),
    ({"currency": "dollars"}, "currency"), ({"availability_status": "stolen"}, "availability_status"),
    ({"creation_date": "2999-01-01"}, "creation_date"), ({"creation_date": "May 2020"}, "creation_date"),
    ({"category_id": "9999"}, "category_id"), ({"tags": ",".join(f"t{i}" for i in range(21))}, "tags"),
    ({"tags": "x" * 33}, "tags"), ({"view_count": "5"}, "view_count"), ({"artist_id": "someone"}, "artist_id"),
    ({"colour": "red"}, "colour"),
])
def test_bad_metadata_is_refused_and_nothing_is_stored(app, artist, db, fields, field):
    client, _ = artist
    body = assert_problem(upload(client, (image_bytes(), "a.jpg"), **fields), 400)
    assert field in body["errors"]
    assert db.execute("SELECT count(*) FROM artworks").fetchone()[0] == 0
    assert media_files(app) == []


def test_text_file_renamed_jpg_is_415(app, artist):
    client, _ = artist
    notes = b"Dear diary: today I painted the harbour at dawn.\n" * 20
    body = assert_problem(upload(client, (notes, "painting.jpg")), 415)
    assert "text/plain" in body["detail"]
    assert media_files(app) == []


def test_truncated_jpeg_is_422(artist):
    client, _ = artist
    data = image_bytes(size=(500, 400))
    assert_problem(upload(client, (data[: len(data) // 2], "cut.jpg")), 422)


def test_png_claiming_a_huge_canvas_is_413(artist):
    from tests.imaging.test_pipeline import png_claiming
    client, _ = artist
    assert_problem(upload(client, (png_claiming(50_000, 50_000), "bomb.png")), 413)


def test_oversize_body_is_413(make_app):
    app = make_app(MAX_CONTENT_LENGTH=4096)
    client = app.test_client()
    register(client)
    assert_problem(upload(client, (b"\xff" * 10_000, "big.jpg")), 413)


def test_identical_uploads_share_one_set_of_files(app, artist):
    client, _ = artist
    data = image_bytes(size=(300, 200))
    first, second = upload_ok(client, data), upload_ok(client, data)
    assert first["id"] != second["id"]
    assert len([p for p in media_files(app) if p.parts[0] == "originals"]) == 1


# --- Batch -----------------------------------------------------------------------------------

def test_batch_with_one_bad_file_keeps_the_good_ones(app, artist, db):
    client, _ = artist
    response = upload(client, (image_bytes(colour=(30, 60, 200)), "one.jpg"), (b"not an image at all", "two.jpg"),
                      (image_bytes("PNG"), "three.png"), title="Series", tags="study")
    assert response.status_code == 207
    body = response.get_json()
    assert (body["created"], body["failed"], body["total"]) == (2, 1, 3)
    statuses = [item["status"] for item in body["items"]]
    assert statuses == [201, 415, 201]
    assert body["items"][1]["filename"] == "two.jpg" and body["items"][1]["error"]["status"] == 415
    created_titles = [item["artwork"]["title"] for item in body["items"] if "artwork" in item]
    assert created_titles == ["Series (1)", "Series (3)"]
    assert db.execute("SELECT count(*) FROM artworks").fetchone()[0] == 2
    assert db.execute("SELECT usage_count FROM tags WHERE name = 'study'").fetchone()[0] == 2
    assert_no_orphan_files(app)


def test_batch_all_good_is_201_and_all_bad_is_a_problem(artist):
    client, _ = artist
    response = upload(client, (image_bytes(), "a.jpg"), (image_bytes("WEBP"), "b.webp"))
    assert response.status_code == 201 and response.get_json()["created"] == 2
    body = assert_problem(upload(client, (b"x" * 50, "a.jpg"), (b"y" * 50, "b.jpg")), 415)
    assert set(body["errors"]) == {"image_file[0]", "image_file[1]"}


def test_batch_is_limited_to_20_files(artist):
    client, _ = artist
    files = [(image_bytes(size=(8, 8)), f"{i}.jpg") for i in range(21)]
    assert "image_file" in assert_problem(upload(client, *files), 400)["errors"]


def test_import_images_command(app, artist, db, tmp_path):
    _, user = artist
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "night_sea.jpg").write_bytes(image_bytes())
    (folder / "notes.txt").write_text("not an image")
    result = app.test_cli_runner().invoke(args=["import-images", str(folder), "--artist", user["username"]])
    assert result.exit_code == 0, result.output
    assert "Imported 1 of 2 files" in result.output and "notes.txt" in result.output
    assert db.execute("SELECT title FROM artworks").fetchone()[0] == "night sea"
    unknown = app.test_cli_runner().invoke(args=["import-images", str(folder), "--artist", "nobody"])
    assert unknown.exit_code != 0


# --- Listing ---------------------------------------------------------------------------------

@pytest.fixture
def gallery_of_works(app, signed_in):
    client, ada = signed_in()
    works = {
        "red": upload_ok(client, image_bytes(colour=(210, 30, 30)), title="Red", price="100", medium="Oil",
                         category_id="12", tags="sea"),
        "blue": upload_ok(client, image_bytes(colour=(30, 60, 210)), title="Blue", price="300", medium="Acrylic",
                          category_id="14", tags="sea, night"),
        "free": upload_ok(client, image_bytes(colour=(40, 160, 60)), title="Green", medium="oil",
                          category_id="22", availability_status="sold"),
        "secret": upload_ok(client, image_bytes(colour=(240, 220, 40)), title="Secret", tags="sea",
                            availability_status="private"),
    }
    return client, ada, works


def titles(response):
    assert response.status_code == 200, response.get_json()
    return [item["title"] for item in response.get_json()["items"]]


def test_list_filters(app, gallery_of_works):
    owner, ada, _ = gallery_of_works
    stranger = app.test_client()
    assert sorted(titles(stranger.get("/api/artworks"))) == ["Blue", "Green", "Red"]
    assert sorted(titles(owner.get("/api/artworks"))) == ["Blue", "Green", "Red", "Secret"]
    assert titles(stranger.get(f"/api/artworks?artist_id={ada['id']}&sort=title")) == ["Blue", "Green", "Red"]
    assert sorted(titles(stranger.get("/api/artworks?category=Painting"))) == ["Blue", "Red"]  # includes children
    assert titles(stranger.get("/api/artworks?category=14")) == ["Blue"]
    assert titles(stranger.get("/api/artworks?category=photography")) == ["Green"]
    assert titles(stranger.get("/api/artworks?category=no-such-thing")) == []
    assert sorted(titles(stranger.get("/api/artworks?medium=OIL"))) == ["Green", "Red"]
    assert sorted(titles(stranger.get("/api/artworks?tag=Sea"))) == ["Blue", "Red"]
    assert titles(stranger.get("/api/artworks?tag=sea&tag=night")) == ["Blue"]
    assert titles(stranger.get("/api/artworks?colour=blue")) == ["Blue"]
    assert titles(stranger.get("/api/artworks?price_min=150")) == ["Blue"]
    assert titles(stranger.get("/api/artworks?price_max=150")) == ["Red"]
    assert titles(stranger.get("/api/artworks?availability=sold")) == ["Green"]
    assert titles(stranger.get("/api/artworks?availability=private")) == []
    assert titles(owner.get("/api/artworks?availability=private")) == ["Secret"]
    assert titles(stranger.get("/api/artworks?created_after=2999-01-01")) == []
    assert len(titles(stranger.get("/api/artworks?created_before=2999-01-01T00:00:00Z"))) == 3


def test_list_sorts_and_pages(app, gallery_of_works, db):
    client = app.test_client()
    assert titles(client.get("/api/artworks?sort=price_asc")) == ["Red", "Blue", "Green"]  # no price last
    assert titles(client.get("/api/artworks?sort=price_desc")) == ["Blue", "Red", "Green"]
    assert titles(client.get("/api/artworks?sort=oldest")) == ["Red", "Blue", "Green"]
    assert titles(client.get("/api/artworks?sort=newest")) == ["Green", "Blue", "Red"]
    db.execute("UPDATE artworks SET like_count = 5 WHERE title = 'Blue'")
    assert titles(client.get("/api/artworks?sort=popular"))[0] == "Blue"
    page = client.get("/api/artworks?sort=title&per_page=2&page=2").get_json()
    assert (page["total"], page["page"], page["per_page"], [i["title"] for i in page["items"]]) == (3, 2, 2, ["Red"])
    item = page["items"][0]
    assert item["thumbnail_urls"]["small"].endswith("size=small") and "palette" not in item


@pytest.mark.parametrize("query", ["sort=random", "colour=chartreuse", "price_min=-1", "price_max=abc",
                                   "created_after=yesterday", "availability=lost", "per_page=0"])
def test_list_rejects_bad_parameters(client, query):
    assert_problem(client.get(f"/api/artworks?{query}"), 400)


# --- Details and views -----------------------------------------------------------------------

def test_details_count_a_view_once_per_viewer_per_30_minutes(app, artist, db):
    owner, _ = artist
    work = upload_ok(owner)
    assert owner.get(f"/api/artworks/{work['id']}").get_json()["view_count"] == 0  # the owner never counts
    visitor = app.test_client()
    assert visitor.get(f"/api/artworks/{work['id']}").get_json()["view_count"] == 1
    assert visitor.get(f"/api/artworks/{work['id']}").get_json()["view_count"] == 1
    signed_client, _ = app.test_client(), None
    register(signed_client)
    assert signed_client.get(f"/api/artworks/{work['id']}").get_json()["view_count"] == 2
    db.execute("UPDATE artwork_views SET viewed_at = '2000-01-01T00:00:00.000Z'")  # 30 minutes later, and more
    assert visitor.get(f"/api/artworks/{work['id']}").get_json()["view_count"] == 3


def test_private_artwork_is_404_for_others(app, artist):
    owner, _ = artist
    work = upload_ok(owner, availability_status="private")
    assert owner.get(f"/api/artworks/{work['id']}").status_code == 200
    for path in ("", "/image", "/thumbnail"):
        assert_problem(app.test_client().get(f"/api/artworks/{work['id']}{path}"), 404)


def test_details_include_exhibition_history(artist, db):
    client, user = artist
    work = upload_ok(client)
    db.execute("INSERT INTO exhibitions (id, organizer_id, title) VALUES ('e1', ?, 'Salon')", (user["id"],))
    db.execute("INSERT INTO exhibition_submissions (id, exhibition_id, artist_id, artwork_ids) "
               "VALUES ('s1', 'e1', ?, json_array(?))", (user["id"], work["id"]))
    history = client.get(f"/api/artworks/{work['id']}").get_json()["exhibition_history"]
    assert [(h["exhibition_id"], h["title"], h["status"]) for h in history] == [("e1", "Salon", "submitted")]


def test_unknown_artwork_is_404(client):
    assert_problem(client.get("/api/artworks/nope"), 404)


# --- Update ----------------------------------------------------------------------------------

def test_owner_updates_metadata_and_tags(artist, db):
    client, _ = artist
    work = upload_ok(client, tags="sea, sky")
    response = client.put(f"/api/artworks/{work['id']}", json={
        "title": " Harbour ", "price": 99.5, "availability": "sold", "tags": ["Night", "sea"], "category_id": 13})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["title"], body["price"], body["availability_status"]) == ("Harbour", 99.5, "sold")
    assert body["tags"] == ["night", "sea"] and body["colour_tags"] == ["red"] and body["category"]["id"] == 13
    assert db.execute("SELECT count(*) FROM tags WHERE name = 'sky'").fetchone()[0] == 0  # unused tag is gone
    assert body["updated_at"] > work["updated_at"]


@pytest.mark.parametrize("body", [{"title": None}, {"title": ""}, {"price": "5"}, {"like_count": 9},
                                  {"image_path": "/etc/passwd"}, {"category_id": 424242}, {"surprise": 1}])
def test_update_refuses_bad_or_server_owned_fields(artist, body):
    client, _ = artist
    work = upload_ok(client)
    assert_problem(client.put(f"/api/artworks/{work['id']}", json=body), 400)
    assert client.get(f"/api/artworks/{work['id']}").get_json()["title"] == work["title"]


def test_only_the_owner_updates_or_deletes(app, artist):
    owner, _ = artist
    work = upload_ok(owner)
    assert_problem(app.test_client().put(f"/api/artworks/{work['id']}", json={"title": "x"}), 401)
    other = app.test_client()
    register(other)
    assert_problem(other.put(f"/api/artworks/{work['id']}", json={"title": "x"}), 403)
    assert_problem(other.delete(f"/api/artworks/{work['id']}"), 403)


# --- Delete ----------------------------------------------------------------------------------

def test_delete_removes_rows_files_and_links(app, artist, signed_in, db):
    client, user = artist
    keep = upload_ok(client, image_bytes(colour=(10, 120, 10)), tags="kept")
    shared = image_bytes(colour=(200, 200, 30), size=(700, 500))
    first, second = upload_ok(client, shared, tags="gone"), upload_ok(client, shared)
    fan, fan_user = signed_in()
    db.execute("INSERT INTO artwork_likes (artwork_id, user_id) VALUES (?, ?)", (first["id"], fan_user["id"]))
    db.execute("INSERT INTO artwork_comments (id, artwork_id, commenter_id, comment_text) VALUES ('c', ?, ?, 'Nice')",
               (first["id"], fan_user["id"]))
    db.execute("INSERT INTO galleries (id, artist_id, name, cover_artwork_id) VALUES ('g', ?, 'G', ?)",
                         (user["id"], first["id"]))
    db.execute("INSERT INTO gallery_artworks (gallery_id, artwork_id, position) VALUES ('g', ?, 1)", (first["id"],))
    db.execute("INSERT INTO exhibitions (id, title) VALUES ('e', 'Show')")
    db.execute("INSERT INTO exhibition_submissions (id, exhibition_id, artist_id, artwork_ids) "
               "VALUES ('s', 'e', ?, json_array(?, ?))", (user["id"], first["id"], keep["id"]))
    fan.get(f"/api/artworks/{first['id']}/image")
    client.get(f"/api/artworks/{first['id']}/image?size=xlarge&format=png")  # a lazily made rendition

    assert client.delete(f"/api/artworks/{first['id']}").get_json() == {"deleted": True, "id": first["id"]}
    for table in ("artwork_likes", "artwork_comments", "gallery_artworks", "image_features", "artwork_colours",
                  "artwork_views", "artwork_tags"):
        assert db.execute(f"SELECT count(*) FROM {table} WHERE artwork_id = ?", (first["id"],)).fetchone()[0] == 0
    assert db.execute("SELECT cover_artwork_id, artwork_count FROM galleries").fetchone()[:] == (None, 0)
    assert db.execute("SELECT artwork_ids FROM exhibition_submissions").fetchone()[0] == f'["{keep["id"]}"]'
    assert db.execute("SELECT count(*) FROM tags WHERE name = 'gone'").fetchone()[0] == 0
    assert db.execute("SELECT artwork_count FROM artists WHERE id = ?", (user["id"],)).fetchone()[0] == 2
    # The twin still uses the shared files; they go with it.
    assert client.get(f"/api/artworks/{second['id']}/image").status_code == 200
    assert_no_orphan_files(app)
    client.delete(f"/api/artworks/{second['id']}")
    client.delete(f"/api/artworks/{keep['id']}")
    assert media_files(app) == []
    assert_problem(client.delete(f"/api/artworks/{keep['id']}"), 404)


def test_a_failed_insert_leaves_no_files(app, artist, db):
    client, _ = artist
    db.execute("CREATE TRIGGER refuse BEFORE INSERT ON artwork_colours BEGIN SELECT RAISE(ABORT, 'full'); END")
    response = upload(client, (image_bytes(), "a.jpg"))
    assert_problem(response, 500)
    assert db.execute("SELECT count(*) FROM artworks").fetchone()[0] == 0
    assert media_files(app) == []


def test_rows_without_images_are_listed_without_image_urls(artist, db):
    client, user = artist
    add_artwork(db, user["id"], title="Catalogue entry")
    item = client.get("/api/artworks").get_json()["items"][0]
    assert item["image"] is None and item["thumbnail_urls"] is None
    assert_problem(client.get(f"/api/artworks/{item['id']}/thumbnail"), 404)


def test_thumbnail_pixels_are_real(artist):
    client, _ = artist
    work = upload_ok(client, image_bytes(size=(2000, 1000)))
    data = client.get(work["thumbnail_urls"]["large"], headers={"Accept": "image/jpeg"}).data
    assert Image.open(io.BytesIO(data)).size == (1280, 640)
