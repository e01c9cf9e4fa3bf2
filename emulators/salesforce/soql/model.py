"""What the SOQL compiler hands to the store: SQL plus the metadata to shape the results.

These classes are the interface between the SOQL engine and the store (see the Salesforce
emulator interface note); their fields are fixed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emulators.salesforce.schema import FieldDef, ObjectDef


@dataclass(frozen=True)
class RelationshipJoin:
    """A parent record reached through relationship names (one LEFT JOIN on ``Id``).

    Attributes:
        path: Canonical relationship names from the base object: ``("Account",)``,
            ``("Account", "Owner")``.
        object_name: The object at the end of the path (``Account``, ``User``).
        id_alias: SQL result alias of that parent's ``Id`` (null when there is no parent).
    """

    path: tuple[str, ...]
    object_name: str
    id_alias: str


@dataclass(frozen=True)
class SelectedColumn:
    """One item of the SELECT list.

    Attributes:
        name: The name clients see, canonical case: ``Name``, ``Account.Name``,
            ``BillingAddress``.
        path: Relationship names then the field name: ``("Account", "Name")``.
        field: The field at the end of the path.
        sql_aliases: Result aliases: one for a scalar field, one per component (in describe
            order) for a compound field.
    """

    name: str
    path: tuple[str, ...]
    field: FieldDef
    sql_aliases: tuple[str, ...]


@dataclass(frozen=True)
class CompiledQuery:
    """A SOQL query compiled to SQLite SQL against the store's tables.

    Attributes:
        object: The FROM object.
        columns: The selected columns in SELECT order (empty for ``COUNT()``).
        relationships: Every parent join the query needs, parents before children.
        is_count: Whether the query is ``SELECT COUNT() FROM …``.
        base_id_alias: Alias of the base record's ``Id`` (always selected).
        sql: The full ``SELECT … ORDER BY … LIMIT … OFFSET …``.
        params: Parameters of ``sql``, ``rowid_sql`` and ``count_sql`` (the same for all three).
        rowid_sql: Same FROM/WHERE/ORDER BY/LIMIT/OFFSET, selecting only the base ``rowid`` as
            ``"__rowid"``, in result order.
        rows_by_rowid_sql: Selects ``"__rowid"`` and every column for the base rows whose rowid
            is in the JSON array bound to its single ``?``; the caller restores the order.
        page_rows_sql: The same rows and columns in the order of the JSON array bound to its
            single ``?`` (rowids no longer in the table are skipped).
        count_sql: ``SELECT COUNT(*)`` honouring WHERE, LIMIT and OFFSET.
        datetime_bounds: Per datetime field named in a top-level AND term of WHERE (canonical
            name, ``SystemModstamp`` or ``Account.CreatedDate``), the tightest
            ``(lower, upper)`` bounds in storage form, None where unbounded.
    """

    object: ObjectDef
    columns: tuple[SelectedColumn, ...]
    relationships: tuple[RelationshipJoin, ...]
    is_count: bool
    base_id_alias: str
    sql: str
    params: tuple[Any, ...]
    rowid_sql: str
    rows_by_rowid_sql: str
    count_sql: str
    datetime_bounds: dict[str, tuple[str | None, str | None]]
    page_rows_sql: str = ""
