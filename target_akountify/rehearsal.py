"""Dry runs: Akountify's answers to a batch, predicted from reads, without writing anything.

A dry run goes through the same reading, matching, planning and settling as a real run; only
the batch request is replaced by :meth:`Rehearsal.batch`, which answers each operation as
Akountify would, from what Akountify holds (read) and what the dry run itself would have
written before it:

* a reference to a record that neither exists nor would have been created → 422
  ``invalid_reference`` (a contact whose account is rejected, or missing);
* a display name (customers, among active ones) or an invoice number (all invoices) held by
  another record → 409 ``duplicate_name`` / ``duplicate_number``, with the holder's id when it
  exists, so the writer follows up exactly as in a real run (links an unlinked holder, renames
  by ``duplicate_name_suffix``, or rejects);
* otherwise 201 ``created`` (``if_version`` 0) or 200 ``updated`` / ``archived``.

Uniqueness is compared as Akountify does (trimmed, case-insensitive). Existing names and
numbers are read once per dry run, lazily (only when an operation writes one); references are
checked by external id, 100 per read, remembered for the run. Field validation needs no
rehearsal: the mapping already checks every value as Akountify would.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from target_akountify.client import ApiResponse
from target_akountify.mapping.entities import CUSTOMERS, ENTITIES, INVOICES
from target_akountify.rejected import decode_json

if TYPE_CHECKING:
    from collections.abc import Iterator

    from target_akountify.client import AkountifyClient

READ_CHUNK = 100
PAGE_SIZE = 200


@dataclass(frozen=True)
class _Unique:
    """A field whose value is unique per company."""

    field: str
    code: str
    active_only: bool


UNIQUE: dict[str, _Unique] = {
    CUSTOMERS: _Unique("display_name", "duplicate_name", active_only=True),
    INVOICES: _Unique("number", "duplicate_number", active_only=False),
}


@dataclass(frozen=True)
class _Holder:
    """Who holds a unique value: an Akountify id, an external id, or both."""

    id: str | None
    external_id: str | None

    def same_as(self, other: _Holder) -> bool:
        """Whether both name the same record (same id, or same external id)."""
        return (self.id is not None and self.id == other.id) or (
            self.external_id is not None and self.external_id == other.external_id
        )

    def tokens(self) -> list[str]:
        """The keys this holder is found under."""
        return [f"id:{self.id}"] * (self.id is not None) + [f"ext:{self.external_id}"] * (
            self.external_id is not None
        )


def unique_key(value: Any) -> str | None:
    """Return how Akountify compares unique names and numbers: trimmed, case-insensitive."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().casefold()


