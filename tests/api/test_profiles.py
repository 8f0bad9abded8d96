"""Artist profiles: reading, the portfolio overview, owner-only updates, the directory."""

import pytest

from tests.conftest import add_artwork, add_gallery, assert_problem, register

FULL_UPDATE = {
    "artist_name": "Berthe M.",
    "bio": "Impressionist.",
    "location": "Paris",
    "specialties": ["Oil", "oil ", "Watercolour"],
    "contact_info": "studio@example.com",
    "social_links": {"Instagram": "https://instagram.com/berthe", "site": "http://berthe.example"},
    "profile_image_url": "https://cdn.example/berthe.jpg",
    "portfolio": {
        "theme": "dark", "layout": "masonry", "accent_color": "#AA3300", "open_for_commissions": True,
        "watermark": {"enabled": True, "text": "© Berthe", "opacity": 0.5, "position": "center"},
    },
}


@pytest.fixture
def artist(signed_in):
    return signed_in(username="berthe")


def test_profile_for_strangers_hides_private_details(client, artist):
    _, user = artist
    body = client.get(f"/api/artists/{user['id']}").get_json()
    assert body["username"] == "berthe"
    for hidden in ("email", "contact_info", "role", "password_hash"):
        assert hidden not in body
    assert "watermark" not in body["portfolio"]
    assert body["overview"] == {"artwork_count": 0, "gallery_count": 0, "featured_artworks": [],
                                "gallery_previews": [], "follower_count": 0, "following_count": 0}


def test_contact_info_is_for_signed_in_users(signed_in, artist):
    owner, user = artist
    owner.put(f"/api/artists/{user['id']}", json={"contact_info": "call me"})
    visitor, _ = signed_in()
    assert visitor.get(f"/api/artists/{user['id']}").get_json()["contact_info"] == "call me"


def test_unknown_artist_is_404(client):
    body = assert_problem(client.get("/api/artists/no-such-id"), 404)
    assert body["title"] == "Not Found"


def test_owner_updates_profile_and_portfolio(client, artist):
    owner, user = artist
    response = owner.put(f"/api/artists/{user['id']}", json=FULL_UPDATE)
    assert response.status_code == 200
    body = response.get_json()
    assert body["artist_name"] == "Berthe M." and body["location"] == "Paris"
    assert body["specialties"] == ["Oil", "Watercolour"]
    assert body["social_links"] == {"instagram": "https://instagram.com/berthe", "site": "http://berthe.example"}
    assert body["portfolio"] == {
        "theme": "dark", "layout": "masonry", "accent_color": "#aa3300", "featured_gallery_id": None,
        "open_for_commissions": True, "listed_in_directory": True, "message_previews": False,
        "watermark": {"enabled": True, "text": "© Berthe", "opacity": 0.5, "position": "center"},
    }
    public = client.get(f"/api/artists/{user['id']}").get_json()
    assert public["portfolio"]["theme"] == "dark" and "watermark" not in public["portfolio"]
    assert public["profile_image_url"] == "https://cdn.example/berthe.jpg"


def test_partial_update_leaves_other_fields_and_null_clears(artist):
    owner, user = artist
    owner.put(f"/api/artists/{user['id']}", json=FULL_UPDATE)
    body = owner.put(f"/api/artists/{user['id']}", json={"bio": None, "portfolio": {"watermark": {"opacity": 0.1}}})
    body = body.get_json()
    assert body["bio"] is None and body["location"] == "Paris"
    assert body["portfolio"]["watermark"] == {"enabled": True, "text": "© Berthe", "opacity": 0.1,
                                              "position": "center"}


def test_update_needs_sign_in_and_ownership(client, signed_in, artist):
    _, user = artist
    assert_problem(client.put(f"/api/artists/{user['id']}", json={"bio": "hacked"}), 401)
    intruder, _ = signed_in()
    assert_problem(intruder.put(f"/api/artists/{user['id']}", json={"bio": "hacked"}), 403)
    assert_problem(intruder.put("/api/artists/no-such-id", json={"bio": "x"}), 404)
    assert client.get(f"/api/artists/{user['id']}").get_json()["bio"] == "Paints light."


