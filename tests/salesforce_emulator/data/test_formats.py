from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest

from emulators.salesforce import formats
from emulators.salesforce.catalog import default_catalog
from emulators.salesforce.errors import SalesforceApiError

if TYPE_CHECKING:
    from emulators.salesforce.schema import FieldDef

CATALOG = default_catalog()


def field(object_name: str, name: str) -> FieldDef:
    obj = CATALOG.get(object_name)
    assert obj is not None
    found = obj.field(name)
    assert found is not None
    return found


def rest(f: FieldDef, value: Any) -> Any:
    converter = formats.rest_converter(f)
    return value if converter is None else converter(value)


def csv(f: FieldDef, value: Any) -> str:
    return formats.csv_converter(f)(value)


# ------------------------------------------------------------------ storage -> REST / CSV

MIXED_SCRIPTS = "株式会社 テスト 🚀 שלום"
STORAGE_CASES = [
    # (object, field, stored, REST JSON value, CSV cell)
    ("Account", "Name", 'Acme, "Inc"\nline 2', 'Acme, "Inc"\nline 2', 'Acme, "Inc"\nline 2'),
    ("Account", "Name", "NA", "NA", "NA"),
    ("Account", "Name", "None", "None", "None"),
    ("Account", "Name", "null", "null", "null"),
    ("Account", "Name", None, None, ""),
    ("Account", "Id", "0015g0000000001AAA", "0015g0000000001AAA", "0015g0000000001AAA"),
    ("Account", "OwnerId", "0055g0000000001AAA", "0055g0000000001AAA", "0055g0000000001AAA"),
    ("Account", "Description", 'a\r\nb, "c"', 'a\r\nb, "c"', 'a\r\nb, "c"'),
    ("Account", "Type", "Prospect", "Prospect", "Prospect"),
    ("Account", "Industries_Served__c", "Energy;Retail", "Energy;Retail", "Energy;Retail"),
    ("Account", "Phone", "+1 (555) 010-0000", "+1 (555) 010-0000", "+1 (555) 010-0000"),
    ("Account", "Website", "https://acme.example", "https://acme.example", "https://acme.example"),
    ("Contact", "Email", "a@b.example", "a@b.example", "a@b.example"),
    ("Account", "Bank_Account__c", "DE89 3704", "DE89 3704", "DE89 3704"),
    ("Project__c", "Phase__c", "Build", "Build", "Build"),
    ("Account", "IsDeleted", 0, False, "false"),
    ("Account", "IsDeleted", 1, True, "true"),
    ("Account", "NumberOfEmployees", 250, 250, "250"),
    ("Project__c", "Billable_Seconds__c", 9_007_199_254_740_993, 9_007_199_254_740_993,
     "9007199254740993"),
    ("Account", "AnnualRevenue", 15_000_000.0, 15_000_000.0, "15000000.0"),
    ("Account", "AnnualRevenue", 1e20, 1e20, "100000000000000000000.0"),
    ("Account", "Credit_Limit__c", 1234.5, 1234.5, "1234.5"),
    ("Account", "Opening_Balance__c", 0.000001, 0.000001, "0.000001"),
    ("Opportunity", "Probability", 75.0, 75.0, "75.0"),
    ("Project__c", "Estimated_Hours__c", None, None, ""),
    ("Account", "Customer_Since__c", "2024-01-15", "2024-01-15", "2024-01-15"),
    ("Account", "CreatedDate", "2024-01-15T10:20:30.000Z", "2024-01-15T10:20:30.000+0000",
     "2024-01-15T10:20:30.000Z"),
    ("Project__c", "Daily_Standup__c", "10:20:30.000Z", "10:20:30.000Z", "10:20:30.000Z"),
    ("AccountHistory", "NewValue", "Net 30", "Net 30", "Net 30"),
    ("Account", "Name", MIXED_SCRIPTS, MIXED_SCRIPTS, MIXED_SCRIPTS),
]  # fmt: skip


@pytest.mark.parametrize(("object_name", "name", "stored", "json_value", "cell"), STORAGE_CASES)
def test_storage_to_rest_and_csv(
    object_name: str, name: str, stored: Any, json_value: Any, cell: str
) -> None:
    f = field(object_name, name)
    converted = rest(f, stored)
    assert converted == json_value
    assert type(converted) is type(json_value)
    assert csv(f, stored) == cell