class Rehearsal:
    """Answers batches as Akountify would, for a dry run (see the module doc).

    Args:
        client: The Akountify client (reads only).
    """

    def __init__(self, client: AkountifyClient) -> None:
        """Start with nothing known."""
        self.client = client
        self._exists: dict[str, dict[str, bool]] = {}
        self._holders: dict[str, dict[str, _Holder]] = {}
        self._owners: dict[str, dict[str, tuple[_Holder, str | None]]] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ the batch

    def batch(self, operations: list[dict[str, Any]] | bytes, *, key_salt: str = "") -> ApiResponse:
        """Answer a batch like ``POST /batch`` would, writing nothing.

        Args:
            operations: The operations (with ``op_id``), or the batch body already encoded.
            key_salt: Unused (no Idempotency-Key: nothing is sent).
        """
        _ = key_salt
        if isinstance(operations, bytes):
            operations = list(decode_json(operations)["operations"])
        with self._lock:
            self._learn_references(operations)
            results = [self._answer(op) for op in operations]
        return ApiResponse(200, {"results": results}, {})

    def _answer(self, op: dict[str, Any]) -> dict[str, Any]:
        entity = str(op["entity"])
        data: dict[str, Any] = op.get("data") or {}
        holder = _Holder(op.get("id"), data.get("external_id") or op.get("external_id"))
        missing = [
            self._reference_detail(path, value)
            for path, value, parent in self._references(entity, data)
            if not self._exists.get(parent, {}).get(str(value["external_id"]), False)
        ]
        if missing:
            return _failure(op, 422, "invalid_reference", "a referenced record is missing", missing)
        archiving = op.get("action") == "archive" or data.get("status") == "archived"
        clash = None if archiving else self._clash(entity, data, holder)
        if clash is not None:
            return clash | {"op_id": op.get("op_id")}
        self._record(entity, data, holder, archiving=archiving)
        if archiving:
            return _success(op, 200, "archived")
        if op.get("if_version") == 0:
            return _success(op, 201, "created")
        return _success(op, 200, "updated")

    # ------------------------------------------------------------------ references

    @staticmethod
    def _references(entity: str, data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], str]]:
        spec = ENTITIES.get(entity)
        if spec is None:
            return
        for path, field_spec in spec.fields.items():
            value = data.get(path)
            parent = field_spec.reference_to
            if parent is not None and isinstance(value, dict) and value.get("external_id"):
                yield path, value, parent

    def _learn_references(self, operations: list[dict[str, Any]]) -> None:
        """Read, 100 per call, whether the batch's referenced records exist in Akountify."""
        unknown: dict[str, set[str]] = {}
        for op in operations:
            for _, value, parent in self._references(str(op["entity"]), op.get("data") or {}):
                external_id = str(value["external_id"])
                if external_id not in self._exists.get(parent, {}):
                    unknown.setdefault(parent, set()).add(external_id)
        for parent, external_ids in unknown.items():
            ordered = sorted(external_ids)
            known = self._exists.setdefault(parent, {})
            for start in range(0, len(ordered), READ_CHUNK):
                chunk = ordered[start : start + READ_CHUNK]
                found = {
                    str(r["external_id"])
                    for r in self.client.list_by_external_ids(parent, chunk)
                    if r.get("external_id") is not None
                }
                known.update((e, e in found) for e in chunk)

    @staticmethod
    def _reference_detail(path: str, value: dict[str, Any]) -> dict[str, Any]:
        return {
            "field": f"data.{path}",
            "code": "invalid_reference",
            "message": f"{path}: no customer has external_id {value['external_id']!r}: upsert "
            "the customer first",
        }

    # ------------------------------------------------------------------ unique values

    def _existing_holders(self, entity: str, unique: _Unique) -> dict[str, _Holder]:
        """Read, once per dry run, who holds each unique value in Akountify."""
        holders = self._holders.get(entity)
        if holders is not None:
            return holders
        holders = {}
        owners: dict[str, tuple[_Holder, str | None]] = {}
        params = [("limit", str(PAGE_SIZE))]
        if unique.active_only:
            params.append(("status", "active"))
        for record in self._pages(entity, params):
            key = unique_key(record.get(unique.field))
            holder = _Holder(record.get("id"), record.get("external_id"))
            owners.update((token, (holder, key)) for token in holder.tokens())
            if key is not None:
                holders.setdefault(key, holder)
        self._holders[entity], self._owners[entity] = holders, owners
        return holders

    def _pages(self, entity: str, params: list[tuple[str, str]]) -> Iterator[dict[str, Any]]:
        path = f"/companies/{self.client.company_id}/{entity}"
        cursor: str | None = None
        while True:
            page = [*params, ("cursor", cursor)] if cursor else params
            body = self.client.request("GET", path, params=page).body
            yield from body.get("data", [])
            cursor = body.get("next_cursor")
            if not body.get("has_more") or not cursor:
                return

    def _clash(self, entity: str, data: dict[str, Any], holder: _Holder) -> dict[str, Any] | None:
        unique = UNIQUE.get(entity)
        key = unique_key(data.get(unique.field)) if unique is not None else None
        if unique is None or key is None:
            return None
        other = self._existing_holders(entity, unique).get(key)
        if other is None or other.same_as(holder):
            return None
        name = unique.field
        existing = other.id or f"the record with external id {other.external_id!r}"
        detail: dict[str, Any] = {
            "field": name,
            "code": unique.code,
            "message": f"{name} clashes with {existing}: change it, or link to that record "
            "instead of creating a new one",
        }
        if other.id is not None:
            detail["existing_id"] = other.id
        return {
            "status": 409,
            "result": None,
            "record": None,
            "error": {
                "code": unique.code,
                "message": f"{name} {data[name]!r} is already used by {existing} (names are "
                "compared trimmed and case-insensitively)",
                "details": [detail],
            },
        }

    def _record(
        self, entity: str, data: dict[str, Any], holder: _Holder, *, archiving: bool
    ) -> None:
        """Remember what the operation would have written."""
        if holder.external_id is not None:
            self._exists.setdefault(entity, {})[holder.external_id] = True
        unique = UNIQUE.get(entity)
        if unique is None or entity not in self._holders:
            return
        holders, owners = self._holders[entity], self._owners[entity]
        owned = next((owners[t] for t in holder.tokens() if t in owners), None)
        old_holder, previous = owned if owned is not None else (None, None)
        identity = _Holder(
            holder.id or (old_holder.id if old_holder else None),
            holder.external_id or (old_holder.external_id if old_holder else None),
        )
        key = unique_key(data.get(unique.field)) if unique.field in data else previous
        if archiving and unique.active_only:
            key = None
        if previous is not None and previous != key and holders.get(previous) is old_holder:
            del holders[previous]
        owners.update((token, (identity, key)) for token in identity.tokens())
        if key is not None:
            holders[key] = identity


def _success(op: dict[str, Any], status: int, result: str) -> dict[str, Any]:
    return {"op_id": op.get("op_id"), "status": status, "result": result, "record": None}


def _failure(
    op: dict[str, Any], status: int, code: str, message: str, details: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "op_id": op.get("op_id"),
        "status": status,
        "result": None,
        "record": None,
        "error": {"code": code, "message": message, "details": details},
    }
