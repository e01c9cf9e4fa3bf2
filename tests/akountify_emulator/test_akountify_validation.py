"""Every validation rule of the three entities, each with its detail (field, code, limit)."""

from __future__ import annotations

from typing import Any

import pytest

from .akountify_helpers import Api, detail, error

LONG_NOTES = "n" * 4001

CUSTOMER_CASES = [
    ({}, "display_name", "required", None),
    ({"display_name": None}, "display_name", "required", None),
    ({"display_name": "   "}, "display_name", "required", None),
    ({"display_name": "x" * 101}, "display_name", "too_long", 100),
    ({"display_name": "Acme: West"}, "display_name", "forbidden_characters", None),
    ({"display_name": "Acme\nWest"}, "display_name", "forbidden_characters", None),
    ({"display_name": "Acme\x07"}, "display_name", "forbidden_characters", None),
    ({"display_name": 42}, "display_name", "invalid_format", None),
    ({"legal_name": "l" * 201}, "legal_name", "too_long", 200),
    ({"email": "not-an-email"}, "email", "invalid_format", None),
    ({"email": "a@b"}, "email", "invalid_format", None),
    ({"email": "x" * 95 + "@a.com"}, "email", "too_long", 100),
    ({"phone": "1" * 31}, "phone", "too_long", 30),
    ({"website": "not a url"}, "website", "invalid_format", None),
    ({"tax_id": "t" * 51}, "tax_id", "too_long", 50),
    ({"billing_address": "1 Main St"}, "billing_address", "invalid_format", None),
    ({"billing_address": {"street": "1 Main"}}, "billing_address.street", "unknown_field", None),
    ({"billing_address": {"line1": "l" * 501}}, "billing_address.line1", "too_long", 500),
    ({"shipping_address": {"line2": "l" * 501}}, "shipping_address.line2", "too_long", 500),
    ({"billing_address": {"city": "c" * 256}}, "billing_address.city", "too_long", 255),
    ({"billing_address": {"postal_code": "1" * 31}}, "billing_address.postal_code", "too_long", 30),
    ({"billing_address": {"country": "USA"}}, "billing_address.country", "too_long", 2),
    ({"billing_address": {"country": "XX"}}, "billing_address.country", "invalid_value", None),
    ({"currency": "usd1"}, "currency", "too_long", 3),
    ({"currency": "XYZ"}, "currency", "invalid_value", None),
    ({"payment_terms": "net_45"}, "payment_terms", "invalid_value", None),
    ({"credit_limit": "12.345"}, "credit_limit", "invalid_format", None),
    ({"credit_limit": "twelve"}, "credit_limit", "invalid_format", None),
    ({"credit_limit": "-1.00"}, "credit_limit", "invalid_value", None),
    ({"credit_limit": True}, "credit_limit", "invalid_format", None),
    ({"tags": "vip"}, "tags", "invalid_format", None),
    ({"tags": [f"t{i}" for i in range(21)]}, "tags", "too_many", 20),
    ({"tags": ["ok", "t" * 51]}, "tags[1]", "too_long", 50),
    ({"tags": [""]}, "tags[0]", "required", None),
    ({"notes": LONG_NOTES}, "notes", "too_long", 4000),
    ({"colour": "red"}, "colour", "unknown_field", None),
    ({"id": "cus_x"}, "id", "read_only", None),
    ({"version": 3}, "version", "read_only", None),
    ({"updated_by": {}}, "updated_by", "read_only", None),
    ({"external_source": "s" * 101}, "external_source", "too_long", 100),
    ({"status": "deleted"}, "status", "invalid_value", None),
    ({"custom_fields": []}, "custom_fields", "invalid_format", None),
    ({"sync_metadata": "x"}, "sync_metadata", "invalid_format", None),
]


@pytest.mark.parametrize(("extra", "field", "code", "limit"), CUSTOMER_CASES)
def test_customer_rules(
    api: Api, extra: dict[str, Any], field: str, code: str, limit: int | None
) -> None:
    data = {"display_name": "Valid Name", **extra}
    if "display_name" in extra or extra == {}:
        data = dict(extra)
    body = error(api.upsert("customers", "C-1", data), 422, "validation_failed")
    found = detail(body, field)
    assert found["code"] == code
    assert found.get("limit") == limit
    assert "C-1" in body["message"]
    assert api.get("/customers").json()["data"] == []  # nothing was written


