"""One write transaction of the store: row reads, inserts and updates with audit fields.

The store opens a :class:`Transaction` under its write lock for every create, update or
delete; record rules (``record_rules.py``) use it to touch related records in the same
transaction, so a failed write leaves nothing behind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emulators.salesforce import ids
from emulators.salesforce.tables import column_names, note_text_with_nul, quote

if TYPE_CHECKING:
    import sqlite3

    from emulators.salesforce.schema import Catalog, ObjectDef


class Transaction:
    """Reads and writes rows inside one SQLite transaction.

    Attributes:
        connection: The connection, inside ``BEGIN IMMEDIATE``.
        catalog: The org's objects.
        now: The storage timestamp of this transaction (CreatedDate, LastModifiedDate …).
        user_id: The acting user (CreatedById, LastModifiedById, default OwnerId).
    """

    def __init__(
        self, connection: sqlite3.Connection, catalog: Catalog, now: str, user_id: str
    ) -> None:
        """Wrap ``connection`` (already in a transaction)."""
        self.connection = connection
        self.catalog = catalog
        self.now = now
        self.user_id = user_id

    def object(self, name: str) -> ObjectDef:
        """The object called ``name`` (it must exist)."""
        obj = self.catalog.get(name)
        if obj is None:  # pragma: no cover - callers pass catalogue names
            raise KeyError(name)
        return obj

    def row(self, obj: ObjectDef, record_id: str) -> dict[str, Any] | None:
        """Every stored value of a record (with ``IsDeleted``), or None if there is none."""
        cursor = self.connection.execute(
            f"SELECT * FROM {quote(obj.name)} WHERE Id = ?",  # noqa: S608 - quoted identifier
            (record_id,),
        )
        found = cursor.fetchone()
        if found is None:
            return None
        return dict(zip((d[0] for d in cursor.description), found, strict=True))

    def rows_where(self, obj: ObjectDef, column: str, value: Any) -> list[dict[str, Any]]:
        """Every live (not deleted) record whose ``column`` equals ``value``."""
        cursor = self.connection.execute(
            f"SELECT * FROM {quote(obj.name)} "  # noqa: S608 - quoted identifiers
            f"WHERE {quote(column)} = ? AND IsDeleted = 0",
            (value,),
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, found, strict=True)) for found in cursor]

    def next_sequence(self, obj: ObjectDef) -> int:
        """The id sequence number (and rowid) of the next record of ``obj``."""
        found = self.connection.execute(
            f"SELECT COALESCE(MAX(rowid), 0) + 1 FROM {quote(obj.name)}"  # noqa: S608
        ).fetchone()
        return int(found[0])

    def insert(self, obj: ObjectDef, values: dict[str, Any]) -> str:
        """Insert a record with a new id and the audit fields; return the id.

        Args:
            obj: The object.
            values: Storage values by canonical field name (audit fields are overwritten).

        Returns:
            The new record's 18-character id.
        """
        sequence = self.next_sequence(obj)
        record_id = ids.make_id(obj.key_prefix, sequence)
        row = dict(values)
        row["Id"] = record_id
        row.setdefault("IsDeleted", 0)
        audit = {
            "CreatedDate": self.now,
            "CreatedById": self.user_id,
            "LastModifiedDate": self.now,
            "LastModifiedById": self.user_id,
            "SystemModstamp": self.now,
        }
        row.update({name: value for name, value in audit.items() if obj.field(name) is not None})
        names = [name for name in column_names(obj) if name in row]
        note_text_with_nul(self.connection, obj, row.values())
        placeholders = ", ".join("?" for _ in names)
        self.connection.execute(
            f"INSERT INTO {quote(obj.name)} (rowid, {', '.join(quote(n) for n in names)}) "  # noqa: S608
            f"VALUES (?, {placeholders})",
            (sequence, *(row[name] for name in names)),
        )
        return record_id

    def update(
        self,
        obj: ObjectDef,
        record_id: str,
        values: dict[str, Any],
        *,
        system_modstamp: str | None = None,
    ) -> None:
        """Write ``values`` to a record and move its LastModified fields and SystemModstamp.

        Args:
            obj: The object.
            record_id: The record's 18-character id.
            values: Storage values by canonical field name.
            system_modstamp: SystemModstamp to store instead of this transaction's time (a
                change that commits late carries a stamp a little in the past).
        """
        row = dict(values)
        audit = {
            "LastModifiedDate": self.now,
            "LastModifiedById": self.user_id,
            "SystemModstamp": system_modstamp or self.now,
        }
        row.update({name: value for name, value in audit.items() if obj.field(name) is not None})
        if not row:
            return
        note_text_with_nul(self.connection, obj, row.values())
        assignments = ", ".join(f"{quote(name)} = ?" for name in row)
        self.connection.execute(
            f"UPDATE {quote(obj.name)} SET {assignments} WHERE Id = ?",  # noqa: S608
            (*row.values(), record_id),
        )
