"""Search by image, similar art, copies, and copy alerts through the API."""

import csv
import io
import random
from pathlib import Path

import pytest
from PIL import Image, ImageOps

from bench.copy_transforms import collage, crop, jpeg, perspective, region, screenshot, watermark
from tests.conftest import assert_problem, encoded, image_bytes, painting, upload_ok

IMAGES = Path(__file__).resolve().parents[3] / "shared" / "data" / "images"


def search_image(client, content, **query):
    return client.post("/api/search/image", query_string=query,
                       data={"image_file": (io.BytesIO(content), "query.jpg")}, content_type="multipart/form-data")


def ids(entries):
    return [entry["artwork"]["id"] for entry in entries]


def test_search_by_image_finds_the_copy_and_ranks_similar_art(client, signed_in):
    artist, _ = signed_in()
    original = upload_ok(artist, encoded(painting(1)), title="Original")
    others = [upload_ok(artist, encoded(painting(seed)), title=f"Other {seed}")["id"] for seed in (2, 3, 4)]
    variant = watermark(crop(painting(1), random.Random(1), 0.15), random.Random(2), "corner")
    response = search_image(client, encoded(variant))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert ids(body["duplicates"]) == [original["id"]]
    hit = body["duplicates"][0]
    assert 0.5 <= hit["score"] <= 1
    assert hit["artwork"]["title"] == "Original" and hit["artwork"]["thumbnail_urls"]["small"]
    assert {"matched_by", "whole_distance", "window_distance", "colour_distance", "mirrored"} <= set(hit["evidence"])
    assert set(ids(body["similar"])) <= set(others) and body["similar"]
    assert original["id"] not in ids(body["similar"])
    assert all(0 <= entry["score"] <= 1 for entry in body["similar"])


def test_a_half_crop_and_a_photo_at_an_angle_are_found_by_keypoints_with_their_boxes(client, signed_in):
    artist, _ = signed_in()
    original = upload_ok(artist, encoded(painting(21, (900, 700))), title="Original")
    for seed in (22, 23):
        upload_ok(artist, encoded(painting(seed, (900, 700))))
    rng = random.Random(4)
    for variant in (region(painting(21, (900, 700)), rng, 0.5), perspective(painting(21, (900, 700)), rng, 0.22)):
        body = search_image(client, encoded(variant)).get_json()
        assert ids(body["duplicates"]) == [original["id"]]
        evidence = body["duplicates"][0]["evidence"]
        assert evidence["matched_by"] == "keypoints" and evidence["keypoints"]["inliers"] >= 14
        x0, y0, x1, y1 = evidence["keypoints"]["original_box"]
        assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1


def test_turned_flipped_and_inverted_copies_are_found_whole(client, signed_in):
    artist, _ = signed_in()
    original = upload_ok(artist, encoded(painting(24)), title="Original")
    cases = {"turned 90 degrees clockwise": painting(24).transpose(Image.Transpose.ROTATE_270),
             "flipped upside down": painting(24).transpose(Image.Transpose.FLIP_TOP_BOTTOM),
             "as given, inverted": ImageOps.invert(painting(24))}
    for orientation, variant in cases.items():
        body = search_image(client, encoded(variant)).get_json()
        assert ids(body["duplicates"]) == [original["id"]], orientation
        assert body["duplicates"][0]["evidence"]["orientation"] == orientation


def test_search_by_image_never_shows_others_private_works(client, signed_in):
    owner, _ = signed_in()
    hidden = upload_ok(owner, encoded(painting(5)), availability_status="private")
    body = search_image(client, encoded(painting(5))).get_json()
    assert hidden["id"] not in ids(body["duplicates"]) + ids(body["similar"])
    own = search_image(owner, encoded(painting(5))).get_json()
    assert ids(own["duplicates"]) == [hidden["id"]]


