"""GET /api/feed (mode for_you): the ranked personal feed, its reasons, and its stable cursor."""

import base64
import json

import pytest

from tests.conftest import add_artwork, assert_problem, encoded, painting, upload_ok

REASONS = {"following", "similar", "co_liked", "popular", "trending", "featured"}


def ids_of(body):
    return [item["id"] for item in body["items"]]


def whole_feed(client, per_page=100):
    return client.get(f"/api/feed?per_page={per_page}").get_json()


@pytest.fixture
def world(db, signed_in):
    """A reader who follows Ada and likes 'Harbour'; two other people like Harbour and Lighthouse."""
    reader, me = signed_in(account_type="collector")
    _, ada = signed_in()
    _, bo = signed_in()
    fans = [signed_in()[0] for _ in range(2)]
    harbour = add_artwork(db, bo["id"], title="Harbour")
    lighthouse = add_artwork(db, bo["id"], title="Lighthouse")
    ada_new = [add_artwork(db, ada["id"], title=f"Ada {n}") for n in range(3)]
    hidden = add_artwork(db, ada["id"], title="Ada private", availability_status="private")
    mine = add_artwork(db, me["id"], title="My own")
    reader.post(f"/api/follow/{ada['id']}")
    reader.post(f"/api/artworks/{harbour}/like")
    for fan in fans:
        fan.post(f"/api/artworks/{harbour}/like")
        fan.post(f"/api/artworks/{lighthouse}/like")
    return {"reader": reader, "me": me, "ada": ada, "harbour": harbour, "lighthouse": lighthouse,
            "ada_new": ada_new, "hidden": hidden, "mine": mine}


def test_the_feed_ranks_with_a_reason_for_every_work(world):
    body = whole_feed(world["reader"])
    assert body["mode"] == "for_you" and body["page"] == 1
    by_id = {item["id"]: item for item in body["items"]}
    assert set(world["ada_new"]) <= set(by_id)
    for item in body["items"]:
        assert item["reason"]["kind"] in REASONS and item["reason"]["text"]
        assert isinstance(item["score"], float)
    assert by_id[world["ada_new"][0]]["reason"] == {
        "kind": "following", "text": f"New from {world['ada']['artist_name']}, whom you follow", "artwork_id": None}
    assert by_id[world["lighthouse"]]["reason"] == {
        "kind": "co_liked", "text": "Popular with people who liked “Harbour”", "artwork_id": world["harbour"]}


def test_the_feed_never_shows_liked_private_or_own_works(world):
    shown = set(ids_of(whole_feed(world["reader"])))
    assert not shown & {world["harbour"], world["hidden"], world["mine"]}
    world["reader"].post(f"/api/artworks/{world['lighthouse']}/like")
    assert world["lighthouse"] not in ids_of(whole_feed(world["reader"]))


def test_a_cold_start_reader_gets_popular_featured_and_trending_works(world, signed_in):
    newcomer, _ = signed_in()
    body = whole_feed(newcomer)
    assert body["total"] > 0
    assert {item["reason"]["kind"] for item in body["items"]} <= {"popular", "featured", "trending"}
    assert world["hidden"] not in ids_of(body)


def test_the_cursor_stays_stable_while_new_works_arrive(world, db):
    reader = world["reader"]
    first = reader.get("/api/feed?per_page=2").get_json()
    brand_new = add_artwork(db, world["ada"]["id"], title="Brand new")
    seen, cursor, pages = ids_of(first), first["next_cursor"], [first]
    while cursor:
        page = reader.get(f"/api/feed?per_page=2&cursor={cursor}").get_json()
        assert page["total"] == first["total"] and page["page"] == len(pages) + 1
        seen += ids_of(page)
        cursor = page["next_cursor"]
        pages.append(page)
    assert len(seen) == len(set(seen)) == first["total"]
    assert brand_new not in seen
    assert brand_new in ids_of(whole_feed(reader))   # a fresh feed has it


