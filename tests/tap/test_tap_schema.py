"""Describe to JSON Schema for every Salesforce type, and back from a catalog."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from jsonschema import Draft7Validator  # type: ignore[import-untyped]
from singer_sdk.singerlib import Catalog

from tap_salesforce_lite.catalog import SalesforceSchema, read_catalog
from tap_salesforce_lite.objects import ObjectInfo
from tap_salesforce_lite.schema import object_from_schema, stream_schema

if TYPE_CHECKING:
    import pytest


def test_every_type_maps_to_standard_json_schema(account_describe: dict[str, Any]) -> None:
    schema = stream_schema(ObjectInfo.from_describe(account_describe), include_deleted=True)
    props = schema["properties"]

    def standard(name: str) -> dict[str, Any]:
        return {k: v for k, v in props[name].items() if k != "x-salesforce"}

    assert standard("Id") == {"type": ["string", "null"], "maxLength": 18}
    assert standard("ParentId") == {"type": ["string", "null"], "maxLength": 18}
    assert standard("Name") == {"type": ["string", "null"], "maxLength": 255}
    for text in ("Description", "Type", "Region__c", "Email__c", "Phone", "Website", "Secret__c"):
        assert standard(text)["type"] == ["string", "null"]
        assert standard(text)["maxLength"] > 0
    assert standard("Industries_Served__c") == {"type": ["string", "null"], "maxLength": 4099}
    assert standard("IsDeleted") == {"type": ["boolean", "null"]}
    assert standard("NumberOfEmployees") == {"type": ["integer", "null"]}
    assert standard("Big_Count__c") == {"type": ["integer", "null"]}
    for number in ("Score__c", "AnnualRevenue", "Credit_Limit__c", "Discount__c"):
        assert standard(number) == {"type": ["number", "null"]}
    assert standard("Customer_Since__c") == {"type": ["string", "null"], "format": "date"}
    assert standard("SystemModstamp") == {"type": ["string", "null"], "format": "date-time"}
    assert standard("Opens_At__c") == {"type": ["string", "null"], "format": "time"}
    assert standard("Logo__c") == {"type": ["string", "null"], "contentEncoding": "base64"}
    assert standard("Last_Value__c") == {"type": ["string", "number", "boolean", "null"]}
    address = standard("BillingAddress")
    assert address["type"] == ["object", "null"]
    assert address["properties"]["city"] == {"type": ["string", "null"]}
    assert address["properties"]["latitude"] == {"type": ["number", "null"]}
    assert set(address["properties"]) >= {"street", "postalCode", "country", "geocodeAccuracy"}
    location = standard("Site__c")
    assert set(location["properties"]) == {"latitude", "longitude"}
    assert schema["properties"]["_sdc_deleted_at"] == {
        "type": ["string", "null"],
        "format": "date-time",
    }
    # Every property allows null, and the whole schema is valid JSON Schema.
    assert all("null" in prop["type"] for prop in props.values())
    Draft7Validator.check_schema(schema)


def test_vendor_keyword_keeps_field_metadata(account_describe: dict[str, Any]) -> None:
    props = stream_schema(ObjectInfo.from_describe(account_describe), include_deleted=False)[
        "properties"
    ]
    assert "_sdc_deleted_at" not in props
    assert props["Credit_Limit__c"]["x-salesforce"] == {
        "type": "currency",
        "label": "Credit_Limit__c",
        "precision": 16,
        "scale": 2,
        "calculated": False,
        "nillable": True,
        "updateable": True,
    }
    assert props["Industries_Served__c"]["x-salesforce"]["picklist_values"] == [
        "Retail",
        "Energy",
        "Media",
    ]
    assert props["Industries_Served__c"]["x-salesforce"]["type"] == "multipicklist"
    assert props["OwnerId"]["x-salesforce"]["reference_to"] == ["User"]
    assert props["Formula__c"]["x-salesforce"]["calculated"] is True
    assert props["BillingCity"]["x-salesforce"]["compound_field_name"] == "BillingAddress"
    assert props["Id"]["x-salesforce"]["label"] == "Account ID"
    assert props["Id"]["x-salesforce"]["nillable"] is False


def test_unknown_types_never_fail_discovery(
    account_describe: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        props = stream_schema(ObjectInfo.from_describe(account_describe), include_deleted=True)[
            "properties"
        ]
    assert props["Mystery__c"]["type"] == ["string", "null"]
    assert props["Mystery__c"]["x-salesforce"]["type"] == "datacategorygroupreference"
    assert "Mystery__c has the Salesforce type 'datacategorygroupreference'" in caplog.text


def test_deprecated_and_hidden_fields_are_left_out(account_describe: dict[str, Any]) -> None:
    info = ObjectInfo.from_describe(account_describe)
    assert info.field("Hidden__c") is None


def test_replication_key_preference() -> None:
    def obj(*names: str) -> ObjectInfo:
        return ObjectInfo.from_describe(
            {
                "name": "X",
                "fields": [{"name": "Id", "type": "id"}]
                + [{"name": n, "type": "datetime"} for n in names],
            }
        )

    assert obj("CreatedDate", "LastModifiedDate", "SystemModstamp").replication_key == (
        "SystemModstamp"
    )
    assert obj("CreatedDate", "LastModifiedDate").replication_key == "LastModifiedDate"
    assert obj("CreatedDate").replication_key == "CreatedDate"
    assert obj().replication_key is None


def test_object_is_rebuilt_from_its_catalog_schema(account_describe: dict[str, Any]) -> None:
    original = ObjectInfo.from_describe(account_describe)
    schema = stream_schema(original, include_deleted=True)
    rebuilt = object_from_schema("Account", json.loads(json.dumps(schema)))
    assert [f.name for f in rebuilt.fields] == [f.name for f in original.fields]
    for before, after in zip(original.fields, rebuilt.fields, strict=True):
        assert (after.sf_type, after.compound_field_name, after.precision, after.scale) == (
            before.sf_type,
            before.compound_field_name,
            before.precision,
            before.scale,
        )
    assert rebuilt.replication_key == "SystemModstamp"


def test_types_are_inferred_from_a_catalog_without_vendor_keyword() -> None:
    info = object_from_schema(
        "Thing__c",
        {
            "properties": {
                "Id": {"type": ["string"]},
                "When__c": {"type": ["string", "null"], "format": "date-time"},
                "Day__c": {"type": ["string", "null"], "format": "date"},
                "N__c": {"type": ["integer", "null"]},
                "X__c": {"type": ["number", "null"]},
                "B__c": {"type": "boolean"},
                "A__c": {"type": ["object", "null"], "properties": {"city": {}}},
            }
        },
    )
    types = {f.name: f.sf_type for f in info.fields}
    assert types == {
        "Id": "id",
        "When__c": "datetime",
        "Day__c": "date",
        "N__c": "int",
        "X__c": "double",
        "B__c": "boolean",
        "A__c": "address",
    }


def test_catalog_keeps_the_vendor_keyword_both_ways(account_describe: dict[str, Any]) -> None:
    schema = stream_schema(ObjectInfo.from_describe(account_describe), include_deleted=True)
    raw = {
        "streams": [
            {
                "tap_stream_id": "Account",
                "stream": "Account",
                "schema": schema,
                "metadata": [],
                "key_properties": ["Id"],
            }
        ]
    }
    # singer-sdk's own catalog drops it ...
    plain = Catalog.from_dict(raw).to_dict()
    assert "x-salesforce" not in json.dumps(plain)
    # ... the tap's keeps it, at every level.
    kept = read_catalog(raw).to_dict()
    assert kept["streams"][0]["schema"] == schema
    assert SalesforceSchema.from_dict(schema).to_dict() == schema