def test_valid_customer_is_stored_in_canonical_form(api: Api) -> None:
    record = api.ok_upsert(
        "customers",
        "C-1",
        {
            "display_name": "Ünïcode Ltd",
            "email": "ap@example.com",
            "website": "www.example.com",
            "billing_address": {"line1": "1 Main St", "country": "gb"},
            "currency": "eur",
            "credit_limit": 1500,
            "tags": ["vip", "eu"],
            "notes": "line one\nline two\ttab",
        },
    )
    assert record["billing_address"]["country"] == "GB"
    assert record["billing_address"]["city"] is None
    assert record["currency"] == "EUR"
    assert record["credit_limit"] == "1500.00"
    assert record["shipping_address"] is None
    assert record["version"] == 1
    assert record["status"] == "active"
    assert record["created_at"].endswith("Z")
    assert len(record["created_at"]) == len("2026-01-01T00:00:00.000000Z")
    assert record["id"].startswith("cus_")
    assert len(record["id"]) == 24


def test_one_response_names_every_bad_field(api: Api) -> None:
    body = error(
        api.upsert("customers", "C-1", {"display_name": "A:B", "email": "nope", "currency": "ZZZ"}),
        422,
        "validation_failed",
    )
    assert {item["field"] for item in body["details"]} == {"display_name", "email", "currency"}


CONTACT_CASES = [
    ({}, "last_name", "required"),
    ({"first_name": " ", "last_name": None}, "last_name", "required"),
    ({"first_name": "f" * 101}, "first_name", "too_long"),
    ({"last_name": "l" * 101}, "last_name", "too_long"),
    ({"last_name": "X", "email": "x@"}, "email", "invalid_format"),
    ({"last_name": "X", "mobile": "1" * 31}, "mobile", "too_long"),
    ({"last_name": "X", "title": "t" * 101}, "title", "too_long"),
    ({"last_name": "X", "is_primary": "yes"}, "is_primary", "invalid_format"),
    ({"last_name": "X", "customer": "cus_1"}, "customer", "invalid_format"),
    ({"last_name": "X", "customer": {}}, "customer", "required"),
    ({"last_name": "X", "customer": {"name": "x"}}, "customer.name", "unknown_field"),
]


@pytest.mark.parametrize(("data", "field", "code"), CONTACT_CASES)
def test_contact_rules(api: Api, data: dict[str, Any], field: str, code: str) -> None:
    body = error(api.upsert("contacts", "K-1", data), 422, "validation_failed")
    assert detail(body, field)["code"] == code


def test_unknown_references_are_invalid_reference(api: Api) -> None:
    body = error(
        api.upsert("contacts", "K-1", {"last_name": "Doe", "customer": {"external_id": "missing"}}),
        422,
        "invalid_reference",
    )
    assert detail(body, "customer")["code"] == "invalid_reference"
    body = error(
        api.upsert(
            "invoices",
            "I-1",
            {
                "customer": {"id": "cus_aaaaaaaaaaaaaaaaaaaa"},
                "lines": [{"quantity": 1, "unit_price": "1.00"}],
            },
        ),
        422,
        "invalid_reference",
    )
    assert detail(body, "customer")["code"] == "invalid_reference"
    one = api.ok_upsert("customers", "C-1", {"display_name": "One"})
    api.ok_upsert("customers", "C-2", {"display_name": "Two"})
    body = error(
        api.upsert(
            "contacts",
            "K-1",
            {"last_name": "Doe", "customer": {"id": one["id"], "external_id": "C-2"}},
        ),
        422,
        "invalid_reference",
    )
    # a mix of a bad reference and another problem is validation_failed
    body = error(
        api.upsert(
            "contacts", "K-1", {"last_name": "D" * 101, "customer": {"external_id": "nope"}}
        ),
        422,
        "validation_failed",
    )
    assert detail(body, "last_name")["code"] == "too_long"


def test_references_by_id_or_external_id_render_both(api: Api) -> None:
    acme = api.ok_upsert("customers", "C-1", {"display_name": "Acme"})
    by_ext = api.ok_upsert(
        "contacts",
        "K-1",
        {"first_name": "Ann", "customer": {"external_id": "C-1"}, "is_primary": True},
    )
    assert by_ext["customer"] == {"id": acme["id"], "external_id": "C-1"}
    assert by_ext["is_primary"] is True
    by_id = api.ok_upsert("contacts", "K-2", {"last_name": "Bo", "customer": {"id": acme["id"]}})
    assert by_id["customer"] == {"id": acme["id"], "external_id": "C-1"}
    both = api.ok_upsert(
        "contacts", "K-3", {"last_name": "Cy", "customer": {"id": acme["id"], "external_id": "C-1"}}
    )
    assert both["customer"]["id"] == acme["id"]


DROP = object()
ONE_LINE = {"quantity": "1", "unit_price": "1"}


def _line(**extra: Any) -> list[dict[str, Any]]:
    return [{**ONE_LINE, **extra}]


