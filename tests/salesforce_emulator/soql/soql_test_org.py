"""A small org catalog and an in-memory SQLite database laid out by the storage conventions.

The tests build their own tables (one per object, one column per stored field, ``IsDeleted``,
rowid tables, the indexes the store creates) so that they do not depend on the store.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from emulators.salesforce.schema import (
    ADDRESS_COMPONENTS,
    STORAGE_AFFINITY,
    Catalog,
    FieldDef,
    ObjectDef,
    PicklistValue,
)
from emulators.salesforce.soql import CompiledQuery, compile_query


def _system_fields() -> tuple[FieldDef, ...]:
    return (
        FieldDef("IsDeleted", "boolean", "Deleted", nillable=False, createable=False),
        FieldDef("CreatedDate", "datetime", "Created Date", nillable=False, createable=False),
        FieldDef("LastModifiedDate", "datetime", "Last Modified", nillable=False),
        FieldDef("SystemModstamp", "datetime", "System Modstamp", nillable=False),
    )


def _address(prefix: str) -> tuple[FieldDef, ...]:
    compound = f"{prefix}Address"
    components = tuple(
        FieldDef(
            f"{prefix}{suffix}",
            "double" if suffix in {"Latitude", "Longitude"} else "string",
            f"{prefix} {suffix}",
            compound_field_name=compound,
        )
        for suffix in ADDRESS_COMPONENTS
    )
    return (
        *components,
        FieldDef(compound, "address", f"{prefix} Address", filterable=False, sortable=False),
    )


def _object(name: str, key_prefix: str, *fields: FieldDef, queryable: bool = True) -> ObjectDef:
    """An object with an ``Id``, the given fields and the system fields."""
    return ObjectDef(
        name=name,
        label=name,
        label_plural=f"{name}s",
        key_prefix=key_prefix,
        custom=name.endswith("__c"),
        queryable=queryable,
        fields=(
            FieldDef("Id", "id", "Record ID", nillable=False, length=18),
            *fields,
            *_system_fields(),
        ),
    )


def _picklist(*values: str) -> tuple[PicklistValue, ...]:
    return tuple(PicklistValue(v, v) for v in values)


ACCOUNT = _object(
    "Account",
    "001",
    FieldDef("Name", "string", "Account Name", length=255, nillable=False),
    FieldDef("Type", "picklist", "Type", picklist_values=_picklist("Customer", "Partner")),
    FieldDef(
        "Industries_Served__c",
        "multipicklist",
        "Industries Served",
        custom=True,
        sortable=False,
        picklist_values=_picklist("Retail", "Energy", "Banking"),
    ),
    FieldDef("AnnualRevenue", "currency", "Annual Revenue", precision=18, scale=2),
    FieldDef("NumberOfEmployees", "int", "Employees", digits=8),
    FieldDef("Score__c", "long", "Score", custom=True),
    FieldDef("Rating__c", "percent", "Rating", custom=True),
    FieldDef("Ratio__c", "double", "Ratio", custom=True),
    FieldDef(
        "Description", "textarea", "Description", length=32000, filterable=False,
        sortable=False,
    ),
    FieldDef("Tax_Id__c", "string", "Tax Id", length=50, custom=True),
    FieldDef("Customer_Since__c", "date", "Customer Since", custom=True),
    FieldDef("Active__c", "boolean", "Active", custom=True, nillable=False),
    FieldDef("Opening_Time__c", "time", "Opening Time", custom=True),
    FieldDef(
        "OwnerId", "reference", "Owner ID", nillable=False, reference_to=("User",),
        relationship_name="Owner",
    ),
    FieldDef(
        "ParentId", "reference", "Parent Account ID", reference_to=("Account",),
        relationship_name="Parent",
    ),
    *_address("Billing"),
)  # fmt: skip

CONTACT = _object(
    "Contact",
    "003",
    FieldDef("LastName", "string", "Last Name", length=80, nillable=False),
    FieldDef("FirstName", "string", "First Name", length=40),
    FieldDef("Email", "email", "Email", length=80),
    FieldDef("Birthdate", "date", "Birthdate"),
    FieldDef(
        "AccountId", "reference", "Account ID", reference_to=("Account",),
        relationship_name="Account",
    ),
    FieldDef(
        "Project__c", "reference", "Project", reference_to=("Project__c",),
        relationship_name="Project__r", custom=True,
    ),
)  # fmt: skip

USER = _object(
    "User",
    "005",
    FieldDef("Name", "string", "Full Name", length=121, nillable=False),
    FieldDef("Username", "string", "Username", length=80, nillable=False),
    FieldDef(
        "ManagerId", "reference", "Manager ID", reference_to=("User",),
        relationship_name="Manager",
    ),
)  # fmt: skip

PROJECT = _object(
    "Project__c",
    "a00",
    FieldDef("Name", "string", "Project Name", length=80, nillable=False),
    FieldDef(
        "Account__c", "reference", "Account", reference_to=("Account",),
        relationship_name="Account__r", custom=True,
    ),
)  # fmt: skip

HIDDEN = _object("AuditTrail", "0Ym", queryable=False)

CATALOG = Catalog((ACCOUNT, CONTACT, USER, PROJECT, HIDDEN))

#: Indexes the store creates (besides one per foreign key).
INDEXED_COLUMNS = ("Id", "SystemModstamp", "LastModifiedDate", "CreatedDate")


def create_tables(connection: sqlite3.Connection, catalog: Catalog) -> None:
    """Create one table per object with the storage conventions, and the store's indexes."""
    for obj in catalog.objects:
        columns = ", ".join(f'"{f.name}" {STORAGE_AFFINITY[f.type]}' for f in obj.stored_fields())
        connection.execute(f'CREATE TABLE "{obj.name}" ({columns})')
        for column in INDEXED_COLUMNS:
            unique = "UNIQUE " if column == "Id" else ""
            connection.execute(
                f'CREATE {unique}INDEX "{obj.name}_{column}" ON "{obj.name}" ("{column}")'
            )
        for field in obj.fields:
            if field.type == "reference":
                connection.execute(
                    f'CREATE INDEX "{obj.name}_{field.name}" ON "{obj.name}" ("{field.name}")'
                )


