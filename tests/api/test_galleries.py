"""Galleries through the API: visibility, positions, covers, counts and permissions."""

import pytest

from tests.conftest import add_artwork, assert_problem


def make_gallery(client, **fields):
    response = client.post("/api/galleries", json={"name": "Studies", **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def add(client, gallery_id, artwork_id, position=None):
    body = {"artwork_id": artwork_id} | ({"position": position} if position is not None else {})
    return client.post(f"/api/galleries/{gallery_id}/artworks", json=body)


def order(client, gallery_id, **query):
    body = client.get(f"/api/galleries/{gallery_id}", query_string=query).get_json()
    return [(item["position"], item["title"]) for item in body["artworks"]["items"]]


def stored_positions(db, gallery_id):
    return [tuple(row) for row in db.execute(
        "SELECT position, (SELECT title FROM artworks WHERE id = artwork_id) FROM gallery_artworks "
        "WHERE gallery_id = ? ORDER BY position", (gallery_id,))]


@pytest.fixture
def works(db, artist):
    """Five public works of the signed-in artist, titled A to E."""
    _, user = artist
    return {title: add_artwork(db, user["id"], title=title) for title in "ABCDE"}


def test_create_returns_the_gallery(artist):
    client, user = artist
    response = client.post("/api/galleries", json={"name": " Blue period ", "description": "Nocturnes",
                                                   "theme": "dark", "visibility": "unlisted"})
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"] == f"/api/galleries/{body['id']}"
    assert body["name"] == "Blue period" and body["theme"] == "dark" and body["visibility"] == "unlisted"
    assert body["artist"]["id"] == user["id"] and body["artwork_count"] == 0 and body["cover"] is None
    assert body["artworks"] == {"items": [], "total": 0, "page": 1, "per_page": 20}
    assert body["statistics"]["artwork_count"] == 0


@pytest.mark.parametrize("body, field", [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"name": "G", "theme": "neon"}, "theme"),
    ({"name": "G", "visibility": "secret"}, "visibility"),
    ({"name": "G", "artwork_count": 3}, "artwork_count"),
    ({"name": "G", "artist_id": "someone"}, "artist_id"),
    ({"name": "G", "colour": "red"}, "colour"),
    ({"name": "G", "cover_artwork_id": "nope"}, "cover_artwork_id"),
])
def test_create_refuses_bad_fields_and_stores_nothing(db, artist, body, field):
    client, _ = artist
    problem = assert_problem(client.post("/api/galleries", json=body), 400)
    assert field in problem["errors"]
    assert db.execute("SELECT count(*) FROM galleries").fetchone()[0] == 0


def test_signed_out_cannot_create_or_list_their_own(client):
    assert_problem(client.post("/api/galleries", json={"name": "G"}), 401)
    assert_problem(client.get("/api/galleries"), 401)


def test_a_cover_given_at_creation_becomes_the_first_work(db, artist, signed_in, works):
    client, _ = artist
    body = make_gallery(client, cover_artwork_id=works["C"])
    assert body["cover"]["artwork_id"] == works["C"] and body["artwork_count"] == 1
    assert [(item["position"], item["title"]) for item in body["artworks"]["items"]] == [(1, "C")]
    other, stranger = signed_in()
    secret = add_artwork(db, stranger["id"], title="Secret", availability_status="private")
    problem = assert_problem(client.post("/api/galleries", json={"name": "G", "cover_artwork_id": secret}), 400)
    assert "cover_artwork_id" in problem["errors"]


def test_positions_stay_one_to_n_after_insert_move_and_remove(db, artist, works):
    client, _ = artist
    gallery = make_gallery(client)["id"]
    for title in "ABC":
        assert add(client, gallery, works[title]).status_code == 201
    response = add(client, gallery, works["D"], position=1)
    assert response.get_json()["added"] == {"artwork_id": works["D"], "position": 1}
    add(client, gallery, works["E"], position=3)
    assert order(client, gallery) == [(1, "D"), (2, "A"), (3, "E"), (4, "B"), (5, "C")]

    assert client.put(f"/api/galleries/{gallery}/artworks/{works['C']}", json={"position": 2}).status_code == 200
    assert order(client, gallery) == [(1, "D"), (2, "C"), (3, "A"), (4, "E"), (5, "B")]
    client.put(f"/api/galleries/{gallery}/artworks/{works['D']}", json={"position": 5})
    assert order(client, gallery) == [(1, "C"), (2, "A"), (3, "E"), (4, "B"), (5, "D")]

    removed = client.delete(f"/api/galleries/{gallery}/artworks/{works['E']}").get_json()
    assert removed == {"removed": True, "gallery_id": gallery, "artwork_id": works["E"], "artwork_count": 4}
    assert stored_positions(db, gallery) == [(1, "C"), (2, "A"), (3, "B"), (4, "D")]
    assert client.delete(f"/api/artworks/{works['A']}").status_code == 200  # deleted outright
    assert stored_positions(db, gallery) == [(1, "C"), (2, "B"), (3, "D")]
    assert db.execute("SELECT artwork_count FROM galleries WHERE id = ?", (gallery,)).fetchone()[0] == 3


