"""The record store: writes, archives, reads and lists records with every contract rule.

It serves customers, contacts and invoices alike, driven by their entity specs.
All methods run inside a transaction opened by the caller (one per request, one per batch).
A write checks everything first and then runs exactly one statement (the sync_metadata of
every API client lives on the row), so a refused write changes nothing. Writes are serialized
by the database, so the checks made here (uniqueness, versions) cannot race.
"""

from __future__ import annotations

import base64
import contextlib
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any, Final

import orjson

from emulators.akountify import custom_fields as cf
from emulators.akountify import validation as v
from emulators.akountify.clock import rfc3339
from emulators.akountify.entities import CUSTOMERS, EntitySpec, Reference
from emulators.akountify.errors import (
    ApiError,
    ErrorDetail,
    bad_request,
    not_found,
    validation_error,
)
from emulators.akountify.ids import new_id
from emulators.akountify.record_cache import ExternalIdCache
from emulators.akountify.validation import INVALID, Problems

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Iterator

    from emulators.akountify.accounts import Caller
    from emulators.akountify.clock import Clock
    from emulators.akountify.custom_fields import CustomFieldRegistry

COMMON_READ_ONLY: Final = ("id", "version", "created_at", "updated_at", "updated_by")
COMMON_WRITABLE: Final = (
    "external_id",
    "external_source",
    "status",
    "custom_fields",
    "sync_metadata",
)
STATUSES: Final = ("active", "archived")
EXTERNAL_ID_MAX = 255
EXTERNAL_SOURCE_MAX = 100
SYNC_METADATA_MAX_BYTES = 16 * 1024
_COLUMNS = (
    "seq, id, entity, external_id, external_source, status, version, created_at, updated_at, "
    "updated_by, fields, custom_fields, sync_metadata"
)


class _Missing:
    """Marker type of :data:`MISSING` (a member that was not sent)."""

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()


@dataclass
class StoredRecord:
    """One record as stored."""

    seq: int
    id: str
    entity: str
    external_id: str | None
    external_source: str | None
    status: str
    version: int
    created_at: int
    updated_at: int
    updated_by: dict[str, str]
    fields: dict[str, Any]
    custom: dict[str, Any]
    metadata: dict[str, Any]

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> StoredRecord:
        """Build from a ``SELECT {_COLUMNS}`` row."""
        return cls(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5],
            row[6],
            row[7],
            row[8],
            orjson.loads(row[9]),
            orjson.loads(row[10]),
            orjson.loads(row[11]),
            orjson.loads(row[12]),
        )


@dataclass(frozen=True)
class Target:
    """How a write addresses its record: by external id (upsert) or by id (update only).

    Neither set means a plain create (``POST /{entity}``).
    """

    external_id: str | None = None
    record_id: str | None = None

    def describe(self, spec: EntitySpec) -> str:
        """For messages: ``customer with external_id 'A-1'``."""
        if self.record_id is not None:
            return f"{spec.singular} {self.record_id}"
        if self.external_id is not None:
            return f"{spec.singular} with external_id {self.external_id!r}"
        return f"new {spec.singular}"


@dataclass(frozen=True)
class WriteOutcome:
    """What a write did: HTTP-like status, ``created|updated|unchanged|archived``, the record."""

    status: int
    result: str
    record: dict[str, Any]


@dataclass
class _Parsed:
    fields: dict[str, Any]
    external_id: Any = MISSING
    external_source: Any = MISSING
    status: Any = MISSING
    custom: dict[str, Any] | None = None
    metadata: Any = MISSING


@dataclass(frozen=True)
class ListQuery:
    """The filters and page of a list request (already validated)."""

    limit: int = 50
    after_seq: int = 0
    external_ids: tuple[str, ...] | None = None
    updated_since: int | None = None
    status: str | None = None
    q: str | None = None
    has_external_id: bool | None = None