def test_search_by_image_refuses_bad_requests(client):
    assert_problem(client.post("/api/search/image", json={"image_file": "x"}), 415)
    assert_problem(client.post("/api/search/image", data={}, content_type="multipart/form-data"), 400)
    assert_problem(search_image(client, b"GIF89a not really"), 422)
    assert_problem(search_image(client, b"%PDF-1.4 hello"), 415)


def test_similar_modes_and_no_same_artist_near_duplicates(client, signed_in):
    artist, _ = signed_in()
    base = upload_ok(artist, encoded(painting(7)), title="Harbour at dawn", tags="harbour,boats", medium="Oil")
    again = upload_ok(artist, encoded(jpeg(painting(7), None, 60)), title="Harbour at dawn II", tags="harbour,boats",
                      medium="Oil")
    text_twin = upload_ok(artist, encoded(painting(8)), title="Harbour boats at dusk", tags="harbour,boats",
                          medium="Oil")
    other = upload_ok(artist, encoded(painting(9)), title="Mountain", tags="snow")
    for mode in ("visual", "text", "mixed"):
        response = client.get(f"/api/artworks/{base['id']}/similar", query_string={"mode": mode})
        assert response.status_code == 200
        body = response.get_json()
        found = ids(body["items"])
        assert base["id"] not in found and again["id"] not in found, mode
        assert body["mode"] == mode and {"items", "total", "page", "per_page"} <= set(body)
    text = ids(client.get(f"/api/artworks/{base['id']}/similar?mode=text").get_json()["items"])
    assert text[0] == text_twin["id"] and other["id"] not in text[:1]
    assert_problem(client.get(f"/api/artworks/{base['id']}/similar?mode=sound"), 400)


def test_similar_hides_private_works_and_private_sources(client, signed_in):
    artist, _ = signed_in()
    public = upload_ok(artist, encoded(painting(10)), title="Lake", tags="lake")
    private = upload_ok(artist, encoded(painting(11)), title="Lake at night", tags="lake",
                        availability_status="private")
    found = ids(client.get(f"/api/artworks/{public['id']}/similar?mode=mixed").get_json()["items"])
    assert private["id"] not in found
    assert_problem(client.get(f"/api/artworks/{private['id']}/similar"), 404)
    own = ids(artist.get(f"/api/artworks/{public['id']}/similar?mode=text").get_json()["items"])
    assert private["id"] in own


def test_an_upload_like_another_artists_work_is_flagged_and_alerted(signed_in):
    (painter, _), (copier, _) = signed_in(), signed_in()
    original = upload_ok(painter, encoded(painting(20)), title="Mine")
    copied = upload_ok(copier, encoded(ImageOps.mirror(painting(20))), title="Not mine")
    assert [entry["artwork"]["id"] for entry in copied["possible_copy_of"]] == [original["id"]]
    assert copied["possible_copy_of"][0]["evidence"]["mirrored"] is True
    inbox = painter.get("/api/notifications").get_json()["items"]
    alert_notes = [n for n in inbox if n["kind"] == "copy_alert"]
    assert len(alert_notes) == 1 and alert_notes[0]["artwork"]["id"] == copied["id"]
    alerts = painter.get("/api/copyright/alerts").get_json()
    assert alerts["total"] == 1
    alert = alerts["items"][0]
    assert alert["original"]["id"] == original["id"] and alert["copy"]["id"] == copied["id"]
    assert alert["status"] == "open" and 0.5 <= alert["score"] <= 1
    assert alert_notes[0]["subject_id"] == alert["id"]
    assert copier.get("/api/copyright/alerts").get_json()["total"] == 0