def test_bad_placements_are_refused_and_change_nothing(db, artist, signed_in, works):
    client, _ = artist
    gallery = make_gallery(client)["id"]
    add(client, gallery, works["A"])
    add(client, gallery, works["B"])
    before = stored_positions(db, gallery)
    assert "position" in assert_problem(add(client, gallery, works["C"], position=4), 400)["errors"]
    assert "position" in assert_problem(add(client, gallery, works["C"], position=0), 400)["errors"]
    assert_problem(add(client, gallery, works["A"]), 409)
    assert "artwork_id" in assert_problem(add(client, gallery, "missing"), 400)["errors"]
    assert_problem(client.post(f"/api/galleries/{gallery}/artworks", json={"artwork_id": works["C"],
                                                                           "gallery_id": gallery}), 400)
    move = client.put(f"/api/galleries/{gallery}/artworks/{works['A']}", json={"position": 3})
    assert "position" in assert_problem(move, 400)["errors"]
    assert_problem(client.put(f"/api/galleries/{gallery}/artworks/{works['C']}", json={"position": 1}), 404)
    assert_problem(client.delete(f"/api/galleries/{gallery}/artworks/{works['C']}"), 404)
    assert stored_positions(db, gallery) == before


def test_curated_galleries_hold_other_artists_public_works_only(db, artist, signed_in):
    client, _ = artist
    _, painter = signed_in()
    public = add_artwork(db, painter["id"], title="Public")
    private = add_artwork(db, painter["id"], title="Private", availability_status="private")
    gallery = make_gallery(client)["id"]
    assert add(client, gallery, public).status_code == 201
    assert "artwork_id" in assert_problem(add(client, gallery, private), 400)["errors"]


def test_a_work_made_private_vanishes_from_everyone_else_s_view(db, client, artist, signed_in):
    owner, _ = artist
    painter_client, painter = signed_in()
    theirs = add_artwork(db, painter["id"], title="Theirs")
    mine = add_artwork(db, artist[1]["id"], title="Mine")
    gallery = make_gallery(owner, cover_artwork_id=theirs)["id"]
    add(owner, gallery, mine)
    assert painter_client.put(f"/api/artworks/{theirs}", json={"availability_status": "private"}).status_code == 200

    for viewer in (owner, client):
        body = viewer.get(f"/api/galleries/{gallery}").get_json()
        assert [item["title"] for item in body["artworks"]["items"]] == ["Mine"]
        assert body["artwork_count"] == 1 and body["artworks"]["total"] == 1
        assert body["cover"]["artwork_id"] == mine  # the chosen cover is hidden: the first visible work
        assert [card["artwork_id"] for card in body["preview"]] == [mine]
    # The painter still sees their own work where it hangs.
    assert painter_client.get(f"/api/galleries/{gallery}").get_json()["artwork_count"] == 2
    listed = client.get("/api/galleries", query_string={"artist_id": artist[1]["id"]}).get_json()["items"][0]
    assert listed["artwork_count"] == 1


def test_the_owner_s_private_works_in_a_public_gallery_are_theirs_alone(db, client, artist):
    owner, user = artist
    hidden = add_artwork(db, user["id"], title="Draft", availability_status="private")
    shown = add_artwork(db, user["id"], title="Shown")
    gallery = make_gallery(owner, cover_artwork_id=hidden)["id"]
    add(owner, gallery, shown)
    assert owner.get(f"/api/galleries/{gallery}").get_json()["artwork_count"] == 2
    body = client.get(f"/api/galleries/{gallery}").get_json()
    assert body["artwork_count"] == 1 and body["cover"]["artwork_id"] == shown
    assert body["statistics"]["artwork_count"] == 1


