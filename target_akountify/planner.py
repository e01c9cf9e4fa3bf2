"""Decide, per record, what to write: the three-way, per-field comparison.

For every mapped field the planner knows three values: what the source says now (``new``),
what Akountify holds now (``dest``) and, from the record's ``sync_metadata``, a hash of what the
target last wrote and of what Akountify held right after (``base``). Then, per field:

* neither side moved since the last sync: nothing to write;
* only the source moved: write the new value;
* Akountify moved (a person edited the field there): a *conflict*, resolved by
  ``conflict_policy``: ``source_wins`` writes and reports, ``destination_wins`` keeps the
  Akountify value and reports, ``reject`` keeps the whole record aside;
* both sides agree again: nothing to write, the metadata is refreshed.

A field without a base (a record created by a person and linked by natural key, one holding our
external id without our metadata, or a field newly added to the mapping) is met for the first
time: empty in Akountify, it is filled from the source (no conflict: part of the link or update);
empty at the source, Akountify's value is kept (and becomes the base); only two different
non-empty values are a conflict, resolved by ``conflict_policy``. With a base, a field empty in
Akountify that the target last wrote non-empty was cleared by a person: a conflict.

Deletions archive the record with an upsert of ``status: archived`` that also marks, in the
``sync_metadata``, that the source archived it (``"archived": "source"``). A record restored at
the source later is then reactivated (an update, noted as restored). An archived record without
that mark was archived by a person: its ``status`` is a conflict, resolved like any field
(``destination_wins`` keeps it archived and marks ``"archived": "kept"``, so the next runs do
not report it again).

The hashes are the first 48 bits of xxHash's XXH3 digest of each canonical value's JSON, in hex
(metadata format 2, ``"v": 2``); records synced before hold format 1 (6-byte BLAKE2b digests,
about five times the CPU per field), which is still read, and such a record keeps format 1
(its hashes compared and rewritten in it), so that no record is written only to convert it.

Writes are sparse (only changed fields), carry the new ``sync_metadata`` and ``if_version`` (the
version read, or ``0`` for a create: "only if it does not exist yet"). Addresses and invoice
lines are replaced whole by Akountify, so a write of one of their parts sends the whole object
(other parts keep the values read).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import xxhash

from target_akountify.mapping.entities import line_index
from target_akountify.mapping.mapper import nest, read_flat
from target_akountify.mapping.values import canonical_from_akountify
from target_akountify.problems import Problem
from target_akountify.rejected import encode_json

if TYPE_CHECKING:
    from collections.abc import Callable

    from target_akountify.mapping.compile import CompiledStream
    from target_akountify.mapping.entities import FieldSpec
    from target_akountify.mapping.mapper import MappedRecord

#: The ``sync_metadata`` format written for records the target creates or first meets.
META_FORMAT = 2
ADDRESS_GROUPS = ("billing_address", "shipping_address")
ADDRESS_PARTS = ("line1", "line2", "city", "region", "postal_code", "country")
LINE_PARTS = ("description", "quantity", "unit_price")

PlanKind = Literal["create", "update", "link", "archive", "unchanged", "skip", "reject"]
#: ``sync_metadata`` mark: the source deleted the record and the target archived it.
ARCHIVED_BY_SOURCE = "source"
#: ``sync_metadata`` mark: a person archived it and ``destination_wins`` kept it archived.
ARCHIVE_KEPT = "kept"


def is_empty(value: Any) -> bool:
    """Return True for a canonical value that holds nothing (None, "", [] or {})."""
    return value is None or value in ("", [], {})


def _blake2b_hex(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=6).hexdigest()


def _xxh3_hex(data: bytes) -> str:
    return xxhash.xxh3_64_hexdigest(data)[:12]  # 48 bits, as format 1: the same metadata size


#: Hash of a value's JSON per ``sync_metadata`` format (format 1: written before format 2).
DIGESTS: dict[int, Callable[[bytes], str]] = {1: _blake2b_hex, 2: _xxh3_hex}


def value_hash(value: Any, meta_format: int = META_FORMAT) -> str:
    """Return a short, stable hash of a canonical value (what sync_metadata stores).

    Args:
        value: The canonical value.
        meta_format: The ``sync_metadata`` format whose hash is wanted.
    """
    return DIGESTS[meta_format](encode_json(value))


@dataclass(frozen=True)
class FieldConflict:
    """A mapped field edited in Akountify since the last sync.

    Attributes:
        path: The Akountify field.
        akountify_value: What Akountify holds.
        source_value: What the source says.
        resolution: ``overwritten``, ``kept`` or ``rejected``.
    """

    path: str
    akountify_value: Any
    source_value: Any
    resolution: str


@dataclass
class Plan:
    """What to do with one record.

    Attributes:
        kind: The outcome aimed at.
        operation: The batch operation (without ``op_id``), when something is written.
        conflicts: Conflicting fields found.
        problems: Why the record is rejected (kind ``reject``).
        note: A human note (why skipped, how linked).
        record_id: The Akountify id of the record planned against, if any.
        restores: The write reactivates a record that the source had deleted and restored.
    """

    kind: PlanKind
    operation: dict[str, Any] | None = None
    conflicts: list[FieldConflict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    note: str | None = None
    record_id: str | None = None
    restores: bool = False


def meta_format(current: dict[str, Any]) -> int | None:
    """Return the format of the target's ``sync_metadata`` on a record, or None (none known)."""
    meta = current.get("sync_metadata")
    version = meta.get("v") if isinstance(meta, dict) else None
    return version if type(version) is int and version in DIGESTS else None


