"""A work made private disappears from every surface that names or counts works, for every viewer
but its artist. Each surface is first checked to show the work while it is public, so a surface
that stopped showing anything could not pass for a private one."""

import io
import json
import sqlite3

import pytest

from tests.api.test_exhibitions import call, set_dates
from tests.conftest import build_app, encoded, painting, register, upload_ok

TITLE, TAG, MEDIUM = "Nocturne Quayside", "hiddenmotif", "Encaustic"


def text_of(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.dumps(response.get_json(), ensure_ascii=False)


def mentions(text, secret):
    return secret["id"] in text or TITLE in text or TAG in text


@pytest.fixture
def world(app, signed_in, db):
    return make_world(signed_in, db)


def make_world(signed_in, db):
    # An earlier work by another artist that the secret copies: confirming the copy alert its
    # upload raises is the other way to hide it (a takedown).
    claimant_client, _ = signed_in()
    original = upload_ok(claimant_client, encoded(painting(7)), title="Harbour study")
    artist_client, artist = signed_in()
    reader, _ = signed_in(account_type="collector")
    others = [signed_in()[0] for _ in range(2)]
    curator_client, curator = signed_in()
    db.execute("UPDATE artists SET role = 'curator' WHERE id = ?", (curator["id"],))
    db.execute("INSERT OR IGNORE INTO categories (name, kind) VALUES (?, 'medium')", (MEDIUM,))
    category = db.execute("INSERT INTO categories (name) VALUES ('Harbour scenes') RETURNING id").fetchone()[0]
    secret_image = encoded(painting(7))
    secret = upload_ok(artist_client, secret_image, title=TITLE, tags=f"{TAG}, night", medium=MEDIUM,
                       category_id=str(category), description="Moonlit quay in wax")
    other_client, other_artist = signed_in()
    lighthouse = upload_ok(other_client, encoded(painting(8)), title="Lighthouse")
    for fan in (reader, *others):
        assert fan.post(f"/api/artworks/{secret['id']}/like").status_code == 200
    for fan in others:
        fan.post(f"/api/artworks/{lighthouse['id']}/like")
    comment = reader.post(f"/api/artworks/{secret['id']}/comment", json={"comment_text": "Lovely"}).get_json()
    artist_client.post(f"/api/artworks/{secret['id']}/comment",
                       json={"comment_text": "Thank you", "parent_comment_id": comment["id"]})
    gallery = artist_client.post("/api/galleries", json={"name": "Night works"}).get_json()
    artist_client.post(f"/api/galleries/{gallery['id']}/artworks", json={"artwork_id": secret["id"]})
    exhibition = curator_client.post("/api/exhibitions", json=call()).get_json()
    submission = artist_client.post(f"/api/exhibitions/{exhibition['id']}/submit",
                                    json={"artwork_ids": [secret["id"]]}).get_json()
    curator_client.put(f"/api/exhibitions/{exhibition['id']}/submissions/{submission['id']}",
                       json={"status": "accepted"})
    set_dates(db, exhibition["id"], -2, -1, 5)  # opened: the accepted works are on show
    return {"artist_client": artist_client, "artist": artist, "reader": reader, "others": others,
            "secret": secret, "secret_image": secret_image, "lighthouse": lighthouse, "gallery": gallery,
            "exhibition": exhibition, "category": category, "other_artist": other_artist,
            "claimant_client": claimant_client, "original": original}


def surfaces(client, world):
    """{surface: the JSON text it shows this client}."""
    artist_id = world["artist"]["id"]
    image = client.post("/api/search/image", data={"image_file": (io.BytesIO(world["secret_image"]), "q.jpg")},
                        content_type="multipart/form-data")
    shown = {
        "artwork list": text_of(client.get("/api/artworks?per_page=100")),
        "artwork list by tag": text_of(client.get(f"/api/artworks?tag={TAG}")),
        "search": text_of(client.get("/api/search?q=nocturne&type=all")),
        "suggestions": text_of(client.get("/api/search/suggest?q=noctu")),
        "featured": text_of(client.get("/api/featured?per_page=100")),
        "trending works": text_of(client.get("/api/trending?type=artworks&window=24h")),
        "trending tags": text_of(client.get("/api/trending?type=tags&window=24h")),
        "similar": text_of(client.get(f"/api/artworks/{world['original']['id']}/similar")),
        "search by image": text_of(image),
        "profile": text_of(client.get(f"/api/artists/{artist_id}")),
        "tags": text_of(client.get(f"/api/tags?q={TAG[:6]}")),
        "gallery": text_of(client.get(f"/api/galleries/{world['gallery']['id']}")),
        "galleries": text_of(client.get(f"/api/galleries?artist_id={artist_id}")),
        "exhibition": text_of(client.get(f"/api/exhibitions/{world['exhibition']['id']}")),
    }
    if client.get("/api/auth/user").status_code == 200:
        shown["notifications"] = text_of(client.get("/api/notifications"))
        shown["feed"] = text_of(client.get("/api/feed?per_page=100"))
    return shown


def counts(client, world):
    """What the counting surfaces say: the category's and medium's counts, and the profile's."""
    tree = client.get("/api/categories").get_json()["items"]
    flat = {node["name"]: node for node in _walk(tree)}
    profile = client.get(f"/api/artists/{world['artist']['id']}").get_json()
    facets = client.get("/api/search").get_json()["facets"]
    return {"category": flat["Harbour scenes"]["artwork_count"], "medium": flat[MEDIUM]["artwork_count"],
            "profile": profile["artwork_count"],
            "medium facet": sum(entry["count"] for entry in facets["medium"] if entry["value"] == MEDIUM),
            "category facet": sum(entry["count"] for entry in facets["category"] if entry["name"] == "Harbour scenes")}


COUNTS = ("category", "medium", "profile", "medium facet", "category facet")


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node["children"])


