"""The Akountify OpenAPI document is valid OpenAPI 3.1 and holds the wire decisions.

These checks read only the document: no emulator is needed.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

from .spec import (
    is_emulator_only,
    load_spec,
    operations,
    resolve,
    schema_errors,
)

ERROR_CODES = {
    "bad_request",
    "unauthorized",
    "forbidden",
    "not_found",
    "duplicate_name",
    "duplicate_external_id",
    "duplicate_number",
    "version_conflict",
    "payload_too_large",
    "validation_failed",
    "invalid_reference",
    "idempotency_key_reused",
    "rate_limited",
    "internal_error",
    "service_unavailable",
    # Not in the outline: what any unrouted method gets (405), as QuickBooks Online answers.
    "method_not_allowed",
}
DETAIL_CODES = {
    "required",
    "too_long",
    "invalid_format",
    "invalid_value",
    "invalid_reference",
    "unknown_field",
    "read_only",
    "too_many",
    "forbidden_characters",
}
STANDARD_HEADERS = (
    "X-Request-Id",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
)
ENTITIES = ("customers", "contacts", "invoices")
UNAUTHENTICATED = {"getHealth", "createToken"}


def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = load_spec()["components"]["schemas"][name]
    return schema


def _prop(schema_name: str, *path: str) -> dict[str, Any]:
    node: Any = _schema(schema_name)
    for part in path:
        node = resolve(node)
        node = node["items"] if part == "[]" else node["properties"][part]
    resolved: dict[str, Any] = resolve(node)
    return resolved


def _api_operations() -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    return [op for op in operations() if not is_emulator_only(op[3])]


def _param_names(item: dict[str, Any], operation: dict[str, Any]) -> set[str]:
    params = [*item.get("parameters", []), *operation.get("parameters", [])]
    return {resolve(p)["name"] for p in params}


def _op_id(op: tuple[str, str, dict[str, Any], dict[str, Any]]) -> str:
    return str(op[3]["operationId"])


def test_document_is_valid_openapi_3_1() -> None:
    spec = load_spec()
    assert spec["openapi"].startswith("3.1.")
    errors = [str(error) for error in OpenAPIV31SpecValidator(spec).iter_errors()]
    assert errors == []


def test_the_validator_rejects_a_broken_document() -> None:
    broken = copy.deepcopy(load_spec())
    del broken["info"]["title"]
    broken["components"]["parameters"]["Limit"]["in"] = "body"
    assert len(list(OpenAPIV31SpecValidator(broken).iter_errors())) >= 2


def _references(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _references(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _references(value)]
    return []


def test_every_reference_resolves() -> None:
    # The validator does not follow every $ref (e.g. of headers), so check them all here.
    references = set(_references(load_spec()))
    assert len(references) > 50
    for reference in sorted(references):
        assert resolve({"$ref": reference}) is not None, reference
    with pytest.raises(KeyError):
        resolve({"$ref": "#/components/headers/Nope"})


def test_every_endpoint_of_the_outline_is_there() -> None:
    paths = load_spec()["paths"]
    expected = {
        "/health": {"get"},
        "/oauth/token": {"post"},
        "/companies/{company_id}/batch": {"post"},
        "/companies/{company_id}/custom-field-definitions": {"get", "post"},
        "/companies/{company_id}/custom-field-definitions/{definition_id}": {"delete"},
        "/companies/{company_id}/sync-runs": {"get", "post"},
        "/companies/{company_id}/sync-runs/{run_id}": {"get"},
        "/_admin/companies": {"post"},
        "/_admin/companies/{company_id}/clients": {"post"},
        "/_admin/faults": {"get", "put"},
        "/_admin/limits": {"get", "put"},
        "/_admin/clock": {"get", "put"},
    }
    for entity in ENTITIES:
        one = f"{entity[:-1]}_id"
        expected |= {
            f"/companies/{{company_id}}/{entity}": {"get", "post"},
            f"/companies/{{company_id}}/{entity}/{{{one}}}": {"get", "patch"},
            f"/companies/{{company_id}}/{entity}/{{{one}}}/archive": {"post"},
            f"/companies/{{company_id}}/{entity}/by-external-id/{{external_id}}": {"get", "put"},
        }
    actual = {
        path: {m for m in item if m in {"get", "post", "put", "patch", "delete"}}
        for path, item in paths.items()
    }
    assert actual == expected


def test_error_codes_are_exactly_the_contracts() -> None:
    assert set(_schema("ErrorCode")["enum"]) == ERROR_CODES
    assert set(_schema("ErrorDetailCode")["enum"]) >= DETAIL_CODES
    body = _schema("ErrorBody")
    assert set(body["required"]) == {"code", "message", "request_id", "details"}
    detail = _schema("ErrorDetail")
    assert {"field", "code", "message"} <= set(detail["required"])
    assert {"limit", "existing_id", "current_version"} <= set(detail["properties"])


def test_every_response_carries_the_standard_headers() -> None:
    for path, method, _item, operation in operations():
        for status, response in operation["responses"].items():
            headers = resolve(response).get("headers", {})
            for name in STANDARD_HEADERS:
                assert name in headers, f"{method.upper()} {path} {status} lacks {name}"
                assert resolve(headers[name])["required"] is True
            if status == "429":
                assert resolve(headers["Retry-After"])["required"] is True


def test_authenticated_operations_document_auth_limit_and_server_errors() -> None:
    spec = load_spec()
    assert {"bearerToken", "akountifyOAuth"} <= {next(iter(s)) for s in spec["security"]}
    flows = spec["components"]["securitySchemes"]["akountifyOAuth"]["flows"]
    assert set(flows) == {"clientCredentials", "password"}
    for op in _api_operations():
        if _op_id(op) in UNAUTHENTICATED:
            continue
        assert "security" not in op[3], f"{_op_id(op)} must use the global bearer security"
        assert {"401", "403", "429", "500", "503"} <= set(op[3]["responses"]), _op_id(op)


def test_writes_take_an_idempotency_key_and_document_their_errors() -> None:
    for op in _api_operations():
        path, method, item, operation = op
        if method not in {"post", "put", "patch"} or _op_id(op) in UNAUTHENTICATED:
            continue
        assert "Idempotency-Key" in _param_names(item, operation), _op_id(op)
        assert {"400", "413", "422"} <= set(operation["responses"]), _op_id(op)
        if method in {"patch", "put"} or path.endswith("/archive"):
            assert "If-Match" in _param_names(item, operation), _op_id(op)
            assert "412" in operation["responses"], _op_id(op)
        if method == "patch" or path.endswith("/archive"):
            assert "404" in operation["responses"], _op_id(op)
        if method == "put":
            assert {"200", "201"} <= set(operation["responses"]), _op_id(op)
    key = resolve(load_spec()["components"]["parameters"]["IdempotencyKey"])
    assert key["schema"]["maxLength"] == 128


def test_entity_lists_take_every_filter() -> None:
    for entity in ENTITIES:
        item = load_spec()["paths"][f"/companies/{{company_id}}/{entity}"]
        names = _param_names(item, item["get"])
        assert {
            "limit",
            "cursor",
            "external_id",
            "updated_since",
            "status",
            "q",
            "has_external_id",
        } <= names
    params = load_spec()["components"]["parameters"]
    assert params["Limit"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 200,
        "default": 50,
    }
    assert params["ExternalIdFilter"]["schema"]["maxItems"] == 100


def test_limits_of_the_outline_are_in_the_schemas() -> None:
    assert _prop("CustomerInput", "display_name")["maxLength"] == 100
    assert _prop("CustomerInput", "legal_name")["maxLength"] == 200
    assert _prop("CustomerInput", "email")["maxLength"] == 100
    assert _prop("CustomerInput", "phone")["maxLength"] == 30
    assert _prop("CustomerInput", "tax_id")["maxLength"] == 50
    assert _prop("CustomerInput", "notes")["maxLength"] == 4000
    assert _prop("CustomerInput", "tags")["maxItems"] == 20
    assert _prop("CustomerInput", "tags", "[]")["maxLength"] == 50
    assert _prop("CustomerInput", "payment_terms")["oneOf"][0] == {
        "$ref": "#/components/schemas/PaymentTerms"
    }
    assert _schema("PaymentTerms")["enum"] == ["due_on_receipt", "net_15", "net_30", "net_60"]
    address = _schema("AddressInput")["properties"]
    assert address["line1"]["maxLength"] == address["line2"]["maxLength"] == 500
    assert address["city"]["maxLength"] == 255
    assert address["postal_code"]["maxLength"] == 30
    assert _schema("ExternalId")["maxLength"] == 255
    assert _schema("ExternalSource")["maxLength"] == 100
    assert _prop("ContactInput", "first_name")["maxLength"] == 100
    assert _prop("ContactInput", "last_name")["maxLength"] == 100
    assert _prop("InvoiceInput", "number")["maxLength"] == 21
    lines = _prop("InvoiceInput", "lines")
    assert (lines["minItems"], lines["maxItems"]) == (1, 250)
    assert _prop("InvoiceLineInput", "description")["maxLength"] == 4000
    batch = _prop("BatchRequest", "operations")
    assert (batch["minItems"], batch["maxItems"]) == (1, 50)
    assert _prop("SyncRunInput", "rejections")["maxItems"] == 100
    assert set(_schema("RecordStatus")["enum"]) == {"active", "archived"}
    assert _schema("BatchOperation")["properties"]["action"]["enum"] == ["upsert", "archive"]
    assert set(_schema("BatchResult")["properties"]["result"]["enum"]) == {
        "created",
        "updated",
        "unchanged",
        "archived",
        None,
    }


def test_records_render_money_with_two_places_and_timestamps_with_microseconds() -> None:
    customer = _schema("Customer")
    assert not schema_errors(customer["properties"]["credit_limit"], "5000.00")
    assert schema_errors(customer["properties"]["credit_limit"], "5000")
    assert schema_errors(customer["properties"]["credit_limit"], "5000.000")
    timestamp = _schema("Timestamp")
    assert not schema_errors(timestamp, "2026-03-01T09:30:00.000000Z")
    assert schema_errors(timestamp, "2026-03-01T09:30:00Z")
    assert schema_errors(timestamp, "2026-03-01T09:30:00.000000+00:00")
    name = _prop("CustomerInput", "display_name")
    assert not schema_errors(name, "Acme, Inc.")
    for bad in ("Acme: Inc", "Acme\u0007", "   ", ""):
        assert schema_errors(name, bad), bad


def test_admin_endpoints_are_marked_emulator_only() -> None:
    for path, _method, _item, operation in operations():
        admin = path.startswith("/_admin/")
        assert is_emulator_only(operation) == admin, path
        assert ("Emulator admin" in operation["tags"]) == admin, path
        if admin:
            assert operation["security"] == [{"adminToken": []}]


def _examples() -> list[tuple[str, dict[str, Any], Any]]:
    """Every example in the document with the schema it illustrates."""
    found: list[tuple[str, dict[str, Any], Any]] = []

    def media(where: str, content: dict[str, Any]) -> None:
        for media_type, body in content.items():
            schema = body.get("schema")
            if schema is None:
                continue
            if "example" in body:
                found.append((f"{where} {media_type}", schema, body["example"]))
            for name, example in body.get("examples", {}).items():
                found.append((f"{where} {media_type} {name}", schema, resolve(example)["value"]))

    for path, method, item, operation in operations():
        where = f"{method.upper()} {path}"
        for reference in [*item.get("parameters", []), *operation.get("parameters", [])]:
            param = resolve(reference)
            if "example" in param:
                found.append((f"{where} param {param['name']}", param["schema"], param["example"]))
        if "requestBody" in operation:
            media(f"{where} request", resolve(operation["requestBody"])["content"])
        for status, response in operation["responses"].items():
            media(f"{where} {status}", resolve(response).get("content", {}))
    for name, header in load_spec()["components"]["headers"].items():
        if "example" in header:
            found.append((f"header {name}", header["schema"], header["example"]))
    for name, schema in load_spec()["components"]["schemas"].items():
        if "example" in schema:
            found.append((f"schema {name}", schema, schema["example"]))
    return found


def _distinct(
    found: list[tuple[str, dict[str, Any], Any]],
) -> list[tuple[str, dict[str, Any], Any]]:
    """The examples with repeats (the same value for the same schema) left out."""
    seen: dict[str, tuple[str, dict[str, Any], Any]] = {}
    for where, schema, example in found:
        key = json.dumps([schema, example], sort_keys=True, default=str)
        seen.setdefault(key, (where, schema, example))
    return list(seen.values())


EXAMPLES = _distinct(_examples())


def test_there_are_examples_for_requests_and_responses() -> None:
    where = " ".join(w for w, _s, _e in EXAMPLES)
    assert len(EXAMPLES) > 40
    for op_id_path in ("request", " 200 ", " 201 ", " 409 ", " 412 ", " 422 ", " 429 "):
        assert op_id_path in where, op_id_path


@pytest.mark.parametrize(
    ("where", "schema", "example"), EXAMPLES, ids=[w for w, _s, _e in EXAMPLES]
)
def test_every_example_matches_its_schema(where: str, schema: dict[str, Any], example: Any) -> None:
    assert schema_errors(schema, example) == [], where


def test_a_wrong_example_is_caught() -> None:
    example = copy.deepcopy(resolve(load_spec()["components"]["examples"]["Customer"])["value"])
    assert schema_errors(_schema("Customer"), example) == []
    example["display_name"] = "x" * 101
    example["surprise"] = True
    del example["version"]
    errors = schema_errors({"$ref": "#/components/schemas/Customer"}, example)
    assert len(errors) == 3, errors


def test_links_name_real_operations_and_fill_their_path() -> None:
    by_id = {op[3]["operationId"]: op for op in operations()}
    links = [
        (op[3]["operationId"], link)
        for op in operations()
        for response in op[3]["responses"].values()
        for link in resolve(response).get("links", {}).values()
    ]
    assert len(links) >= 20
    for source, link in links:
        path, _method, item, target = by_id[link["operationId"]]
        wanted = {name[1:-1] for name in path.split("/") if name.startswith("{")}
        assert set(link["parameters"]) == wanted, (source, link["operationId"])
        assert _param_names(item, target) >= wanted
