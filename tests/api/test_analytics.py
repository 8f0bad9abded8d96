"""Artist analytics: events recorded as they happen, daily series, top works and outcomes."""

from datetime import UTC, datetime, timedelta

from tests.conftest import add_artwork, assert_problem, upload_ok


def today(offset=0):
    return (datetime.now(UTC).date() + timedelta(days=offset)).isoformat()


def analytics(client, user_id, **query):
    response = client.get(f"/api/artists/{user_id}/analytics", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def last_day(body, series):
    return body["series"][series][-1]["count"]


def test_only_the_artist_sees_their_analytics(client, artist, signed_in):
    _, user = artist
    other, _ = signed_in()
    assert_problem(client.get(f"/api/artists/{user['id']}/analytics"), 401)
    assert_problem(other.get(f"/api/artists/{user['id']}/analytics"), 403)
    assert_problem(other.get("/api/artists/nobody/analytics"), 404)
    assert_problem(artist[0].get(f"/api/artists/{user['id']}/analytics", query_string={"days": 7}), 400)


def test_a_quiet_window_is_all_zeros_day_by_day(artist):
    owner, user = artist
    body = analytics(owner, user["id"])
    assert body["days"] == 30 and body["to"] == today() and body["from"] == today(-29)
    assert [point["date"] for point in body["series"]["views"]] == [today(offset) for offset in range(-29, 1)]
    assert set(body["series"]) == {"views", "image_views", "likes", "comments", "shares", "new_followers",
                                   "lost_followers", "gallery_views"}
    assert all(total == 0 for total in body["totals"].values())
    assert body["conversion"] == {"views": 0, "likes": 0, "likes_per_view": None}
    assert len(analytics(owner, user["id"], days=90)["series"]["likes"]) == 90


def test_what_others_do_is_recorded_as_it_happens(client, artist, signed_in):
    owner, user = artist
    work = upload_ok(owner, title="Harbour")["id"]
    quiet = upload_ok(owner, title="Quiet")["id"]
    gallery = owner.post("/api/galleries", json={"name": "Best"}).get_json()["id"]
    fan, _ = signed_in()
    fan.get(f"/api/artworks/{work}")
    client.get(f"/api/artworks/{work}")
    client.get(f"/api/artworks/{quiet}")
    fan.get(f"/api/artworks/{work}/image")
    for _ in range(3):  # a like toggled on, off and on counts once that day
        fan.post(f"/api/artworks/{work}/like")
    fan.post(f"/api/artworks/{work}/comment", json={"comment_text": "Wonderful"})
    fan.post(f"/api/artworks/{work}/share", json={"channel": "email"})
    fan.post(f"/api/follow/{user['id']}")
    fan.post(f"/api/follow/{user['id']}")  # and unfollows
    fan.get(f"/api/galleries/{gallery}")
    # The artist's own activity does not count.
    owner.get(f"/api/artworks/{work}")
    owner.post(f"/api/artworks/{work}/like")
    owner.get(f"/api/galleries/{gallery}")

    body = analytics(owner, user["id"])
    assert {name: last_day(body, name) for name in body["series"]} == {
        "views": 3, "image_views": 1, "likes": 1, "comments": 1, "shares": 1, "new_followers": 1,
        "lost_followers": 1, "gallery_views": 1}
    assert body["totals"]["views"] == 3
    assert body["conversion"] == {"views": 3, "likes": 1, "likes_per_view": 0.3333}
    top_views = body["top_artworks"]["views"]
    assert [(entry["artwork"]["title"], entry["count"]) for entry in top_views] == [("Harbour", 2), ("Quiet", 1)]
    assert top_views[0]["likes_per_view"] == 0.5 and top_views[1]["likes_per_view"] == 0.0
    assert [entry["artwork"]["id"] for entry in body["top_artworks"]["likes"]] == [work]
    assert body["galleries"] == [{"id": gallery, "name": "Best", "visibility": "public", "views": 1,
                                  "view_count": 1}]


def test_the_window_leaves_older_events_out_and_keeps_deleted_works_history(db, artist, signed_in):
    owner, user = artist
    work = add_artwork(db, user["id"], title="Old")
    for days_ago in (0, 45):
        db.execute("INSERT INTO activity_events (artist_id, kind, artwork_id, actor_key, occurred_at) "
                   "VALUES (?, 'view', ?, 'anon:x', ?)", (user["id"], work, today(-days_ago) + "T12:00:00.000Z"))
    assert analytics(owner, user["id"])["totals"]["views"] == 1
    assert analytics(owner, user["id"], days=90)["totals"]["views"] == 2
    owner.delete(f"/api/artworks/{work}")
    body = analytics(owner, user["id"], days=90)
    assert body["totals"]["views"] == 2 and body["top_artworks"]["views"] == []


def test_commission_and_exhibition_outcomes(db, artist, signed_in):
    owner, user = artist
    owner.put(f"/api/artists/{user['id']}", json={"portfolio": {"open_for_commissions": True}})
    patron, _ = signed_in()
    made = patron.post("/api/commissions", json={
        "artist_id": user["id"], "title": "Portrait", "description": "Oil", "budget": 800, "deadline": today(20)})
    commission = made.get_json()["id"]
    for status in ("accepted", "in_progress", "completed"):
        owner.put(f"/api/commissions/{commission}", json={"status": status})
    patron.post("/api/commissions", json={
        "artist_id": user["id"], "title": "Second", "description": "Ink", "budget": 100, "currency": "EUR",
        "deadline": today(20)})
    organiser, _ = signed_in()
    exhibition = organiser.post("/api/exhibitions", json={
        "title": "Show", "submission_deadline": today(5), "exhibition_start": today(6), "exhibition_end": today(9),
        "location": "online"}).get_json()["id"]
    submission = owner.post(f"/api/exhibitions/{exhibition}/submit",
                            json={"artwork_ids": [add_artwork(db, user["id"])]}).get_json()["id"]
    organiser.put(f"/api/exhibitions/{exhibition}/submissions/{submission}", json={"status": "accepted"})

    body = analytics(owner, user["id"])
    assert body["commissions"]["by_status"] == {"requested": 1, "accepted": 0, "in_progress": 0, "completed": 1,
                                                "cancelled": 0}
    assert body["commissions"]["completed_value"] == {"USD": 800}
    assert body["exhibitions"] == {"submitted": 0, "accepted": 1, "rejected": 0}
