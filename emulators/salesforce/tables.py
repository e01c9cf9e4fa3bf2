"""SQLite tables and indexes of the store, derived from the catalogue.

One rowid table per object, named by its API name; one column per stored field (compound
fields have none, only their components); every table has ``IsDeleted`` even when the object
shows no such field (User). A record's rowid is its id sequence number. Indexes cover ``Id``
(unique), the audit timestamps, reference columns (but the audit user ones) and unique or
external-id fields; bulk
loaders drop them first and build them after (:func:`drop_indexes`, :func:`create_indexes`).
"""

from __future__ import annotations

import sqlite3  # noqa: TC003 - used at run time by callers
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from emulators.salesforce.schema import STORAGE_AFFINITY, Catalog, ObjectDef

if TYPE_CHECKING:
    from collections.abc import Iterable

#: Timestamp columns, in the order an incremental sync picks its replication key; the first
#: one an object has gets an index (see :func:`index_defs`).
INDEXED_TIMESTAMPS = ("SystemModstamp", "LastModifiedDate", "CreatedDate")
#: References to the acting user: a handful of distinct values, never a useful filter, and
#: never followed from the parent side (users are not deleted), so they get no index.
UNINDEXED_REFERENCES = frozenset({"CreatedById", "LastModifiedById", "InsertedById"})


def quote(identifier: str) -> str:
    """Quote an SQL identifier (API names are letters, digits and underscores)."""
    return '"' + identifier.replace('"', '""') + '"'


def column_names(obj: ObjectDef) -> list[str]:
    """The table's columns, in describe order, with ``IsDeleted`` added when not a field."""
    names = [f.name for f in obj.stored_fields()]
    if "IsDeleted" not in names:
        names.append("IsDeleted")
    return names


def create_table_sql(obj: ObjectDef) -> str:
    """``CREATE TABLE IF NOT EXISTS`` for one object."""
    columns = []
    for field in obj.stored_fields():
        affinity = STORAGE_AFFINITY[field.type]
        constraint = " NOT NULL" if field.name == "Id" else ""
        if field.name == "IsDeleted":
            constraint = " NOT NULL DEFAULT 0"
        columns.append(f"{quote(field.name)} {affinity}{constraint}")
    if obj.field("IsDeleted") is None:
        columns.append('"IsDeleted" INTEGER NOT NULL DEFAULT 0')
    return f"CREATE TABLE IF NOT EXISTS {quote(obj.name)} ({', '.join(columns)})"


@dataclass(frozen=True)
class IndexDef:
    """One index: its name, table and columns.

    Attributes:
        name: Index name.
        table: Table name.
        column: The first indexed column (what the index is for).
        unique: Whether values are unique (``Id`` only).
        nocase: Whether the index compares text case-insensitively.
        sparse: Whether only non-null values are indexed (a partial index): references and
            external ids are often null, and SQLite still uses such an index for ``col = ?``.
        also: Columns after the first one.
    """

    name: str
    table: str
    column: str
    unique: bool = False
    nocase: bool = False
    sparse: bool = False
    also: tuple[str, ...] = ()

    def create_sql(self) -> str:
        """``CREATE [UNIQUE] INDEX IF NOT EXISTS`` statement."""
        unique = "UNIQUE " if self.unique else ""
        collate = " COLLATE NOCASE" if self.nocase else ""
        where = f" WHERE {quote(self.column)} IS NOT NULL" if self.sparse else ""
        columns = ", ".join([quote(self.column) + collate, *map(quote, self.also)])
        return (
            f"CREATE {unique}INDEX IF NOT EXISTS {quote(self.name)} "
            f"ON {quote(self.table)} ({columns}){where}"
        )


def index_defs(obj: ObjectDef) -> list[IndexDef]:
    """The indexes of one object's table.

    The object's replication key (its first timestamp of :data:`INDEXED_TIMESTAMPS`, the one
    an incremental sync filters and orders by) gets a ``(timestamp, Id, IsDeleted)`` index:
    incremental queries (``WHERE SystemModstamp >= ? ORDER BY SystemModstamp, Id``) then take
    their rowid snapshot from the index alone, in order, with no sort and no table read. The
    other timestamps are not indexed: a query on them scans the table, which is correct and
    fast enough for an emulator, and leaving them out takes a third of the seed's index build.
    """
    indexes = [IndexDef(f"{obj.name}__Id", obj.name, "Id", unique=True)]
    key = replication_timestamp(obj)
    if key is not None:
        indexes.append(
            IndexDef(f"{obj.name}__{key}_Id_IsDeleted", obj.name, key, also=("Id", "IsDeleted"))
        )
    for field in obj.stored_fields():
        if field.type == "reference" and field.name not in UNINDEXED_REFERENCES:
            indexes.append(IndexDef(f"{obj.name}__{field.name}", obj.name, field.name))
        elif field.unique or field.external_id:
            indexes.append(IndexDef(f"{obj.name}__{field.name}", obj.name, field.name, nocase=True))
    return indexes