def read_meta(current: dict[str, Any]) -> dict[str, tuple[str, str]] | None:
    """Return the per-field (source hash, Akountify hash) pairs stored by the target, or None.

    The hashes are in the metadata's own format (see :func:`meta_format`).
    """
    if meta_format(current) is None:
        return None
    meta = current["sync_metadata"]
    pairs: dict[str, tuple[str, str]] = {}
    for path, stored in (meta.get("f") or {}).items():
        if isinstance(stored, str):
            pairs[path] = (stored, stored)
        elif isinstance(stored, list) and len(stored) == 2:  # noqa: PLR2004
            pairs[path] = (str(stored[0]), str(stored[1]))
    return pairs


def build_meta(
    stream: str,
    pairs: dict[str, tuple[str, str]],
    archived: str | None = None,
    meta_format: int = META_FORMAT,
) -> dict[str, Any]:
    """Return the sync_metadata object for per-field (source, Akountify) hashes.

    Args:
        stream: The source stream.
        pairs: Per-field hashes.
        archived: Why the record is archived, when the target knows (see the module doc).
        meta_format: The format the hashes are in.
    """
    meta: dict[str, Any] = {
        "v": meta_format,
        "stream": stream,
        "f": {p: s if s == d else [s, d] for p, (s, d) in sorted(pairs.items())},
    }
    if archived is not None:
        meta["archived"] = archived
    return meta


def archive_mark(current: dict[str, Any]) -> str | None:
    """Return why the target knows the record is archived (``source``, ``kept``), or None."""
    meta = current.get("sync_metadata")
    mark = meta.get("archived") if isinstance(meta, dict) else None
    return mark if mark in {ARCHIVED_BY_SOURCE, ARCHIVE_KEPT} else None


@dataclass(frozen=True)
class _Status:
    """What an update does about the record's status.

    Attributes:
        restore: Reactivate the record (``data.status = "active"``).
        restored_at_source: The reactivation follows the source restoring a record it had
            deleted (not a conflict resolved by ``source_wins``).
        archived_mark: The archive mark to keep in the metadata (the record stays archived).
    """

    restore: bool = False
    restored_at_source: bool = False
    archived_mark: str | None = None


@dataclass(frozen=True)
class _Changes:
    """The outcome of the per-field comparison of one record."""

    writes: dict[str, Any]
    pairs: dict[str, tuple[str, str]]
    conflicts: list[FieldConflict]
    status: _Status
    meta_format: int


