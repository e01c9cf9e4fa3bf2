"""The compiler against the org's real catalogue and the store's real table layout.

Every object of ``default_catalog()`` is queried with all its fields; every filterable field is
filtered on, every sortable field sorted on, every relationship traversed, on the tables that
``emulators.salesforce.tables`` creates. The metadata must agree with what the compiler allows.
"""

# ruff: noqa: S608 - the f-strings here build SOQL queries under test, not SQL
from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

import pytest

from emulators.salesforce.catalog import default_catalog
from emulators.salesforce.schema import TEXT_TYPES
from emulators.salesforce.soql import compile_query
from emulators.salesforce.tables import create_tables

if TYPE_CHECKING:
    from collections.abc import Iterator

    from emulators.salesforce.schema import FieldDef, ObjectDef
    from emulators.salesforce.soql import CompiledQuery

CATALOG = default_catalog()

#: A literal of the right kind for each filterable type.
SAMPLE_LITERALS = {
    **dict.fromkeys(TEXT_TYPES, "'x'"),
    "id": "'001000000000000AAA'",
    "reference": "'001000000000000AAA'",
    "boolean": "true",
    **dict.fromkeys(("int", "long", "double", "currency", "percent"), "1"),
    "date": "2024-01-01",
    "datetime": "2024-01-01T00:00:00Z",
    "time": "10:00:00.000Z",
}


@pytest.fixture(scope="module")
def connection() -> Iterator[sqlite3.Connection]:
    database = sqlite3.connect(":memory:")
    create_tables(database, CATALOG)
    yield database
    database.close()


def run(connection: sqlite3.Connection, compiled: CompiledQuery) -> None:
    connection.execute(compiled.sql, compiled.params).fetchall()
    connection.execute(compiled.rowid_sql, compiled.params).fetchall()
    connection.execute(compiled.count_sql, compiled.params).fetchall()
    connection.execute(compiled.rows_by_rowid_sql, ("[1]",)).fetchall()


def fields_of(predicate: str) -> list[tuple[ObjectDef, FieldDef]]:
    selected = []
    for obj in CATALOG.objects:
        for field in obj.fields:
            if predicate == "filterable" and field.filterable and not field.is_compound:
                selected.append((obj, field))
            if predicate == "sortable" and field.sortable and not field.is_compound:
                selected.append((obj, field))
            if predicate == "relationship" and field.relationship_name:
                selected.append((obj, field))
    return selected


def label(pair: tuple[ObjectDef, FieldDef]) -> str:
    return f"{pair[0].name}.{pair[1].name}"


@pytest.mark.parametrize("obj", CATALOG.objects, ids=lambda o: o.name)
def test_every_field_of_every_object_can_be_selected(
    connection: sqlite3.Connection, obj: ObjectDef
) -> None:
    assert obj.queryable
    compiled = compile_query(
        f"SELECT {', '.join(f.name for f in obj.fields)} FROM {obj.name}", CATALOG
    )
    assert [c.name for c in compiled.columns] == [f.name for f in obj.fields]
    run(connection, compiled)


@pytest.mark.parametrize("pair", fields_of("filterable"), ids=label)
def test_every_filterable_field_can_be_filtered(
    connection: sqlite3.Connection, pair: tuple[ObjectDef, FieldDef]
) -> None:
    obj, field = pair
    literal = SAMPLE_LITERALS[field.type]
    if field.type == "multipicklist":
        condition = f"{field.name} INCLUDES ({literal})"
    else:
        condition = f"{field.name} = {literal}"
    run(connection, compile_query(f"SELECT Id FROM {obj.name} WHERE {condition}", CATALOG))


@pytest.mark.parametrize("pair", fields_of("sortable"), ids=label)
def test_every_sortable_field_can_be_sorted(
    connection: sqlite3.Connection, pair: tuple[ObjectDef, FieldDef]
) -> None:
    obj, field = pair
    soql = f"SELECT Id FROM {obj.name} ORDER BY {field.name} DESC NULLS FIRST"
    run(connection, compile_query(soql, CATALOG))


@pytest.mark.parametrize("pair", fields_of("relationship"), ids=label)
def test_every_relationship_can_be_traversed(
    connection: sqlite3.Connection, pair: tuple[ObjectDef, FieldDef]
) -> None:
    obj, field = pair
    soql = f"SELECT Id, {field.relationship_name}.Id FROM {obj.name}"
    compiled = compile_query(soql, CATALOG)
    assert compiled.relationships[0].object_name == field.reference_to[0]
    run(connection, compiled)


def test_metadata_agrees_with_salesforce_rules() -> None:
    for obj in CATALOG.objects:
        for field in obj.fields:
            if field.is_compound:
                assert not field.filterable, label((obj, field))
                assert not field.sortable, label((obj, field))
            if field.type == "multipicklist":
                assert not field.sortable, label((obj, field))
            if field.filterable and not field.is_compound:
                assert field.type in SAMPLE_LITERALS, label((obj, field))


def test_the_incremental_sync_query_of_every_replicated_object(
    connection: sqlite3.Connection,
) -> None:
    for obj in CATALOG.objects:
        key = next(
            (
                name
                for name in ("SystemModstamp", "LastModifiedDate", "CreatedDate")
                if obj.field(name) is not None
            ),
            None,
        )
        if key is None:
            continue
        soql = (
            f"SELECT Id, {key} FROM {obj.name} WHERE {key} >= 2024-01-01T00:00:00Z "
            f"ORDER BY {key}, Id LIMIT 2000"
        )
        compiled = compile_query(soql, CATALOG, include_deleted=True)
        assert compiled.datetime_bounds == {key: ("2024-01-01T00:00:00.000Z", None)}
        plan = " ".join(
            row[3]
            for row in connection.execute(f"EXPLAIN QUERY PLAN {compiled.sql}", compiled.params)
        )
        index = f"INDEX {obj.name}__{key}_Id_IsDeleted ({key}>?)"
        assert f"USING {index}" in plan or f"USING COVERING {index}" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
