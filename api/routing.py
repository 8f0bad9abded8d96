"""Declaring a route: its URL, what it reads, who may call it and what it answers.

One declaration serves twice. At request time the wrapper checks the caller, parses the query
string and the body against the declared models and hands the handler the results; the OpenAPI
document (api/openapi.py) is built from the same declarations, so the two cannot drift.
"""

import functools
from dataclasses import dataclass, field
from typing import Any, Literal

from flask import Blueprint

from api import auth
from api.parsing import NoQuery, Query, parsed_query, validated

Access = Literal["public", "optional", "user", "curator", "signed"]


@dataclass
class Operation:
    method: str
    rule: str
    endpoint: str
    view: Any
    access: Access
    query: type[Query]
    body: type | None = None
    # A model describing multipart fields; the handler reads the form itself (files and text).
    form: type | None = None
    # Bodies of which the caller's role picks one; the handler validates against it itself.
    body_choices: tuple[type, ...] = ()
    response: Any = None
    status: int = 200
    # Binary answers: {media type: description}, instead of a JSON response model.
    content: dict[str, str] | None = None
    errors: tuple[int, ...] = ()
    roles: tuple[str, ...] = ()
    extra_responses: dict[int, Any] = field(default_factory=dict)
    # OpenAPI links from the success answer: {target operationId: {its parameter: runtime expression}}.
    links: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def tag(self) -> str:
        return self.view.__module__.rsplit(".", 1)[-1]

    @property
    def limits(self) -> list[str]:
        return [limit for limit, _ in getattr(self.view, "rate_limits", [])]


OPERATIONS: list[Operation] = []


def operation(bp: Blueprint, method: str, rule: str, *, access: Access = "public", query: type[Query] = NoQuery,
              body: type | None = None, form: type | None = None, response: Any = None, status: int = 200,
              content: dict[str, str] | None = None, errors: tuple[int, ...] = (), roles: tuple[str, ...] = (),
              body_choices: tuple[type, ...] = (), extra_responses: dict[int, Any] | None = None,
              links: dict[str, dict[str, str]] | None = None):
    """Register `view` on `bp` for `method rule`.

    access: public (nobody signed in needed), optional (answers differ once signed in), user
    (401 signed out), curator (also 403 for anyone but curators and admins), signed (no session:
    the handler checks a signature over the raw body, 401 when it fails).
    The handler is called with the path's values, plus query= (always) and body= (when a body
    model is declared). errors: the problem statuses it may answer beyond the ones every route
    of its kind can (400, 429, 500; 401 and 403 from access; 404 with a path value).
    roles: the roles a signed-in caller needs, where the handler checks them itself.
    links: what the success answer leads to (OpenAPI links), e.g. {"get_gallery": {"gallery_id":
    "$response.body#/id"}}: clients and the stateful fuzzer follow them.
    """
    def register(view):
        spec = Operation(method, rule, view.__name__, view, access, query, body, form, body_choices, response, status,
                         content, errors, roles or (auth.STAFF if access == "curator" else ()),
                         extra_responses or {}, links or {})

        @functools.wraps(view)
        def handle(**path):
            if access == "user":
                auth.require_user()
            elif access == "curator":
                auth.require_curator()
            arguments = {"query": parsed_query(spec.query)}
            if spec.body is not None:
                arguments["body"] = validated(spec.body)
            return view(**path, **arguments)

        handle.operation = spec
        OPERATIONS.append(spec)
        bp.add_url_rule(rule, view.__name__, handle, methods=[method])
        return handle
    return register