def test_works_liked_or_made_private_meanwhile_are_skipped_on_later_pages(world, db):
    reader = world["reader"]
    first = reader.get("/api/feed?per_page=1").get_json()
    everything = ids_of(whole_feed(reader))
    later = [artwork_id for artwork_id in everything if artwork_id not in ids_of(first)]
    reader.post(f"/api/artworks/{later[0]}/like")
    db.execute("UPDATE artworks SET availability_status = 'private' WHERE id = ?", (later[1],))
    rest, cursor = [], first["next_cursor"]
    while cursor:
        page = reader.get(f"/api/feed?per_page=1&cursor={cursor}").get_json()
        rest += ids_of(page)
        cursor = page["next_cursor"]
    assert rest == later[2:]


def test_a_cursor_belongs_to_its_reader(world, signed_in):
    first = world["reader"].get("/api/feed?per_page=1").get_json()
    other, _ = signed_in()
    assert "cursor" in assert_problem(other.get(f"/api/feed?cursor={first['next_cursor']}"), 400)["errors"]


def test_an_unknown_snapshot_is_a_400(world):
    raw = json.dumps({"s": "00000000-0000-0000-0000-000000000000", "o": 1, "p": 1}).encode()
    cursor = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    errors = assert_problem(world["reader"].get(f"/api/feed?cursor={cursor}"), 400)["errors"]
    assert "expired" in errors["cursor"]


def test_similar_works_come_with_the_liked_work_they_resemble(artist, signed_in):
    artist_client, _ = artist
    liked = upload_ok(artist_client, encoded(painting(7)), title="Blue hour")
    twin_like = upload_ok(artist_client, encoded(painting(7).rotate(180)), title="Blue hour, reversed")
    for seed in range(20, 24):
        upload_ok(artist_client, encoded(painting(seed)), title=f"Other {seed}")
    reader, _ = signed_in()
    reader.post(f"/api/artworks/{liked['id']}/like")
    items = whole_feed(reader)["items"]
    similar = [item for item in items if item["reason"]["kind"] == "similar"]
    assert similar and all(item["reason"]["artwork_id"] == liked["id"] for item in similar)
    assert all(item["reason"]["text"] == "Similar to “Blue hour”, which you liked" for item in similar)
    assert items[0]["id"] == twin_like["id"]   # the same colours rank first


def test_a_reader_keeps_the_latest_ten_snapshots(world, db):
    cursors = [world["reader"].get("/api/feed?per_page=1").get_json()["next_cursor"] for _ in range(12)]
    assert db.execute("SELECT count(*) FROM feed_snapshots").fetchone()[0] == 10
    assert world["reader"].get(f"/api/feed?per_page=1&cursor={cursors[-1]}").status_code == 200
    assert_problem(world["reader"].get(f"/api/feed?per_page=1&cursor={cursors[0]}"), 400)


def test_a_deleted_featured_works_doc_number_does_not_feature_its_successor(artist, signed_in, db):
    """Featured and trending docs are remembered per list; SQLite gives the next work the doc number
    of a deleted last one, so a remembered doc must be checked before it is trusted."""
    artist_client, _ = artist
    upload_ok(artist_client, encoded(painting(3)), title="Stays")
    gone = upload_ok(artist_client, encoded(painting(4)), title="Deleted")
    reader, _ = signed_in()
    before = whole_feed(reader)["items"]
    assert {item["id"]: item["reason"]["kind"] for item in before}[gone["id"]] == "featured"
    doc = db.execute("SELECT doc_id FROM search_documents WHERE artwork_id = ?", (gone["id"],)).fetchone()[0]

    artist_client.delete(f"/api/artworks/{gone['id']}")
    successor = upload_ok(artist_client, encoded(painting(5)), title="Successor")
    assert db.execute("SELECT doc_id FROM search_documents WHERE artwork_id = ?", (successor["id"],)
                      ).fetchone()[0] == doc   # the reuse this guards against
    kinds = {item["id"]: item["reason"]["kind"] for item in whole_feed(reader)["items"]}
    assert gone["id"] not in kinds and kinds.get(successor["id"]) != "featured"
