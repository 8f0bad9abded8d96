"""The takedown path: confirming a copy alert withholds the copy, its uploader disputes once, a
curator decides in the moderation queue, repeat offenders' uploads are held, every step is logged,
and the artist sees where their images are shown on other sites."""

import io
import random
import sqlite3

import numpy as np
import pytest
from PIL import Image

from bench.copy_transforms import crop, jpeg, watermark
from tests.conftest import assert_problem, encoded, painting, upload_ok


@pytest.fixture
def parties(signed_in, db):
    painter, painter_account = signed_in()
    copier, copier_account = signed_in()
    stranger, _ = signed_in()
    curator, curator_account = signed_in()
    db.execute("UPDATE artists SET role = 'curator' WHERE id = ?", (curator_account["id"],))
    return {"painter": painter, "copier": copier, "stranger": stranger, "curator": curator,
            "painter_id": painter_account["id"], "copier_id": copier_account["id"]}


def copied_pair(parties, seed, **fields):
    original = upload_ok(parties["painter"], encoded(painting(seed)), title=f"Original {seed}")
    copy = upload_ok(parties["copier"], encoded(jpeg(painting(seed), None, 60)), title=f"Copy {seed}", **fields)
    alerts = parties["painter"].get("/api/copyright/alerts?status=open").get_json()["items"]
    alert = next(a for a in alerts if a["copy"]["id"] == copy["id"])
    return original, copy, alert


