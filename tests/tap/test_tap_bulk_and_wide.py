"""Bulk API 2.0 and REST give identical records; wide objects are split and merged exactly."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from emulators.salesforce.launcher import start_salesforce_emulator
from tap_salesforce_lite.streams import SalesforceStream

from .tap_harness import Org, client_credentials_config, discover, run_tap

if TYPE_CHECKING:
    from collections.abc import Iterator

    from emulators.salesforce.launcher import RunningSalesforce

    from .tap_harness import TapRun

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
WIDE_FIELDS = 600


def wide_name(index: int) -> str:
    return f"Extended_Attribute_Number_{index:04d}_Value__c"


@pytest.fixture(scope="module")
def sf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSalesforce]:
    with start_salesforce_emulator(tmp_path_factory.mktemp("sf-bulk")) as running:
        running.set_clock(T0)
        org = Org(running)
        tricky: list[dict[str, Any]] = [
            {"Name": "NA", "Description": None},
            {"Name": "None", "Description": 'Line one\nline "two", with, commas\n\nand more'},
            {"Name": "null", "Industries_Served__c": "Retail;Energy"},
            {"Name": "Émile & Søn — 東京 🚀", "Opening_Balance__c": 1234.567891},
            {"Name": "Zero", "Opening_Balance__c": 0, "NumberOfEmployees": 0},
        ]
        for index in range(40):
            fields: dict[str, Any] = {
                "Name": f"Account {index:03d}",
                "BillingStreet": f"{index} Main St\nBuilding B",
                "BillingCity": "Lyon",
                "BillingPostalCode": "69001",
                "BillingCountry": "France",
                "BillingLatitude": 45.764043,
                "BillingLongitude": 4.835659,
                "Credit_Limit__c": 1000.25 + index,
                "Customer_Since__c": "2020-02-29",
                "AnnualRevenue": 12345678.9,
            }
            if index < len(tricky):
                fields.update(tricky[index])
            org.create("Account", **fields)
            running.advance_clock(1 if index % 3 else 0)
        for index in range(25):
            values: dict[str, Any] = {"Name": f"Wide {index}"}
            # Field n is text when n % 6 == 1 and a double when n % 6 == 2.
            for field_index in range(1, WIDE_FIELDS + 1, 6):
                values[wide_name(field_index)] = f"v{index}-{field_index}"
            for field_index in range(2, WIDE_FIELDS + 1, 12):
                values[wide_name(field_index)] = index + 0.25
            org.create("Wide_Object__c", **values)
            running.advance_clock(1)
        yield running


@pytest.fixture(autouse=True)
def clean(sf: RunningSalesforce) -> None:
    sf.set_faults(reset=True)


def reader_stats(run: TapRun, stream: str) -> Any:
    tap_stream = run.tap.streams[stream]
    assert isinstance(tap_stream, SalesforceStream)
    assert tap_stream.last_reader is not None
    return tap_stream.last_reader.stats


def by_id(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {record["Id"]: record for record in records}


def test_bulk_and_rest_give_identical_records(sf: RunningSalesforce) -> None:
    config = client_credentials_config(sf, objects=["Account"], bulk_page_size=7)
    catalog = discover(config)
    rest = run_tap({**config, "api_type": "rest"}, catalog=catalog)
    bulk = run_tap({**config, "api_type": "bulk"}, catalog=catalog)
    assert reader_stats(rest, "Account").api_used == {"rest"}
    assert reader_stats(bulk, "Account").api_used == {"bulk"}
    assert len(rest.records("Account")) == 40
    # Same records, same order (both ordered by SystemModstamp, then Id).
    assert bulk.records("Account") == rest.records("Account")
    records = by_id(rest.records("Account"))
    names = {r["Name"]: r for r in records.values()}
    assert names["NA"]["Name"] == "NA"
    assert names["None"]["Description"] == 'Line one\nline "two", with, commas\n\nand more'
    assert set(names["null"]["Industries_Served__c"].split(";")) == {"Retail", "Energy"}
    assert str(names["Émile & Søn — 東京 🚀"]["Opening_Balance__c"]) == "1234.567891"
    assert names["Account 010"]["BillingAddress"]["street"] == "10 Main St\nBuilding B"
    assert str(names["Account 010"]["BillingAddress"]["latitude"]) == "45.764043"
    assert bulk.bookmark("Account") == rest.bookmark("Account")


def test_auto_switches_to_bulk_for_large_volumes(sf: RunningSalesforce) -> None:
    config = client_credentials_config(sf, objects=["Account"], api_type="auto")
    catalog = discover(config)
    small = run_tap({**config, "bulk_threshold": 1000}, catalog=catalog)
    large = run_tap({**config, "bulk_threshold": 10}, catalog=catalog)
    assert reader_stats(small, "Account").api_used == {"rest"}
    assert small.calls == {"query": 1}
    assert reader_stats(large, "Account").api_used == {"bulk"}
    assert large.records("Account") == small.records("Account")
    # The REST probe that measured the volume is the only extra call.
    assert large.calls["query"] == 1


def test_bulk_falls_back_to_rest_per_object(
    sf: RunningSalesforce, caplog: pytest.LogCaptureFixture
) -> None:
    config = client_credentials_config(
        sf, objects=["AccountFeed", "Account", "Project__c"], api_type="bulk"
    )
    catalog = discover(config)
    with caplog.at_level(logging.WARNING):
        run = run_tap(config, catalog=catalog)
    feed = reader_stats(run, "AccountFeed")
    assert feed.bulk_fallbacks == 1
    assert feed.api_used <= {"rest"}
    assert "AccountFeed: Bulk API 2.0 unavailable" in caplog.text
    # One refused object does not stop the others from using Bulk.
    assert reader_stats(run, "Account").api_used == {"bulk"}
    assert len(run.records("Account")) == 40
    # Project__c has a base64 field, which Bulk cannot select: REST from the start.
    assert reader_stats(run, "Project__c").bulk_fallbacks == 0
    assert run.stream_order().index("Account") < run.stream_order().index("Project__c")


def test_wide_object_is_split_into_field_groups_and_merged(sf: RunningSalesforce) -> None:
    config = client_credentials_config(sf, objects=["Wide_Object__c"])
    catalog = discover(config)
    rest = run_tap({**config, "api_type": "rest"}, catalog=catalog)
    stats = reader_stats(rest, "Wide_Object__c")
    assert stats.field_groups >= 2
    records = rest.records("Wide_Object__c")
    assert len(records) == 25
    assert len({r["Id"] for r in records}) == 25
    assert all(len(r) >= WIDE_FIELDS for r in records)
    wide = {r["Name"]: r for r in records}
    assert wide["Wide 3"][wide_name(1)] == "v3-1"
    assert wide["Wide 3"][wide_name(589)] == "v3-589"
    assert str(wide["Wide 3"][wide_name(590)]) == "3.25"
    assert wide["Wide 3"][wide_name(3)] is None
    bulk = run_tap({**config, "api_type": "bulk"}, catalog=catalog)
    assert bulk.records("Wide_Object__c") == records


def test_wide_object_rows_changed_between_group_queries_are_never_torn(
    sf: RunningSalesforce,
) -> None:
    config = client_credentials_config(
        sf, objects=["Wide_Object__c"], api_type="rest", rest_page_size=200
    )
    catalog = discover(config)
    sf.set_settings(query_page_size=200)
    sf.advance_clock(5)  # the edits' stamps differ from every creation stamp
    sf.set_faults(
        modify_during_paging_after_page=1,
        modify_during_paging_rows=10,
        modify_during_paging_lag_seconds=1,
    )
    run = run_tap(config, catalog=catalog)
    assert sf.fault_stats().get("late_commit_rows", 0) >= 10
    assert reader_stats(run, "Wide_Object__c").rows_reread == 10
    records = run.records("Wide_Object__c")
    ids = [r["Id"] for r in records]
    assert len(ids) == len(set(ids)) == 25
    for record in records:
        edited = any(str(value).startswith("Edited by a late commit") for value in record.values())
        # A late-commit edit moves SystemModstamp: both halves of the row agree on the version.
        assert edited == (record["SystemModstamp"] != record["CreatedDate"])


def test_only_selected_fields_are_queried_and_emitted(sf: RunningSalesforce) -> None:
    config = client_credentials_config(sf, objects=["Account"])
    catalog = discover(config)
    metadata = catalog["streams"][0]["metadata"]
    keep = {"Name", "BillingAddress"}
    for entry in metadata:
        crumb = entry["breadcrumb"]
        if len(crumb) == 2 and entry["metadata"].get("inclusion") == "available":
            entry["metadata"]["selected"] = crumb[1] in keep
    for api_type in ("rest", "bulk"):
        run = run_tap({**config, "api_type": api_type}, catalog=catalog)
        records = run.records("Account")
        assert len(records) == 40
        assert set(records[0]) == {
            "Id",
            "SystemModstamp",
            "IsDeleted",
            "_sdc_deleted_at",
            "Name",
            "BillingAddress",
        }
        stream = run.tap.streams["Account"]
        assert isinstance(stream, SalesforceStream)
        assert stream.last_reader is not None
        shape_fields = set(stream.last_reader.shape.query_fields)
        # The compound is read through its components, and nothing else is queried.
        assert "BillingCity" in shape_fields
        assert "Description" not in shape_fields
        assert "BillingAddress" not in shape_fields
        schema = run.schema("Account")["schema"]["properties"]
        assert set(schema) == set(records[0])