class Planner:
    """Plans the writes of one compiled stream.

    Args:
        compiled: The stream's compiled mapping.
        conflict_policy: ``source_wins``, ``destination_wins`` or ``reject``.
    """

    def __init__(self, compiled: CompiledStream, conflict_policy: str) -> None:
        """Index the stream's fields."""
        self.compiled = compiled
        self.entity = compiled.entity.name
        self.policy = conflict_policy
        self.specs: dict[str, FieldSpec] = {f.path: f.spec for f in compiled.fields}
        self.references = frozenset(p for p, s in self.specs.items() if s.kind == "reference")
        self.external_source = compiled.mapping.external_source

    def plan(
        self,
        item: MappedRecord,
        current: dict[str, Any] | None,
        *,
        link_candidate: dict[str, Any] | None = None,
    ) -> Plan:
        """Plan one record.

        Args:
            item: The mapped source record (no problems).
            current: The Akountify record with the same external id, if any.
            link_candidate: A hand-typed record to link (when ``current`` is None).

        Returns:
            The plan.
        """
        if item.intent == "archive":
            return self._plan_archive(item, current)
        if current is None and link_candidate is None:
            return self._plan_create(item)
        target = current if current is not None else link_candidate
        assert target is not None  # noqa: S101 - narrowed above
        return self._plan_update(item, target, link=current is None)

    def _plan_archive(self, item: MappedRecord, current: dict[str, Any] | None) -> Plan:
        if current is None:
            return Plan("skip", note="deleted at the source and absent from Akountify")
        if current.get("status") == "archived":
            return Plan("unchanged", note="already archived", record_id=current.get("id"))
        known = dict(current["sync_metadata"]) if meta_format(current) is not None else {}
        marked = build_meta(item.stream, {}) | known | {"archived": ARCHIVED_BY_SOURCE}
        operation = {
            "action": "upsert",
            "entity": self.entity,
            "external_id": item.external_id,
            "if_version": int(current["version"]),
            "data": {"status": "archived", "sync_metadata": marked},
        }
        return Plan("archive", operation, record_id=current.get("id"))

    def _plan_create(self, item: MappedRecord) -> Plan:
        values = {p: v for p, v in item.values.items() if v is not None and v != []}
        data = nest(values, self.references)
        if self.external_source is not None:
            data["external_source"] = self.external_source
        # build_meta of pairs of equal hashes, without building the pairs (a per-record cost)
        digest, encode = DIGESTS[META_FORMAT], encode_json
        hashes = {p: digest(encode(v)) for p, v in sorted(item.values.items())}
        data["sync_metadata"] = {"v": META_FORMAT, "stream": item.stream, "f": hashes}
        operation = {
            "action": "upsert",
            "entity": self.entity,
            "external_id": item.external_id,
            "if_version": 0,
            "data": data,
        }
        return Plan("create", operation)

    def _plan_update(self, item: MappedRecord, current: dict[str, Any], *, link: bool) -> Plan:
        base = read_meta(current)
        fmt = meta_format(current) or META_FORMAT  # a record keeps the format it has
        writes: dict[str, Any] = {}
        pairs: dict[str, tuple[str, str]] = {}
        conflicts: list[FieldConflict] = []
        for path, new in item.values.items():
            spec = self.specs[path]
            dest = canonical_from_akountify(spec, read_flat(current, path))
            new_hash = value_hash(new, fmt)
            if new == dest:
                pairs[path] = (new_hash, new_hash)
                continue
            dest_hash = value_hash(dest, fmt)
            known = base.get(path) if base is not None else None
            if known is None:  # first contact: a linked record, or a field newly mapped
                if is_empty(dest) or is_empty(new):
                    pairs[path] = self._first_contact(
                        path, new, dest, (new_hash, dest_hash), writes
                    )
                    continue
                source_moved = akountify_moved = True  # two different values: a conflict
            else:
                source_moved = new_hash != known[0]
                akountify_moved = dest_hash != known[1]
            if not akountify_moved:
                if source_moved:
                    writes[path] = new
                    pairs[path] = (new_hash, new_hash)
                else:
                    pairs[path] = known if known is not None else (new_hash, dest_hash)
                continue
            conflicts.append(self._conflict(path, dest, new))
            if self.policy == "source_wins":
                writes[path] = new
                pairs[path] = (new_hash, new_hash)
            else:
                pairs[path] = (new_hash, dest_hash)
        status = self._plan_status(current, conflicts, link=link)
        if conflicts and self.policy == "reject":
            return Plan(
                "reject",
                conflicts=conflicts,
                problems=[self._conflict_problem(c) for c in conflicts],
                record_id=current.get("id"),
            )
        return self._update_operation(
            item, current, _Changes(writes, pairs, conflicts, status, fmt), link=link
        )

    @staticmethod
    def _first_contact(
        path: str,
        new: Any,
        dest: Any,
        hashes: tuple[str, str],
        writes: dict[str, Any],
    ) -> tuple[str, str]:
        """Settle a field without a sync history where one side is empty: no conflict.

        Empty in Akountify: filled from the source. Empty at the source: Akountify's value
        (typed by a person) is kept, and becomes the base a later source value replaces.

        Returns:
            The field's new (source, Akountify) hash pair.
        """
        new_hash, dest_hash = hashes
        if is_empty(dest):
            writes[path] = new
            return (new_hash, new_hash)
        return (new_hash, dest_hash)

    def _plan_status(
        self, current: dict[str, Any], conflicts: list[FieldConflict], *, link: bool
    ) -> _Status:
        """Decide about an archived record that the source holds as live."""
        if link or current.get("status") != "archived":
            return _Status()
        mark = archive_mark(current)
        if mark == ARCHIVED_BY_SOURCE:
            return _Status(restore=True, restored_at_source=True)
        if mark == ARCHIVE_KEPT:
            return _Status(archived_mark=ARCHIVE_KEPT)
        conflicts.append(self._conflict("status", "archived", "active"))
        if self.policy == "source_wins":
            return _Status(restore=True)
        return _Status(archived_mark=ARCHIVE_KEPT)

    def _conflict(self, path: str, dest: Any, new: Any) -> FieldConflict:
        resolution = {
            "source_wins": "overwritten",
            "destination_wins": "kept",
            "reject": "rejected",
        }[self.policy]
        return FieldConflict(path, dest, new, resolution)

    @staticmethod
    def _conflict_problem(conflict: FieldConflict) -> Problem:
        return Problem(
            conflict.path,
            "conflict",
            f"edited in Akountify since the last sync (Akountify has "
            f"{conflict.akountify_value!r}, the source says {conflict.source_value!r})",
            "make both sides agree (edit either one), or set conflict_policy to source_wins "
            "or destination_wins; the record is retried on the next run",
        )

    def _update_operation(
        self, item: MappedRecord, current: dict[str, Any], changes: _Changes, *, link: bool
    ) -> Plan:
        conflicts = changes.conflicts
        meta = build_meta(
            item.stream, changes.pairs, changes.status.archived_mark, changes.meta_format
        )
        data: dict[str, Any] = nest(self._complete_groups(changes.writes, current), self.references)
        if changes.status.restore:
            data["status"] = "active"
        if self.external_source is not None and current.get("external_source") != (
            self.external_source
        ):
            data["external_source"] = self.external_source
        if link:
            data["external_id"] = item.external_id
        if not data and current.get("sync_metadata") == meta:
            return Plan("unchanged", conflicts=conflicts, record_id=current.get("id"))
        data["sync_metadata"] = meta
        operation: dict[str, Any] = {
            "action": "upsert",
            "entity": self.entity,
            "if_version": int(current["version"]),
            "data": data,
        }
        if link:
            operation["id"] = current["id"]
        else:
            operation["external_id"] = item.external_id
        kind: PlanKind = "link" if link else "update"
        return Plan(
            kind,
            operation,
            conflicts=conflicts,
            record_id=current.get("id"),
            restores=changes.status.restored_at_source,
        )

    def _complete_groups(self, writes: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
        """Send whole addresses and whole line lists, since Akountify replaces them whole."""
        completed = dict(writes)
        for group in ADDRESS_GROUPS:
            if any(p.startswith(f"{group}.") for p in writes):
                for part in ADDRESS_PARTS:
                    path = f"{group}.{part}"
                    completed.setdefault(path, read_flat(current, path))
        if any(line_index(p) is not None for p in writes):
            existing = len(current.get("lines") or [])
            mapped = {line_index(p) for p in self.specs} - {None}
            count = max(existing, max((i for i in mapped if i is not None), default=-1) + 1)
            for index in range(count):
                for part in LINE_PARTS:
                    path = f"lines.{index}.{part}"
                    if path not in completed:
                        value = read_flat(current, path)
                        if value is not None or part == "description":
                            completed[path] = value
        return completed
