"""The API's own description: the OpenAPI 3.1 document and a human page that renders it
(Swagger UI, from the swagger-ui-py package's bundled assets: nothing is fetched from a CDN)."""

import functools
from pathlib import Path

import swagger_ui
from flask import Response, jsonify, send_from_directory

from api import openapi
from api.problems import ApiError
from api.routes import bp
from api.routing import operation

ASSETS = Path(swagger_ui.__file__).resolve().parent / "static"
SERVED = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "index.css",
          "favicon-32x32.png", "favicon-16x16.png", "docs.js"}
# An external script, so that the page's Content-Security-Policy needs no 'unsafe-inline' script.
STARTER = """window.onload = function () {
  window.ui = SwaggerUIBundle({url: "/api/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: "StandaloneLayout"});
};
"""
PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Easel API</title>
  <link rel="stylesheet" href="/api/docs/swagger-ui.css">
  <link rel="stylesheet" href="/api/docs/index.css">
  <link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/docs/swagger-ui-bundle.js"></script>
  <script src="/api/docs/swagger-ui-standalone-preset.js"></script>
  <script src="/api/docs/docs.js"></script>
</body>
</html>
"""
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "connect-src 'self'; frame-ancestors 'none'")


@functools.cache
def _document():
    # The declarations are fixed once the route modules are imported; build the document once.
    return openapi.document()


@operation(bp, "GET", "/openapi.json", response=None, content=None)
def openapi_document(query):
    """The OpenAPI 3.1 document of every route."""
    return jsonify(_document())


@operation(bp, "GET", "/docs", content={"text/html": "The API reference page."})
def api_docs(query):
    """A page that renders the OpenAPI document (Swagger UI)."""
    response = Response(PAGE, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    return response


@operation(bp, "GET", "/docs/<name>", content={"application/javascript": "Script", "text/css": "Style sheet",
                                               "image/png": "Icon"})
def api_docs_asset(name, query):
    """The page's scripts, style sheets and icons."""
    if name not in SERVED:
        raise ApiError(404, "No such file.")
    if name == "docs.js":
        response = Response(STARTER, mimetype="application/javascript")
    else:
        response = send_from_directory(ASSETS, name, max_age=86400)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