def test_the_upload_answer_the_alerts_the_copies_route_and_search_by_image_agree(signed_in):
    """One decision everywhere: for copies made in every way the lookup handles (and a work that
    is no copy), the upload's possible_copy_of, the original artist's alerts, the copy's copies
    list and a search by the same image name the same originals."""
    (painter, _), (copier, _) = signed_in(), signed_in()
    size = (900, 700)
    originals = {seed: upload_ok(painter, encoded(painting(seed, size)))["id"] for seed in (40, 41, 42)}
    rng = random.Random(9)
    made = [(ImageOps.mirror(painting(40, size)), 40), (perspective(painting(41, size), rng, 0.2), 41),
            (region(painting(42, size), rng, 0.55), 42), (screenshot(painting(40, size), rng, 0.5), 40),
            (collage(painting(41, size), rng, 2), 41), (painting(43, size), None)]
    uploaded = set()
    for image, source in made:
        content = encoded(image)
        copied = upload_ok(copier, content)
        uploaded.add(copied["id"])
        answer = set(ids(copied["possible_copy_of"]))
        alerted = {alert["original"]["id"] for alert in painter.get("/api/copyright/alerts?per_page=100")
                   .get_json()["items"] if alert["copy"]["id"] == copied["id"]}
        listed = set(ids(copier.get(f"/api/artworks/{copied['id']}/copies").get_json()["items"]))
        searched = set(ids(search_image(copier, content).get_json()["duplicates"])) - uploaded
        assert answer == alerted == listed == searched, (source, answer, alerted, listed, searched)
        assert answer == ({originals[source]} if source else set())


def test_an_artists_own_variants_raise_no_alert(signed_in):
    artist, _ = signed_in()
    upload_ok(artist, encoded(painting(21)))
    variant = upload_ok(artist, encoded(ImageOps.grayscale(painting(21)).convert("RGB")))
    assert variant["possible_copy_of"] == []
    assert artist.get("/api/copyright/alerts").get_json()["total"] == 0


def test_a_private_copy_is_checked_when_it_is_shown(signed_in):
    (painter, _), (copier, _) = signed_in(), signed_in()
    upload_ok(painter, encoded(painting(22)))
    hidden = upload_ok(copier, encoded(painting(22)), availability_status="private")
    assert painter.get("/api/copyright/alerts").get_json()["total"] == 0
    response = copier.put(f"/api/artworks/{hidden['id']}", json={"availability_status": "available"})
    assert response.status_code == 200, response.get_json()
    assert painter.get("/api/copyright/alerts").get_json()["total"] == 1