def encode_cursor(seq: int) -> str:
    """An opaque cursor that resumes after the record with sequence number ``seq``."""
    return base64.urlsafe_b64encode(f"s{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The sequence number inside a cursor.

    Raises:
        ApiError: 400 when the cursor was not made by this API.
    """
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        text = ""
    if not text.startswith("s") or not text[1:].isdigit():
        raise bad_request(
            "cursor is not valid: pass the next_cursor of the previous page unchanged",
            [ErrorDetail("cursor", "invalid_format", "not a cursor issued by this API")],
        )
    return int(text[1:])


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


class RecordStore:
    """Reads and writes records of every entity for authenticated callers."""

    def __init__(
        self, connection: sqlite3.Connection, clock: Clock, registry: CustomFieldRegistry
    ) -> None:
        """Work on ``connection`` with ``clock`` for timestamps and the custom field registry."""
        self._db = connection
        self._clock = clock
        self._registry = registry
        self._just_looked_up: str | None = None  # an external id _locate just found free
        self._cache: ExternalIdCache | None = None

    # ----------------------------------------------------------------- lookups

    def _fetch(self, where: str, params: tuple[Any, ...]) -> StoredRecord | None:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM records WHERE {where}", params).fetchone()  # noqa: S608 - fixed SQL fragments
        return StoredRecord.from_row(row) if row is not None else None

    def by_id(self, company_id: str, entity: str, record_id: str) -> StoredRecord | None:
        """The record with this id in this company and entity."""
        return self._fetch(
            "id = ? AND company_id = ? AND entity = ?", (record_id, company_id, entity)
        )

    def by_external_id(self, company_id: str, entity: str, external_id: str) -> StoredRecord | None:
        """The record with this external id in this company and entity."""
        if self._cache is not None:
            known, record = self._cache.lookup(company_id, entity, external_id)
            if known:
                return record
        return self._fetch(
            "company_id = ? AND entity = ? AND external_id = ?", (company_id, entity, external_id)
        )

    @contextlib.contextmanager
    def batch_lookups(self, company_id: str, wanted: dict[str, list[str]]) -> Iterator[None]:
        """Read the records of several external ids at once for the writes inside the block.

        Args:
            company_id: The company written to.
            wanted: External ids per entity that the block's writes will look up.

        The block must run inside one write transaction (its writes keep the cache true).
        """
        cache = ExternalIdCache(company_id)
        for entity, external_ids in wanted.items():
            if not external_ids:
                continue
            marks = ", ".join("?" * len(external_ids))
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM records INDEXED BY records_by_external_id "  # noqa: S608
                f"WHERE company_id = ? AND entity = ? AND external_id IN ({marks})",
                (company_id, entity, *external_ids),
            ).fetchall()
            cache.fill(entity, external_ids, [StoredRecord.from_row(row) for row in rows])
        self._cache = cache
        try:
            yield
        finally:
            self._cache = None

    def _locate(
        self, company_id: str, spec: EntitySpec, target: Target, *, allow_create: bool
    ) -> StoredRecord | None:
        self._just_looked_up = None
        if target.record_id is not None:
            found = self.by_id(company_id, spec.name, target.record_id)
        elif target.external_id is not None:
            found = self.by_external_id(company_id, spec.name, target.external_id)
            self._just_looked_up = target.external_id
        else:
            return None
        if found is None and not (allow_create and target.record_id is None):
            raise not_found(f"{target.describe(spec)} does not exist")
        return found

    # ----------------------------------------------------------------- writes

    def write(
        self,
        caller: Caller,
        spec: EntitySpec,
        target: Target,
        data: Any,
        *,
        if_version: int | None = None,
        allow_create: bool = True,
    ) -> WriteOutcome:
        """Create or update one record (sparse: only the members sent change).

        Args:
            caller: Who writes (company, actor, sync_metadata namespace).
            spec: The entity.
            target: The record addressed (external id: upsert; id: update only; none: create).
            data: The body's fields.
            if_version: The version the caller expects the record to have (0: must not exist).
            allow_create: Whether a missing record addressed by external id is created.

        Returns:
            The outcome, with the record as the caller sees it.

        Raises:
            ApiError: 404, 409, 412 or 422 as the contract says.
        """
        subject = target.describe(spec)
        existing = self._locate(caller.company_id, spec, target, allow_create=allow_create)
        self._check_version(existing, if_version, subject)
        parsed = self._validated(caller.company_id, spec, existing, target, data, subject=subject)
        candidate = _candidate(spec, existing, parsed)
        self._check_external_id_free(caller.company_id, spec, candidate, existing, subject)
        if existing is None or _unique_part(spec, existing) != _unique_part(spec, candidate):
            self._check_unique(caller.company_id, spec, candidate, subject)
        return self._save(caller, spec, existing, candidate, parsed.metadata)

    def _validated(
        self,
        company_id: str,
        spec: EntitySpec,
        existing: StoredRecord | None,
        target: Target,
        data: Any,
        *,
        subject: str,
    ) -> _Parsed:
        """Parse ``data``; merge it over the stored fields; check the whole record."""
        if not isinstance(data, dict):
            detail = ErrorDetail("data", "invalid_format", "data must be an object of fields")
            raise validation_error([detail], subject)
        problems = Problems()
        parsed = _parse(spec, data, problems, self._registry.definitions(company_id, spec.name))
        parsed.external_id = self._external_id(existing, target, parsed, problems)
        merged = dict(existing.fields) if existing else {}
        merged.update(parsed.fields)
        if existing is None:
            failed = {detail.field.split(".")[0].split("[")[0] for detail in problems.details}
            for name in spec.required:
                if merged.get(name) is None and name not in failed:
                    problems.add(
                        name, "required", f"{name} is required to create a {spec.singular}"
                    )
        if not problems:
            spec.check(merged, problems)
            self._resolve_references(company_id, spec, merged, problems)
        if problems:
            raise validation_error(problems.details, subject)
        merged.update(spec.derive(merged))
        parsed.fields = merged
        return parsed

    def _save(
        self,
        caller: Caller,
        spec: EntitySpec,
        existing: StoredRecord | None,
        candidate: StoredRecord,
        metadata: Any,
    ) -> WriteOutcome:
        """Store the candidate state when it differs from the stored one (one statement)."""
        namespace = caller.actor.id
        metadata_changed = metadata is not MISSING and (metadata or None) != candidate.metadata.get(
            namespace
        )
        if metadata_changed:
            candidate.metadata = {**candidate.metadata, namespace: metadata}
            if not metadata:
                del candidate.metadata[namespace]
        if existing is None:
            record = self._insert(caller, spec, candidate)
            return WriteOutcome(201, "created", self.render(caller, spec, record))
        fields_changed = _state(candidate) != _state(existing)
        if not fields_changed and not metadata_changed:
            return WriteOutcome(200, "unchanged", self.render(caller, spec, existing))
        candidate.version = existing.version + 1
        if fields_changed:
            candidate.updated_at = self._clock.now_us()
            candidate.updated_by = caller.actor.to_json()
        self._update(spec, existing, candidate)
        return WriteOutcome(200, "updated", self.render(caller, spec, candidate))

    def archive(
        self, caller: Caller, spec: EntitySpec, target: Target, *, if_version: int | None = None
    ) -> WriteOutcome:
        """Archive a record (``unchanged`` when it already is).

        Raises:
            ApiError: 404 when missing, 412 on a version mismatch.
        """
        existing = self._locate(caller.company_id, spec, target, allow_create=False)
        if existing is None:  # a plain create target cannot be archived
            raise not_found(f"{target.describe(spec)} does not exist")
        self._check_version(existing, if_version, target.describe(spec))
        if existing.status == "archived":
            return WriteOutcome(200, "unchanged", self.render(caller, spec, existing))
        archived = replace(
            existing,
            status="archived",
            version=existing.version + 1,
            updated_at=self._clock.now_us(),
            updated_by=caller.actor.to_json(),
        )
        self._update(spec, existing, archived)
        return WriteOutcome(200, "archived", self.render(caller, spec, archived))

    @staticmethod
    def _check_version(existing: StoredRecord | None, if_version: int | None, subject: str) -> None:
        if if_version is None:
            return
        current = existing.version if existing else 0
        if current != if_version:
            raise ApiError(
                412,
                "version_conflict",
                f"{subject} is at version {current}, not {if_version}: it changed since you "
                "read it; read it again and decide",
                [
                    ErrorDetail(
                        "if_version",
                        "version_conflict",
                        f"expected version {if_version}, the record is at {current}",
                        extra={"current_version": current},
                    )
                ],
            )

    @staticmethod
    def _external_id(
        existing: StoredRecord | None, target: Target, parsed: _Parsed, problems: Problems
    ) -> str | None:
        current = existing.external_id if existing else None
        if target.external_id is not None:
            if parsed.external_id is not MISSING and parsed.external_id != target.external_id:
                problems.add(
                    "external_id",
                    "invalid_value",
                    "data.external_id differs from the external id that addresses the record: "
                    "omit it, or address the record by id to change its external id",
                )
            return target.external_id
        return current if parsed.external_id is MISSING else parsed.external_id

    def _check_external_id_free(
        self,
        company_id: str,
        spec: EntitySpec,
        candidate: StoredRecord,
        existing: StoredRecord | None,
        subject: str,
    ) -> None:
        external_id = candidate.external_id
        if existing is None and self._just_looked_up == external_id:
            return
        if external_id is None or (existing is not None and existing.external_id == external_id):
            return
        other = self.by_external_id(company_id, spec.name, external_id)
        if other is not None:
            raise ApiError(
                409,
                "duplicate_external_id",
                f"{subject}: external_id {external_id!r} already belongs to {other.id}",
                [
                    ErrorDetail(
                        "external_id",
                        "duplicate_external_id",
                        f"{spec.singular} {other.id} already has this external id",
                        extra={"existing_id": other.id},
                    )
                ],
            )

    def _check_unique(
        self, company_id: str, spec: EntitySpec, candidate: StoredRecord, subject: str
    ) -> None:
        fields, own_id = candidate.fields, candidate.id
        key = spec.unique_key(fields)
        if key is None or spec.unique_field is None:
            return
        if spec.unique_among_active and candidate.status != "active":
            return
        sql = "SELECT id FROM records WHERE company_id = ? AND entity = ? AND unique_key = ?"
        if spec.unique_among_active:
            sql += " AND status = 'active'"
        for (other_id,) in self._db.execute(sql, (company_id, spec.name, key)):
            if other_id != own_id:
                name = spec.unique_field
                raise ApiError(
                    409,
                    spec.unique_code,
                    f"{subject}: {name} {fields[name]!r} is already used by {spec.singular} "
                    f"{other_id} (names are compared trimmed and case-insensitively)",
                    [
                        ErrorDetail(
                            name,
                            spec.unique_code,
                            f"{name} clashes with {other_id}: change it, or link to that "
                            "record instead of creating a new one",
                            extra={"existing_id": other_id},
                        )
                    ],
                )

    def _resolve_references(
        self, company_id: str, spec: EntitySpec, fields: dict[str, Any], problems: Problems
    ) -> None:
        for name in spec.reference_fields:
            value = fields.get(name)
            if not isinstance(value, Reference):
                continue
            by_id = self.by_id(company_id, CUSTOMERS.name, value.id) if value.id else None
            by_ext = (
                self.by_external_id(company_id, CUSTOMERS.name, value.external_id)
                if value.external_id
                else None
            )
            if value.id and by_id is None:
                problems.add(name, "invalid_reference", f"{name}: no customer has id {value.id!r}")
            elif value.external_id and by_ext is None:
                problems.add(
                    name,
                    "invalid_reference",
                    f"{name}: no customer has external_id {value.external_id!r}: upsert the "
                    "customer first",
                )
            elif by_id and by_ext and by_id.id != by_ext.id:
                problems.add(
                    name,
                    "invalid_reference",
                    f"{name}: id {value.id!r} and external_id {value.external_id!r} name "
                    "different customers",
                )
            else:
                found = by_id or by_ext
                fields[name] = found.id if found else None

    def _insert(self, caller: Caller, spec: EntitySpec, record: StoredRecord) -> StoredRecord:
        now = self._clock.now_us()
        record.id = new_id(spec.name)
        record.version = 1
        record.created_at = record.updated_at = now
        record.updated_by = caller.actor.to_json()
        fields, custom, external_id = record.fields, record.custom, record.external_id
        source, status = record.external_source, record.status
        cursor = self._db.execute(
            "INSERT INTO records(id, company_id, entity, external_id, external_source, status, "
            "version, created_at, updated_at, updated_by, fields, custom_fields, sync_metadata, "
            "unique_key, search_text, ref_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.id,
                caller.company_id,
                spec.name,
                external_id,
                source,
                status,
                1,
                now,
                now,
                _json(record.updated_by),
                _json(fields),
                _json(custom),
                _json(record.metadata),
                spec.unique_key(fields),
                spec.search_text(fields),
                _reference_id(spec, fields),
            ),
        )
        record.seq = int(cursor.lastrowid or 0)
        if self._cache is not None:
            self._cache.written(None, record)
        return record

    def _update(self, spec: EntitySpec, old: StoredRecord, new: StoredRecord) -> None:
        """Write the columns of ``new`` that differ from ``old`` (indexes untouched otherwise)."""
        changed = _changed_columns(spec, old, new)
        assignments = ", ".join(f"{name} = ?" for name in changed)
        self._db.execute(
            f"UPDATE records SET {assignments} WHERE id = ?",  # noqa: S608 - fixed column names
            (*changed.values(), new.id),
        )
        if self._cache is not None:
            self._cache.written(old, new)

    # ----------------------------------------------------------------- reads

    def get(self, caller: Caller, spec: EntitySpec, record_id: str) -> dict[str, Any]:
        """One record by id.

        Raises:
            ApiError: 404 when the company has no such record.
        """
        record = self.by_id(caller.company_id, spec.name, record_id)
        if record is None:
            raise not_found(f"{spec.singular} {record_id} does not exist")
        return self.render(caller, spec, record)

    def list_page(self, caller: Caller, spec: EntitySpec, query: ListQuery) -> dict[str, Any]:
        """One page of records in creation order, with the filters applied."""
        sql, params = list_statement(caller.company_id, spec.name, query)
        records = [StoredRecord.from_row(row) for row in self._db.execute(sql, params)]
        has_more = len(records) > query.limit
        records = records[: query.limit]
        return {
            "data": self.render_many(caller, spec, records),
            "next_cursor": encode_cursor(records[-1].seq) if has_more else None,
            "has_more": has_more,
        }

    # ----------------------------------------------------------------- rendering

    def render(self, caller: Caller, spec: EntitySpec, record: StoredRecord) -> dict[str, Any]:
        """The API form of one record as ``caller`` sees it."""
        return self.render_many(caller, spec, [record])[0]

    def render_many(
        self, caller: Caller, spec: EntitySpec, records: list[StoredRecord]
    ) -> list[dict[str, Any]]:
        """The API form of several records (references and metadata fetched in one go)."""
        if not records:
            return []
        references = spec.reference_fields
        ref_ids = {
            record.fields[name]
            for record in records
            for name in references
            if record.fields.get(name)
        }
        ref_external: dict[str, str | None] = {}
        if ref_ids:
            marks = ", ".join("?" * len(ref_ids))
            ref_external = dict(
                self._db.execute(
                    f"SELECT id, external_id FROM records WHERE id IN ({marks})",  # noqa: S608
                    tuple(ref_ids),
                ).fetchall()
            )
        definitions = self._registry.definitions(caller.company_id, spec.name)
        rendered = []
        for record in records:
            body: dict[str, Any] = {
                "id": record.id,
                "external_id": record.external_id,
                "external_source": record.external_source,
                "status": record.status,
                "version": record.version,
            }
            fields = record.fields
            for name in spec.fields:
                body[name] = fields.get(name)
            for name in references:
                value = body[name]
                if value is not None:
                    body[name] = {"id": value, "external_id": ref_external.get(value)}
            for name in spec.derived:
                body[name] = fields.get(name)
            body["custom_fields"] = cf.render_values(record.custom, definitions)
            body["sync_metadata"] = record.metadata.get(caller.actor.id, {})
            body["created_at"] = rfc3339(record.created_at)
            body["updated_at"] = rfc3339(record.updated_at)
            body["updated_by"] = record.updated_by
            rendered.append(body)
        return rendered


def list_statement(company_id: str, entity: str, query: ListQuery) -> tuple[str, list[Any]]:
    """The SELECT of one list page and its parameters.

    The index is named, not left to the planner: ordering by ``seq`` tempts SQLite to walk the
    company's whole creation index and filter, which grows with the table. A look-up by
    external ids reads exactly those index entries (then sorts at most 100 rows); a look-up of
    records without external id reads the small partial index of hand-typed records.
    """
    where = ["company_id = ?", "entity = ?", "seq > ?"]
    params: list[Any] = [company_id, entity, query.after_seq]
    index = ""
    if query.external_ids is not None:
        index = "INDEXED BY records_by_external_id"
        where.append(f"external_id IN ({', '.join('?' * len(query.external_ids))})")
        params.extend(query.external_ids)
    elif query.has_external_id is False:
        index = "INDEXED BY records_without_external_id"
    if query.updated_since is not None:
        where.append("updated_at >= ?")
        params.append(query.updated_since)
    if query.status is not None:
        where.append("status = ?")
        params.append(query.status)
    if query.q:
        escaped = query.q.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append("search_text LIKE ? ESCAPE '\\'")
        params.append(f"%{escaped}%")
    if query.has_external_id is not None:
        where.append("external_id IS NOT NULL" if query.has_external_id else "external_id IS NULL")
    sql = (
        f"SELECT {_COLUMNS} FROM records {index} WHERE {' AND '.join(where)} "  # noqa: S608 - fixed SQL fragments
        "ORDER BY seq LIMIT ?"
    )
    params.append(query.limit + 1)
    return sql, params


def _candidate(spec: EntitySpec, existing: StoredRecord | None, parsed: _Parsed) -> StoredRecord:
    """The record as it would be after the write (not stored yet)."""
    base = existing or StoredRecord(0, "", spec.name, None, None, "active", 0, 0, 0, {}, {}, {}, {})
    custom = dict(base.custom)
    for key, value in (parsed.custom or {}).items():
        if value is None:
            custom.pop(key, None)
        else:
            custom[key] = value
    return StoredRecord(
        base.seq,
        base.id,
        base.entity,
        parsed.external_id,
        base.external_source if parsed.external_source is MISSING else parsed.external_source,
        base.status if parsed.status is MISSING else parsed.status,
        base.version,
        base.created_at,
        base.updated_at,
        base.updated_by,
        parsed.fields,
        custom,
        base.metadata,
    )


def _changed_columns(spec: EntitySpec, old: StoredRecord, new: StoredRecord) -> dict[str, Any]:
    """The stored columns that differ between two states of a record, in stored form.

    Objects are compared as values and serialized only when they changed; the columns derived
    from the fields (uniqueness key, search text, reference) only when the fields changed.
    """
    changed: dict[str, Any] = {
        name: value
        for name, value, before in (
            ("external_id", new.external_id, old.external_id),
            ("external_source", new.external_source, old.external_source),
            ("status", new.status, old.status),
            ("version", new.version, old.version),
            ("updated_at", new.updated_at, old.updated_at),
        )
        if value != before
    }
    for name, value, before in (
        ("updated_by", new.updated_by, old.updated_by),
        ("fields", new.fields, old.fields),
        ("custom_fields", new.custom, old.custom),
        ("sync_metadata", new.metadata, old.metadata),
    ):
        if value != before:
            changed[name] = _json(value)
    if "fields" in changed:
        derivations: tuple[tuple[str, Callable[[dict[str, Any]], str | None]], ...] = (
            ("unique_key", spec.unique_key),
            ("search_text", spec.search_text),
            ("ref_id", partial(_reference_id, spec)),
        )
        for column, derive in derivations:
            derived = derive(new.fields)
            if derived != derive(old.fields):
                changed[column] = derived
    return changed


def _unique_part(spec: EntitySpec, record: StoredRecord) -> tuple[str | None, str]:
    """What the uniqueness rule looks at.

    When it did not change, the write cannot break uniqueness: the stored record already
    passed the same check (and records that took the name since were checked against it).
    """
    return spec.unique_key(record.fields), record.status


def _state(record: StoredRecord) -> tuple[Any, ...]:
    """What a person can change on a record (compared to detect unchanged writes)."""
    return (
        record.fields,
        record.custom,
        record.external_id,
        record.external_source,
        record.status,
    )


def _reference_id(spec: EntitySpec, fields: dict[str, Any]) -> str | None:
    for name in spec.reference_fields:
        value = fields.get(name)
        if value:
            return str(value)
    return None


def _parse(
    spec: EntitySpec, data: dict[str, Any], problems: Problems, definitions: list[cf.Definition]
) -> _Parsed:
    """Validate the members of ``data``; return the changes they ask for."""
    parsed = _Parsed(fields={})
    fields, validators = parsed.fields, spec.fields
    for key, value in data.items():
        validator = validators.get(key)
        if validator is not None and value is not None:
            checked = validator(value, key, problems)
            if checked is not INVALID:
                fields[key] = checked
        elif key in COMMON_READ_ONLY or key in spec.derived:
            problems.add(key, "read_only", f"{key} is set by Akountify: omit it")
        elif validator is not None:
            _clear_field(spec, key, parsed, problems)
        elif key == "custom_fields":
            parsed.custom = cf.parse_values(value, definitions, problems)
        elif key in _COMMON_PARSERS:
            setattr(parsed, _COMMON_PARSERS[key][0], _COMMON_PARSERS[key][1](value, problems))
        else:
            known = ", ".join([*spec.fields, *COMMON_WRITABLE])
            problems.add(
                key, "unknown_field", f"{key} is not a field of a {spec.singular}: use {known}"
            )
    return parsed


def _clear_field(spec: EntitySpec, key: str, parsed: _Parsed, problems: Problems) -> None:
    """A field sent as null: cleared, unless it is required."""
    if key in spec.required:
        problems.add(key, "required", f"{key} is required and cannot be cleared")
    else:
        parsed.fields[key] = None


def _status(value: Any, problems: Problems) -> Any:
    checked = v.choice(value, "status", problems, options=STATUSES)
    return MISSING if checked is INVALID else checked


def _external_id_value(value: Any, problems: Problems) -> Any:
    return _optional_id_text(value, "external_id", EXTERNAL_ID_MAX, problems)


def _external_source_value(value: Any, problems: Problems) -> Any:
    return _optional_id_text(value, "external_source", EXTERNAL_SOURCE_MAX, problems)


def check_external_id(value: Any, field: str, problems: Problems) -> bool:
    """Whether ``value`` is a usable external id (recording why not).

    An external id is a non-blank string of at most 255 characters without control characters.
    """
    checked = v.text(value, field, problems, max_len=EXTERNAL_ID_MAX)
    if isinstance(checked, str) and not checked.strip():
        problems.add(
            field, "invalid_format", f"{field} is blank: give the record's id in your system"
        )
        return False
    return isinstance(checked, str)


def require_external_id(value: str, subject: str) -> str:
    """Check an external id taken from a URL path.

    Raises:
        ApiError: 422 naming ``external_id`` when it is blank, too long or has control
            characters.
    """
    problems = Problems()
    if not check_external_id(value, "external_id", problems):
        raise validation_error(problems.details, subject)
    return value


def _optional_id_text(value: Any, key: str, max_len: int, problems: Problems) -> Any:
    if value is None:
        return None
    checked = v.text(value, key, problems, max_len=max_len)
    if isinstance(checked, str) and not checked.strip():
        return problems.add(key, "invalid_format", f"{key} is blank: send null to clear it")
    return MISSING if checked is INVALID else checked


def _sync_metadata(value: Any, problems: Problems) -> Any:
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.add(
            "sync_metadata", "invalid_format", "sync_metadata must be an object (or null to clear)"
        )
        return MISSING
    size = len(orjson.dumps(value))
    if size > SYNC_METADATA_MAX_BYTES:
        problems.add(
            "sync_metadata",
            "too_long",
            f"sync_metadata is {size} bytes serialized; the limit is {SYNC_METADATA_MAX_BYTES}: "
            "store less",
            limit=SYNC_METADATA_MAX_BYTES,
        )
        return MISSING
    return value


_COMMON_PARSERS: dict[str, tuple[str, Callable[[Any, Problems], Any]]] = {
    "external_id": ("external_id", _external_id_value),
    "external_source": ("external_source", _external_source_value),
    "status": ("status", _status),
    "sync_metadata": ("metadata", _sync_metadata),
}
