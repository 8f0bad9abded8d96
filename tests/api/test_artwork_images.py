"""Serving images and thumbnails: formats, sizes, caching, ranges, watermarks, image views."""

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import assert_problem, image_bytes, register, upload, upload_ok

ODDITIES = Path(__file__).resolve().parents[3] / "shared" / "data" / "images" / "oddities"


@pytest.fixture
def work(artist):
    client, user = artist
    return client, user, upload_ok(client, image_bytes(size=(3000, 2000), colour=(40, 90, 160)))


def decoded(response):
    return Image.open(io.BytesIO(response.data))


@pytest.mark.parametrize(("accept", "fmt", "mime"), [
    ("image/avif,image/webp,*/*", None, "image/webp"),
    ("image/jpeg", None, "image/jpeg"),
    ("*/*", None, "image/webp"),
    ("image/png", None, "image/png"),
    ("text/html", None, "image/jpeg"),
    ("image/webp", "jpg", "image/jpeg"),
    ("image/jpeg", "png", "image/png"),
])
def test_format_from_the_parameter_or_accept_header(app, work, accept, fmt, mime):
    _, _, artwork = work
    query = f"?size=small&format={fmt}" if fmt else "?size=small"
    response = app.test_client().get(f"/api/artworks/{artwork['id']}/thumbnail{query}", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == mime
    assert "Accept" in response.headers["Vary"]
    assert decoded(response).format == mime.split("/")[1].upper()


def test_sizes(app, work):
    _, _, artwork = work
    client = app.test_client()
    expected = {"small": 256, "medium": 640, "large": 1280}
    for size, edge in expected.items():
        assert max(decoded(client.get(f"/api/artworks/{artwork['id']}/thumbnail?size={size}")).size) == edge
    assert max(decoded(client.get(f"/api/artworks/{artwork['id']}/thumbnail")).size) == 640
    assert decoded(client.get(f"/api/artworks/{artwork['id']}/image")).size == (3000, 2000)
    assert max(decoded(client.get(f"/api/artworks/{artwork['id']}/image?size=xlarge")).size) == 2048
    assert_problem(client.get(f"/api/artworks/{artwork['id']}/thumbnail?size=huge"), 400)
    assert_problem(client.get(f"/api/artworks/{artwork['id']}/image?format=gif"), 400)


def test_strong_etag_304_and_cache_control(app, work):
    _, _, artwork = work
    client = app.test_client()
    url = f"/api/artworks/{artwork['id']}/thumbnail?size=medium&format=jpeg"
    first = client.get(url)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["Cache-Control"] == "public, max-age=3600"
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    other_format = client.get(url.replace("jpeg", "webp"))
    assert other_format.headers["ETag"] != etag


def test_range_requests(app, work):
    _, _, artwork = work
    client = app.test_client()
    url = f"/api/artworks/{artwork['id']}/image?format=png"
    whole = client.get(url).data
    part = client.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == whole[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(whole)}"
    assert client.get(url, headers={"Range": f"bytes={len(whole) + 10}-"}).status_code == 416


def test_full_image_fetches_count_as_image_views(app, work, db):
    owner, _, artwork = work
    url = f"/api/artworks/{artwork['id']}/image"
    visitor = app.test_client()
    visitor.get(url)
    visitor.get(url)
    visitor.get(url, headers={"Range": "bytes=0-10"})  # starts at 0: a new fetch
    visitor.get(url, headers={"Range": "bytes=500-"})  # a continuation: not a new view
    visitor.get(url + "?size=large")  # not the full image
    owner.get(url)  # the owner never counts
    etag = visitor.get(f"/api/artworks/{artwork['id']}/thumbnail").headers["ETag"]
    visitor.get(f"/api/artworks/{artwork['id']}/thumbnail", headers={"If-None-Match": etag})
    count = db.execute("SELECT image_view_count, view_count FROM artworks").fetchone()
    assert tuple(count) == (3, 0)


def _bottom_right_differs(clean, marked):
    a = np.asarray(clean.convert("RGB"), dtype=int)
    b = np.asarray(marked.convert("RGB"), dtype=int)
    h, w = a.shape[:2]
    corner = np.abs(a[h * 3 // 4:, w * 3 // 4:] - b[h * 3 // 4:, w * 3 // 4:]).sum()
    top_left = np.abs(a[: h // 4, : w // 4] - b[: h // 4, : w // 4]).sum()
    return corner > 1000 and top_left == 0


def test_watermark_from_settings_for_everyone_but_the_owner(app, work):
    owner, user, artwork = work
    url = f"/api/artworks/{artwork['id']}/thumbnail?size=large&format=png"
    clean = decoded(owner.get(url))
    response = owner.put(f"/api/artists/{user['id']}", json={"portfolio": {"watermark": {
        "enabled": True, "text": "© Ada", "opacity": 0.9, "position": "bottom-right"}}})
    assert response.status_code == 200, response.get_json()
    visitor = app.test_client()
    seen = visitor.get(url)
    assert _bottom_right_differs(clean, decoded(seen))
    assert seen.headers["Cache-Control"] == "private, no-cache" and "Cookie" in seen.headers["Vary"]
    assert _bottom_right_differs(clean, decoded(visitor.get(url + "&watermark=false")))  # cannot opt out
    assert not np.array_equal(np.asarray(clean), np.asarray(decoded(owner.get(url + "&watermark=true"))))
    assert np.array_equal(np.asarray(clean), np.asarray(decoded(owner.get(url))))


def test_watermark_on_request_when_not_enabled(app, work):
    _, _, artwork = work
    client = app.test_client()
    url = f"/api/artworks/{artwork['id']}/thumbnail?size=medium&format=png"
    clean, marked = decoded(client.get(url)), decoded(client.get(url + "&watermark=true"))
    assert _bottom_right_differs(clean, marked)
    assert_problem(client.get(url + "&watermark=maybe"), 400)


def test_gps_never_reaches_a_rendition(app, artist):
    client, _ = artist
    tags = Image.Exif()
    tags[0x010F] = "PhoneMaker"
    tags[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (120, 120, 120)).save(buffer, "JPEG", exif=tags.tobytes())
    artwork = upload_ok(client, buffer.getvalue())
    assert artwork["exif"] == {"camera_make": "PhoneMaker"}
    for path in ("/image", "/image?format=webp", "/thumbnail?size=small", "/thumbnail?size=large"):
        data = client.get(f"/api/artworks/{artwork['id']}{path}").data
        assert b"PhoneMaker" not in data and b"Exif" not in data


# --- Real odd files from ../shared/data -------------------------------------------------------

def _oddities():
    if not (ODDITIES / "index.csv").is_file():
        return []
    with open(ODDITIES / "index.csv", newline="") as handle:
        return [row["file"] for row in csv.DictReader(handle)]


@pytest.mark.skipif(not ODDITIES.is_dir(), reason="../shared/data is not present")
def test_every_oddity_gets_2xx_or_a_clear_4xx(app):
    client = app.test_client()
    register(client)
    outcomes = {}
    for name in _oddities():
        response = upload(client, ((ODDITIES / name).read_bytes(), name))
        assert response.status_code < 500, (name, response.get_json())
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json" and response.get_json()["detail"], name
        else:
            artwork = response.get_json()
            thumb = client.get(f"/api/artworks/{artwork['id']}/thumbnail?size=small")
            assert thumb.status_code == 200, name
        outcomes[name] = response.status_code
    assert outcomes["hopper.jpg"] == 201 and outcomes["mislabeled_ukbench09380.svg"] == 201
    assert outcomes["truncated_jpeg.jpg"] == 422 and outcomes["hopper.psd"] == 415
    assert outcomes["reallybig.bmp"] == 413 and outcomes["decompression_bomb.gif"] == 413
    assert outcomes["iss634.gif"] == 201 and outcomes["pil_sample_cmyk.jpg"] == 201


@pytest.mark.skipif(not ODDITIES.is_dir(), reason="../shared/data is not present")
def test_oriented_photos_come_out_upright(app):
    client = app.test_client()
    register(client)
    for name in ("photo_Landscape_3.jpg", "photo_Landscape_6.jpg", "photo_Landscape_8.jpg"):
        artwork = upload_ok(client, (ODDITIES / name).read_bytes(), name)
        assert (artwork["image"]["width"], artwork["image"]["height"]) == (600, 450), name


def test_images_have_their_own_larger_rate_limit(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="3 per minute")
    client = app.test_client()
    register(client)
    artwork = upload_ok(client)
    for _ in range(5):  # beyond the default, within the image allowance
        assert client.get(f"/api/artworks/{artwork['id']}/thumbnail").status_code == 200
    for _ in range(4):  # the default allows 3
        last = client.get("/api/artworks")
    assert_problem(last, 429)