def test_address_and_location_rest_values() -> None:
    values = ("1 Main St\nSuite 2", "Paris", None, "75001", "France", 48.85, 2.35, "Address")
    assert formats.rest_compound(field("Account", "BillingAddress"), values) == {
        "city": "Paris",
        "country": "France",
        "geocodeAccuracy": "Address",
        "latitude": 48.85,
        "longitude": 2.35,
        "postalCode": "75001",
        "state": None,
        "street": "1 Main St\nSuite 2",
    }
    assert list(formats.rest_address(values) or {}) == [
        "city", "country", "geocodeAccuracy", "latitude", "longitude", "postalCode", "state",
        "street",
    ]  # fmt: skip
    assert formats.rest_address((None,) * 8) is None
    assert formats.rest_compound(field("Account", "Headquarters__c"), (1.5, -2.25)) == {
        "latitude": 1.5,
        "longitude": -2.25,
    }
    assert formats.rest_location((None, None)) is None


def test_record_and_blob_urls() -> None:
    assert (
        formats.record_url("59.0", "Account", "0015g0000000001AAA")
        == "/services/data/v59.0/sobjects/Account/0015g0000000001AAA"
    )
    assert (
        formats.blob_url("59.0", "Project__c", "a015g0000000001AAA", "Signed_Contract__c")
        == "/services/data/v59.0/sobjects/Project__c/a015g0000000001AAA/Signed_Contract__c"
    )


def test_datetime_storage_round_trip() -> None:
    paris = timezone(timedelta(hours=2))
    moment = datetime(2024, 6, 1, 12, 0, 0, 123_456, tzinfo=paris)
    stored = formats.datetime_to_storage(moment)
    assert stored == "2024-06-01T10:00:00.123Z"
    assert formats.storage_to_datetime(stored) == datetime(
        2024, 6, 1, 10, 0, 0, 123_000, tzinfo=UTC
    )
    assert formats.datetime_to_storage(datetime(2024, 1, 1)) == "2024-01-01T00:00:00.000Z"  # noqa: DTZ001


# ------------------------------------------------------------------ REST input -> storage

INPUT_CASES = [
    ("Account", "Name", "Acme", "Acme"),
    ("Account", "Name", "", None),
    ("Account", "Name", 123, "123"),
    ("Account", "Industries_Served__c", "Retail;Energy;Retail", "Energy;Retail"),
    ("Account", "Industries_Served__c", ["Retail", "Automotive"], "Automotive;Retail"),
    ("Account", "Payment_Terms__c", "Net 30", "Net 30"),
    ("Account", "Type", "Not In The List", "Not In The List"),  # unrestricted picklist
    ("Account", "IsDeleted", True, 1),
    ("Contact", "DoNotCall", "false", 0),
    ("Contact", "DoNotCall", None, 0),
    ("Account", "NumberOfEmployees", 12, 12),
    ("Account", "NumberOfEmployees", "12", 12),
    ("Account", "NumberOfEmployees", 12.0, 12),
    ("Account", "Credit_Limit__c", 10.005, 10.01),  # rounded half up to the field's scale
    ("Account", "Credit_Limit__c", -10.005, -10.01),
    ("Account", "Credit_Limit__c", "99.999", 100.0),
    ("Account", "Opening_Balance__c", 1.23456789, 1.234568),
    ("Account", "Customer_Since__c", "2024-02-29", "2024-02-29"),
    ("Account", "SLAExpirationDate__c", None, None),
    ("Account", "LastViewedDate", "2024-01-15T10:20:30Z", "2024-01-15T10:20:30.000Z"),
    ("Account", "LastViewedDate", "2024-01-15T10:20:30.123456+0100", "2024-01-15T09:20:30.123Z"),
    ("Account", "LastViewedDate", "2024-01-15T10:20:30.5-05:00", "2024-01-15T15:20:30.500Z"),
    ("Account", "LastViewedDate", "2024-01-15T10:20:30", "2024-01-15T10:20:30.000Z"),
    ("Project__c", "Daily_Standup__c", "09:30", "09:30:00.000Z"),
    ("Project__c", "Daily_Standup__c", "09:30:15.5Z", "09:30:15.500Z"),
    ("Project__c", "Signed_Contract__c", "aGVsbG8=", "aGVsbG8="),
    ("Contact", "Email", " ann@example.com ", "ann@example.com"),
    ("Contact", "Email", "jane..doe@example_corp.com", "jane..doe@example_corp.com"),
    ("AccountHistory", "NewValue", "x", "x"),
]  # fmt: skip


