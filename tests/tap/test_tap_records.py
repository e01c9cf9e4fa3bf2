"""REST rows and Bulk CSV rows become identical, exactly typed records."""

from __future__ import annotations

import csv
import io
import logging
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from tap_salesforce_lite.client import JSON_DECODER
from tap_salesforce_lite.objects import ObjectInfo
from tap_salesforce_lite.records import RecordShape, component_key
from tap_salesforce_lite.values import normalize_datetime
from tap_salesforce_lite.writer import ENCODER

REST_BODY = b"""{"totalSize":1,"done":true,"records":[{
 "attributes":{"type":"Account","url":"/services/data/v62.0/sobjects/Account/001000000000001AAA"},
 "Id":"001000000000001AAA","IsDeleted":false,"Name":"NA",
 "Description":"line one\\nline \\"two\\", with comma",
 "Industries_Served__c":"Retail;Energy","NumberOfEmployees":12,"Big_Count__c":9007199254740993,
 "Score__c":0.1,"AnnualRevenue":1234.5678,"Credit_Limit__c":1E+7,"Discount__c":12.50,
 "Customer_Since__c":"2020-02-29","Opens_At__c":"10:20:30.000Z","Last_Value__c":"None",
 "Is_Active__c":true,"BillingStreet":"1 Main St","BillingCity":"Paris","BillingState":null,
 "BillingPostalCode":"75001","BillingCountry":"France","BillingLatitude":48.8566,
 "BillingLongitude":2.3522,"BillingGeocodeAccuracy":null,
 "Site__Latitude__s":null,"Site__Longitude__s":null,
 "CreatedDate":"2024-01-15T10:20:30.000+0000","SystemModstamp":"2024-01-16T00:00:00.123+0000"}]}"""

CSV_BODY = (
    '"Id","IsDeleted","Name","Description","Industries_Served__c","NumberOfEmployees",'
    '"Big_Count__c","Score__c","AnnualRevenue","Credit_Limit__c","Discount__c",'
    '"Customer_Since__c","Opens_At__c","Last_Value__c","Is_Active__c","BillingStreet",'
    '"BillingCity","BillingState","BillingPostalCode","BillingCountry","BillingLatitude",'
    '"BillingLongitude","BillingGeocodeAccuracy","Site__Latitude__s","Site__Longitude__s",'
    '"CreatedDate","SystemModstamp"\n'
    '"001000000000001AAA","false","NA","line one\nline ""two"", with comma","Retail;Energy",'
    '"12","9007199254740993","0.1","1234.5678","1E+7","12.50","2020-02-29","10:20:30.000Z",'
    '"None","true","1 Main St","Paris","","75001","France","48.8566","2.3522","","","",'
    '"2024-01-15T10:20:30.000Z","2024-01-16T00:00:00.123Z"\n'
)

SELECTED = [
    "Id",
    "Name",
    "Description",
    "Industries_Served__c",
    "NumberOfEmployees",
    "Big_Count__c",
    "Score__c",
    "AnnualRevenue",
    "Credit_Limit__c",
    "Discount__c",
    "Customer_Since__c",
    "Opens_At__c",
    "Last_Value__c",
    "Is_Active__c",
    "BillingAddress",
    "BillingCity",
    "Site__c",
    "CreatedDate",
]


@pytest.fixture
def shape(account_describe: dict[str, Any]) -> RecordShape:
    return RecordShape(ObjectInfo.from_describe(account_describe), SELECTED, include_deleted=True)


def from_csv(shape: RecordShape, text: str) -> list[dict[str, Any]]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    convert = shape.csv_row_reader(rows[0])
    return [convert(row) for row in rows[1:]]


def test_query_fields_replace_compounds_by_components(shape: RecordShape) -> None:
    assert shape.query_fields[:3] == ("Id", "SystemModstamp", "IsDeleted")
    assert "BillingAddress" not in shape.query_fields
    assert "Site__c" not in shape.query_fields
    for part in ("BillingStreet", "BillingLatitude", "BillingGeocodeAccuracy", "Site__Latitude__s"):
        assert part in shape.query_fields
    assert shape.bulk_unsupported_fields == ()
    assert shape.emitted_properties[-1] == "_sdc_deleted_at"