def confirm(parties, alert):
    response = parties["painter"].put(f"/api/copyright/alerts/{alert['id']}",
                                      json={"status": "confirmed", "note": "My painting"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def events(body):
    return [event["action"] for event in body["events"]]


def test_confirming_withholds_the_copy_from_all_but_its_uploader_who_is_told_with_the_evidence(client, parties):
    original, copy, alert = copied_pair(parties, 40, availability_status="sold")
    assert client.get(f"/api/artworks/{copy['id']}").status_code == 200
    body = confirm(parties, alert)
    assert body["takedown"]["status"] == "withheld" and events(body["takedown"]) == ["withheld"]
    for viewer in (client, parties["stranger"], parties["painter"]):
        assert_problem(viewer.get(f"/api/artworks/{copy['id']}"), 404)
    own = parties["copier"].get(f"/api/artworks/{copy['id']}").get_json()
    assert own["availability_status"] == "private" and own["withheld"] == "takedown"
    told = [n for n in parties["copier"].get("/api/notifications").get_json()["items"] if n["kind"] == "copy_alert"]
    assert told and told[0]["data"]["event"] == "withheld" and told[0]["data"]["evidence"] == alert["evidence"]
    assert told[0]["data"]["original_id"] == original["id"]
    # The uploader cannot simply show it again, and the painter still has the alert.
    assert_problem(parties["copier"].put(f"/api/artworks/{copy['id']}", json={"availability_status": "available"}),
                   409)
    kept = parties["painter"].get("/api/copyright/alerts?status=confirmed").get_json()
    assert kept["total"] == 1 and kept["items"][0]["takedown"]["status"] == "withheld"
    assert_problem(parties["painter"].put(f"/api/copyright/alerts/{alert['id']}", json={"status": "dismissed"}), 409)


def test_a_dispute_is_the_uploader_s_once_and_a_curator_restores_the_copy(client, parties):
    _, copy, alert = copied_pair(parties, 41, availability_status="sold")
    confirm(parties, alert)
    path = f"/api/copyright/takedowns/{alert['id']}/dispute"
    statement = {"statement": "I painted this myself in 2019; here is my sketchbook."}
    for other in ("stranger", "painter", "curator"):
        assert_problem(parties[other].post(path, json=statement), 404)
    assert_problem(parties["copier"].post(path, json={"statement": "no"}), 400)
    assert_problem(parties["copier"].post(path, json={**statement, "status": "restored"}), 400)
    disputed = parties["copier"].post(path, json=statement)
    assert disputed.status_code == 200 and disputed.get_json()["status"] == "disputed"
    assert_problem(parties["copier"].post(path, json=statement), 409)
    assert_problem(client.get(f"/api/artworks/{copy['id']}"), 404)   # still withheld while it waits

    assert_problem(parties["stranger"].get("/api/moderation/copyright"), 403)
    queue = parties["curator"].get("/api/moderation/copyright").get_json()
    assert [(item["id"], item["kind"]) for item in queue["items"]] == [(alert["id"], "dispute")]
    assert queue["items"][0]["takedown"]["statement"] == statement["statement"]
    decide = f"/api/moderation/copyright/{alert['id']}"
    assert_problem(parties["stranger"].put(decide, json={"decision": "restore"}), 403)
    assert_problem(parties["curator"].put(decide, json={"decision": "release"}), 400)
    assert_problem(parties["curator"].put("/api/moderation/copyright/nope", json={"decision": "restore"}), 404)
    decided = parties["curator"].put(decide, json={"decision": "restore", "note": "Independent work"})
    assert decided.status_code == 200 and decided.get_json()["status"] == "restored"
    assert_problem(parties["curator"].put(decide, json={"decision": "uphold"}), 409)

    shown = client.get(f"/api/artworks/{copy['id']}").get_json()
    assert shown["availability_status"] == "sold"      # what it had before the takedown
    takedown = parties["painter"].get(f"/api/copyright/takedowns/{alert['id']}").get_json()
    assert events(takedown) == ["withheld", "disputed", "restored"]
    assert takedown["events"][-1]["note"] == "Independent work"
    for party in ("painter", "copier"):
        told = [n["data"].get("event") for n in parties[party].get("/api/notifications").get_json()["items"]
                if n["kind"] == "copy_alert"]
        assert "restored" in told, party
    assert parties["curator"].get("/api/moderation/copyright").get_json()["total"] == 0


def test_an_upheld_takedown_keeps_the_copy_hidden_for_good(client, parties):
    _, copy, alert = copied_pair(parties, 42)
    confirm(parties, alert)
    parties["copier"].post(f"/api/copyright/takedowns/{alert['id']}/dispute",
                           json={"statement": "It is only inspired by it, honestly."})
    decided = parties["curator"].put(f"/api/moderation/copyright/{alert['id']}", json={"decision": "uphold"})
    assert decided.get_json()["status"] == "removed"
    assert_problem(client.get(f"/api/artworks/{copy['id']}"), 404)
    assert_problem(parties["copier"].post(f"/api/copyright/takedowns/{alert['id']}/dispute",
                                          json={"statement": "Let me try once more, please."}), 409)
    mine = parties["copier"].get("/api/copyright/takedowns").get_json()
    assert [t["status"] for t in mine["items"]] == ["removed"]
    claimed = parties["painter"].get("/api/copyright/takedowns?role=claimant").get_json()
    assert claimed["total"] == 1 and parties["stranger"].get("/api/copyright/takedowns").get_json()["total"] == 0


def test_the_copyright_log_is_append_only(parties, db):
    _, _, alert = copied_pair(parties, 43)
    confirm(parties, alert)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE copyright_events SET note = 'rewritten'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM copyright_events")


def test_repeat_offenders_uploads_are_held_until_a_curator_releases_them(client, parties, db):
    from store.copyright import REPEAT_OFFENDER_TAKEDOWNS
    for seed in range(50, 50 + REPEAT_OFFENDER_TAKEDOWNS):
        confirm(parties, copied_pair(parties, seed)[2])
    original = upload_ok(parties["painter"], encoded(painting(60)))
    held = upload_ok(parties["copier"], encoded(jpeg(painting(60), None, 70)), availability_status="available")
    assert held["held_for_review"] is True and held["availability_status"] == "private"
    assert held["withheld"] == "hold"
    assert_problem(client.get(f"/api/artworks/{held['id']}"), 404)
    assert_problem(parties["copier"].put(f"/api/artworks/{held['id']}", json={"availability_status": "sold"}), 409)
    opened = parties["painter"].get("/api/copyright/alerts?status=open").get_json()["total"]
    queue = parties["curator"].get("/api/moderation/copyright?kind=held_upload").get_json()
    assert [item["artwork"]["id"] for item in queue["items"]] == [held["id"]]
    released = parties["curator"].put(f"/api/moderation/copyright/{queue['items'][0]['id']}",
                                      json={"decision": "release"})
    assert released.status_code == 200 and released.get_json()["status"] == "released"
    assert client.get(f"/api/artworks/{held['id']}").get_json()["availability_status"] == "available"
    # Released, it gets the copy check it skipped: the painter hears of it now.
    alerts = parties["painter"].get("/api/copyright/alerts?status=open").get_json()
    assert alerts["total"] == opened + 1 and alerts["items"][0]["original"]["id"] == original["id"]


def test_a_dismissed_alert_never_comes_back_for_the_same_pair(parties):
    _, copy, alert = copied_pair(parties, 44)
    parties["painter"].put(f"/api/copyright/alerts/{alert['id']}", json={"status": "dismissed"})
    for status in ("private", "available"):       # shown again, it is checked again
        parties["copier"].put(f"/api/artworks/{copy['id']}", json={"availability_status": status})
    alerts = parties["painter"].get("/api/copyright/alerts").get_json()
    assert [(a["id"], a["status"]) for a in alerts["items"]] == [(alert["id"], "dismissed")]


def test_the_evidence_picture_shows_both_works_to_the_painter_and_curators_only(client, parties):
    variant = watermark(crop(painting(45, (800, 600)), random.Random(3), 0.2), random.Random(4), "corner")
    upload_ok(parties["painter"], encoded(painting(45, (800, 600))))
    copy = upload_ok(parties["copier"], encoded(variant))
    alert = parties["painter"].get("/api/copyright/alerts").get_json()["items"][0]
    assert alert["copy"]["id"] == copy["id"] and alert["evidence_url"].endswith("/evidence.png")
    for viewer in ("painter", "curator"):
        response = parties[viewer].get(alert["evidence_url"])
        assert response.status_code == 200 and response.mimetype == "image/png"
        picture = np.asarray(Image.open(io.BytesIO(response.data)).convert("RGB"))
        assert picture.shape[1] > 1.5 * picture.shape[0]
        assert (picture == (255, 45, 85)).all(axis=2).sum() > 1000     # the matched regions, outlined
    for viewer in ("copier", "stranger"):
        assert_problem(parties[viewer].get(alert["evidence_url"]), 404)
    assert_problem(client.get(alert["evidence_url"]), 401)
    assert_problem(parties["painter"].get("/api/copyright/alerts/nope/evidence.png"), 404)


def test_image_requests_from_other_sites_are_counted_per_site(client, parties):
    work = upload_ok(parties["painter"], encoded(painting(46)))
    path = f"/api/artworks/{work['id']}/image?size=medium"
    for referrer in ("https://blog.example/post/1?utm=x", "https://blog.example/post/2", "https://pins.example/a",
                     "http://localhost/gallery"):
        assert client.get(path, headers={"Referer": referrer}).status_code == 200
    assert client.get(path).status_code == 200
    usage = parties["painter"].get(f"/api/artworks/{work['id']}/usage").get_json()
    assert [(s["site"], s["requests"]) for s in usage["items"]] == [("blog.example", 2), ("pins.example", 1)]
    assert usage["items"][0]["last_page"] == "https://blog.example/post/2" and usage["items"][0]["hotlinked"]
    assert_problem(parties["copier"].get(f"/api/artworks/{work['id']}/usage"), 403)
    assert_problem(parties["painter"].get(f"/api/artworks/{work['id']}/usage?since=1"), 400)