@pytest.mark.parametrize("body, field", [
    ({"social_links": {"site": "javascript:alert(1)"}}, "social_links.site"),
    ({"social_links": {"bad key!": "https://x.example"}}, "social_links.bad key!.[key]"),
    ({"social_links": ["https://x.example"]}, "social_links"),
    ({"specialties": "oil"}, "specialties"),
    ({"specialties": ["x"] * 21}, "specialties"),
    ({"specialties": ["x" * 51]}, "specialties.0"),
    ({"profile_image_url": "ftp://cdn.example/a.jpg"}, "profile_image_url"),
    ({"artist_name": None}, "artist_name"),
    ({"bio": "x" * 2001}, "bio"),
    ({"portfolio": {"theme": "neon"}}, "portfolio.theme"),
    ({"portfolio": {"layout": "carousel"}}, "portfolio.layout"),
    ({"portfolio": {"accent_color": "red"}}, "portfolio.accent_color"),
    ({"portfolio": {"watermark": {"opacity": 1.5}}}, "portfolio.watermark.opacity"),
    ({"portfolio": {"watermark": {"position": "middle"}}}, "portfolio.watermark.position"),
    ({"portfolio": {"open_for_commissions": "yes"}}, "portfolio.open_for_commissions"),
    ({"portfolio": {"colour": "#000000"}}, "portfolio.colour"),
    ({"nickname": "B"}, "nickname"),
])
def test_update_rejects_bad_fields_and_changes_nothing(artist, body, field):
    owner, user = artist
    before = owner.get(f"/api/artists/{user['id']}").get_json()
    problem = assert_problem(owner.put(f"/api/artists/{user['id']}", json={"location": "Nice", **body}), 400)
    assert list(problem["errors"]) == [field]
    assert owner.get(f"/api/artists/{user['id']}").get_json() == before


@pytest.mark.parametrize("field", ["follower_count", "artwork_count", "role", "username", "email", "id"])
def test_update_refuses_server_owned_fields(artist, field):
    owner, user = artist
    problem = assert_problem(owner.put(f"/api/artists/{user['id']}", json={field: 99}), 400)
    assert problem["errors"] == {field: "is set by the server and cannot be written"}


def test_featured_gallery_must_be_the_artists_own(db, signed_in, artist):
    owner, user = artist
    _, other = signed_in()
    mine, theirs = add_gallery(db, user["id"]), add_gallery(db, other["id"])
    problem = assert_problem(owner.put(f"/api/artists/{user['id']}",
                                       json={"portfolio": {"featured_gallery_id": theirs}}), 400)
    assert "portfolio.featured_gallery_id" in problem["errors"]
    body = owner.put(f"/api/artists/{user['id']}", json={"portfolio": {"featured_gallery_id": mine}}).get_json()
    assert body["portfolio"]["featured_gallery_id"] == mine
    db.execute("DELETE FROM galleries WHERE id = ?", (mine,))
    assert owner.get(f"/api/artists/{user['id']}").get_json()["portfolio"]["featured_gallery_id"] is None


def test_overview_shows_only_public_work(client, db, artist):
    owner, user = artist
    popular = add_artwork(db, user["id"], title="Popular", like_count=9)
    add_artwork(db, user["id"], title="Quiet", like_count=1)
    hidden = add_artwork(db, user["id"], title="Secret", like_count=50, availability_status="private")
    add_gallery(db, user["id"], name="Shown", cover_artwork_id=hidden)
    add_gallery(db, user["id"], name="Mine only", visibility="private")
    add_gallery(db, user["id"], name="By link", visibility="unlisted")

    body = client.get(f"/api/artists/{user['id']}").get_json()
    overview = body["overview"]
    assert [work["title"] for work in overview["featured_artworks"]] == ["Popular", "Quiet"]
    assert overview["featured_artworks"][0]["thumbnail_urls"]["medium"] == (
        f"/api/artworks/{popular}/thumbnail?size=medium")
    assert [gallery["name"] for gallery in overview["gallery_previews"]] == ["Shown"]
    assert overview["gallery_previews"][0]["cover"] is None  # a private cover stays hidden
    assert overview["artwork_count"] == 2 and body["artwork_count"] == 2
    assert owner.get(f"/api/artists/{user['id']}").get_json()["artwork_count"] == 3


def test_directory_lists_paginates_and_filters(client, signed_in):
    for n in range(5):
        signed_in(location="Lyon" if n % 2 else "Kyoto", account_type="collector" if n == 4 else "artist")
    page = client.get("/api/artists?per_page=2&page=2").get_json()
    assert page["total"] == 5 and page["page"] == 2 and page["per_page"] == 2 and len(page["items"]) == 2
    assert client.get("/api/artists?location=kyo").get_json()["total"] == 3
    assert client.get("/api/artists?account_type=collector").get_json()["total"] == 1
    names = [item["artist_name"] for item in client.get("/api/artists?sort=name").get_json()["items"]]
    assert names == sorted(names, key=str.lower)
    assert all("email" not in item for item in page["items"])


def test_directory_location_filter_treats_wildcards_literally(client, signed_in):
    signed_in(location="Lyon")
    assert client.get("/api/artists?location=%25").get_json()["total"] == 0
    assert client.get("/api/artists?location=L_on").get_json()["total"] == 0


@pytest.mark.parametrize("query, field", [
    ("page=0", "page"), ("page=abc", "page"), ("per_page=0", "per_page"), ("per_page=-5", "per_page"),
    ("sort=random", "sort"), ("account_type=robot", "account_type"),
])
def test_directory_rejects_bad_query_parameters(client, query, field):
    assert field in assert_problem(client.get(f"/api/artists?{query}"), 400)["errors"]


def test_per_page_is_capped_at_100(client):
    register(client)
    assert client.get("/api/artists?per_page=500").get_json()["per_page"] == 100
