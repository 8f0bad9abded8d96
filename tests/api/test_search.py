"""GET /api/search and /api/search/suggest through the app, and the search commands."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import assert_problem, image_bytes, upload_ok


@pytest.fixture
def works(app, signed_in):
    """Two artists' uploads (real images through the pipeline); one work is private."""
    painter, painter_user = signed_in(artist_name="Claude Lumière", location="Giverny, France")
    other, other_user = signed_in(artist_name="Ada Printer", location="Lagos, Nigeria")
    made = {
        "lilies": upload_ok(painter, image_bytes(colour=(30, 60, 200)), title="Water lilies",
                            description="Blue water and <lilies>", medium="Oil", price="900", tags="pond,garden"),
        "bridge": upload_ok(painter, image_bytes(colour=(40, 160, 60)), title="Japanese bridge",
                            description="Green bridge over the pond", medium="Oil", price="1500"),
        "print": upload_ok(other, image_bytes(colour=(220, 30, 30)), title="Red harbour", medium="Woodcut",
                           price="120"),
        "hidden": upload_ok(other, image_bytes(colour=(30, 60, 200)), title="Hidden pond study",
                            availability_status="private"),
    }
    return {"painter": (painter, painter_user), "other": (other, other_user), "works": made}


def test_answer_shape(client, works):
    body = client.get("/api/search?q=pond").get_json()
    assert set(body) >= {"items", "total", "page", "per_page", "facets", "corrected_query"}
    assert body["total"] == 2 and body["corrected_query"] is None
    item = body["items"][0]
    assert item["title"] == "Water lilies"  # the pond is a tag there; for the bridge only in the description
    assert item["thumbnail_urls"]["small"].endswith("size=small")
    assert item["artist"]["artist_name"] == "Claude Lumière"
    assert item["highlights"]["description"] == "Blue water and &lt;lilies&gt;"
    assert isinstance(item["score"], float) and "score_components" not in item
    assert {facet for facet in body["facets"]} == {"medium", "category", "colour", "availability", "price",
                                                   "location"}


def test_explain_adds_components_and_the_ranking_settings(client, works):
    body = client.get("/api/search?q=pond&explain=1").get_json()
    assert set(body["items"][0]["score_components"]) == {"bm25", "text", "engagement", "recency", "quality"}
    assert body["ranking"]["column_weights"]["title"] > 0


def test_filters_and_sort_through_the_route(client, works):
    assert [i["title"] for i in client.get("/api/search?medium=oil&sort=price_desc").get_json()["items"]] == \
        ["Japanese bridge", "Water lilies"]
    assert client.get("/api/search?location=Nigeria").get_json()["total"] == 1
    assert client.get("/api/search?price_min=100&price_max=200").get_json()["total"] == 1
    assert client.get("/api/search?tag=garden").get_json()["total"] == 1
    assert client.get("/api/search?category=Painting").get_json()["total"] == 0
    assert client.get("/api/search?category=NoSuchThing").get_json()["total"] == 0


def test_typo_is_corrected(client, works):
    body = client.get("/api/search?q=harbuor").get_json()
    assert body["corrected_query"] == "harbour" and body["items"][0]["title"] == "Red harbour"


def test_privacy_through_the_route(client, works):
    other, _ = works["other"]
    assert client.get("/api/search?q=hidden").get_json()["total"] == 0
    assert other.get("/api/search?q=hidden").get_json()["total"] == 1
    assert client.get("/api/search?availability=private").get_json()["total"] == 0
    facets = client.get("/api/search?q=pond").get_json()["facets"]
    assert sum(item["count"] for item in facets["availability"]) == 2


def test_uploads_edits_and_deletes_are_searchable_at_once(client, works):
    painter, _ = works["painter"]
    lilies = works["works"]["lilies"]["id"]
    assert painter.put(f"/api/artworks/{lilies}", json={"title": "Nymphéas"}).status_code == 200
    assert client.get("/api/search?q=nympheas").get_json()["total"] == 1
    assert client.get("/api/search?q=lilies ").get_json()["total"] == 1  # still in its description
    assert painter.put(f"/api/artworks/{lilies}", json={"availability_status": "private"}).status_code == 200
    assert client.get("/api/search?q=nympheas").get_json()["total"] == 0
    assert painter.delete(f"/api/artworks/{lilies}").status_code == 200
    assert painter.get("/api/search?q=nympheas").get_json()["total"] == 0


def test_artists_and_all(client, works):
    body = client.get("/api/search?type=artists&q=lumiere").get_json()
    assert [item["artist_name"] for item in body["items"]] == ["Claude Lumière"]
    assert body["items"][0]["highlights"]["artist_name"] == "Claude <mark>Lumière</mark>"
    body = client.get("/api/search?type=all&q=printer").get_json()
    assert [artist["artist_name"] for artist in body["artists"]] == ["Ada Printer"]
    assert body["artists_total"] == 1 and body["total"] == 1  # her work matches by artist name
    assert client.get("/api/search?type=artists").get_json()["total"] == 2


@pytest.mark.parametrize("query, field", [
    ("type=pictures", "type"), ("sort=cheapest", "sort"), ("price_min=-1", "price_min"), ("colour=magenta", "colour"),
    ("explain=maybe", "explain"), ("page=0", "page"), ("availability=lost", "availability"),
    ("created_after=yesterday", "created_after"),
])
def test_bad_parameters_are_400(client, query, field):
    body = assert_problem(client.get(f"/api/search?{query}"), 400)
    assert field in body["errors"]


def test_per_page_is_capped(client, works):
    assert client.get("/api/search?per_page=1000").get_json()["per_page"] == 100


def test_suggestions(client, works):
    body = client.get("/api/search/suggest?q=po").get_json()
    kinds = {(item["kind"], item["text"]) for item in body["items"]}
    assert ("tag", "pond") in kinds and ("category", "Portrait") in kinds
    portrait = next(item for item in body["items"] if item["text"] == "Portrait")
    assert portrait["category_kind"] == "category"
    assert client.get("/api/search/suggest?q=hidd").get_json()["items"] == []
    assert {item["text"] for item in client.get("/api/search/suggest?q=japanese br").get_json()["items"]} == \
        {"Japanese bridge"}
    assert [item["kind"] for item in client.get("/api/search/suggest?q=ada pr").get_json()["items"]] == ["artist"]
    assert client.get("/api/search/suggest?q=a").get_json()["items"] == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200), kind=st.sampled_from(["artworks", "artists", "all"]))
def test_no_query_text_causes_a_server_error(client, works, text, kind):
    response = client.get("/api/search", query_string={"q": text, "type": kind})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert client.get("/api/search/suggest", query_string={"q": text}).status_code == 200


@pytest.mark.parametrize("text", ['"unclosed', "*", "NEAR(", "AND", "title:foo", "🎨🖼️", "x" * 500,
                                  " ".join(["word"] * 100), "-", '-"', "\x00", "OR OR OR", "^start"])
def test_hostile_queries(client, works, text):
    assert client.get("/api/search", query_string={"q": text, "type": "all"}).status_code == 200
    suggest = client.get("/api/search/suggest", query_string={"q": text[:100]})
    assert suggest.status_code == 200, suggest.get_data(as_text=True)


def test_bad_ranking_settings_stop_the_server_at_start(make_app):
    with pytest.raises(ValueError, match="SEARCH_RANKING"):
        make_app(SEARCH_RANKING='{"engagement": -2}')
    assert make_app(SEARCH_RANKING='{"engagement": 0.4}').config["SEARCH_RANKING"].engagement == 0.4
