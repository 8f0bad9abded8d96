"""Facet counts equal what plain SQL counts over the same matches."""

import random

import pytest

from search.engine import Filters, search_artworks
from tests.search.conftest import person, work

MEDIUMS = ["Oil", "oil ", "Watercolour", "Ink", None]
COLOURS = ["red", "blue", "green", "white"]
PLACES = ["Paris, France", "Lyon, France", "Lagos, Nigeria", None]
WORDS = ["river", "sea", "study", "portrait", "night", "garden"]


@pytest.fixture
def crowd(conn):
    """60 works with random mediums, categories, colours, prices, places; some private."""
    rng = random.Random(5)
    artists = [person(conn, f"painter{n}", location=PLACES[n % len(PLACES)]) for n in range(6)]
    for _ in range(60):
        work(conn, rng.choice(artists), " ".join(rng.sample(WORDS, 2)), medium=rng.choice(MEDIUMS),
             category_id=rng.choice([None, 1, 2, 11, 12, 16]), price=rng.choice([None, 50, 150, 700, 2500, 9000]),
             availability_status=rng.choice(["available", "available", "sold", "exhibition", "private"]),
             colours=rng.sample(COLOURS, 2))
    return artists


def sql_matches(conn, expression, viewer_id, where="1", params=()):
    text_match = ("AND a.id IN (SELECT d.artwork_id FROM artworks_fts f JOIN search_documents d ON d.doc_id = f.rowid "
                  "WHERE artworks_fts MATCH ?)") if expression else ""
    return f"""
        FROM artworks a JOIN artists ar ON ar.id = a.artist_id
        WHERE (a.availability_status <> 'private' OR a.artist_id = ?) {text_match} AND {where}
    """, [viewer_id, *([expression] if expression else []), *params]


def grouped(conn, column, expression, viewer_id, where="1", params=()):
    sql, values = sql_matches(conn, expression, viewer_id, where, params)
    return {row[0]: row[1] for row in conn.execute(
        f"SELECT {column} AS value, count(*) {sql} AND {column} IS NOT NULL GROUP BY value", values)}


@pytest.mark.parametrize("text", ["", "river ", "sea -night", "gar"])
@pytest.mark.parametrize("viewer", [None, 0])
def test_facets_equal_sql_counts(conn, index, crowd, text, viewer):
    viewer_id = crowd[viewer] if viewer is not None else None
    result = search_artworks(conn, index, text=text, viewer_id=viewer_id, filters=Filters(price_min=100))
    expression = result.expression
    priced = "a.price >= 100"
    facets = result.facets
    assert {item["value"].lower(): item["count"] for item in facets["medium"]} == \
        grouped(conn, "lower(trim(a.medium))", expression, viewer_id, priced)
    assert {item["value"]: item["count"] for item in facets["availability"]} == \
        grouped(conn, "a.availability_status", expression, viewer_id, priced)
    assert {item["value"]: item["count"] for item in facets["location"]} == \
        grouped(conn, "ar.location", expression, viewer_id, priced)
    for item in facets["colour"]:
        sql, values = sql_matches(conn, expression, viewer_id, priced + " AND EXISTS (SELECT 1 FROM artwork_tags at "
                                  "JOIN tags t ON t.id = at.tag_id WHERE at.artwork_id = a.id AND t.name = ?)",
                                  [item["value"]])
        assert conn.execute(f"SELECT count(*) {sql}", values).fetchone()[0] == item["count"]
    painting = next((item["count"] for item in facets["category"] if item["id"] == 1), 0)
    sql, values = sql_matches(conn, expression, viewer_id, priced + " AND a.category_id IN (1, 11, 12)")
    assert conn.execute(f"SELECT count(*) {sql}", values).fetchone()[0] == painting
    # The price facet leaves out its own filter: its buckets cover the cheap works as well.
    for bucket in facets["price"]:
        if bucket["min"] is None:
            where, params = "a.price IS NULL", []
        else:
            where, params = "a.price >= ? AND (? IS NULL OR a.price < ?)", [bucket["min"], bucket["max"],
                                                                              bucket["max"]]
        sql, values = sql_matches(conn, expression, viewer_id, where, params)
        assert conn.execute(f"SELECT count(*) {sql}", values).fetchone()[0] == bucket["count"], bucket
    sql, values = sql_matches(conn, expression, viewer_id, priced)
    assert result.total == conn.execute(f"SELECT count(*) {sql}", values).fetchone()[0]


def test_a_facet_ignores_its_own_filter_and_honours_the_others(conn, index, crowd):
    both = search_artworks(conn, index, filters=Filters(medium="Ink", colour="red")).facets
    only_colour = search_artworks(conn, index, filters=Filters(colour="red")).facets
    only_medium = search_artworks(conn, index, filters=Filters(medium="Ink")).facets
    assert both["medium"] == only_colour["medium"]
    assert both["colour"] == only_medium["colour"]
