"""The mapping engine on its own: spec checks, SCHEMA checks, transforms, record mapping."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from target_akountify.mapping.codes import country_code, currency_code
from target_akountify.mapping.compile import CompiledStream, check_spec, compile_stream
from target_akountify.mapping.entities import custom_field_spec
from target_akountify.mapping.loader import MappingError, load_spec, parse_spec
from target_akountify.mapping.mapper import map_record, nest, read_flat
from target_akountify.mapping.transforms import TransformSpecError, bind
from target_akountify.mapping.values import ValuePolicy

from .schemas import ACCOUNT_SCHEMA, CONTACT_SCHEMA, OPPORTUNITY_SCHEMA

if TYPE_CHECKING:
    from pathlib import Path

    from target_akountify.problems import Problem

SCHEMAS = {
    "Account": ACCOUNT_SCHEMA,
    "Contact": CONTACT_SCHEMA,
    "Opportunity": OPPORTUNITY_SCHEMA,
}


def compiled(
    spec_raw: dict[str, Any], stream: str = "Account", schema: dict | None = None
) -> CompiledStream:
    spec = parse_spec(spec_raw)
    assert check_spec(spec, {}) == []
    result, problems = compile_stream(
        spec, stream, schema=schema or SCHEMAS[stream], key_properties=["Id"], custom={}
    )
    assert problems == [], problems
    assert result is not None
    return result


def problems_of(
    spec_raw: dict[str, Any], stream: str = "Account", schema: dict | None = None
) -> list[Problem]:
    spec = parse_spec(spec_raw)
    found = check_spec(spec, {})
    if found:
        return found
    _, found = compile_stream(
        spec, stream, schema=schema or SCHEMAS[stream], key_properties=["Id"], custom={}
    )
    return found


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("United States", "US"),
        ("USA", "US"),
        ("U.S.", "US"),
        ("u.s.a.", "US"),
        ("United States of America", "US"),
        ("Deutschland", "DE"),
        ("Germany", "DE"),
        ("DEU", "DE"),
        ("de", "DE"),
        ("Allemagne", "DE"),
        ("España", "ES"),
        ("Espana", "ES"),
        ("UK", "GB"),
        ("Great Britain", "GB"),
        ("Schweiz", "CH"),
        ("Österreich", "AT"),
        ("  france ", "FR"),
        ("Côte d'Ivoire", "CI"),
        ("South Korea", "KR"),
    ],
)
def test_country_names_become_alpha2(text: str, code: str) -> None:
    assert country_code(text) == code


def test_unknown_country_is_none() -> None:
    assert country_code("Atlantis") is None
    assert currency_code("doubloons") is None
    assert currency_code("eur") == "EUR"
    assert currency_code("Euro") == "EUR"
    assert currency_code("€") == "EUR"


def test_default_mapping_compiles_against_salesforce_schemas() -> None:
    spec = load_spec()
    assert check_spec(spec, {}) == []
    for stream, schema in SCHEMAS.items():
        result, problems = compile_stream(
            spec, stream, schema=schema, key_properties=["Id"], custom={}
        )
        assert problems == [], (stream, problems)
        assert result is not None
    account, _ = compile_stream(
        spec, "Account", schema=ACCOUNT_SCHEMA, key_properties=["Id"], custom={}
    )
    assert account is not None
    assert "currency" in account.skipped  # no CurrencyIsoCode in a single-currency org


def test_default_account_mapping_maps_a_record() -> None:
    spec = load_spec()
    account, _ = compile_stream(
        spec, "Account", schema=ACCOUNT_SCHEMA, key_properties=["Id"], custom={}
    )
    assert account is not None
    mapped = map_record(
        account,
        {
            "Id": "001A",
            "Name": "  Acme\u0007   Corp ",
            "BillingStreet": "1 Main St\nSuite 200\nBuilding B",
            "BillingCity": "Springfield",
            "BillingCountry": "U.S.",
            "ShippingCountry": "Deutschland",
            "Industry": "Banking",
            "Description": "line one\nline two",
        },
        ValuePolicy(),
    )
    assert mapped.ok, mapped.problems
    assert mapped.external_id == "001A"
    assert mapped.values["display_name"] == "Acme Corp"
    assert mapped.values["billing_address.line1"] == "1 Main St"
    assert mapped.values["billing_address.line2"] == "Suite 200, Building B"
    assert mapped.values["billing_address.country"] == "US"
    assert mapped.values["shipping_address.country"] == "DE"
    assert mapped.values["tags"] == ["Banking"]
    assert mapped.values["notes"] == "line one\nline two"
    data = nest(mapped.values)
    assert data["billing_address"]["city"] == "Springfield"
    assert data["display_name"] == "Acme Corp"


def test_won_opportunity_becomes_an_invoice_and_others_are_skipped() -> None:
    spec = load_spec()
    opportunity, _ = compile_stream(
        spec, "Opportunity", schema=OPPORTUNITY_SCHEMA, key_properties=["Id"], custom={}
    )
    assert opportunity is not None
    won = map_record(
        opportunity,
        {
            "Id": "006A",
            "AccountId": "001A",
            "Name": "Big deal",
            "Amount": Decimal("1234.5678"),
            "CloseDate": "2024-03-31",
            "IsWon": True,
        },
        ValuePolicy(),
    )
    assert won.ok, won.problems
    assert won.values["lines.0.unit_price"] == "1234.57"
    assert won.values["lines.0.quantity"] == "1.0000"
    assert won.values["issue_date"] == "2024-03-31"
    data = nest(won.values, frozenset({"customer"}))
    assert data["customer"] == {"external_id": "001A"}
    assert data["lines"] == [
        {"description": "Big deal", "quantity": "1.0000", "unit_price": "1234.57"}
    ]
    lost = map_record(opportunity, {"Id": "006B", "IsWon": False}, ValuePolicy())
    assert lost.intent == "skip"
    assert "IsWon = True" in (lost.skip_reason or "")


def test_deleted_records_archive_or_are_ignored() -> None:
    spec_raw = {"Account": {"entity": "customers", "fields": {"display_name": "Name"}}}
    stream = compiled(spec_raw)
    gone = map_record(stream, {"Id": "1", "IsDeleted": True}, ValuePolicy())
    assert gone.intent == "archive"
    gone = map_record(stream, {"Id": "1", "_sdc_deleted_at": "2024-01-01T00:00:00Z"}, ValuePolicy())
    assert gone.intent == "archive"
    spec_raw["Account"]["on_delete"] = "ignore"
    ignored = map_record(compiled(spec_raw), {"Id": "1", "IsDeleted": True}, ValuePolicy())
    assert ignored.intent == "skip"


def test_every_problem_is_listed_at_once_with_fixes() -> None:
    spec_raw = {
        "Account": {
            "entity": "customers",
            "fields": {
                "display_nam": "Name",
                "payment_terms": {"source": "Terms__c", "value_map": {"Net 30": "net30"}},
                "credit_limit": {"source": "AnnualRevenue", "transforms": ["frobnicate"]},
            },
        },
        "Thing": {"entity": "vendors", "fields": {}},
    }
    found = problems_of(spec_raw)
    text = "\n".join(p.describe() for p in found)
    assert "has no writable field 'display_nam'" in text
    assert "did you mean 'display_name'" in text
    assert "unknown transform 'frobnicate'" in text
    assert "'net30', which is not one of" in text
    assert "unknown Akountify entity 'vendors'" in text
    assert "requires `display_name`" in text
    assert len(found) == 5


def test_schema_problems_type_mismatches_and_unknown_fields() -> None:
    spec_raw = {
        "Account": {
            "entity": "customers",
            "fields": {
                "display_name": "Nme",
                "payment_terms": "Regions__c",
                "tags": "Regions__c",
                "credit_limit": {"source": "Phone"},
                "custom_fields.signed": "Description",
            },
            "custom_fields": {"signed": {"type": "date"}},
        }
    }
    spec = parse_spec(spec_raw)
    custom = {"customers": {"signed": custom_field_spec("signed", "date")}}
    assert check_spec(spec, custom) == []
    result, found = compile_stream(
        spec, "Account", schema=ACCOUNT_SCHEMA, key_properties=["Id"], custom=custom
    )
    assert result is None
    text = "\n".join(p.describe() for p in found)
    assert "source field 'Nme' is not in the SCHEMA" in text
    assert "did you mean 'Name'" in text
    assert "multi-select cannot feed a single choice" in text
    assert "add the transform `split`" in text
    assert "field `Description` holds text, but `custom_fields.signed` is a date field" in text
    assert all(p.fix for p in found)


def test_text_into_date_and_picklist_values_missing_from_value_map() -> None:
    spec_raw = {
        "Opportunity": {
            "entity": "invoices",
            "fields": {
                "customer": "AccountId",
                "issue_date": "Name",
                "due_date": "SystemModstamp",
                "lines.0.unit_price": "Amount",
                "lines.0.quantity": {"constant": "1"},
            },
        },
        "Account": {
            "entity": "customers",
            "fields": {
                "display_name": "Name",
                "payment_terms": {"source": "Terms__c", "value_map": {"Net 30": "net_30"}},
            },
        },
    }
    found = problems_of(spec_raw, "Opportunity")
    text = "\n".join(p.describe() for p in found)
    assert "holds text, but `issue_date` is a date field" in text
    assert "add the transform `date` (takes the date of the date-time)" in text
    found = problems_of(spec_raw, "Account")
    assert len(found) == 1
    assert "'Net 60', 'On receipt'" in found[0].message


def test_missing_external_id_and_required_fields() -> None:
    spec_raw = {"Contact": {"entity": "contacts", "fields": {"email": "Email"}}}
    found = problems_of(spec_raw, "Contact")
    assert [p.code for p in found] == ["required"]
    assert "first_name` or `last_name`" in found[0].message
    spec = parse_spec({"Contact": {"entity": "contacts", "fields": {"last_name": "LastName"}}})
    _, found = compile_stream(spec, "Contact", schema=CONTACT_SCHEMA, key_properties=[], custom={})
    assert "has no key property" in found[0].message


def test_value_errors_reject_the_record_with_field_and_fix() -> None:
    spec_raw = {
        "Account": {
            "entity": "customers",
            "fields": {
                "display_name": "Name",
                "billing_address.country": "BillingCountry",
                "credit_limit": "AnnualRevenue",
                "payment_terms": {"source": "Terms__c", "value_map": {"Net 30": "net_30"}},
            },
        }
    }
    stream = compiled(
        spec_raw,
        schema={
            **ACCOUNT_SCHEMA,
            "properties": {
                **ACCOUNT_SCHEMA["properties"],
                "Terms__c": {"type": ["string", "null"]},
            },
        },
    )
    mapped = map_record(
        stream,
        {
            "Id": "1",
            "Name": None,
            "BillingCountry": "Narnia",
            "AnnualRevenue": Decimal("10.123"),
            "Terms__c": "Net 90",
        },
        ValuePolicy(),
    )
    by_field = {p.field: p for p in mapped.problems}
    assert set(by_field) == {
        "display_name",
        "billing_address.country",
        "credit_limit",
        "payment_terms",
    }
    assert "add the transform `country_code`" in by_field["billing_address.country"].fix
    assert "{decimal: {places: 2}}" in by_field["credit_limit"].fix
    assert "'Net 90' is not in the value_map" in by_field["payment_terms"].message


def test_text_normalization_truncation_and_forbidden_characters() -> None:
    spec_raw = {"Account": {"entity": "customers", "fields": {"display_name": "Name"}}}
    stream = compiled(spec_raw)
    long_name = "Cafe\u0301: " + "x" * 200
    mapped = map_record(stream, {"Id": "1", "Name": long_name}, ValuePolicy())
    assert mapped.ok
    value = mapped.values["display_name"]
    assert value.startswith("Café- ")  # NFC composed, ':' replaced
    assert len(value) == 100
    assert {w.code for w in mapped.warnings} == {"truncated", "forbidden_characters"}
    strict = ValuePolicy(too_long="reject", forbidden_characters="reject")
    rejected = map_record(stream, {"Id": "1", "Name": long_name}, strict)
    assert [p.code for p in rejected.problems] == ["forbidden_characters"]
    rejected = map_record(stream, {"Id": "1", "Name": "y" * 101}, strict)
    assert [p.code for p in rejected.problems] == ["too_long"]


def test_multiselect_split_into_tags_and_templates() -> None:
    spec_raw = {
        "Account": {
            "entity": "customers",
            "fields": {
                "display_name": {"template": "{Name} ({Type})"},
                "tags": {"source": "Regions__c", "transforms": ["split"]},
                "notes": {"template": "Industry: {Industry}", "default": "none"},
            },
        }
    }
    stream = compiled(spec_raw)
    mapped = map_record(
        stream,
        {"Id": "1", "Name": "Acme", "Type": "Partner", "Regions__c": "EMEA;AMER"},
        ValuePolicy(),
    )
    assert mapped.values["display_name"] == "Acme (Partner)"
    assert mapped.values["tags"] == ["EMEA", "AMER"]
    assert mapped.values["notes"] == "none"


def test_transform_binding_errors() -> None:
    assert bind({"truncate": 5}).apply("abcdefgh") == "abcde"
    assert bind({"case": "upper"}).apply("abc") == "ABC"
    assert (
        bind({"date": {"timezone": "America/New_York"}}).apply("2024-01-01T03:00:00Z")
        == "2023-12-31"
    )
    with pytest.raises(TransformSpecError, match="unknown time zone"):
        bind({"date": {"timezone": "Mars/Base"}})
    with pytest.raises(TransformSpecError, match="takes no parameters"):
        bind({"trim": 3})
    with pytest.raises(TransformSpecError, match="places"):
        bind({"decimal": {"places": -1}})


def test_loader_reports_yaml_and_shape_errors(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="not valid YAML at line"):
        load_spec("streams:\n  Account: [unclosed\n")
    with pytest.raises(MappingError) as caught:
        load_spec({"Account": {"entity": "customers", "feilds": {}}})
    text = str(caught.value)
    assert "mapping.streams.Account.feilds" in text
    assert "mapping.streams.Account.fields" in text
    with pytest.raises(MappingError, match="cannot read"):
        load_spec(mapping_file=str(tmp_path / "missing.yaml"))
    path = tmp_path / "m.yaml"
    path.write_text("Account:\n  entity: customers\n  fields:\n    display_name: Name\n")
    assert list(load_spec(mapping_file=str(path)).streams) == ["Account"]
    with pytest.raises(MappingError, match="both `mapping` and `mapping_file`"):
        load_spec({"Account": {}}, str(path))


def test_read_flat_is_the_inverse_of_nest() -> None:
    values = {
        "display_name": "Acme",
        "billing_address.city": "Springfield",
        "custom_fields.region": "EMEA",
        "lines.1.quantity": "2",
        "lines.0.quantity": "1",
        "customer": "001A",
    }
    data = nest(values, frozenset({"customer"}))
    assert data == {
        "display_name": "Acme",
        "billing_address": {"city": "Springfield"},
        "custom_fields": {"region": "EMEA"},
        "lines": [{"quantity": "1"}, {"quantity": "2"}],
        "customer": {"external_id": "001A"},
    }
    for path, value in values.items():
        if path != "customer":
            assert read_flat(data, path) == value
    assert read_flat(data, "lines.5.quantity") is None
    assert read_flat({"billing_address": None}, "billing_address.city") is None