def test_cover_follows_removal_and_deletion(db, artist, works):
    client, _ = artist
    gallery = make_gallery(client)["id"]
    for title in "ABC":
        add(client, gallery, works[title])
    assert client.put(f"/api/galleries/{gallery}", json={"cover_artwork_id": works["B"]}).get_json()["cover"][
        "artwork_id"] == works["B"]
    problem = assert_problem(client.put(f"/api/galleries/{gallery}", json={"cover_artwork_id": works["D"]}), 400)
    assert "cover_artwork_id" in problem["errors"]
    client.delete(f"/api/galleries/{gallery}/artworks/{works['B']}")
    assert client.get(f"/api/galleries/{gallery}").get_json()["cover"]["artwork_id"] == works["A"]
    client.put(f"/api/galleries/{gallery}", json={"cover_artwork_id": works["C"]})
    client.delete(f"/api/artworks/{works['C']}")
    body = client.get(f"/api/galleries/{gallery}").get_json()
    assert body["cover"]["artwork_id"] == works["A"] and body["artwork_count"] == 1
    assert db.execute("SELECT cover_artwork_id FROM galleries WHERE id = ?", (gallery,)).fetchone()[0] is None


def test_listing_shows_each_viewer_what_they_may_see(client, artist, signed_in):
    owner, user = artist
    for name, visibility in (("Open", "public"), ("Mine", "private"), ("By link", "unlisted")):
        make_gallery(owner, name=name, visibility=visibility)
    other, _ = signed_in()
    mine = owner.get("/api/galleries").get_json()
    assert sorted(g["name"] for g in mine["items"]) == ["By link", "Mine", "Open"] and mine["total"] == 3
    assert [g["name"] for g in owner.get("/api/galleries", query_string={"visibility": "private"})
            .get_json()["items"]] == ["Mine"]
    for viewer in (client, other):
        listed = viewer.get("/api/galleries", query_string={"artist_id": user["id"]}).get_json()
        assert [g["name"] for g in listed["items"]] == ["Open"] and listed["total"] == 1
        for hidden in ("private", "unlisted"):
            assert viewer.get("/api/galleries", query_string={"artist_id": user["id"], "visibility": hidden}
                              ).get_json()["items"] == []
    assert other.get("/api/galleries").get_json()["items"] == []  # their own: none
    assert_problem(client.get("/api/galleries", query_string={"artist_id": "nobody"}), 404)
    assert_problem(client.get("/api/galleries", query_string={"artist_id": user["id"], "visibility": "x"}), 400)


def test_unlisted_and_private_galleries_stay_off_the_profile(client, artist):
    owner, user = artist
    unlisted = make_gallery(owner, name="By link", visibility="unlisted")["id"]
    make_gallery(owner, name="Mine", visibility="private")
    make_gallery(owner, name="Open")
    owner.put(f"/api/artists/{user['id']}", json={"portfolio": {"featured_gallery_id": unlisted}})
    profile = client.get(f"/api/artists/{user['id']}").get_json()
    assert [g["name"] for g in profile["overview"]["gallery_previews"]] == ["Open"]
    assert profile["overview"]["gallery_count"] == 1
    assert profile["portfolio"]["featured_gallery_id"] is None
    assert owner.get(f"/api/artists/{user['id']}").get_json()["portfolio"]["featured_gallery_id"] == unlisted


def test_private_galleries_are_404_and_unlisted_open_by_id(client, artist, signed_in):
    owner, _ = artist
    private = make_gallery(owner, visibility="private")["id"]
    unlisted = make_gallery(owner, visibility="unlisted")["id"]
    other, _ = signed_in()
    for viewer in (client, other):
        assert_problem(viewer.get(f"/api/galleries/{private}"), 404)
        assert viewer.get(f"/api/galleries/{unlisted}").status_code == 200
    assert owner.get(f"/api/galleries/{private}").status_code == 200
    assert_problem(client.get("/api/galleries/missing"), 404)


