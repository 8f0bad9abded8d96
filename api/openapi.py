"""The OpenAPI 3.1 document, built from the route declarations in api/routing.py.

Schemas come from the same pydantic models that validate requests (and from the Shape models
beside each response shaper), so what the document says and what the server checks are one.
"""

import re
from http import HTTPStatus

from pydantic import AliasChoices
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from api.routing import OPERATIONS, Operation

TITLE = "Easel"
VERSION = "1.0"
REF = "#/components/schemas/{model}"
COOKIE = "easel_session"
PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "string"},
                   "description": "Each bad field or parameter and what is wrong with it."},
    },
}
PROBLEM_WHY = {
    400: "The request has invalid fields or unknown parameters.",
    401: "Sign in first.",
    403: "Signed in, but not allowed.",
    404: "Nothing by that id, or nothing you may know exists.",
    409: "Conflicts with the current state.",
    413: "The upload is too large.",
    414: "The query string is longer than 64 KiB.",
    415: "The body's type or the file's format is not accepted.",
    422: "The file is an image we cannot use.",
    429: "Too many requests; see Retry-After.",
    500: "A bug on our side; the answer never carries a traceback.",
    503: "Storage is busy or out of reach; try again (Retry-After).",
    507: "Storage is full.",
}
_PATH_VALUE = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


class Schemas(GenerateJsonSchema):
    """pydantic's JSON Schema, less `"default": null` on fields that may be left out but never be
    null (a PUT's optional fields): the schema would contradict itself."""

    def default_schema(self, schema):
        generated = super().default_schema(schema)
        if "default" in generated and generated["default"] is None and not _nullable(generated):
            del generated["default"]
        return generated


def _nullable(schema):
    return schema.get("type") == "null" or any(option.get("type") == "null" for option in schema.get("anyOf", ()))


def document(operations: list[Operation] = OPERATIONS) -> dict:
    """The whole document: every declared operation, with the schemas it names."""
    models = _models(operations)
    names, definitions = models_json_schema([(model, "validation") for model in models], ref_template=REF,
                                            schema_generator=Schemas)
    refs = {model: names[(model, "validation")]["$ref"] for model in models}
    schemas = definitions.get("$defs", {})
    for form in {spec.form for spec in operations if spec.form is not None}:
        name = refs[form].rsplit("/", 1)[1]
        schemas[name + MULTIPART] = _with_image_file(schemas[name])
    paths: dict[str, dict] = {}
    for spec in sorted(operations, key=lambda op: (op.rule, op.method)):
        paths.setdefault(_path(spec.rule), {})[spec.method.lower()] = _operation(spec, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION,
                 "description": "Art portfolios with search-centric discovery. Errors are RFC 9457 problem "
                                "details; lists are {items, total, page, per_page}. See docs/API.md."},
        "servers": [{"url": "/"}],
        "tags": [{"name": tag} for tag in sorted({spec.tag for spec in operations})],
        "paths": paths,
        "components": {
            "schemas": {**schemas, "Problem": PROBLEM},
            "securitySchemes": {"session": {
                "type": "apiKey", "in": "cookie", "name": COOKIE,
                "description": "The signed cookie set by POST /api/auth/register or /api/auth/login; it names a "
                               "server-side session."},
                "webhookSignature": {
                    "type": "apiKey", "in": "header", "name": "Easel-Signature",
                    "description": "t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<raw body>\" under "
                                   "PAYMENT_WEBHOOK_SECRET (payments) or FULFILMENT_SECRET (the print lab)>; "
                                   "refused 401 when more than PAYMENT_WEBHOOK_TOLERANCE_SECONDS from the "
                                   "server's clock."}},
        },
    }


MULTIPART = "Multipart"


def _with_image_file(schema):
    """A form model's schema plus its file part, as one object schema: an allOf of the model (which
    allows no other properties) and the file part would admit no body at all."""
    merged = {**schema, "properties": {**schema.get("properties", {}), "image_file": {
        "type": "string", "contentMediaType": "application/octet-stream",
        "description": "The image; some routes take several image_file parts."}}}
    merged["required"] = [*(name for name in schema.get("required", []) if name != "image_file"), "image_file"]
    return merged


def _models(operations):
    found = []
    for spec in operations:
        candidates = [spec.body, spec.form, spec.response, *spec.body_choices,
                      *[value for value in spec.extra_responses.values() if isinstance(value, type)]]
        found.extend(model for model in candidates if isinstance(model, type) and model not in found)
    return found


