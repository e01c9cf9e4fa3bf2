"""The org's records in SQLite: CRUD with Salesforce's validation, and query snapshots.

One database file (WAL mode, so reads run while a write commits) with one table per object of
the catalogue (see ``tables.py``). Every write runs in one transaction under a lock, stamps
CreatedDate/LastModifiedDate/SystemModstamp from the store's clock, computes derived and
formula fields, and applies Salesforce's side effects (cascading soft deletes, cleared lookups,
line-item roll-ups, field history). Deletes are soft: ``IsDeleted = 1``, visible only to
``queryAll``.

``query()`` compiles SOQL and materializes the ordered rowids of the result: a snapshot whose
pages (:meth:`QueryResult.fetch_rest`, :meth:`QueryResult.fetch_csv_rows`) cost O(page), not
O(offset). Connections are per thread; the store is safe to share between threads.
"""

from __future__ import annotations

import base64
import json
import logging
import sqlite3
import threading
from array import array
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from emulators.salesforce import derived, dml, formats, record_rules, sql_render
from emulators.salesforce.catalog import child_relationships
from emulators.salesforce.errors import SalesforceApiError
from emulators.salesforce.result_rows import (
    CsvShaper,
    RestShaper,
    ShapeColumn,
    ShapeParent,
    bulk_refusal,
)
from emulators.salesforce.tables import (
    column_names,
    create_tables,
    objects_with_nul_text,
    quote,
)
from emulators.salesforce.transaction import Transaction

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from emulators.salesforce.schema import Catalog, FieldDef, ObjectDef
    from emulators.salesforce.soql import CompiledQuery

#: Username of the user the store creates when it needs an acting user and the org has none.
AUTOMATED_PROCESS_USERNAME = "autoproc@emulator.invalid"
#: Audit references that never clear or cascade when their target is deleted.
_AUDIT_REFERENCES = frozenset({"CreatedById", "LastModifiedById", "OwnerId", "InsertedById"})
_FETCH_BATCH = 10_000


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _invalid_type_for_operation(obj: ObjectDef, operation: str) -> SalesforceApiError:
    return SalesforceApiError(
        400,
        "INVALID_TYPE_FOR_OPERATION",
        f"entity type {obj.name} does not support {operation}",
    )


def no_such_column_on_entity(name: str, obj: ObjectDef) -> SalesforceApiError:
    """INVALID_FIELD for an unknown field in a ``fields=`` list, worded as Salesforce does."""
    return SalesforceApiError(
        400,
        "INVALID_FIELD",
        f"No such column '{name}' on entity '{obj.name}'. If you are attempting to use a custom "
        "field, be sure to append the '__c' after the custom field name. Please reference your "
        "WSDL or the describe call for the appropriate names.",
    )