def test_only_the_owner_changes_a_gallery(db, client, artist, signed_in, works):
    owner, _ = artist
    public = make_gallery(owner)["id"]
    private = make_gallery(owner, visibility="private")["id"]
    add(owner, public, works["A"])
    other, _ = signed_in()
    attempts = [("put", "", {"name": "Mine now"}), ("delete", "", None),
                ("post", "/artworks", {"artwork_id": works["B"]}),
                ("put", f"/artworks/{works['A']}", {"position": 1}), ("delete", f"/artworks/{works['A']}", None)]
    for method, suffix, body in attempts:
        assert_problem(getattr(client, method)(f"/api/galleries/{public}{suffix}", json=body), 401)
        assert_problem(getattr(other, method)(f"/api/galleries/{public}{suffix}", json=body), 403)
        assert_problem(getattr(other, method)(f"/api/galleries/{private}{suffix}", json=body), 404)
    assert owner.get(f"/api/galleries/{public}").get_json()["name"] == "Studies"
    assert stored_positions(db, public) == [(1, "A")]


def test_update_validates_and_keeps_what_was_not_sent(artist):
    client, _ = artist
    gallery = make_gallery(client, description="Early", theme="bold")["id"]
    body = client.put(f"/api/galleries/{gallery}", json={"name": "Renamed", "visibility": "private"}).get_json()
    assert (body["name"], body["description"], body["theme"], body["visibility"]) == (
        "Renamed", "Early", "bold", "private")
    for bad in ({"name": None}, {"visibility": None}, {"theme": "neon"}, {"view_count": 5}):
        assert_problem(client.put(f"/api/galleries/{gallery}", json=bad), 400)
    assert client.put(f"/api/galleries/{gallery}", json={"description": None}).get_json()["description"] is None


def test_deleting_a_gallery_keeps_its_artworks(db, artist, works):
    client, _ = artist
    gallery = make_gallery(client, cover_artwork_id=works["A"])["id"]
    add(client, gallery, works["B"])
    assert client.delete(f"/api/galleries/{gallery}").get_json() == {"deleted": True, "id": gallery}
    assert_problem(client.get(f"/api/galleries/{gallery}"), 404)
    assert db.execute("SELECT count(*) FROM artworks").fetchone()[0] == 5
    assert db.execute("SELECT count(*) FROM gallery_artworks").fetchone()[0] == 0


def test_views_are_counted_per_visitor_and_never_for_the_owner(client, artist, signed_in):
    owner, _ = artist
    gallery = make_gallery(owner)["id"]
    owner.get(f"/api/galleries/{gallery}")
    other, _ = signed_in()
    for _ in range(3):
        other.get(f"/api/galleries/{gallery}")
    client.get(f"/api/galleries/{gallery}")
    assert owner.get(f"/api/galleries/{gallery}").get_json()["view_count"] == 2


def test_gallery_artworks_are_paginated(db, artist):
    client, user = artist
    gallery = make_gallery(client)["id"]
    for n in range(7):
        add(client, gallery, add_artwork(db, user["id"], title=f"W{n}"))
    body = client.get(f"/api/galleries/{gallery}", query_string={"page": 2, "per_page": 3}).get_json()
    assert [(item["position"], item["title"]) for item in body["artworks"]["items"]] == [
        (4, "W3"), (5, "W4"), (6, "W5")]
    assert body["artworks"]["total"] == 7 and body["artworks"]["page"] == 2
    assert [card["artwork_id"] for card in body["preview"]] == [
        row[0] for row in db.execute("SELECT artwork_id FROM gallery_artworks WHERE gallery_id = ? "
                                     "ORDER BY position LIMIT 4", (gallery,))]


def test_check_counters_covers_gallery_counts(app, db, artist, works):
    client, _ = artist
    gallery = make_gallery(client)["id"]
    for title in "ABC":
        add(client, gallery, works[title])
    client.delete(f"/api/galleries/{gallery}/artworks/{works['B']}")
    client.delete(f"/api/artworks/{works['C']}")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["check-counters"])
    assert result.exit_code == 0 and "galleries.artwork_count: ok" in result.output
    db.execute("UPDATE galleries SET artwork_count = 7 WHERE id = ?", (gallery,))
    result = runner.invoke(args=["check-counters"])
    assert result.exit_code == 1 and f"{gallery}: 7 -> 1" in result.output
    assert runner.invoke(args=["check-counters", "--fix"]).exit_code == 0
    assert db.execute("SELECT artwork_count FROM galleries WHERE id = ?", (gallery,)).fetchone()[0] == 1