def replication_timestamp(obj: ObjectDef) -> str | None:
    """The timestamp an incremental sync of ``obj`` filters by, if it has one."""
    return next((name for name in INDEXED_TIMESTAMPS if obj.field(name) is not None), None)


def _drop_replaced_indexes(connection: sqlite3.Connection, obj: ObjectDef) -> None:
    """Drop timestamp indexes of older databases that :func:`index_defs` no longer makes."""
    key = replication_timestamp(obj)
    for name in INDEXED_TIMESTAMPS:
        connection.execute(f"DROP INDEX IF EXISTS {quote(f'{obj.name}__{name}')}")
        if name != key:
            connection.execute(f"DROP INDEX IF EXISTS {quote(f'{obj.name}__{name}_Id_IsDeleted')}")


#: Objects whose table may hold text with a NUL character (see :func:`note_text_with_nul`).
TEXT_WITH_NUL_TABLE = "_TextWithNul"


def text_columns(obj: ObjectDef) -> list[str]:
    """The stored columns of ``obj`` that hold text."""
    return [f.name for f in obj.stored_fields() if STORAGE_AFFINITY[f.type] == "TEXT"]


def note_text_with_nul(
    connection: sqlite3.Connection, obj: ObjectDef, values: Iterable[Any]
) -> None:
    """Remember that ``obj``'s table holds a NUL character if one of ``values`` has one.

    SQLite's ``printf`` stops at a NUL, so the Bulk CSV statements of such tables check every
    text value (:mod:`emulators.salesforce.sql_render`); other tables skip that cost. Only
    REST writes can store a NUL (the seed's text never has one).
    """
    if any(isinstance(value, str) and "\x00" in value for value in values):
        connection.execute(
            f"INSERT OR IGNORE INTO {quote(TEXT_WITH_NUL_TABLE)} VALUES (?)",  # noqa: S608
            (obj.name,),
        )


def objects_with_nul_text(connection: sqlite3.Connection) -> frozenset[str]:
    """The objects whose tables may hold text with a NUL character."""
    rows = connection.execute(f"SELECT object FROM {quote(TEXT_WITH_NUL_TABLE)}")  # noqa: S608
    return frozenset(str(row[0]) for row in rows)


def _create_nul_registry(connection: sqlite3.Connection, catalog: Catalog) -> None:
    """Create the NUL registry; a database made before it is scanned once to fill it."""
    exists = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TEXT_WITH_NUL_TABLE,)
    ).fetchone()
    if exists:
        return
    connection.execute(f"CREATE TABLE {quote(TEXT_WITH_NUL_TABLE)} (object TEXT PRIMARY KEY)")
    for obj in catalog.objects:
        columns = text_columns(obj)
        if not columns:
            continue
        condition = " OR ".join(f"instr({quote(c)}, char(0)) > 0" for c in columns)
        found = connection.execute(
            f"SELECT 1 FROM {quote(obj.name)} WHERE {condition} LIMIT 1"  # noqa: S608
        ).fetchone()
        if found:
            connection.execute(
                f"INSERT INTO {quote(TEXT_WITH_NUL_TABLE)} VALUES (?)",  # noqa: S608
                (obj.name,),
            )


def create_tables(connection: sqlite3.Connection, catalog: Catalog) -> None:
    """Create missing tables and add missing columns (a catalogue that grew) and indexes.

    Args:
        connection: An open connection, outside a transaction.
        catalog: The org's objects.
    """
    for obj in catalog.objects:
        connection.execute(create_table_sql(obj))
        existing = {row[1] for row in connection.execute(f"PRAGMA table_info({quote(obj.name)})")}
        for field in obj.stored_fields():
            if field.name not in existing:
                connection.execute(
                    f"ALTER TABLE {quote(obj.name)} ADD COLUMN {quote(field.name)} "
                    f"{STORAGE_AFFINITY[field.type]}"
                )
        _drop_replaced_indexes(connection, obj)
        create_indexes(connection, obj)
    _create_nul_registry(connection, catalog)


def create_indexes(connection: sqlite3.Connection, obj: ObjectDef) -> None:
    """Create the indexes of ``obj``'s table that do not exist yet."""
    for index in index_defs(obj):
        connection.execute(index.create_sql())


def drop_indexes(
    connection: sqlite3.Connection, obj: ObjectDef, *, only: Iterable[str] | None = None
) -> None:
    """Drop the indexes of ``obj``'s table (before a bulk load).

    Args:
        connection: An open connection.
        obj: The object.
        only: Drop only the indexes of these columns (every index when None).
    """
    columns = None if only is None else set(only)
    for index in index_defs(obj):
        if columns is None or index.column in columns:
            connection.execute(f"DROP INDEX IF EXISTS {quote(index.name)}")
