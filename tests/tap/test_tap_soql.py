"""SOQL text and the split of wide field lists under the 16,384-byte URI limit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tap_salesforce_lite.soql import (
    MAX_URI_BYTES,
    QuerySpec,
    TimeWindow,
    build_soql,
    datetime_literal,
    query_path,
    split_fields,
    string_literal,
)

PATH = "/services/data/v62.0/queryAll"


def test_incremental_query_is_bounded_and_ordered_by_key_then_id() -> None:
    spec = QuerySpec(
        "Account",
        ("Id", "SystemModstamp", "Name"),
        "SystemModstamp",
        TimeWindow(
            datetime(2024, 1, 15, 10, 20, 30, 123999, tzinfo=UTC),
            datetime(2024, 2, 1, tzinfo=UTC),
        ),
        limit=5,
    )
    assert build_soql(spec) == (
        "SELECT Id,SystemModstamp,Name FROM Account "
        "WHERE SystemModstamp>=2024-01-15T10:20:30.123Z "
        "AND SystemModstamp<2024-02-01T00:00:00.000Z "
        "ORDER BY SystemModstamp ASC,Id ASC LIMIT 5"
    )


def test_full_table_query_is_ordered_by_id() -> None:
    assert build_soql(QuerySpec("AccountFeed", ("Id", "Body"), None)) == (
        "SELECT Id,Body FROM AccountFeed ORDER BY Id ASC"
    )


def test_reading_by_id_ignores_the_window() -> None:
    spec = QuerySpec("Account", ("Id",), "SystemModstamp", ids=("001A", "001B"))
    assert build_soql(spec) == (
        "SELECT Id FROM Account WHERE Id IN ('001A','001B') ORDER BY SystemModstamp ASC,Id ASC"
    )


def test_literals() -> None:
    assert datetime_literal(datetime(2024, 1, 1, 1, tzinfo=UTC)) == "2024-01-01T01:00:00.000Z"
    assert string_literal("O'Brien \\ Co") == "'O\\'Brien \\\\ Co'"


def test_names_that_are_not_api_names_are_refused() -> None:
    with pytest.raises(ValueError, match="is not a Salesforce API name"):
        build_soql(QuerySpec("Account", ("Id", "Name FROM User--"), None))


def test_narrow_objects_are_one_group() -> None:
    fields = ("Id", "SystemModstamp", "Name", "Industry")
    groups = split_fields(
        fields, object_name="Account", required=("Id", "SystemModstamp"), path=PATH
    )
    assert groups == [fields]


def test_wide_objects_are_split_under_the_uri_limit() -> None:
    fields = tuple(f"Extended_Attribute_Number_{i:04d}_Value__c" for i in range(1, 601))
    required = ("Id", "SystemModstamp")
    groups = split_fields(
        (*required, *fields), object_name="Wide_Object__c", required=required, path=PATH
    )
    assert len(groups) > 1
    assert all(group[:2] == required for group in groups)
    # Every field is in exactly one group.
    rest = [name for group in groups for name in group[2:]]
    assert rest == list(fields)
    window = TimeWindow(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC))
    for group in groups:
        soql = build_soql(QuerySpec("Wide_Object__c", group, "SystemModstamp", window, limit=10))
        assert len(query_path(PATH, soql)) <= MAX_URI_BYTES
    # Groups are full: merging two neighbours would pass the limit (minus the reserve).
    first, second = groups[0], groups[1]
    merged = build_soql(QuerySpec("Wide_Object__c", (*first, *second[2:]), "SystemModstamp"))
    assert len(query_path(PATH, merged)) > MAX_URI_BYTES - 2048