class OrgStore:
    """The records of one emulated org.

    Attributes:
        db_path: The SQLite database file.
        catalog: The org's objects.
    """

    def __init__(
        self,
        db_path: Path,
        catalog: Catalog,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """Open (creating if needed) the database and its tables.

        Args:
            db_path: The database file; its folder is created if missing.
            catalog: The org's objects; missing tables and columns are added.
            clock: The store's "now" (aware datetimes); the real UTC time when None.
        """
        self.db_path = Path(db_path)
        self.catalog = catalog
        self._clock = clock or _utc_now
        self._prefixes = formats.key_prefixes(catalog.objects)
        self._local = threading.local()
        self._lock = threading.RLock()
        self._connections: list[sqlite3.Connection] = []
        self._default_user_id: str | None = None
        self._renders_in_sql: bool | None = None
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            connection = self._connection()
            connection.execute("PRAGMA journal_mode=WAL")
            create_tables(connection, catalog)

    # ----------------------------------------------------------------------- connections

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection (reads and writes)."""
        return self._thread_connection("connection", text_as_bytes=False)

    def _render_connection(self) -> sqlite3.Connection:
        """This thread's read connection returning text as UTF-8 bytes (rendered pages)."""
        return self._thread_connection("render", text_as_bytes=True)

    def _thread_connection(self, slot: str, *, text_as_bytes: bool) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, slot, None)
        if connection is None:
            connection = sqlite3.connect(
                self.db_path, isolation_level=None, check_same_thread=False, timeout=60
            )
            if text_as_bytes:
                connection.text_factory = bytes
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA temp_store=MEMORY")
            connection.execute("PRAGMA cache_size=-65536")
            with self._lock:
                self._connections.append(connection)
            setattr(self._local, slot, connection)
        return connection

    @property
    def renders_in_sql(self) -> bool:
        """Whether pages are rendered by SQLite (its number and text formats match Python's)."""
        if self._renders_in_sql is None:
            self._renders_in_sql = sql_render.sqlite_matches_python(self._render_connection())
            if not self._renders_in_sql:
                logger.warning(
                    "SQLite %s formats values unlike Python: query pages are rendered in Python",
                    sqlite3.sqlite_version,
                )
        return self._renders_in_sql

    def close(self) -> None:
        """Close every connection the store opened (from any thread)."""
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
            self._local = threading.local()

    def now(self) -> str:
        """The store clock's current time in storage form."""
        return formats.datetime_to_storage(self._clock())

    @contextmanager
    def _transaction(self, user_id: str | None) -> Iterator[Transaction]:
        with self._lock:
            connection = self._connection()
            connection.execute("BEGIN IMMEDIATE")
            try:
                tx = Transaction(connection, self.catalog, self.now(), user_id or "")
                if not tx.user_id:
                    tx.user_id = self._acting_user(tx)
                yield tx
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def _acting_user(self, tx: Transaction) -> str:
        """The default acting user: the first active user, created when the org has none."""
        if self._default_user_id is not None:
            return self._default_user_id
        user = tx.object("User")
        found = tx.connection.execute(
            'SELECT Id FROM "User" WHERE IsActive = 1 ORDER BY rowid LIMIT 1'
        ).fetchone()
        if found is not None:
            self._default_user_id = str(found[0])
            return self._default_user_id
        from emulators.salesforce import ids  # noqa: PLC0415 - only needed once per org

        tx.user_id = ids.make_id(user.key_prefix, tx.next_sequence(user))
        values = {
            "Username": AUTOMATED_PROCESS_USERNAME,
            "LastName": "Automated Process",
            "Name": "Automated Process",
            "Email": AUTOMATED_PROCESS_USERNAME,
            "Alias": "autoproc",
            "CommunityNickname": "automatedprocess",
            "IsActive": 1,
            "TimeZoneSidKey": "GMT",
            "LocaleSidKey": "en_US",
            "EmailEncodingKey": "UTF-8",
            "UserType": "AutomatedProcess",
            "LanguageLocaleKey": "en_US",
        }
        values["OwnerId"] = tx.user_id
        self._default_user_id = tx.insert(user, values)
        return self._default_user_id

    # ----------------------------------------------------------------------- writes

    def create(
        self, object_name: str, values: dict[str, Any], *, user_id: str | None = None
    ) -> str:
        """Create a record from a REST body.

        Args:
            object_name: The object's API name (case-insensitive).
            values: The JSON body: field name → REST-typed value.
            user_id: The acting user (CreatedById, default OwnerId); the org's first active
                user when None.

        Returns:
            The new record's 18-character id.

        Raises:
            SalesforceApiError: NOT_FOUND (unknown object), INVALID_FIELD,
                INVALID_FIELD_FOR_INSERT_UPDATE, REQUIRED_FIELD_MISSING, STRING_TOO_LONG,
                INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST, INVALID_EMAIL_ADDRESS, MALFORMED_ID,
                INVALID_CROSS_REFERENCE_KEY, DUPLICATE_VALUE, JSON_PARSER_ERROR …
        """
        obj = dml.object_for(self.catalog, object_name)
        if not obj.createable:
            raise _invalid_type_for_operation(obj, "insert")
        cleaned = dml.clean_values(obj, values, self._prefixes, creating=True)
        changed = frozenset(cleaned)
        with self._transaction(user_id) as tx:
            row = _defaults(obj)
            row.update(cleaned)
            if obj.field("OwnerId") is not None and row.get("OwnerId") is None:
                row["OwnerId"] = tx.user_id
            self._check_references(tx, obj, row, changed)
            self._check_unique(tx, obj, row, changed, record_id=None)
            record_rules.prepare(tx, obj, row, changed)
            row.update(derived.derive(obj.name, row, changed))
            missing = dml.missing_required(obj, row, (f.name for f in obj.fields))
            if missing:
                raise dml.required_missing(missing)
            record_id = tx.insert(obj, row)
            if obj.custom and obj.field("Name") is not None and row.get("Name") is None:
                tx.connection.execute(
                    f'UPDATE {quote(obj.name)} SET "Name" = ? WHERE Id = ?',  # noqa: S608
                    (record_id, record_id),
                )
            after = tx.row(obj, record_id)
            if after is None:  # pragma: no cover - just inserted
                raise dml.not_found()
            record_rules.after_write(tx, obj, record_id, None, after)
        return record_id

    def update(
        self,
        object_name: str,
        record_id: str,
        values: dict[str, Any],
        *,
        system_modstamp: datetime | None = None,
        user_id: str | None = None,
    ) -> None:
        """Update a record from a REST body; LastModifiedDate and SystemModstamp move.

        Args:
            object_name: The object's API name (case-insensitive).
            record_id: The record's id (15 or 18 characters).
            values: The JSON body: field name → REST-typed value.
            system_modstamp: SystemModstamp to store instead of now (a change committing late).
            user_id: The acting user (LastModifiedById).

        Raises:
            SalesforceApiError: NOT_FOUND, ENTITY_IS_DELETED and the errors of :meth:`create`.
        """
        obj = dml.object_for(self.catalog, object_name)
        if not obj.updateable:
            raise _invalid_type_for_operation(obj, "update")
        canonical = dml.record_id_for(obj, record_id)
        cleaned = dml.clean_values(obj, values, self._prefixes, creating=False, record_id=canonical)
        changed = frozenset(cleaned)
        with self._transaction(user_id) as tx:
            before = tx.row(obj, canonical)
            if before is None:
                raise dml.not_found()
            if before["IsDeleted"]:
                raise dml.entity_is_deleted()
            row = dict(before)
            row.update(cleaned)
            self._check_references(tx, obj, row, changed)
            self._check_unique(tx, obj, row, changed, record_id=canonical)
            record_rules.prepare(tx, obj, row, changed)
            row.update(derived.derive(obj.name, row, changed))
            missing = dml.missing_required(obj, row, changed)
            if missing:
                raise dml.required_missing(missing)
            difference = {name: value for name, value in row.items() if before[name] != value}
            stamp = (
                None if system_modstamp is None else formats.datetime_to_storage(system_modstamp)
            )
            tx.update(obj, canonical, difference, system_modstamp=stamp)
            after = tx.row(obj, canonical)
            if after is None:  # pragma: no cover - just updated
                raise dml.not_found()
            record_rules.after_write(tx, obj, canonical, before, after)

    def delete(self, object_name: str, record_id: str, *, user_id: str | None = None) -> None:
        """Soft-delete a record: IsDeleted = 1, LastModifiedDate and SystemModstamp move.

        Children of cascading relationships (an account's contacts and opportunities, an
        opportunity's line items …) are deleted with it; other lookups to it are cleared.

        Args:
            object_name: The object's API name (case-insensitive).
            record_id: The record's id (15 or 18 characters).
            user_id: The acting user (LastModifiedById).

        Raises:
            SalesforceApiError: NOT_FOUND, ENTITY_IS_DELETED, DELETE_FAILED (a restricting child
                exists), INVALID_TYPE_FOR_OPERATION (objects that cannot be deleted).
        """
        obj = dml.object_for(self.catalog, object_name)
        if not obj.deletable:
            raise _invalid_type_for_operation(obj, "delete")
        canonical = dml.record_id_for(obj, record_id)
        with self._transaction(user_id) as tx:
            row = tx.row(obj, canonical)
            if row is None:
                raise dml.not_found()
            if row["IsDeleted"]:
                raise dml.entity_is_deleted()
            self._delete_with_children(tx, obj, row)

    def _delete_with_children(self, tx: Transaction, obj: ObjectDef, row: dict[str, Any]) -> None:
        for relationship in child_relationships(self.catalog, obj.name):
            if relationship.field in _AUDIT_REFERENCES:
                continue
            child_object = tx.object(relationship.child_object)
            children = tx.rows_where(child_object, relationship.field, row["Id"])
            if not children:
                continue
            if relationship.restricted_delete:
                raise SalesforceApiError(
                    400,
                    "DELETE_FAILED",
                    f"Your attempt to delete {row.get('Name') or row['Id']} could not be "
                    "completed because it is associated with the following "
                    f"{child_object.label_plural.lower()}.",
                )
            for child in children:
                if relationship.cascade_delete:
                    self._delete_with_children(tx, child_object, child)
                elif child["Id"] != row["Id"]:
                    tx.update(child_object, child["Id"], {relationship.field: None})
        tx.update(obj, row["Id"], {"IsDeleted": 1})
        record_rules.after_delete(tx, obj, row)

    def _check_references(
        self, tx: Transaction, obj: ObjectDef, row: dict[str, Any], changed: frozenset[str]
    ) -> None:
        for name in changed:
            field = obj.field(name)
            value = row.get(name)
            if field is None or field.type != "reference" or value is None:
                continue
            target = next(o for o in self.catalog.objects if o.key_prefix == value[:3])
            found = tx.connection.execute(
                f"SELECT IsDeleted FROM {quote(target.name)} WHERE Id = ?",  # noqa: S608
                (value,),
            ).fetchone()
            if found is None:
                raise SalesforceApiError(
                    400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [name]
                )
            if found[0]:
                raise dml.entity_is_deleted([name])

    def _check_unique(
        self,
        tx: Transaction,
        obj: ObjectDef,
        row: dict[str, Any],
        changed: frozenset[str],
        record_id: str | None,
    ) -> None:
        for name in changed:
            field = obj.field(name)
            value = row.get(name)
            if field is None or not field.unique or value is None:
                continue
            found = tx.connection.execute(
                f"SELECT Id FROM {quote(obj.name)} WHERE {quote(name)} = ? COLLATE NOCASE "  # noqa: S608
                "AND IsDeleted = 0 AND Id IS NOT ? LIMIT 1",
                (value, record_id),
            ).fetchone()
            if found is not None:
                raise SalesforceApiError(
                    400,
                    "DUPLICATE_VALUE",
                    f"duplicate value found: {name} duplicates value on record with id: {found[0]}",
                    [name],
                )

    # ----------------------------------------------------------------------- reads

    def get(
        self,
        object_name: str,
        record_id: str,
        fields: list[str] | None = None,
        *,
        api_version: str = formats.DEFAULT_API_VERSION,
    ) -> dict[str, Any]:
        """One record as REST returns it (``attributes`` then the fields).

        Args:
            object_name: The object's API name (case-insensitive).
            record_id: The record's id (15 or 18 characters, any case for 18).
            fields: Field names to return (the ``fields=`` parameter); every field when None.
            api_version: Version for ``attributes.url``.

        Returns:
            The REST JSON record.

        Raises:
            SalesforceApiError: NOT_FOUND, ENTITY_IS_DELETED, INVALID_FIELD.
        """
        obj = dml.object_for(self.catalog, object_name)
        canonical = dml.record_id_for(obj, record_id)
        wanted = self._wanted_fields(obj, fields)
        stored = column_names(obj)
        position = {name: index for index, name in enumerate(stored)}
        columns = [
            ShapeColumn(
                field.name,
                (field.name,),
                field,
                tuple(position[c.name] for c in obj.components(field))
                if field.is_compound
                else (position[field.name],),
            )
            for field in wanted
        ]
        selected = ", ".join(quote(name) for name in stored)
        found = (
            self._connection()
            .execute(
                f"SELECT {selected} FROM {quote(obj.name)} WHERE Id = ?",  # noqa: S608
                (canonical,),
            )
            .fetchone()
        )
        if found is None:
            raise dml.not_found()
        if found[position["IsDeleted"]]:
            raise dml.entity_is_deleted()
        shaper = RestShaper(obj.name, position["Id"], columns, (), api_version)
        return shaper(found)

    def _wanted_fields(self, obj: ObjectDef, fields: list[str] | None) -> list[FieldDef]:
        if not fields:
            return list(obj.fields)
        wanted: list[FieldDef] = []
        for name in fields:
            field = obj.field(name.strip())
            if field is None:
                raise no_such_column_on_entity(name.strip(), obj)
            if field not in wanted:
                wanted.append(field)
        return wanted

    def get_blob(self, object_name: str, record_id: str, field_name: str) -> bytes:
        """The content of a base64 field (what its blob URL serves).

        Raises:
            SalesforceApiError: NOT_FOUND for an unknown record, field or an empty blob.
        """
        obj = dml.object_for(self.catalog, object_name)
        canonical = dml.record_id_for(obj, record_id)
        field = obj.field(field_name)
        if field is None or field.type != "base64":
            raise dml.not_found()
        found = (
            self._connection()
            .execute(
                f"SELECT {quote(field.name)} FROM {quote(obj.name)} "  # noqa: S608
                "WHERE Id = ? AND IsDeleted = 0",
                (canonical,),
            )
            .fetchone()
        )
        if found is None or found[0] is None:
            raise dml.not_found()
        return base64.b64decode(found[0])

    def query(self, soql: str, *, include_deleted: bool) -> QueryResult:
        """Run a SOQL query and keep its ordered result as a snapshot of rowids.

        Args:
            soql: The query text.
            include_deleted: True for ``queryAll``.

        Returns:
            The snapshot, paged with :meth:`QueryResult.fetch_rest` or ``fetch_csv_rows``.

        Raises:
            SalesforceApiError: The SOQL compiler's errors (MALFORMED_QUERY, INVALID_FIELD …).
        """
        from emulators.salesforce.soql import compile_query  # noqa: PLC0415 - lark loads lazily

        compiled = compile_query(soql, self.catalog, include_deleted=include_deleted)
        connection = self._connection()
        rowids: array[int] = array("q")
        if compiled.is_count:
            total = int(connection.execute(compiled.count_sql, compiled.params).fetchone()[0])
            return QueryResult(self, compiled, rowids, total)
        cursor = connection.execute(compiled.rowid_sql, compiled.params)
        while batch := cursor.fetchmany(_FETCH_BATCH):
            rowids.extend(found[0] for found in batch)
        return QueryResult(self, compiled, rowids, len(rowids))

    def page_rows(
        self, compiled: CompiledQuery, rowids: Sequence[int]
    ) -> tuple[list[Any], list[str]]:
        """Rows of ``compiled``'s columns for ``rowids``, in that order, and the column names."""
        cursor = self._connection().execute(compiled.rows_by_rowid_sql, (json.dumps(list(rowids)),))
        names = [d[0] for d in cursor.description]
        by_rowid = {found[0]: found for found in cursor}
        return [by_rowid[rowid] for rowid in rowids if rowid in by_rowid], names

    def objects_with_nul_text(self) -> frozenset[str]:
        """Objects whose text may hold a NUL character (see :mod:`tables`)."""
        return objects_with_nul_text(self._connection())

    def rendered_rows(self, sql: str, rowids: Sequence[int]) -> list[tuple[int, bytes | None]]:
        """Run a :mod:`sql_render` statement for ``rowids``: ``(rowid, text)`` in that order.

        Rows deleted for good are left out; a None text stands for a row SQLite could not
        render exactly (the caller renders it in Python).
        """
        cursor = self._render_connection().execute(sql, (json.dumps(list(rowids)),))
        by_rowid: dict[int, bytes | None] = dict(cursor.fetchall())
        return [(rowid, by_rowid[rowid]) for rowid in rowids if rowid in by_rowid]

    def rendered_page(self, sql: str, rowids: Sequence[int]) -> RenderedPage:
        """Run a :mod:`sql_render` page statement for ``rowids`` (one step, one row)."""
        found = self._render_connection().execute(sql, (json.dumps(list(rowids)),)).fetchone()
        lengths = found[3] if len(found) > 3 else b""  # noqa: PLR2004 - the optional column
        return RenderedPage(int(found[0]), int(found[1]), found[2], lengths)

    def counts(self, *, include_deleted: bool = False) -> dict[str, int]:
        """Number of records of every object (live ones only unless ``include_deleted``)."""
        connection = self._connection()
        where = "" if include_deleted else " WHERE IsDeleted = 0"
        return {
            obj.name: int(
                connection.execute(
                    f"SELECT COUNT(*) FROM {quote(obj.name)}{where}"  # noqa: S608
                ).fetchone()[0]
            )
            for obj in self.catalog.objects
        }


