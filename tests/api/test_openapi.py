"""The OpenAPI document is the contract: it covers every route, is valid OpenAPI 3.1, and real
answers match the schemas it declares."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.conftest import assert_problem, encoded, painting, upload, upload_ok

DOC_URI = "urn:easel:openapi"


@pytest.fixture
def document(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def documented_operations(document):
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item}


def test_every_api_route_is_documented_and_every_documented_operation_exists(app, document):
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = rule.rule
        for converter in rule.arguments:
            path = path.replace(f"<{converter}>", f"{{{converter}}}").replace(f"<path:{converter}>", f"{{{converter}}}")
        routes |= {(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == documented_operations(document)
    assert len(routes) > 60


def test_links_lead_from_each_created_resource_to_operations_that_take_its_id(document):
    operations = {op["operationId"]: op for item in document["paths"].values() for op in item.values()}
    sources = set()
    for op in operations.values():
        for answer in op["responses"].values():
            for link in answer.get("links", {}).values():
                target = operations[link["operationId"]]
                taken = {parameter["name"] for parameter in target["parameters"] if parameter["in"] == "path"}
                assert set(link["parameters"]) == taken, (op["operationId"], link)
                sources.add(op["operationId"])
    assert {"upload_artworks", "create_gallery", "add_to_gallery", "comment_on_artwork", "create_commission",
            "create_exhibition", "submit_to_exhibition"} <= sources


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    validate(document)   # raises on any violation of the 3.1 specification


def test_every_operation_documents_parameters_problems_and_security(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            responses = operation["responses"]
            assert any(code.startswith("2") for code in responses), where
            for code in ("400", "429", "500"):
                assert responses[code]["content"]["application/problem+json"], where
            if "{" in path:
                assert "404" in responses, where
            if operation.get("security") == [{"session": []}]:
                assert "401" in responses, where
            if "requestBody" in operation:
                assert "415" in responses, where
            assert isinstance(operation["parameters"], list), where


def test_query_parameters_and_roles_are_declared(document):
    search = {p["name"]: p for p in document["paths"]["/api/search"]["get"]["parameters"]}
    assert {"q", "query", "type", "sort", "page", "per_page", "price_min", "min_price", "tag"} <= set(search)
    assert search["tag"]["schema"]["type"] == "array"
    assert set(search["type"]["schema"]["enum"]) == {"artworks", "artists", "all"}
    config = document["paths"]["/api/featured/config"]["put"]
    assert config["x-roles"] == ["curator", "admin"] and "403" in config["responses"]
    assert config["requestBody"]["content"]["application/json"]["schema"]["$ref"].startswith("#/components/")


def test_the_docs_page_renders_from_bundled_assets(client):
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "/api/openapi.json" in client.get("/api/docs/docs.js").get_data(as_text=True)
    bundle = client.get("/api/docs/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.get_data()) > 100_000
    bundle.close()
    assert client.get("/api/docs/secret_key").status_code == 404


# --- Real answers against their documented schemas ----------------------------------------------

class Contract:
    """Checks each answer against the schema its operation documents for that status."""

    def __init__(self, app, document):
        self.app, self.document = app, document
        self.registry = Registry().with_resource(DOC_URI, Resource(contents=document, specification=DRAFT202012))
        self.operations = {op["operationId"]: op for item in document["paths"].values() for op in item.values()}
        self.checked = set()

    def check(self, response, method, path):
        endpoint, _ = self.app.url_map.bind("localhost").match(path.split("?")[0], method)
        operation = self.operations[endpoint.removeprefix("api.")]
        declared = operation["responses"].get(str(response.status_code))
        assert declared is not None, f"{method} {path} answered {response.status_code}, which is not documented"
        content = declared.get("content", {})
        media = response.mimetype
        if media in ("application/json", "application/problem+json") and media in content:
            schema = {"$ref": DOC_URI + content[media]["schema"]["$ref"]}
            problems = [f"{'/'.join(map(str, error.absolute_path))}: {error.message[:200]}" for error in
                        Draft202012Validator(schema, registry=self.registry).iter_errors(response.get_json())]
            assert not problems, f"{method} {path} ({response.status_code}) does not match its schema: {problems}"
        self.checked.add(operation["tags"][0])
        return response


def day(offset):
    return (datetime.now(UTC).date() + timedelta(days=offset)).isoformat()


def test_answers_of_every_resource_match_their_documented_schemas(app, document, signed_in, db):
    contract = Contract(app, document)
    artist, artist_user = signed_in()
    fan, fan_user = signed_in()
    curator, curator_user = signed_in()
    db.execute("UPDATE artists SET role = 'curator' WHERE id = ?", (curator_user["id"],))

    def call(client, method, path, status, **kwargs):
        response = contract.check(client.open(path, method=method, **kwargs), method, path)
        assert response.status_code == status, (method, path, response.get_json())
        return response.get_json()

    call(artist, "GET", "/api/auth/user", 200)
    work = upload_ok(artist, encoded(painting(1)), title="Harbour at dusk", price="120", tags="sea,dusk")
    contract.check(upload(artist, (encoded(painting(1)), "again.jpg")), "POST", "/api/artworks/upload")
    copy = upload(fan, (encoded(painting(2)), "a.jpg"), (encoded(painting(3)), "b.jpg"))
    contract.check(copy, "POST", "/api/artworks/upload")
    artwork = work["id"]
    call(artist, "PUT", f"/api/artworks/{artwork}", 200, json={"description": "Boats in the evening."})
    call(fan, "GET", f"/api/artworks/{artwork}", 200)
    call(fan, "GET", "/api/artworks?sort=price_desc&min_price=1", 200)
    call(fan, "GET", "/api/artists", 200)
    call(fan, "PUT", f"/api/artists/{artist_user['id']}", 403, json={"bio": "Not mine to change"})
    call(artist, "PUT", f"/api/artists/{artist_user['id']}", 200,
         json={"bio": "Sea painter", "portfolio": {"open_for_commissions": True}})
    call(fan, "GET", f"/api/artists/{artist_user['id']}", 200)
    call(fan, "GET", "/api/categories", 200)
    call(fan, "GET", "/api/tags", 200)
    call(fan, "POST", f"/api/artworks/{artwork}/like", 200)
    call(fan, "GET", f"/api/artworks/{artwork}/likes", 200)
    call(fan, "POST", f"/api/artworks/{artwork}/comment", 201, json={"comment_text": "Lovely light"})
    call(fan, "GET", f"/api/artworks/{artwork}/comments", 200)
    call(fan, "GET", f"/api/artworks/{artwork}/share", 200)
    call(fan, "POST", f"/api/artworks/{artwork}/share", 201, json={"channel": "email"})
    call(fan, "POST", f"/api/follow/{artist_user['id']}", 200)
    call(fan, "GET", f"/api/artists/{artist_user['id']}/followers", 200)
    call(fan, "GET", "/api/feed", 200)
    call(fan, "GET", "/api/featured", 200)
    call(fan, "GET", "/api/featured?type=artists", 200)
    call(fan, "GET", "/api/trending?type=tags", 200)
    call(curator, "GET", "/api/featured/config", 200)
    call(curator, "GET", "/api/featured/config/history", 200)
    call(artist, "GET", "/api/notifications", 200)
    call(fan, "GET", "/api/search?query=harbour&explain=true", 200)
    call(fan, "GET", "/api/search?q=sea&type=all", 200)
    call(fan, "GET", "/api/search/suggest?q=har", 200)
    image = {"image_file": [(io.BytesIO(encoded(painting(1))), "probe.jpg")]}
    call(fan, "POST", "/api/search/image", 200, data=image, content_type="multipart/form-data")
    call(fan, "GET", f"/api/artworks/{artwork}/similar", 200)
    call(artist, "GET", f"/api/artworks/{artwork}/copies", 200)
    call(artist, "GET", "/api/copyright/alerts", 200)
    gallery = call(artist, "POST", "/api/galleries", 201, json={"name": "Harbours"})
    call(artist, "POST", f"/api/galleries/{gallery['id']}/artworks", 201, json={"artwork_id": artwork})
    call(fan, "GET", f"/api/galleries/{gallery['id']}", 200)
    call(fan, "GET", f"/api/galleries?artist_id={artist_user['id']}", 200)
    show = call(curator, "POST", "/api/exhibitions", 201, json={
        "title": "Sea", "deadline": day(5), "exhibition_start": day(10), "exhibition_end": day(20),
        "location": "online"})
    entry = call(artist, "POST", f"/api/exhibitions/{show['id']}/submit", 201, json={"artwork_ids": [artwork]})
    call(curator, "GET", f"/api/exhibitions/{show['id']}/submissions", 200)
    call(curator, "PUT", f"/api/exhibitions/{show['id']}/submissions/{entry['id']}", 200,
         json={"status": "accepted"})
    call(fan, "GET", "/api/exhibitions", 200)
    call(fan, "GET", f"/api/exhibitions/{show['id']}", 200)
    order = call(fan, "POST", "/api/commissions", 201, json={
        "artist_id": artist_user["id"], "title": "Our harbour", "description": "Oil, 40x50", "budget": 400,
        "deadline": day(30)})
    call(artist, "PUT", f"/api/commissions/{order['id']}", 200, json={"status": "accepted"})
    call(fan, "GET", "/api/commissions", 200)
    call(artist, "GET", f"/api/artists/{artist_user['id']}/analytics", 200)
    call(fan, "GET", f"/api/artworks/{artwork}/image?size=small", 200)
    call(fan, "GET", "/api/artworks/nope", 404)
    call(fan, "GET", "/api/artworks?colour=plaid", 400)
    call(fan, "POST", "/api/auth/logout", 200)

    resources = {"accounts", "artists", "artworks", "images", "taxonomy", "social", "feed", "featured",
                 "notifications", "search", "visual", "galleries", "exhibitions", "commissions", "analytics"}
    assert resources <= contract.checked


# --- Query strings are declared too --------------------------------------------------------------

def test_unknown_query_parameters_are_refused_by_name(client, artist):
    artist_client, _ = artist
    upload_ok(artist_client, encoded(painting(4)), title="Wave at Kanagawa", price="80")
    for path, name in [("/api/search?qeury=wave", "qeury"), ("/api/artworks?minprice=5", "minprice"),
                       ("/api/categories?sort=name", "sort"), ("/api/auth/user?debug=1", "debug"),
                       ("/api/artworks?page=1&pgae=2", "pgae")]:
        body = assert_problem(artist_client.get(path), 400)
        assert body["errors"] == {name: "is not a known parameter"}, path


def test_the_spec_s_parameter_names_work_as_aliases(client, artist):
    artist_client, _ = artist
    cheap = upload_ok(artist_client, encoded(painting(5)), title="Wave study", price="20")
    dear = upload_ok(artist_client, encoded(painting(6)), title="Wave at dusk", price="900")
    found = client.get("/api/search?query=wave").get_json()
    assert {item["id"] for item in found["items"]} == {cheap["id"], dear["id"]}
    assert [item["id"] for item in client.get("/api/search?q=wave&min_price=100").get_json()["items"]] == [dear["id"]]
    listed = client.get("/api/artworks?max_price=100").get_json()
    assert [item["id"] for item in listed["items"]] == [cheap["id"]]
    assert client.get("/api/artworks?min_price=").get_json()["total"] == 2   # empty: not given
    assert assert_problem(client.get("/api/artworks?min_price=cheap"), 400)["errors"] == {
        "min_price": "must be a non-negative number"}


def test_a_parameter_given_twice_is_refused_unless_it_repeats(client):
    body = assert_problem(client.get("/api/artworks?sort=newest&sort=oldest"), 400)
    assert body["errors"] == {"sort": "is given more than once"}
    assert client.get("/api/artworks?tag=sea&tag=dusk").status_code == 200
