"""Text search over artworks and artists (ranked, faceted, typo-tolerant, explainable) and
search-as-you-type suggestions."""

import json
from typing import Any

from flask import current_app
from pydantic import AliasChoices, Field

from api.auth import current_user_id
from api.db import database_path, get_db
from api.filters import ArtworkFilters
from api.parsing import Choice, Flag, Query, Trimmed, WholeNumber, list_response
from api.routes import bp
from api.routing import operation
from api.shapes import Artwork, Shape, artwork_json
from search import artists as artist_search
from search import engine as search_engine
from search import highlight
from search import suggest as search_suggest
from search.index import index_for
from store import artworks, social, taxonomy

SEARCH_TYPES = ("artworks", "artists", "all")
# Longer than any real query; past it a query is refused (400) rather than cut.
MAX_QUERY_LENGTH = 500
ARTISTS_BESIDE_ARTWORKS = 5


class SearchQuery(ArtworkFilters):
    # The SPEC calls the text "query"; q is the short name.
    q: Trimmed(MAX_QUERY_LENGTH) = Field("", validation_alias=AliasChoices("q", "query"))
    type: Choice(SEARCH_TYPES) = "artworks"
    sort: Choice(search_engine.SORTS) = "relevance"
    explain: Flag = False
    facets: Flag = True
    location: Trimmed(100) | None = None

    def engine_filters(self):
        return search_engine.Filters(**self.as_filters(), location=self.location or None)


class SuggestQuery(Query):
    q: Trimmed(100) = Field("", validation_alias=AliasChoices("q", "query"))
    limit: WholeNumber(cap=20) = 5


class SearchHit(Artwork):
    highlights: dict[str, Any] | None
    score: float


class ArtistHit(Shape):
    id: str
    username: str
    artist_name: str
    highlights: dict[str, Any] | None


class SearchResults(Shape):
    items: list[SearchHit | ArtistHit]
    total: int
    page: int
    per_page: int
    facets: dict[str, Any] | None
    corrected_query: str | None


class Suggestion(Shape):
    kind: str


class Suggestions(Shape):
    items: list[Suggestion]
    total: int
    page: int
    per_page: int


def search_hit_json(hit, artwork, tags, liked, explain):
    shaped = artwork_json(artwork, tags, liked=liked)
    shaped["highlights"] = hit.highlights or None
    shaped["score"] = round(hit.score, 6)
    if explain:
        shaped["score_components"] = {name: round(value, 6) for name, value in hit.components.items()}
    return shaped


def search_hits_json(hits, explain):
    ids = [hit.artwork_id for hit in hits]
    conn = get_db()
    rows, tags = artworks.artworks_by_id(conn, ids), taxonomy.tags_of(conn, ids)
    liked = social.liked_among(conn, current_user_id(), ids)
    return [search_hit_json(hit, rows[hit.artwork_id], tags[hit.artwork_id], hit.artwork_id in liked, explain)
            for hit in hits if hit.artwork_id in rows]


def artist_hit_json(row):
    shaped = {key: row[key] for key in ("id", "username", "artist_name", "bio", "location", "profile_image_url",
                                        "follower_count", "artwork_count", "created_at")}
    shaped["specialties"] = json.loads(row["specialties"])
    shaped["highlights"] = ({"artist_name": highlight.from_fts(row["highlighted_name"])}
                            if row["highlighted_name"] else None)
    return shaped



@operation(bp, "GET", "/search", access="optional", query=SearchQuery, response=SearchResults)
def search(query):
    if query.type == "artists":
        rows, total = artist_search.search_artists(get_db(), artist_search.expression_for(query.q),
                                                   offset=query.offset, limit=query.per_page)
        return list_response([artist_hit_json(row) for row in rows], total, query.page, query.per_page,
                             facets=None, corrected_query=None)
    config = current_app.config["SEARCH_RANKING"]
    result = search_engine.search_artworks(
        get_db(), index_for(database_path()), text=query.q, filters=query.engine_filters(), sort=query.sort,
        offset=query.offset, limit=query.per_page, viewer_id=current_user_id(), config=config,
        with_facets=query.facets)
    extra = {"facets": result.facets, "corrected_query": result.corrected_query}
    if query.type == "all":
        rows, total = artist_search.search_artists(
            get_db(), artist_search.expression_for(result.corrected_query or query.q), limit=ARTISTS_BESIDE_ARTWORKS)
        extra.update(artists=[artist_hit_json(row) for row in rows], artists_total=total)
    if query.explain:
        extra["ranking"] = config.as_dict()
    return list_response(search_hits_json(result.hits, query.explain), result.total, query.page, query.per_page,
                         **extra)


@operation(bp, "GET", "/search/suggest", access="optional", query=SuggestQuery, response=Suggestions)
def search_suggestions(query):
    found = search_suggest.suggest(get_db(), query.q, viewer_id=current_user_id(), limit=query.limit)
    items = ([{"kind": "title", **item} for item in found["titles"]]
             + [{"kind": "artist", **item} for item in found["artists"]]
             + [{"kind": "tag", **item} for item in found["tags"]]
             + [{"kind": "category", **item} for item in found["categories"]])
    return list_response(items, len(items), 1, query.limit)
