"""Custom field definitions and the values records hold."""

from __future__ import annotations

from .akountify_helpers import Api, detail, error


def _define(api: Api, name: str, kind: str, entity: str = "customers", **extra: object) -> dict:
    response = api.post(
        "/custom-field-definitions", json={"entity": entity, "name": name, "type": kind, **extra}
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_definitions_and_typed_values(api: Api) -> None:
    _define(api, "segment", "list", options=["smb", "enterprise"])
    _define(api, "score", "number")
    _define(api, "since", "date")
    _define(api, "vip", "boolean")
    _define(api, "region_code", "string")
    record = api.ok_upsert(
        "customers",
        "C-1",
        {
            "display_name": "Acme",
            "custom_fields": {"segment": "smb", "score": "4.5", "since": "2020-01-31", "vip": True},
        },
    )
    assert record["custom_fields"] == {
        "segment": "smb",
        "score": 4.5,
        "since": "2020-01-31",
        "vip": True,
        "region_code": None,
    }
    sparse = api.ok_upsert(
        "customers", "C-1", {"custom_fields": {"region_code": "EMEA", "vip": None}}
    )
    assert sparse["custom_fields"] == {
        "segment": "smb",
        "score": 4.5,
        "since": "2020-01-31",
        "vip": None,
        "region_code": "EMEA",
    }
    assert sparse["version"] == 2
    cases = [
        ({"tier": "gold"}, "custom_fields.tier", "unknown_field"),
        ({"segment": "mid"}, "custom_fields.segment", "invalid_value"),
        ({"score": "high"}, "custom_fields.score", "invalid_format"),
        ({"score": True}, "custom_fields.score", "invalid_format"),
        ({"since": "31/01/2020"}, "custom_fields.since", "invalid_format"),
        ({"vip": "yes"}, "custom_fields.vip", "invalid_format"),
        ({"region_code": "r" * 256}, "custom_fields.region_code", "too_long"),
    ]
    for values, field, code in cases:
        body = error(
            api.upsert("customers", "C-1", {"custom_fields": values}), 422, "validation_failed"
        )
        assert detail(body, field)["code"] == code
    contact_def = _define(api, "segment", "string", entity="contacts")
    assert contact_def["entity"] == "contacts"
    listed = api.get("/custom-field-definitions").json()["data"]
    assert [(d["entity"], d["name"]) for d in listed][-1] == ("contacts", "segment")
    only = api.get("/custom-field-definitions", params={"entity": "contacts"}).json()["data"]
    assert [d["id"] for d in only] == [contact_def["id"]]


def test_definition_rules_and_limit(api: Api) -> None:
    cases = [
        ({"entity": "customers", "name": "x", "type": "list"}, "options", "required"),
        (
            {"entity": "customers", "name": "x", "type": "string", "options": ["a"]},
            "options",
            "invalid_value",
        ),
        ({"entity": "customers", "name": "x", "type": "money"}, "type", "invalid_value"),
        ({"entity": "vendors", "name": "x", "type": "string"}, "entity", "invalid_value"),
        ({"entity": "customers", "name": "9lives", "type": "string"}, "name", "invalid_format"),
        ({"entity": "customers", "type": "string"}, "name", "required"),
        (
            {"entity": "customers", "name": "x", "type": "string", "label": "X"},
            "label",
            "unknown_field",
        ),
    ]
    for body, field, code in cases:
        found = error(api.post("/custom-field-definitions", json=body), 422, "validation_failed")
        assert detail(found, field)["code"] == code
    first = _define(api, "f0", "string")
    body = error(
        api.post(
            "/custom-field-definitions",
            json={"entity": "customers", "name": "F0", "type": "number"},
        ),
        409,
        "duplicate_name",
    )
    assert detail(body, "name")["existing_id"] == first["id"]
    for i in range(1, 12):
        _define(api, f"f{i}", "string")
    body = error(
        api.post(
            "/custom-field-definitions",
            json={"entity": "customers", "name": "f12", "type": "string"},
        ),
        422,
        "validation_failed",
    )
    found = detail(body, "entity")
    assert (found["code"], found["limit"]) == ("too_many", 12)
    _define(api, "f0", "string", entity="invoices")  # the limit is per entity


def test_delete_hides_values_for_good(api: Api) -> None:
    definition = _define(api, "segment", "string")
    api.ok_upsert("customers", "C-1", {"display_name": "Acme", "custom_fields": {"segment": "old"}})
    response = api.delete(f"/custom-field-definitions/{definition['id']}")
    assert response.status_code == 204
    assert api.get("/customers/by-external-id/C-1").json()["custom_fields"] == {}
    _define(api, "segment", "number")
    assert api.get("/customers/by-external-id/C-1").json()["custom_fields"] == {"segment": None}
    error(api.delete(f"/custom-field-definitions/{definition['id']}"), 404, "not_found")