# Surfaces that show the public work only to some viewers: the feed leaves out the reader's own likes
# but names the liked work in a reason; notifications reach the reader, who commented.
NOT_EVERYONE = {"feed", "notifications"}


def test_a_private_work_shows_through_no_surface(app, world):
    anonymous = app.test_client()
    viewers = {"anonymous": anonymous, "reader": world["reader"], "another": world["others"][0]}
    before = surfaces(world["reader"], world)
    assert {name for name, text in before.items() if not mentions(text, world["secret"])} == set()
    assert "Popular with people who liked “Nocturne Quayside”" in before["feed"]
    assert counts(anonymous, world) == dict.fromkeys(COUNTS, 1)

    answer = world["artist_client"].put(f"/api/artworks/{world['secret']['id']}",
                                        json={"availability_status": "private"})
    assert answer.status_code == 200

    for viewer, client in viewers.items():
        leaks = {name for name, text in surfaces(client, world).items() if mentions(text, world["secret"])}
        assert leaks == set(), f"{viewer} still sees the private work on {sorted(leaks)}"
        assert counts(client, world) == dict.fromkeys(COUNTS, 0), viewer
    feed = surfaces(world["reader"], world)["feed"]
    assert "Popular with people who liked a work" in feed  # the reason stays, without the name
    own = world["artist_client"].get(f"/api/artworks/{world['secret']['id']}")
    assert own.status_code == 200 and own.get_json()["title"] == TITLE  # its artist still has it


# --- A confirmed copy ----------------------------------------------------------------------------

SURFACES = ("artwork list", "artwork list by tag", "search", "suggestions", "featured", "trending works",
            "trending tags", "similar", "search by image", "profile", "tags", "gallery", "galleries", "exhibition",
            "notifications", "feed")


@pytest.fixture(scope="module")
def withheld(tmp_path_factory):
    """One world in which the secret, a copy of the claimant's original, is taken down after every
    surface was seen to show it; the tests below only read."""
    app = build_app(tmp_path_factory.mktemp("withheld") / "data")
    conn = sqlite3.connect(app.config["DATABASE"], isolation_level=None)
    conn.row_factory = sqlite3.Row

    def signed_in(**fields):
        new_client = app.test_client()
        return new_client, register(new_client, **fields)

    world = make_world(signed_in, conn)
    before = surfaces(world["reader"], world)
    assert set(before) == set(SURFACES)
    assert {name for name, text in before.items() if not mentions(text, world["secret"])} == set()
    alerts = world["claimant_client"].get("/api/copyright/alerts").get_json()["items"]
    alert = next(a for a in alerts if a["copy"]["id"] == world["secret"]["id"])
    confirmed = world["claimant_client"].put(f"/api/copyright/alerts/{alert['id']}", json={"status": "confirmed"})
    assert confirmed.status_code == 200, confirmed.get_json()
    viewers = {"anonymous": app.test_client(), "reader": world["reader"], "another": world["others"][0],
               "claimant": world["claimant_client"]}
    seen = {viewer: surfaces(client, world) for viewer, client in viewers.items()}
    yield app, world, seen, viewers
    conn.close()


@pytest.mark.parametrize("surface", SURFACES)
def test_a_confirmed_copy_shows_on_no_surface(withheld, surface):
    _, world, seen, _ = withheld
    for viewer, shown in seen.items():
        if surface in shown:
            assert not mentions(shown[surface], world["secret"]), f"{viewer} still sees the copy on {surface}"


def test_a_confirmed_copy_counts_nowhere_and_stays_with_its_uploader(withheld):
    _, world, _, viewers = withheld
    for viewer, client in viewers.items():
        assert counts(client, world) == dict.fromkeys(COUNTS, 0), viewer
    own = world["artist_client"].get(f"/api/artworks/{world['secret']['id']}").get_json()
    assert own["title"] == TITLE and own["withheld"] == "takedown"
    mine = world["artist_client"].get(f"/api/artworks?artist_id={world['artist']['id']}&per_page=100")
    assert world["secret"]["id"] in text_of(mine)   # the uploader's own list keeps it
