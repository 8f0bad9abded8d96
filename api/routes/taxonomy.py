"""Categories (a tree, with styles and subjects beside it) and tags (with what is trending)."""

from typing import Any, ClassVar, Literal

from flask import jsonify

from api.auth import STAFF, require_staff
from api.db import get_db
from api.fields import Body, RowId, Text
from api.parsing import Choice, Paged, Query, Trimmed, list_response
from api.problems import ApiError, validation_error
from api.routes import bp
from api.routing import operation
from api.shapes import Shape, page_of
from store import taxonomy

TRENDING_PREVIEW = 10


class CategoriesQuery(Query):
    kind: Choice(taxonomy.CATEGORY_KINDS) | None = None


class CategoryCreate(Body):
    server_owned: ClassVar[frozenset] = frozenset({"id", "artwork_count", "created_at", "children"})
    name: Text(60, 1)
    description: Text(500) | None = None
    parent_id: RowId | None = None
    # SPEC's name for the parent: an id or a name.
    parent_category: RowId | Text(60, 1) | None = None
    kind: Literal[taxonomy.CATEGORY_KINDS] = "category"


class TagsQuery(Paged):
    sort: Choice(taxonomy.TAG_SORTS) = "popular"
    q: Trimmed(100) | None = None


class Category(Shape):
    id: int
    name: str
    description: str | None
    parent_id: int | None
    kind: str
    children: list["Category"]


class Tag(Shape):
    name: str


class TagPage(page_of(Tag)):
    trending: list[dict[str, Any]] | None = None


@operation(bp, "GET", "/categories", query=CategoriesQuery, response=page_of(Category))
def list_categories(query):
    roots, total = taxonomy.category_tree(get_db(), query.kind)
    # A tree is answered whole, in one page.
    return list_response(roots, total, 1, total)


@operation(bp, "POST", "/categories", access="user", body=CategoryCreate, response=Category, status=201,
           errors=(409,), roles=STAFF)
def create_category(query, body):
    require_staff("Only curators and admins can add categories.")
    parent = _category_parent(body)
    try:
        category = taxonomy.create_category(get_db(), name=body.name, description=body.description,
                                            parent_id=parent["id"] if parent else None, kind=body.kind)
    except taxonomy.CategoryNameTaken as taken:
        raise ApiError(409, f"A category named {body.name!r} exists already.", title="Already exists",
                       problem="conflict", errors={"name": "is already taken"}) from taken
    return jsonify({**category, "children": []}), 201


def _category_parent(form):
    if form.parent_id is not None and form.parent_category is not None:
        raise validation_error({"parent_category": "give parent_id or parent_category, not both"})
    field = "parent_id" if form.parent_id is not None else "parent_category"
    wanted = form.parent_id if form.parent_id is not None else form.parent_category
    if wanted is None:
        return None
    parent = taxonomy.find_category(get_db(), wanted)
    if parent is None:
        raise validation_error({field: "must be an existing category"})
    if parent["kind"] != form.kind:
        raise validation_error({field: f"must be a {form.kind}, like the new one"})
    return parent


@operation(bp, "GET", "/tags", query=TagsQuery, response=TagPage)
def list_tags(query):
    usage = taxonomy.tag_usage(get_db(), prefix=taxonomy.normalise_tag(query.q or ""))
    ranked = taxonomy.rank_tags(usage, query.sort)
    extra = {}
    if query.sort != "trending":  # one call gives a tag cloud and what is rising
        extra["trending"] = taxonomy.rank_tags(usage, "trending")[:TRENDING_PREVIEW]
    rows, total = ranked[query.offset: query.offset + query.per_page], len(ranked)
    return list_response(rows, total, query.page, query.per_page, **extra)
