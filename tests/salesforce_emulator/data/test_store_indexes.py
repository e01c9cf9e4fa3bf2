"""The store's own indexes serve the tap's queries (checked with EXPLAIN QUERY PLAN).

Incremental syncs run ``WHERE key >= ? ORDER BY key, Id``: with the ``(key, Id, IsDeleted)``
indexes their rowid snapshot is read from the index alone, in order, without a sort.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

import pytest

from emulators.salesforce.store import OrgStore
from emulators.salesforce.tables import INDEXED_TIMESTAMPS

if TYPE_CHECKING:
    from pathlib import Path

    from emulators.salesforce.schema import Catalog


def plan(store: OrgStore, sql: str, params: tuple[object, ...]) -> str:
    connection = sqlite3.connect(store.db_path)
    try:
        rows = connection.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    finally:
        connection.close()
    return "\n".join(str(row[3]) for row in rows)


@pytest.fixture
def accounts(store: OrgStore) -> OrgStore:
    for index in range(30):
        store.create("Account", {"Name": f"Account {index}"})
    return store


@pytest.mark.parametrize("include_deleted", [False, True])
def test_incremental_snapshot_is_a_covering_index_range_scan(
    accounts: OrgStore, include_deleted: bool
) -> None:
    key = "SystemModstamp"
    window = f"{key} >= 2024-01-01T00:00:00Z AND {key} < 2030-01-01T00:00:00Z"
    soql = f"SELECT Id, Name, {key} FROM Account WHERE {window} ORDER BY {key} ASC, Id ASC"  # noqa: S608
    result = accounts.query(soql, include_deleted=include_deleted)
    found = plan(accounts, result.compiled.rowid_sql, result.compiled.params)
    assert found == (
        f"SEARCH t0 USING COVERING INDEX Account__{key}_Id_IsDeleted ({key}>? AND {key}<?)"
    )
    assert result.total_size == 30


def test_an_object_without_systemmodstamp_indexes_its_created_date(store: OrgStore) -> None:
    result = store.query(
        "SELECT Id FROM AccountHistory WHERE CreatedDate >= 2024-01-01T00:00:00Z "
        "ORDER BY CreatedDate ASC, Id ASC",
        include_deleted=True,
    )
    found = plan(store, result.compiled.rowid_sql, result.compiled.params)
    assert found == (
        "SEARCH t0 USING COVERING INDEX AccountHistory__CreatedDate_Id_IsDeleted (CreatedDate>?)"
    )


def test_other_timestamps_are_still_queryable(accounts: OrgStore) -> None:
    result = accounts.query(
        "SELECT Id FROM Account WHERE LastModifiedDate >= 2024-01-01T00:00:00Z "
        "ORDER BY LastModifiedDate ASC, Id ASC",
        include_deleted=False,
    )
    assert result.total_size == 30


def test_only_the_replication_key_is_indexed(store: OrgStore) -> None:
    connection = sqlite3.connect(store.db_path)
    names = {
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Account'"
        )
    }
    connection.close()
    timestamp_indexes = {name for name in names if any(t in name for t in INDEXED_TIMESTAMPS)}
    assert timestamp_indexes == {"Account__SystemModstamp_Id_IsDeleted"}


def test_first_sync_page_by_id_uses_the_id_index(accounts: OrgStore) -> None:
    result = accounts.query("SELECT Id, Name FROM Account ORDER BY Id ASC", include_deleted=False)
    found = plan(accounts, result.compiled.rowid_sql, result.compiled.params)
    assert found == "SCAN t0 USING INDEX Account__Id"


def test_single_column_timestamp_indexes_are_replaced(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "org.sqlite3"
    OrgStore(path, catalog).close()
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute('DROP INDEX "Account__SystemModstamp_Id_IsDeleted"')
    connection.execute('CREATE INDEX "Account__SystemModstamp" ON "Account" ("SystemModstamp")')
    connection.close()
    OrgStore(path, catalog).close()
    connection = sqlite3.connect(path)
    names = {
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Account'"
        )
    }
    connection.close()
    assert "Account__SystemModstamp" not in names
    assert "Account__SystemModstamp_Id_IsDeleted" in names