@pytest.mark.parametrize(("object_name", "name", "value", "stored"), INPUT_CASES)
def test_parse_input(object_name: str, name: str, value: Any, stored: Any) -> None:
    assert formats.parse_input(field(object_name, name), value) == stored


ERROR_CASES = [
    ("Account", "Name", "x" * 256, "STRING_TOO_LONG",
     "Account Name: data value too large: " + "x" * 256 + " (max length=255)"),
    ("Account", "Tax_Id__c", "🚀" * 26, "STRING_TOO_LONG", None),  # 52 UTF-16 units > 50
    ("Account", "Payment_Terms__c", "Net 45", "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
     "Payment Terms: bad value for restricted picklist field: Net 45"),
    ("Contact", "Email", "not-an-email", "INVALID_EMAIL_ADDRESS",
     "Email: invalid email address: not-an-email"),
    ("Account", "NumberOfEmployees", "many", "JSON_PARSER_ERROR",
     ("Cannot deserialize instance of int from VALUE_STRING value many or request may be "
     "missing a required field")),
    ("Account", "NumberOfEmployees", 1.5, "JSON_PARSER_ERROR", None),
    ("Account", "NumberOfEmployees", 100_000_000, "NUMBER_OUTSIDE_VALID_RANGE",
     "Employees: value outside of valid range on numeric field: 100000000"),
    ("Account", "Credit_Limit__c", 1e15, "NUMBER_OUTSIDE_VALID_RANGE", None),
    ("Account", "Credit_Limit__c", True, "JSON_PARSER_ERROR", None),
    ("Account", "Credit_Limit__c", "NaN", "JSON_PARSER_ERROR", None),
    ("Account", "Customer_Since__c", "2024-02-30", "JSON_PARSER_ERROR", None),
    ("Account", "Customer_Since__c", "15/01/2024", "JSON_PARSER_ERROR", None),
    ("Account", "LastViewedDate", "yesterday", "JSON_PARSER_ERROR", None),
    ("Account", "LastViewedDate", "2024-01-15", "JSON_PARSER_ERROR", None),
    ("Project__c", "Daily_Standup__c", "25:00", "JSON_PARSER_ERROR", None),
    ("Contact", "DoNotCall", "yes", "JSON_PARSER_ERROR", None),
    ("Account", "Name", {"a": 1}, "JSON_PARSER_ERROR", None),
    ("Project__c", "Signed_Contract__c", "not base64!", "JSON_PARSER_ERROR", None),
]  # fmt: skip


@pytest.mark.parametrize(("object_name", "name", "value", "code", "message"), ERROR_CASES)
def test_parse_input_errors(
    object_name: str, name: str, value: Any, code: str, message: str | None
) -> None:
    f = field(object_name, name)
    with pytest.raises(SalesforceApiError) as raised:
        formats.parse_input(f, value)
    assert raised.value.status == 400
    assert raised.value.error_code == code
    assert raised.value.fields == [name]
    if message is not None:
        assert raised.value.message == message


def test_reference_parsing() -> None:
    prefixes = formats.key_prefixes(CATALOG.objects)
    account_id = field("Contact", "AccountId")
    assert formats.parse_reference(account_id, "0015g0000000001", prefixes) == "0015g0000000001AAA"
    assert formats.parse_reference(account_id, "", prefixes) is None
    with pytest.raises(SalesforceApiError) as malformed:
        formats.parse_reference(account_id, "xyz", prefixes)
    assert malformed.value.error_code == "MALFORMED_ID"
    assert malformed.value.message == "Account ID: id value of incorrect type: xyz"
    with pytest.raises(SalesforceApiError) as wrong_type:
        formats.parse_reference(account_id, "0035g0000000001AAA", prefixes)
    assert wrong_type.value.error_code == "FIELD_INTEGRITY_EXCEPTION"


def test_plain_number_never_uses_exponents() -> None:
    assert formats.plain_number(1e-7) == "0.0000001"
    assert formats.plain_number(12.5) == "12.5"
    assert formats.plain_number(3) == "3"
    assert formats.utf16_length("a🚀") == 3