@dataclass(frozen=True)
class RenderedPage:
    """What a :mod:`sql_render` page statement returns.

    Attributes:
        found: Records of the page still in the table.
        rendered: Of those, the records SQLite rendered (the others need Python).
        text: The rendered texts, joined.
        lengths: Each rendered text's length in bytes, comma separated (CSV chunks only).
    """

    found: int
    rendered: int
    text: bytes
    lengths: bytes = b""

    @property
    def complete(self) -> bool:
        """Whether SQLite rendered every record found."""
        return self.found == self.rendered


def _defaults(obj: ObjectDef) -> dict[str, Any]:
    """Storage values of a new record before the client's: booleans and picklist defaults."""
    row: dict[str, Any] = {}
    for field in obj.stored_fields():
        if field.type == "boolean":
            row[field.name] = int(bool(field.default_value))
        elif field.default_value is not None:
            row[field.name] = field.default_value
        else:
            row[field.name] = None
    row["IsDeleted"] = 0
    return row


class QueryResult:
    """The ordered result of one query, fetched page by page.

    Pages come as Python records (:meth:`fetch_rest`, :meth:`fetch_csv_rows`) or as the
    encoded text of each record (:meth:`fetch_rest_json`, :meth:`fetch_csv_lines`), which
    SQLite renders itself when it can (:mod:`emulators.salesforce.sql_render`): the same bytes,
    several times faster.

    Attributes:
        compiled: The compiled query (columns, object, SQL).
        total_size: Number of records (the COUNT() value for ``SELECT COUNT()``).
    """

    def __init__(
        self, store: OrgStore, compiled: CompiledQuery, rowids: array[int], total_size: int
    ) -> None:
        """Keep the snapshot; see :meth:`OrgStore.query`."""
        self.compiled = compiled
        self.total_size = total_size
        self._store = store
        self._rowids = rowids
        self._rest_shapers: dict[str, RestShaper] = {}
        self._csv_shaper: CsvShaper | None = None
        self._render_sql: dict[tuple[Any, ...], str | None] = {}

    def _page(self, start: int, count: int) -> array[int]:
        return self._rowids[max(start, 0) : max(start, 0) + max(count, 0)]

    def _rows(self, rowids: Sequence[int]) -> tuple[list[Any], dict[str, int]]:
        if not rowids:
            return [], {}
        rows, names = self._store.page_rows(self.compiled, rowids)
        return rows, {name: index for index, name in enumerate(names)}

    def _columns(self, position: dict[str, int]) -> list[ShapeColumn]:
        return [
            ShapeColumn(
                column.name,
                column.path,
                column.field,
                tuple(position[alias] for alias in column.sql_aliases),
            )
            for column in self.compiled.columns
        ]

    def _rest_shaper(self, api_version: str, position: dict[str, int]) -> RestShaper:
        shaper = self._rest_shapers.get(api_version)
        if shaper is None:
            parents = [
                ShapeParent(join.path, join.object_name, position[join.id_alias])
                for join in self.compiled.relationships
            ]
            shaper = RestShaper(
                self.compiled.object.name,
                position[self.compiled.base_id_alias],
                self._columns(position),
                parents,
                api_version,
            )
            self._rest_shapers[api_version] = shaper
        return shaper

    def _shaped_rest(self, rowids: Sequence[int], api_version: str) -> list[dict[str, Any]]:
        rows, position = self._rows(rowids)
        if not rows:
            return []
        shaper = self._rest_shaper(api_version, position)
        return [shaper(row) for row in rows]

    def fetch_rest(
        self, start: int, count: int, *, api_version: str = formats.DEFAULT_API_VERSION
    ) -> list[dict[str, Any]]:
        """REST JSON records ``start`` to ``start + count`` of the snapshot.

        Records deleted for good since the snapshot are skipped; records changed since then
        show their current values, as Salesforce's query cursors do.

        Args:
            start: Position of the first record (0-based).
            count: How many records at most.
            api_version: Version for ``attributes.url``.

        Returns:
            The records, in query order.
        """
        return self._shaped_rest(self._page(start, count), api_version)

    def _sql(self, key: tuple[Any, ...]) -> str | None:
        """The cached :mod:`sql_render` statement for ``key`` (None: render in Python).

        Keys: ``("rest", api_version)``, ``("rest-page", api_version)``, or ``("csv", delimiter,
        line_ending, objects whose text may hold a NUL)`` and the same for ``"csv-chunk"``.
        """
        if key not in self._render_sql:
            sql: str | None = None
            if self._store.renders_in_sql and not self.compiled.is_count:
                kind, *options = key
                if kind == "rest":
                    sql = sql_render.rest_json_sql(self.compiled, *options)
                elif kind == "rest-page":
                    sql = sql_render.rest_page_sql(self.compiled, *options)
                elif kind == "csv":
                    sql = sql_render.csv_line_sql(self.compiled, *options)
                else:
                    sql = sql_render.csv_chunk_sql(self.compiled, *options)
            self._render_sql[key] = sql
        return self._render_sql[key]

    def fetch_rest_json(
        self, start: int, count: int, *, api_version: str = formats.DEFAULT_API_VERSION
    ) -> list[bytes]:
        """The JSON text of records ``start`` to ``start + count``.

        Each text is exactly ``orjson.dumps`` of the record :meth:`fetch_rest` returns.

        Args:
            start: Position of the first record (0-based).
            count: How many records at most.
            api_version: Version for ``attributes.url``.

        Returns:
            One JSON object text per record, in query order.
        """
        page = self._page(start, count)
        if not page:
            return []
        sql = self._sql(("rest", api_version))
        if sql is None:
            return list(self._python_json(page, api_version).values())
        return _merged(self._store.rendered_rows(sql, page), self._python_json, api_version)

    def fetch_rest_page(
        self, start: int, count: int, *, api_version: str = formats.DEFAULT_API_VERSION
    ) -> bytes:
        """The JSON texts of records ``start`` to ``start + count``, joined by commas.

        What goes between the brackets of a page's ``records``: the texts of
        :meth:`fetch_rest_json`, rendered by SQLite in one statement step when it can write
        every record of the page exactly.

        Args:
            start: Position of the first record (0-based).
            count: How many records at most.
            api_version: Version for ``attributes.url``.

        Returns:
            The joined texts (empty for no records).
        """
        page = self._page(start, count)
        if not page:
            return b""
        sql = self._sql(("rest-page", api_version))
        if sql is not None:
            rendered = self._store.rendered_page(sql, page)
            if rendered.complete:
                return rendered.text
        return b",".join(self.fetch_rest_json(start, count, api_version=api_version))

    def _python_json(self, rowids: Sequence[int], api_version: str) -> dict[int, bytes]:
        """JSON texts rendered in Python, by rowid."""
        rows, position = self._rows(rowids)
        if not rows:
            return {}
        shaper = self._rest_shaper(api_version, position)
        index = position[_rowid_alias()]
        return {row[index]: orjson.dumps(shaper(row)) for row in rows}

    def _python_csv(self, rowids: Sequence[int], settings: str) -> dict[int, bytes]:
        """CSV lines rendered in Python, by rowid (``settings``: delimiter then line ending)."""
        rows, position = self._rows(rowids)
        if not rows:
            return {}
        if self._csv_shaper is None:
            self._csv_shaper = CsvShaper(self._columns(position))
        delimiter, line_ending = settings[0], settings[1:]
        index = position[_rowid_alias()]
        shaper = self._csv_shaper
        return {
            row[index]: sql_render.csv_line(shaper(row), delimiter, line_ending) for row in rows
        }

    def bulk_error(self) -> SalesforceApiError | None:
        """Why Bulk API 2.0 cannot return this query as CSV (compound or binary fields)."""
        probe = [
            ShapeColumn(column.name, column.path, column.field, (0,))
            for column in self.compiled.columns
        ]
        return bulk_refusal(probe)

    def csv_header(self) -> list[str]:
        """The CSV header: column names as selected (``Account.Name`` for relationships).

        Raises:
            SalesforceApiError: FUNCTIONALITY_NOT_ENABLED for compound or base64 columns.
        """
        error = self.bulk_error()
        if error is not None:
            raise error
        return [column.name for column in self.compiled.columns]

    def _csv_cells(self, rowids: Sequence[int]) -> list[list[str]]:
        rows, position = self._rows(rowids)
        if not rows:
            error = self.bulk_error()
            if error is not None:
                raise error
            return []
        if self._csv_shaper is None:
            self._csv_shaper = CsvShaper(self._columns(position))
        return self._csv_shaper.rows(rows)

    def fetch_csv_rows(self, start: int, count: int) -> list[list[str]]:
        """Bulk 2.0 CSV cells of records ``start`` to ``start + count`` (``""`` for null).

        Raises:
            SalesforceApiError: FUNCTIONALITY_NOT_ENABLED for compound or base64 columns.
        """
        return self._csv_cells(self._page(start, count))

    def _bulk_page(self, start: int, count: int) -> array[int]:
        """The rowids of a Bulk page, after checking that Bulk can return the query."""
        error = self.bulk_error()
        if error is not None:
            raise error
        return self._page(start, count)

    def fetch_csv_chunk(
        self, start: int, count: int, *, delimiter: str = ",", line_ending: str = "\n"
    ) -> tuple[bytes, list[int]]:
        """Bulk 2.0 CSV lines of records ``start`` to ``start + count``, joined, and their sizes.

        The bytes of :meth:`fetch_csv_lines` joined, rendered by SQLite in one statement step
        when it can write every record of the chunk exactly, and the length in bytes of each
        line (where each record starts, for paging by record).

        Raises:
            SalesforceApiError: FUNCTIONALITY_NOT_ENABLED for compound or base64 columns.
        """
        page = self._bulk_page(start, count)
        if not page:
            return b"", []
        nul = self._store.objects_with_nul_text()
        sql = self._sql(("csv-chunk", delimiter, line_ending, nul))
        if sql is not None:
            rendered = self._store.rendered_page(sql, page)
            if rendered.complete:
                lengths = rendered.lengths
                return rendered.text, list(map(int, lengths.split(b","))) if lengths else []
        lines = self.fetch_csv_lines(start, count, delimiter=delimiter, line_ending=line_ending)
        return b"".join(lines), [len(line) for line in lines]

    def fetch_csv_lines(
        self, start: int, count: int, *, delimiter: str = ",", line_ending: str = "\n"
    ) -> list[bytes]:
        """Bulk 2.0 CSV lines (UTF-8) of records ``start`` to ``start + count``.

        Each line is what ``csv.writer`` with every value quoted writes for the cells of
        :meth:`fetch_csv_rows`, line ending included.

        Raises:
            SalesforceApiError: FUNCTIONALITY_NOT_ENABLED for compound or base64 columns.
        """
        page = self._bulk_page(start, count)
        if not page:
            return []
        sql = self._sql(("csv", delimiter, line_ending, self._store.objects_with_nul_text()))
        if sql is None:
            return list(self._python_csv(page, delimiter + line_ending).values())
        rendered = self._store.rendered_rows(sql, page)
        return _merged(rendered, self._python_csv, delimiter + line_ending)


def _rowid_alias() -> str:
    from emulators.salesforce.soql import ROWID_ALIAS  # noqa: PLC0415 - lark loads lazily

    return ROWID_ALIAS


def _merged(
    rendered: list[tuple[int, bytes | None]],
    render_in_python: Callable[[Sequence[int], str], dict[int, bytes]],
    option: str,
) -> list[bytes]:
    """SQLite's texts, with the rows it left NULL rendered in Python."""
    missing = [rowid for rowid, text in rendered if text is None]
    if not missing:
        return [text for _, text in rendered]  # type: ignore[misc]
    fallback = render_in_python(missing, option)
    return [
        text if text is not None else fallback[rowid]
        for rowid, text in rendered
        if text is not None or rowid in fallback
    ]