class Org:
    """An in-memory org database with helpers to insert rows and run compiled queries."""

    def __init__(self) -> None:
        self.connection = sqlite3.connect(":memory:")
        create_tables(self.connection, CATALOG)
        self._sequence = 0

    def insert(self, object_name: str, **values: Any) -> str:
        """Insert a row (defaults for Id, system fields and required fields); return its Id."""
        obj = CATALOG.get(object_name)
        assert obj is not None
        self._sequence += 1
        row: dict[str, Any] = {
            "Id": f"{obj.key_prefix}{self._sequence:012d}AAA",
            "IsDeleted": 0,
            "CreatedDate": "2024-01-01T00:00:00.000Z",
            "LastModifiedDate": "2024-01-01T00:00:00.000Z",
            "SystemModstamp": "2024-01-01T00:00:00.000Z",
        }
        if obj.field("Active__c") is not None:
            row["Active__c"] = 1
        row.update(values)
        names = ", ".join(f'"{k}"' for k in row)
        marks = ", ".join("?" for _ in row)
        self.connection.execute(
            f'INSERT INTO "{obj.name}" ({names}) VALUES ({marks})',  # noqa: S608 - catalog names
            tuple(row.values()),
        )
        return str(row["Id"])

    def compile(self, soql: str, *, include_deleted: bool = False) -> CompiledQuery:
        return compile_query(soql, CATALOG, include_deleted=include_deleted)

    def rows(self, soql: str, *, include_deleted: bool = False) -> list[dict[str, Any]]:
        """Run a query's ``sql`` and return each row as {client column name: value}.

        Also checks that ``rowid_sql`` + ``rows_by_rowid_sql`` (the store's paging path),
        ``page_rows_sql`` (rows in a given order, vanished rowids skipped) and ``count_sql``
        agree with ``sql``.
        """
        compiled = self.compile(soql, include_deleted=include_deleted)
        direct = self._shape(compiled, self._fetch(compiled.sql, compiled.params))
        rowids = [r[0] for r in self.connection.execute(compiled.rowid_sql, compiled.params)]
        by_rowid = {
            row["__rowid"]: row
            for row in self._fetch(compiled.rows_by_rowid_sql, (json.dumps(rowids),))
        }
        paged = self._shape(compiled, [by_rowid[r] for r in rowids])
        assert paged == direct
        # page_rows_sql keeps the order of the array it is given, whatever that order is
        for order in (rowids, rowids[::-1]):
            in_order = self._fetch(compiled.page_rows_sql, (json.dumps([*order, 10**9]),))
            assert [row["__rowid"] for row in in_order] == order
            assert in_order == [by_rowid[r] for r in order]
        (count,) = self.connection.execute(compiled.count_sql, compiled.params).fetchone()
        assert count == len(direct)
        return direct

    def ids(self, soql: str, *, include_deleted: bool = False) -> list[str]:
        """The base record Ids a query returns, in order."""
        compiled = self.compile(soql, include_deleted=include_deleted)
        return [row[compiled.base_id_alias] for row in self._fetch(compiled.sql, compiled.params)]

    def count(self, soql: str, *, include_deleted: bool = False) -> int:
        compiled = self.compile(soql, include_deleted=include_deleted)
        (count,) = self.connection.execute(compiled.count_sql, compiled.params).fetchone()
        return int(count)

    def plan(self, sql: str, params: tuple[Any, ...]) -> str:
        """EXPLAIN QUERY PLAN details, one line each."""
        return "\n".join(
            row[3] for row in self.connection.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        )

    def _fetch(self, sql: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
        cursor = self.connection.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    @staticmethod
    def _shape(compiled: CompiledQuery, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        shaped = []
        for row in rows:
            record: dict[str, Any] = {}
            for column in compiled.columns:
                values = [row[alias] for alias in column.sql_aliases]
                record[column.name] = values[0] if len(values) == 1 else tuple(values)
            for join in compiled.relationships:
                record[".".join(join.path) + ".<id>"] = row[join.id_alias]
            shaped.append(record)
        return shaped
