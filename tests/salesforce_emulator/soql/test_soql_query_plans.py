"""The compiled SQL lets SQLite use the store's indexes (checked with EXPLAIN QUERY PLAN).

The store indexes Id (unique), SystemModstamp, LastModifiedDate, CreatedDate and every foreign
key. Incremental syncs run ``WHERE SystemModstamp >= ? ORDER BY SystemModstamp, Id``: that must
be an index range scan, and with a composite (SystemModstamp, Id) index no sort at all.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .soql_test_org import Org

INCREMENTAL = (
    "SELECT Id, Name, SystemModstamp FROM Account WHERE SystemModstamp >= 2024-01-01T00:00:00Z "
    "ORDER BY SystemModstamp, Id"
)


def plans(org: Org, soql: str, *, include_deleted: bool = False) -> dict[str, str]:
    compiled = org.compile(soql, include_deleted=include_deleted)
    return {
        "sql": org.plan(compiled.sql, compiled.params),
        "rowid_sql": org.plan(compiled.rowid_sql, compiled.params),
        "count_sql": org.plan(compiled.count_sql, compiled.params),
        "rows_by_rowid_sql": org.plan(compiled.rows_by_rowid_sql, ("[1, 2]",)),
    }


@pytest.mark.parametrize("include_deleted", [False, True])
def test_incremental_window_is_an_index_range_scan(org: Org, include_deleted: bool) -> None:
    found = plans(org, INCREMENTAL, include_deleted=include_deleted)
    for name in ("sql", "rowid_sql", "count_sql"):
        # (count_sql may read the index alone: "USING COVERING INDEX")
        assert re.search(
            r"SEARCH t0 USING (COVERING )?INDEX Account_SystemModstamp \(SystemModstamp>\?\)",
            found[name],
        ), found[name]
    assert "SCAN t0" not in found["sql"]


def test_incremental_order_needs_no_sort_with_a_composite_index(org: Org) -> None:
    org.connection.execute(
        'CREATE INDEX "Account_SystemModstamp_Id" ON "Account" ("SystemModstamp", "Id")'
    )
    for soql in (INCREMENTAL, INCREMENTAL + " LIMIT 2000", INCREMENTAL.replace(", Id", "")):
        found = plans(org, soql)
        for name in ("sql", "rowid_sql"):
            assert "USING INDEX Account_SystemModstamp" in found[name], found[name]
            assert "TEMP B-TREE" not in found[name], found[name]


@pytest.mark.parametrize("include_deleted", [False, True])
def test_a_covering_index_serves_the_incremental_snapshot_alone(
    org: Org, include_deleted: bool
) -> None:
    # (SystemModstamp, Id, IsDeleted): the rowid snapshot never touches the table.
    org.connection.execute(
        'CREATE INDEX "Account_SystemModstamp_Id_IsDeleted" '
        'ON "Account" ("SystemModstamp", "Id", "IsDeleted")'
    )
    found = plans(org, INCREMENTAL, include_deleted=include_deleted)
    assert found["rowid_sql"] == (
        "SEARCH t0 USING COVERING INDEX Account_SystemModstamp_Id_IsDeleted (SystemModstamp>?)"
    )
    assert found["count_sql"].startswith("SEARCH t0 USING COVERING INDEX Account_SystemModstamp")


def test_bounded_window_uses_both_bounds(org: Org) -> None:
    found = plans(
        org,
        "SELECT Id FROM Account WHERE LastModifiedDate > 2024-01-01T00:00:00Z "
        "AND LastModifiedDate <= 2024-02-01T00:00:00Z ORDER BY LastModifiedDate",
    )
    assert (
        "SEARCH t0 USING INDEX Account_LastModifiedDate (LastModifiedDate>? AND "
        "LastModifiedDate<?)" in found["sql"]
    )
    assert "TEMP B-TREE" not in found["sql"]


@pytest.mark.parametrize(
    ("soql", "expected"),
    [
        (
            "SELECT Name FROM Account WHERE Id = '001000000000001AAA'",
            "SEARCH t0 USING INDEX Account_Id (Id=?)",
        ),
        (
            "SELECT Name FROM Account WHERE Id IN ('001000000000001AAA', '001000000000002AAA')",
            "SEARCH t0 USING INDEX Account_Id (Id=?)",
        ),
        (
            "SELECT Name FROM Contact WHERE AccountId = '001000000000001AAA'",
            "SEARCH t0 USING INDEX Contact_AccountId (AccountId=?)",
        ),
        (
            (
                "SELECT Name FROM Account "
                "WHERE OwnerId IN ('005000000000001AAA', '005000000000002AAA')"
            ),
            "SEARCH t0 USING INDEX Account_OwnerId (OwnerId=?)",
        ),
        (
            "SELECT Id FROM Account WHERE CreatedDate < 2024-01-01T00:00:00Z",
            "SEARCH t0 USING INDEX Account_CreatedDate (CreatedDate<?)",
        ),
    ],
)
def test_lookups_by_indexed_columns(org: Org, soql: str, expected: str) -> None:
    soql = soql.replace("SELECT Name FROM Contact", "SELECT LastName FROM Contact")
    found = plans(org, soql)
    assert expected in found["sql"], found["sql"]


def test_text_equality_uses_nocase_indexes(org: Org) -> None:
    # Text compares case-insensitively, so only a NOCASE index serves it (the store builds its
    # unique and external-id indexes that way); a BINARY index on Name cannot.
    org.connection.execute(
        'CREATE INDEX "Account_Tax_Id" ON "Account" ("Tax_Id__c" COLLATE NOCASE)'
    )
    org.connection.execute('CREATE INDEX "Account_Name" ON "Account" ("Name")')
    found = plans(org, "SELECT Id FROM Account WHERE Tax_Id__c IN ('a', 'B')")
    assert "SEARCH t0 USING INDEX Account_Tax_Id (Tax_Id__c=?)" in found["sql"], found["sql"]
    found = plans(org, "SELECT Id FROM Account WHERE Tax_Id__c = 'FR123'")
    assert "SEARCH t0 USING INDEX Account_Tax_Id (Tax_Id__c=?)" in found["sql"], found["sql"]
    found = plans(org, "SELECT Id FROM Account WHERE Name = 'Acme'")
    assert found["sql"] == "SCAN t0"


def test_parents_are_joined_through_their_id_index(org: Org) -> None:
    found = plans(
        org,
        "SELECT LastName, Account.Name, Account.Owner.Name FROM Contact "
        "WHERE SystemModstamp > 2024-01-01T00:00:00Z ORDER BY SystemModstamp",
    )
    assert "SEARCH t1 USING INDEX Account_Id (Id=?)" in found["sql"]
    assert "SEARCH t2 USING INDEX User_Id (Id=?)" in found["sql"]
    # Paging by rowid reads only the base table; the parents are joined when rows are fetched.
    assert "t1" not in found["rowid_sql"]
    assert "SEARCH t1 USING INDEX Account_Id (Id=?)" in found["rows_by_rowid_sql"]


def test_fetching_rows_by_rowid_is_a_rowid_lookup(org: Org) -> None:
    found = plans(org, "SELECT Id, Name, Owner.Name FROM Account")
    assert "SEARCH t0 USING INTEGER PRIMARY KEY (rowid=?)" in found["rows_by_rowid_sql"]


def test_unordered_queries_are_never_sorted(org: Org) -> None:
    found = plans(org, "SELECT Id, Name FROM Account")
    assert found["sql"] == "SCAN t0"
    assert found["count_sql"] == "SCAN t0"
    found = plans(org, "SELECT Id FROM Account WHERE SystemModstamp > 2024-01-01T00:00:00Z")
    assert "TEMP B-TREE" not in found["sql"]
