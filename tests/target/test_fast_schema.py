"""The compiled SCHEMA check agrees with jsonschema (draft 2020-12, no formats) or stays out."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from singer_sdk.typing import DEFAULT_JSONSCHEMA_VALIDATOR

from target_akountify.fast_schema import compile_fast_check, uses_common_keywords_only
from target_akountify.sinks import CollectingValidator

from .schemas import ACCOUNT_SCHEMA

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        **ACCOUNT_SCHEMA["properties"],
        "Amount": {"type": ["number", "null"]},
        "Employees": {"type": ["integer", "null"]},
        "Active": {"type": ["boolean", "null"], "default": True},
        "Tags": {"type": ["array", "null"], "items": {"type": "string", "maxLength": 3}},
        "Kind": {"enum": ["a", "b", None]},
        "Seen": {"type": ["string", "null"], "format": "date-time"},
    },
    "required": ["Id"],
}
GOOD: dict[str, Any] = {"Id": "0010001", "Name": "Acme", "Amount": 12.5, "Employees": 3}

RECORDS: list[dict[str, Any]] = [
    GOOD,
    {"Id": "0010002"},
    {**GOOD, "Amount": Decimal("1234.5678"), "Tags": ["A", "BC"], "Kind": None},
    {**GOOD, "Seen": "not a date"},  # formats are not checked by either
    {**GOOD, "Unknown": {"any": "thing"}},  # additional properties are allowed
    {**GOOD, "Employees": 3.0},  # an integral float is an integer in both drafts
    {"Name": "no id"},
    {**GOOD, "Id": None},
    {**GOOD, "Amount": "12.5"},
    {**GOOD, "Employees": 3.5},
    {**GOOD, "Employees": True},
    {**GOOD, "Active": "yes"},
    {**GOOD, "Name": "x" * 256},
    {**GOOD, "Tags": ["ABCD"]},
    {**GOOD, "Tags": "A;B"},
    {**GOOD, "Kind": "c"},
]


@pytest.mark.parametrize("record", RECORDS, ids=range(len(RECORDS)))
def test_the_fast_check_agrees_with_jsonschema(record: dict[str, Any]) -> None:
    matches = compile_fast_check(SCHEMA)
    assert matches is not None
    errors = list(DEFAULT_JSONSCHEMA_VALIDATOR(SCHEMA).iter_errors(record))
    assert matches(record) is (not errors)


def test_the_fast_check_leaves_the_record_as_it_is() -> None:
    matches = compile_fast_check(SCHEMA)
    assert matches is not None
    record = copy.deepcopy(GOOD)
    assert matches(record)
    assert record == GOOD  # no default filled in


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"a": {"$ref": "#/$defs/a"}}, "$defs": {"a": {}}},
        {"type": "array", "prefixItems": [{"type": "string"}]},
        {"type": "array", "items": [{"type": "string"}]},
        {"type": "object", "unevaluatedProperties": False},
        {"type": "object", "properties": {"a": {"dependentRequired": {"a": ["b"]}}}},
    ],
)
def test_a_schema_beyond_the_common_keywords_gets_no_fast_check(schema: dict[str, Any]) -> None:
    assert not uses_common_keywords_only(schema)
    assert compile_fast_check(schema) is None


def test_the_collecting_validator_still_lists_every_error_of_a_bad_record() -> None:
    validator = CollectingValidator(SCHEMA)
    validator.validate({**GOOD, "Amount": "12.5", "Name": "x" * 256})
    problems = validator.take_errors()
    assert sorted(p.field for p in problems) == ["Amount", "Name"]
    assert {p.code for p in problems} == {"schema_violation"}
    validator.validate(GOOD)
    assert validator.take_errors() == []