def _path(rule):
    return _PATH_VALUE.sub(r"{\1}", "/api" + rule)


def _operation(spec: Operation, refs) -> dict:
    path_values = _PATH_VALUE.findall(spec.rule)
    shaped = {
        "operationId": spec.endpoint,
        "tags": [spec.tag],
        "summary": _summary(spec),
        "parameters": [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                       for name in path_values] + _query_parameters(spec.query),
        "responses": _responses(spec, refs, bool(path_values)),
    }
    description = _description(spec)
    if description:
        shaped["description"] = description
    body = _request_body(spec, refs)
    if body:
        shaped["requestBody"] = body
    if spec.access == "signed":
        shaped["security"] = [{"webhookSignature": []}]
    elif spec.access != "public":
        # optional: the answer differs once signed in, but a stranger gets one too.
        shaped["security"] = [{"session": []}] + ([{}] if spec.access == "optional" else [])
    if spec.roles:
        shaped["x-roles"] = list(spec.roles)
    if spec.limits:
        shaped["x-rate-limits"] = spec.limits
    return shaped


def _summary(spec):
    doc = (spec.view.__doc__ or "").strip().splitlines()
    return doc[0] if doc else spec.endpoint.replace("_", " ").capitalize()


def _description(spec):
    parts = []
    if spec.roles:
        parts.append(f"Only for: {', '.join(spec.roles)}.")
    if spec.limits:
        parts.append(f"Rate limit: {'; '.join(spec.limits)} (beside the default limit).")
    return " ".join(parts)


def _query_parameters(model):
    schema = model.model_json_schema(ref_template=REF, schema_generator=Schemas)
    properties, required = schema.get("properties", {}), set(schema.get("required", ()))
    parameters = []
    for name, field in model.model_fields.items():
        prop = dict(properties.get(name, {}))
        description = prop.pop("description", None) or field.description
        entry = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            entry["description"] = description
        parameters.append(entry)
        alias = field.validation_alias
        for other in (alias.choices[1:] if isinstance(alias, AliasChoices) else ()):
            parameters.append({"name": other, "in": "query", "required": False, "schema": prop,
                               "description": f"Another name for {name}."})
    return parameters


def _request_body(spec, refs):
    if spec.body is not None:
        return {"required": False, "content": {"application/json": {"schema": {"$ref": refs[spec.body]}}}}
    if spec.body_choices:
        return {"required": True, "content": {"application/json": {"schema": {
            "oneOf": [{"$ref": refs[model]} for model in spec.body_choices]}}},
            "description": "Which of these depends on the caller's role; see the summary."}
    if spec.form is not None:
        schema = {"$ref": refs[spec.form] + MULTIPART}
        return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
    return None


def _responses(spec, refs, has_path):
    responses = {str(spec.status): _success(spec, spec.response, refs)}
    if spec.links:
        responses[str(spec.status)]["links"] = {
            "".join(word.capitalize() for word in target.split("_")): {"operationId": target, "parameters": values}
            for target, values in spec.links.items()}
    for status, value in spec.extra_responses.items():
        responses[str(status)] = (_success(spec, value, refs) if isinstance(value, type)
                                  else {"description": value})
    for status in sorted(_problem_statuses(spec, has_path)):
        responses[str(status)] = {"description": PROBLEM_WHY.get(status, HTTPStatus(status).phrase),
                                  "content": {"application/problem+json": {
                                      "schema": {"$ref": "#/components/schemas/Problem"}}}}
    return responses


def _success(spec, model, refs):
    """JSON from the model, and/or the other media types of `content` (a CSV export, a page)."""
    described = next(iter(spec.content.values())) if spec.content and model is None else None
    answer = {"description": described or HTTPStatus(spec.status).phrase}
    content = {"application/json": {"schema": {"$ref": refs[model]}}} if model is not None else {}
    content.update({media: {"schema": {"type": "string", "contentMediaType": media}} for media in spec.content or {}})
    if content:
        answer["content"] = content
    return answer


def _problem_statuses(spec, has_path):
    statuses = {400, 414, 429, 500, 503, *spec.errors}
    if spec.access in ("user", "curator", "signed"):
        statuses.add(401)
    if spec.roles or (spec.access == "user" and has_path):
        statuses.add(403)   # roles, or being someone other than the owner
    if has_path:
        statuses.add(404)
    if spec.body is not None or spec.body_choices or spec.form is not None:
        statuses.update({413, 415})
    if spec.method in ("POST", "PUT", "DELETE"):
        statuses.add(507)
    return statuses
