from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from emulators.salesforce.errors import SalesforceApiError

if TYPE_CHECKING:
    from emulators.salesforce.store import OrgStore

    from .conftest import FakeClock


@pytest.fixture
def filled(store: OrgStore, clock: FakeClock) -> list[str]:
    owner_parent = store.create("Account", {"Name": "Parent Co"})
    created = []
    for index in range(25):
        clock.advance(seconds=1)
        created.append(
            store.create(
                "Account",
                {
                    "Name": f"Account {index:02d}" if index % 5 else f"NA{index}",
                    "Description": f'Line one, "quoted"\nline two {index}'
                    if index % 3 == 0
                    else None,
                    "AnnualRevenue": 1000 * index if index % 2 else None,
                    "NumberOfEmployees": index,
                    "Industries_Served__c": "Retail;Energy" if index % 4 == 0 else None,
                    "Credit_Limit__c": 10.5 + index,
                    "Customer_Since__c": "2020-01-01",
                    "ParentId": owner_parent if index % 2 == 0 else None,
                    "BillingCity": "Paris" if index % 2 else None,
                    "Opening_Balance__c": 1.123456,
                },
            )
        )
    return created


def cells_to_values(header: list[str], row: list[str], record: dict[str, Any]) -> None:
    """Compare one CSV row with the REST record of the same query."""
    for name, cell in zip(header, row, strict=True):
        value: Any = record
        for part in name.split("."):
            value = None if value is None else value[part]
        if value is None:
            assert cell == "", name
        elif isinstance(value, bool):
            assert cell == ("true" if value else "false"), name
        elif isinstance(value, (int, float)):
            assert Decimal(cell) == Decimal(repr(value)), name
        elif name.endswith(("Date", "Modstamp")) and "T" in value:
            assert cell == value.replace("+0000", "Z"), name
        else:
            assert cell == value, name


def test_rest_paging_and_order(store: OrgStore, filled: list[str]) -> None:
    result = store.query(
        "SELECT Id, Name FROM Account WHERE Name LIKE 'Account%' ORDER BY Name DESC",
        include_deleted=False,
    )
    assert result.total_size == 20
    pages = [result.fetch_rest(start, 7) for start in range(0, 22, 7)]
    assert [len(page) for page in pages] == [7, 7, 6, 0]
    names = [record["Name"] for page in pages for record in page]
    assert names == sorted(names, reverse=True)
    assert result.fetch_rest(100, 5) == []
    assert pages[0][0]["attributes"]["type"] == "Account"


def test_rest_and_csv_give_the_same_values(store: OrgStore, filled: list[str]) -> None:
    soql = (
        "SELECT Id, Name, Description, AnnualRevenue, NumberOfEmployees, Industries_Served__c, "
        "Credit_Limit__c, Customer_Since__c, CreatedDate, SystemModstamp, IsDeleted, "
        "Parent.Name, Parent.Owner.Name, Opening_Balance__c FROM Account ORDER BY Name"
    )
    rest = store.query(soql, include_deleted=False)
    bulk = store.query(soql, include_deleted=False)
    header = bulk.csv_header()
    assert header[-3:] == ["Parent.Name", "Parent.Owner.Name", "Opening_Balance__c"]
    records = rest.fetch_rest(0, 100, api_version="59.0")
    rows = bulk.fetch_csv_rows(0, 13) + bulk.fetch_csv_rows(13, 100)
    assert len(records) == len(rows) == 26
    for record, row in zip(records, rows, strict=True):
        cells_to_values(header, row, record)
    with_parent = next(r for r in records if r["Parent"] is not None)
    assert with_parent["Parent"]["attributes"]["url"].startswith("/services/data/v59.0/")
    assert with_parent["Parent"]["Name"] == "Parent Co"
    assert with_parent["Parent"]["Owner"]["Name"] == "Automated Process"
    # CSV text survives a CSV round trip, multi-line and quoted, "NA" stays text
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    parsed = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert parsed[1:] == rows
    assert any(row[1].startswith("NA") for row in parsed[1:])


def test_compound_fields_in_rest_and_refused_in_bulk(store: OrgStore, filled: list[str]) -> None:
    result = store.query("SELECT Id, BillingAddress FROM Account", include_deleted=False)
    records = result.fetch_rest(0, 50)
    assert {type(r["BillingAddress"]) for r in records} == {dict, type(None)}
    assert result.bulk_error() is not None
    with pytest.raises(SalesforceApiError) as refused:
        result.csv_header()
    assert refused.value.error_code == "FUNCTIONALITY_NOT_ENABLED"
    scalar = store.query("SELECT Id FROM Account", include_deleted=False)
    assert scalar.bulk_error() is None


def test_query_all_sees_deleted_rows_and_snapshots_stay(
    store: OrgStore, filled: list[str], clock: FakeClock
) -> None:
    snapshot = store.query("SELECT Id, Name FROM Account ORDER BY Id", include_deleted=False)
    clock.advance(minutes=1)
    store.delete("Account", filled[3])
    store.update("Account", filled[4], {"Name": "Renamed"})
    live = store.query("SELECT Id FROM Account", include_deleted=False)
    every = store.query("SELECT Id, IsDeleted FROM Account", include_deleted=True)
    assert live.total_size == 25
    assert every.total_size == 26
    assert sum(r["IsDeleted"] for r in every.fetch_rest(0, 50)) == 1
    # the earlier snapshot keeps its rows and shows current values
    assert snapshot.total_size == 26
    names = {r["Id"]: r["Name"] for r in snapshot.fetch_rest(0, 50)}
    assert names[filled[4]] == "Renamed"
    assert filled[3] in names


def test_count_and_errors(store: OrgStore, filled: list[str]) -> None:
    count = store.query(
        "SELECT COUNT() FROM Account WHERE NumberOfEmployees > 10", include_deleted=False
    )
    assert count.compiled.is_count
    assert count.total_size == 14
    assert count.fetch_rest(0, 10) == []
    with pytest.raises(SalesforceApiError) as bad:
        store.query("SELECT Nope FROM Account", include_deleted=False)
    assert bad.value.error_code == "INVALID_FIELD"


def test_datetime_filters_and_relationship_filters(
    store: OrgStore, filled: list[str], clock: FakeClock
) -> None:
    later = store.query(
        "SELECT Id FROM Account WHERE SystemModstamp > 2024-01-15T10:20:40Z "
        "ORDER BY SystemModstamp",
        include_deleted=False,
    )
    assert later.total_size == 15
    children = store.query(
        "SELECT Id FROM Account WHERE Parent.Name = 'parent co'", include_deleted=False
    )
    assert children.total_size == 13
