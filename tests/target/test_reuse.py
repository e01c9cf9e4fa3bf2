"""The target fed by something that is not Salesforce, with its own mapping; the cheat sheet."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from click.testing import CliRunner

from target_akountify.cheatsheet import main as cheatsheet

from .conftest import Api, record_message, run_target, schema_message, singer_lines
from .schemas import ACCOUNT_SCHEMA

if TYPE_CHECKING:
    from pathlib import Path

# A webshop export: integer keys, nested objects, an array of labels, dates and prices as
# strings. Nothing Salesforce about it, and no x-salesforce hints.
SHOP_CUSTOMER_SCHEMA = {
    "type": "object",
    "properties": {
        "customer_no": {"type": "integer"},
        "company": {
            "type": ["object", "null"],
            "properties": {
                "name": {"type": ["string", "null"]},
                "vat": {"type": ["string", "null"]},
            },
        },
        "contact": {
            "type": ["object", "null"],
            "properties": {"email": {"type": ["string", "null"]}},
        },
        "address": {
            "type": ["object", "null"],
            "properties": {
                "street": {"type": ["string", "null"]},
                "zip": {"type": ["string", "null"]},
                "town": {"type": ["string", "null"]},
                "land": {"type": ["string", "null"]},
            },
        },
        "labels": {"type": ["array", "null"], "items": {"type": "string"}},
        "terms": {"type": ["string", "null"]},
        "limit": {"type": ["string", "null"]},
        "removed": {"type": ["boolean", "null"]},
    },
}

SHOP_MAPPING: dict[str, Any] = {
    "shop_customers": {
        "entity": "customers",
        "external_source": "webshop",
        "fields": {
            "display_name": {"source": "company.name", "transforms": ["trim"]},
            "tax_id": "company.vat",
            "email": {"source": "contact.email", "transforms": [{"case": "lower"}]},
            "billing_address.line1": "address.street",
            "billing_address.postal_code": "address.zip",
            "billing_address.city": {"source": "address.town", "transforms": [{"case": "title"}]},
            "billing_address.country": {"source": "address.land", "transforms": ["country_code"]},
            "tags": "labels",
            "payment_terms": {
                "source": "terms",
                "value_map": {"14 Tage": "net_15", "30 Tage": "net_30", "sofort": "due_on_receipt"},
            },
            "credit_limit": {"source": "limit", "transforms": [{"decimal": {"places": 2}}]},
            "notes": {"template": "Webshop customer #{customer_no}"},
        },
    }
}


def shop_customer(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "customer_no": n,
        "company": {"name": f"  Müller & Söhne {n} GmbH ", "vat": f"DE12345678{n}"},
        "contact": {"email": f"Info{n}@Mueller.example"},
        "address": {
            "street": "Hauptstr. 1",
            "zip": "10115",
            "town": "berlin",
            "land": "Deutschland",
        },
        "labels": ["wholesale", "eu"],
        "terms": "30 Tage",
        "limit": "2500.5",
        **extra,
    }


def test_a_non_salesforce_stream_with_its_own_mapping(
    target_config: dict[str, Any], api: Api
) -> None:
    target_config["mapping"] = SHOP_MAPPING
    text = singer_lines(
        schema_message("shop_customers", SHOP_CUSTOMER_SCHEMA, ["customer_no"]),
        record_message("shop_customers", shop_customer(1)),
        record_message("shop_customers", shop_customer(2, terms="nächste Woche")),
    )
    result = run_target(target_config, text)
    customers = api.by_external_id("customers")
    assert set(customers) == {"1"}
    one = customers["1"]
    assert one["display_name"] == "Müller & Söhne 1 GmbH"
    assert one["external_source"] == "webshop"
    assert one["email"] == "info1@mueller.example"
    assert one["billing_address"] == {
        "line1": "Hauptstr. 1",
        "line2": None,
        "city": "Berlin",
        "region": None,
        "postal_code": "10115",
        "country": "DE",
    }
    assert one["tags"] == ["wholesale", "eu"]
    assert one["payment_terms"] == "net_30"
    assert one["credit_limit"] == "2500.50"
    assert one["notes"] == "Webshop customer #1"
    rejection = result.report["rejections"][0]
    assert rejection["external_id"] == "2"
    assert rejection["field"] == "payment_terms"
    assert "'nächste Woche' is not in the value_map" in rejection["message"]
    # the second run changes nothing
    again = run_target(target_config, text)
    assert again.counts("shop_customers")["unchanged"] == 1


def test_cheat_sheet_says_where_to_edit_each_field(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"mapping": SHOP_MAPPING, "conflict_policy": "destination_wins"}))
    result = CliRunner().invoke(cheatsheet, ["--config", str(config)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "## shop_customers → customers" in lines
    tax = next(line for line in lines if line.startswith("| `tax_id`"))
    assert "field `company.vat`" in tax
    assert "**edit in webshop**; edits made in Akountify are kept" in tax
    phone = next(line for line in lines if line.startswith("| `phone`"))
    assert "owned by Akountify; never synced" in phone


def test_cheat_sheet_checks_a_catalog(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.json"
    schema = {**ACCOUNT_SCHEMA, "properties": dict(ACCOUNT_SCHEMA["properties"])}
    del schema["properties"]["Name"]
    catalog.write_text(
        json.dumps(
            {"streams": [{"tap_stream_id": "Account", "key_properties": ["Id"], "schema": schema}]}
        )
    )
    result = CliRunner().invoke(cheatsheet, ["--catalog", str(catalog)])
    assert result.exit_code == 1
    assert "source field 'Name' is not in the SCHEMA of stream 'Account'" in result.output
