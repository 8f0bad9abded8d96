"""Categories (a seeded tree plus curators' additions) and tags (popular and trending)."""

import pytest

from tests.conftest import assert_problem, image_bytes, register, upload_ok


@pytest.fixture
def curator(app):
    client = app.test_client()
    user = register(client)
    result = app.test_cli_runner().invoke(args=["grant-role", user["username"], "curator"])
    assert result.exit_code == 0, result.output
    return client


def find(nodes, name):
    for node in nodes:
        if node["name"] == name:
            return node
        found = find(node["children"], name)
        if found:
            return found
    return None


def test_seeded_tree_with_mediums_and_counts(app, artist):
    client, _ = artist
    upload_ok(client, category_id="12", medium="oil")
    upload_ok(client, category_id="1", medium="Oil")
    body = app.test_client().get("/api/categories").get_json()
    painting = find(body["items"], "Painting")
    assert painting["kind"] == "category" and painting["description"]
    assert {child["name"] for child in painting["children"]} >= {"Portrait", "Landscape", "Abstract"}
    assert painting["artwork_count"] == 1 and painting["total_artwork_count"] == 2
    assert find(body["items"], "Landscape")["artwork_count"] == 1
    assert find(body["items"], "Oil")["artwork_count"] == 2 and find(body["items"], "Oil")["kind"] == "medium"
    assert body["total"] >= 40
    mediums = app.test_client().get("/api/categories?kind=medium").get_json()["items"]
    assert mediums and all(node["kind"] == "medium" for node in mediums)
    assert_problem(app.test_client().get("/api/categories?kind=colour"), 400)


def test_curator_creates_categories(curator):
    response = curator.post("/api/categories", json={"name": "Fresco", "description": "Paint on wet plaster.",
                                                     "parent_category": "painting"})
    assert response.status_code == 201, response.get_json()
    fresco = response.get_json()
    assert (fresco["name"], fresco["parent_id"], fresco["kind"]) == ("Fresco", 1, "category")
    assert fresco["artwork_count"] == 0
    child = curator.post("/api/categories", json={"name": "Buon fresco", "parent_id": fresco["id"]})
    assert child.status_code == 201
    tree = curator.get("/api/categories").get_json()["items"]
    assert find(tree, "Buon fresco")["parent_id"] == fresco["id"]
    medium = curator.post("/api/categories",
                          json={"name": "Egg tempera", "kind": "medium", "parent_category": "Tempera"})
    assert medium.status_code == 201


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"name": "painting"}, 409, "name"),  # names are unique whatever their case
    ({"name": "Orphan", "parent_id": 9999}, 400, "parent_id"),
    ({"name": "Orphan", "parent_category": "Nowhere"}, 400, "parent_category"),
    ({"name": "Mixed", "parent_id": 1, "parent_category": "Drawing"}, 400, "parent_category"),
    ({"name": "Oil on panel", "kind": "medium", "parent_id": 1}, 400, "parent_id"),
    ({"name": ""}, 400, "name"),
    ({"name": "X", "artwork_count": 5}, 400, "artwork_count"),
    ({"name": "X", "kind": "genre"}, 400, "kind"),
])
def test_category_rejections(curator, body, status, field):
    assert field in assert_problem(curator.post("/api/categories", json=body), status)["errors"]


def test_only_curators_and_admins_create_categories(app, client):
    assert_problem(client.post("/api/categories", json={"name": "Fresco"}), 401)
    register(client)
    assert_problem(client.post("/api/categories", json={"name": "Fresco"}), 403)


def test_popular_tags_count_public_works_only(app, artist):
    client, _ = artist
    upload_ok(client, tags="sea, night")
    upload_ok(client, tags="sea")
    upload_ok(client, tags="secret-project", availability_status="private")
    body = app.test_client().get("/api/tags").get_json()
    names = [(tag["name"], tag["usage_count"]) for tag in body["items"]]
    assert ("sea", 2) in names and names.index(("sea", 2)) < names.index(("night", 1))
    assert ("red", 2) in names  # the colour tags of the two public works
    assert "secret-project" not in {tag["name"] for tag in body["items"]}
    assert "trending" in body and body["page"] == 1
    narrowed = app.test_client().get("/api/tags?q=Ni").get_json()
    assert [t["name"] for t in narrowed["items"]] == ["night"]
    assert [t["name"] for t in narrowed["trending"]] == ["night"]  # the preview follows q too
    assert [t["name"] for t in app.test_client().get("/api/tags?q=%25").get_json()["items"]] == []


def test_trending_compares_the_last_7_days_with_the_7_before(app, artist, db):
    client, _ = artist
    works = [upload_ok(client, image_bytes(size=(20, 20)), tags=tags)["id"]
             for tags in ("rising", "rising", "rising, steady", "steady", "steady")]
    db.execute("DELETE FROM artwork_tags WHERE source = 'colour'")  # keep to the artist's tags here
    ten_days_ago = db.execute("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-10 days')").fetchone()[0]
    steady = db.execute("SELECT id FROM tags WHERE name = 'steady'").fetchone()[0]
    db.execute("UPDATE artwork_tags SET tagged_at = ? WHERE tag_id = ? AND artwork_id IN (?, ?)",
               (ten_days_ago, steady, works[3], works[4]))
    trending = app.test_client().get("/api/tags?sort=trending").get_json()
    rows = {tag["name"]: tag for tag in trending["items"]}
    assert list(rows)[0] == "rising"
    assert (rows["rising"]["recent_uses"], rows["rising"]["previous_uses"]) == (3, 0)
    assert "steady" not in rows  # 1 use this week against 2 the week before: not trending
    popular = app.test_client().get("/api/tags?sort=popular").get_json()["items"]
    assert {tag["name"] for tag in popular} >= {"rising", "steady"}


def test_tags_pagination_past_the_end_keeps_the_total(app, artist):
    client, _ = artist
    upload_ok(client, tags="a, b, c")
    body = app.test_client().get("/api/tags?per_page=2&page=5").get_json()
    assert body["items"] == [] and body["total"] == 4  # a, b, c and the colour tag
    assert_problem(app.test_client().get("/api/tags?sort=loud"), 400)