def test_rest_row_becomes_an_exactly_typed_record(shape: RecordShape) -> None:
    (raw,) = JSON_DECODER.decode(REST_BODY)["records"]
    record = shape.from_rest(raw)
    assert record["AnnualRevenue"] == Decimal("1234.5678")
    assert str(record["AnnualRevenue"]) == "1234.5678"
    assert isinstance(record["Score__c"], Decimal)
    assert record["Big_Count__c"] == 9007199254740993
    assert record["Name"] == "NA"
    assert record["Last_Value__c"] == "None"
    assert record["Description"] == 'line one\nline "two", with comma'
    assert record["Industries_Served__c"] == "Retail;Energy"
    assert record["SystemModstamp"] == "2024-01-16T00:00:00.123000+00:00"
    assert record["CreatedDate"] == "2024-01-15T10:20:30.000000+00:00"
    assert record["Opens_At__c"] == "10:20:30.000Z"
    assert record["BillingAddress"] == {
        "street": "1 Main St",
        "city": "Paris",
        "state": None,
        "postalCode": "75001",
        "country": "France",
        "latitude": Decimal("48.8566"),
        "longitude": Decimal("2.3522"),
        "geocodeAccuracy": None,
    }
    assert record["Site__c"] is None  # every component null: the compound is null
    assert "BillingStreet" not in record  # a component is emitted only when selected
    assert record["BillingCity"] == "Paris"
    assert record["_sdc_deleted_at"] is None
    assert record["IsDeleted"] is False


def test_bulk_csv_row_gives_the_same_record(shape: RecordShape) -> None:
    (raw,) = JSON_DECODER.decode(REST_BODY)["records"]
    (from_bulk,) = from_csv(shape, CSV_BODY)
    assert from_bulk == shape.from_rest(raw)
    assert ENCODER.encode(from_bulk["AnnualRevenue"]) == b"1234.5678"
    # msgspec on its own would write the Decimal as a string:
    assert msgspec.json.encode(from_bulk["AnnualRevenue"]) == b'"1234.5678"'


def test_empty_csv_cells_are_null_and_text_stays_text(shape: RecordShape) -> None:
    header = "Id,Name,Description,Last_Value__c,Credit_Limit__c,Is_Active__c\n"
    records = from_csv(shape, header + '001000000000001AAA,null,"",None,,false\n')
    (record,) = records
    assert record["Name"] == "null"
    assert record["Description"] is None
    assert record["Last_Value__c"] == "None"
    assert record["Credit_Limit__c"] is None
    assert record["Is_Active__c"] is False


def test_deleted_rows_carry_deleted_at(shape: RecordShape) -> None:
    header = "Id,IsDeleted,SystemModstamp\n"
    (record,) = from_csv(shape, header + "001000000000001AAA,true,2024-03-01T00:00:00.000Z\n")
    assert record["IsDeleted"] is True
    assert record["_sdc_deleted_at"] == "2024-03-01T00:00:00.000000+00:00"


def test_a_bad_cell_is_kept_as_text_and_named(
    shape: RecordShape, caplog: pytest.LogCaptureFixture
) -> None:
    header = "Id,NumberOfEmployees\n"
    with caplog.at_level(logging.WARNING):
        (record,) = from_csv(shape, header + "001000000000001AAA,many\n")
    assert record["NumberOfEmployees"] == "many"
    assert "Account 001000000000001AAA: field NumberOfEmployees holds" in caplog.text


def test_base64_fields_keep_an_object_off_bulk(account_describe: dict[str, Any]) -> None:
    info = ObjectInfo.from_describe(account_describe)
    shape = RecordShape(info, ["Id", "Logo__c"], include_deleted=False)
    assert shape.bulk_unsupported_fields == ("Logo__c",)
    assert "IsDeleted" not in shape.query_fields
    assert "_sdc_deleted_at" not in shape.emitted_properties


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-15T10:20:30.000+0000", "2024-01-15T10:20:30.000000+00:00"),
        ("2024-01-15T10:20:30.123Z", "2024-01-15T10:20:30.123000+00:00"),
        ("2024-01-15T11:20:30.5+01:00", "2024-01-15T10:20:30.500000+00:00"),
        ("2024-01-15T10:20:30+0000", "2024-01-15T10:20:30.000000+00:00"),
        ("2024-01-15T10:20:30", "2024-01-15T10:20:30.000000+00:00"),
    ],
)
def test_datetimes_are_normalized_to_utc(value: str, expected: str) -> None:
    assert normalize_datetime(value) == expected


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("BillingStreet", "street"),
        ("BillingStateCode", "stateCode"),
        ("BillingCountry", "country"),
        ("MailingPostalCode", "postalCode"),
        ("BillingGeocodeAccuracy", "geocodeAccuracy"),
        ("Site__Latitude__s", "latitude"),
        ("Longitude", "longitude"),
        ("Whatever", None),
    ],
)
def test_component_keys(name: str, key: str | None) -> None:
    assert component_key(name) == key