INVOICE_CASES = [
    ({"customer": DROP}, "customer", "required", None),
    ({"lines": DROP}, "lines", "required", None),
    ({"lines": []}, "lines", "required", None),
    ({"lines": [ONE_LINE] * 251}, "lines", "too_many", 250),
    ({"lines": [{"quantity": "1"}]}, "lines[0].unit_price", "required", None),
    ({"lines": [{"unit_price": "1"}]}, "lines[0].quantity", "required", None),
    ({"lines": _line(quantity="1.00001")}, "lines[0].quantity", "invalid_format", None),
    ({"lines": _line(unit_price="1.001")}, "lines[0].unit_price", "invalid_format", None),
    ({"lines": _line(amount="1.00")}, "lines[0].amount", "read_only", None),
    ({"lines": _line(sku="A")}, "lines[0].sku", "unknown_field", None),
    ({"lines": _line(description="d" * 4001)}, "lines[0].description", "too_long", 4000),
    ({"lines": ["x"]}, "lines[0]", "invalid_format", None),
    ({"number": "N" * 22}, "number", "too_long", 21),
    ({"issue_date": "2026-02-30"}, "issue_date", "invalid_format", None),
    ({"due_date": "01/02/2026"}, "due_date", "invalid_format", None),
    ({"issue_date": "2026-03-02", "due_date": "2026-03-01"}, "due_date", "invalid_value", None),
    ({"currency": "EURO"}, "currency", "too_long", 3),
    ({"memo": "m" * 4001}, "memo", "too_long", 4000),
    ({"total": "1.00"}, "total", "read_only", None),
]


@pytest.mark.parametrize(("changes", "field", "code", "limit"), INVOICE_CASES)
def test_invoice_rules(
    api: Api, changes: dict[str, Any], field: str, code: str, limit: int | None
) -> None:
    api.ok_upsert("customers", "C-1", {"display_name": "Acme"})
    data = {"customer": {"external_id": "C-1"}, "lines": [ONE_LINE], **changes}
    data = {key: value for key, value in data.items() if value is not DROP}
    body = error(api.upsert("invoices", "I-1", data), 422, "validation_failed")
    found = detail(body, field)
    assert found["code"] == code
    assert found.get("limit") == limit


def test_invoice_totals_and_decimal_rendering(api: Api) -> None:
    api.ok_upsert("customers", "C-1", {"display_name": "Acme"})
    record = api.ok_upsert(
        "invoices",
        "I-1",
        {
            "customer": {"external_id": "C-1"},
            "number": "INV-001",
            "issue_date": "2026-03-01",
            "due_date": "2026-03-31",
            "currency": "usd",
            "lines": [
                {"description": "Hours", "quantity": "2.5", "unit_price": "10.05"},
                {"quantity": 3, "unit_price": "0.1"},
                {"quantity": "1.2345", "unit_price": "-5.00"},
            ],
        },
    )
    assert [line["amount"] for line in record["lines"]] == ["25.13", "0.30", "-6.17"]
    assert [line["quantity"] for line in record["lines"]] == ["2.5", "3", "1.2345"]
    assert [line["unit_price"] for line in record["lines"]] == ["10.05", "0.10", "-5.00"]
    assert record["total"] == "19.26"
    assert record["currency"] == "USD"
    assert record["lines"][1]["description"] is None


def test_unique_display_names_and_invoice_numbers(api: Api) -> None:
    first = api.ok_upsert("customers", "C-1", {"display_name": "Acme Corp"})
    body = error(
        api.upsert("customers", "C-2", {"display_name": "  ACME corp "}), 409, "duplicate_name"
    )
    found = detail(body, "display_name")
    assert found["code"] == "duplicate_name"
    assert found["existing_id"] == first["id"]
    # archived customers free their name; bringing one back clashes again
    assert api.post(f"/customers/{first['id']}/archive").status_code == 200
    second = api.ok_upsert("customers", "C-2", {"display_name": "Acme Corp"})
    body = error(
        api.patch(f"/customers/{first['id']}", json={"status": "active"}), 409, "duplicate_name"
    )
    assert detail(body, "display_name")["existing_id"] == second["id"]
    api.ok_upsert(
        "invoices",
        "I-1",
        {
            "customer": {"external_id": "C-2"},
            "number": "inv-7",
            "lines": [{"quantity": 1, "unit_price": 1}],
        },
    )
    body = error(
        api.upsert(
            "invoices",
            "I-2",
            {
                "customer": {"external_id": "C-2"},
                "number": "INV-7",
                "lines": [{"quantity": 1, "unit_price": 1}],
            },
        ),
        409,
        "duplicate_number",
    )
    assert detail(body, "number")["code"] == "duplicate_number"