def test_resolving_an_alert(signed_in):
    (painter, _), (copier, _), (stranger, _) = signed_in(), signed_in(), signed_in()
    upload_ok(painter, encoded(painting(23)))
    upload_ok(copier, encoded(painting(23)))
    alert_id = painter.get("/api/copyright/alerts").get_json()["items"][0]["id"]
    assert_problem(stranger.put(f"/api/copyright/alerts/{alert_id}", json={"status": "dismissed"}), 404)
    assert_problem(copier.put(f"/api/copyright/alerts/{alert_id}", json={"status": "dismissed"}), 404)
    assert_problem(painter.put(f"/api/copyright/alerts/{alert_id}", json={"status": "open"}), 400)
    assert_problem(painter.put(f"/api/copyright/alerts/{alert_id}", json={"status": "confirmed", "score": 1}), 400)
    assert_problem(painter.put("/api/copyright/alerts/nope", json={"status": "confirmed"}), 404)
    response = painter.put(f"/api/copyright/alerts/{alert_id}", json={"status": "confirmed", "note": "Reported"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "confirmed" and body["note"] == "Reported" and body["resolved_at"]
    assert painter.get("/api/copyright/alerts?status=open").get_json()["total"] == 0
    assert painter.get("/api/copyright/alerts?status=confirmed").get_json()["total"] == 1
    assert_problem(painter.get("/api/copyright/alerts?status=maybe"), 400)


def test_alerts_and_copies_need_a_signed_in_owner(client, signed_in):
    (painter, _), (copier, _) = signed_in(), signed_in()
    original = upload_ok(painter, encoded(painting(24)))
    copied = upload_ok(copier, encoded(painting(24)))
    assert_problem(client.get("/api/copyright/alerts"), 401)
    assert_problem(client.put("/api/copyright/alerts/x", json={"status": "dismissed"}), 401)
    assert_problem(client.get(f"/api/artworks/{original['id']}/copies"), 401)
    assert_problem(copier.get(f"/api/artworks/{original['id']}/copies"), 403)
    response = painter.get(f"/api/artworks/{original['id']}/copies")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [item["artwork"]["id"] for item in items] == [copied["id"]] and items[0]["score"] >= 0.5
    # The copier's own list shows the painter's original, never their own work.
    mine = copier.get(f"/api/artworks/{copied['id']}/copies").get_json()["items"]
    assert [item["artwork"]["id"] for item in mine] == [original["id"]]


def test_copies_leave_out_the_owners_own_variants_and_unrelated_work(signed_in):
    (painter, _), (other, _) = signed_in(), signed_in()
    original = upload_ok(painter, encoded(painting(25)))
    upload_ok(painter, encoded(jpeg(painting(25), None, 40)))
    upload_ok(other, image_bytes(size=(200, 150)))
    upload_ok(other, encoded(painting(26)))
    assert painter.get(f"/api/artworks/{original['id']}/copies").get_json()["items"] == []


def test_deleting_a_work_removes_it_from_image_search(client, signed_in):
    artist, _ = signed_in()
    work = upload_ok(artist, encoded(painting(27)))
    assert ids(search_image(client, encoded(painting(27))).get_json()["duplicates"]) == [work["id"]]
    assert artist.delete(f"/api/artworks/{work['id']}").status_code == 200
    assert search_image(client, encoded(painting(27))).get_json()["duplicates"] == []


def test_two_app_instances_on_one_database_agree(make_app, tmp_path):
    first = make_app()
    second = make_app(DATABASE=first.config["DATABASE"], MEDIA_DIR=first.config["MEDIA_DIR"])
    writer, reader = first.test_client(), second.test_client()
    from tests.conftest import register
    register(writer)
    assert search_image(reader, encoded(painting(28))).get_json()["duplicates"] == []
    work = upload_ok(writer, encoded(painting(28)))
    assert ids(search_image(reader, encoded(painting(28))).get_json()["duplicates"]) == [work["id"]]
    writer.delete(f"/api/artworks/{work['id']}")
    assert search_image(reader, encoded(painting(28))).get_json()["duplicates"] == []


def test_the_artist_of_a_private_original_is_alerted_but_the_uploader_not_told(signed_in):
    (painter, _), (copier, _) = signed_in(), signed_in()
    original = upload_ok(painter, encoded(painting(29)), availability_status="private")
    copied = upload_ok(copier, encoded(painting(29)))
    assert copied["possible_copy_of"] == []
    alerts = painter.get("/api/copyright/alerts").get_json()["items"]
    assert [(a["original"]["id"], a["copy"]["id"]) for a in alerts] == [(original["id"], copied["id"])]


@pytest.mark.skipif(not (IMAGES / "art_variants").is_dir(), reason="../shared/data/images is absent")
def test_copies_found_in_the_wild_are_flagged_and_their_hard_negatives_are_not(signed_in):
    """art_variants/: real reproductions, crops and posterized copies of works in art/, and works
    of the same subject or composition that are not copies (the Seurat study for the Grande
    Jatte scores 0.977 on hashes alone; its keypoints refute it)."""
    with open(IMAGES / "art_variants" / "index.csv", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["is_same_artwork"] in ("yes", "no")]
    (painter, _), (copier, _) = signed_in(), signed_in()
    originals = {name: upload_ok(painter, (IMAGES / "art" / name).read_bytes(), title=name)["id"]
                 for name in dict.fromkeys(row["canonical_file"] for row in rows)}
    outcomes = []
    for row in rows:
        flagged = upload_ok(copier, (IMAGES / "art_variants" / row["file"]).read_bytes(),
                            title=row["file"])["possible_copy_of"]
        assert set(ids(flagged)) <= {originals[row["canonical_file"]]}, row["file"]
        outcomes.append((row["is_same_artwork"], bool(flagged)))
    assert outcomes.count(("no", True)) == 0
    assert outcomes.count(("yes", False)) <= 1      # a tight crop of a large work is missed today
