"""Write mapped records to Akountify: read, match, plan, batch, and settle every record.

One :class:`Writer` serves the whole run (all streams). For each drained group of records it:

1. rejects records that failed mapping, counts skipped ones;
2. collapses records with the same external id (the latest wins);
3. reads the current Akountify records by external id, 100 per call, a few calls ahead (on a
   first sync, when the entity holds no record with an external id at all, the upserts are not
   read: see "First syncs" below);
4. for records with no twin, looks for a hand-typed record to link (natural keys);
5. plans each record (three-way compare, see ``planner.py``);
6. sends the operations in full batches of up to 50 (and under the 3.5 MB body limit), several
   batches in flight, each with an Idempotency-Key derived from its content.

Steps 3 to 6 are a pipeline: a read's 100 records are planned as soon as it answers and their
batches are sent at once, while the next reads are already on their way, so reads overlap
writes and the planning of one chunk overlaps the requests of the others. Across drains,
:meth:`Writer.prepare` sends the first reads of a drain while the drain before it is still being
written (never for an external id that an earlier drain still writes: such a read could be
stale), so the writes of one drain run into the next without a pause;
7. settles every operation's result: counts it, removes the record from the rejected store, or
   follows up (412 → re-read and plan again; 409 duplicate name → link the unlinked holder or
   rename by ``duplicate_name_suffix`` or reject; 404 → create) or rejects it with the reason
   and the fix.

Every record ends written, unchanged, skipped or rejected (kept in the rejected store) before
:meth:`Writer.write` returns; only then may the caller acknowledge it (STATE).

First syncs. Reading before writing finds the records to compare; on a company that holds no
record of the entity with an external id, it can find none, and would cost one call per 100
records (a third of a first sync's calls; at Akountify's 60 requests a minute, a million
records load in about 5.6 hours instead of 8.3). Once a run has
:data:`FIRST_SYNC_CHECK_AFTER` upserts for an entity, the writer asks Akountify, in one call,
whether any record of the entity (active or archived) has an external id. If none has, the
upserts of the entity are planned as creates without reading them for the rest of the run.
That stays safe: a create carries ``if_version: 0`` ("only if it does not exist yet"), so a
record that appeared meanwhile (written by someone else, or by an earlier drain of this run:
the same source record sent twice) is refused with 412, read, and planned again, as any
version conflict is. Deletions are still read (an archive needs the record), and records typed
by hand are still linked by natural key (their index is read as before). A smaller run, such as
a daily incremental one, never makes the extra call.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self

from target_akountify.client import batch_body, encode_operation
from target_akountify.mapping.entities import CUSTOMERS
from target_akountify.matching import NaturalKeyIndex
from target_akountify.planner import Plan, Planner
from target_akountify.problems import Problem
from target_akountify.rejected import record_key
from target_akountify.report import utc_now
from target_akountify.text import truncate

if TYPE_CHECKING:
    from target_akountify.client import AkountifyClient, ApiResponse
    from target_akountify.mapping.compile import CompiledStream
    from target_akountify.mapping.mapper import MappedRecord
    from target_akountify.rehearsal import Rehearsal
    from target_akountify.rejected import RejectedStore
    from target_akountify.report import SyncReport
    from target_akountify.settings import Settings

LOGGER = logging.getLogger("target_akountify.writer")
READ_CHUNK = 100
#: Upserts of one entity in a run after which the writer checks whether it is a first sync
#: (see "First syncs" above): the check is one call, against at least 30 for these records.
FIRST_SYNC_CHECK_AFTER = 1000
#: Reads by external id sent ahead of the chunk being planned.
READ_AHEAD = 2
MAX_BODY_BYTES = 3_400_000  # Akountify refuses bodies over 3,670,016 bytes; keep a margin
MAX_ROUNDS = 4
MAX_WARNINGS_LOGGED = 50
_DETAIL_INDEX = re.compile(r"\[(\d+)\]")

_DETAIL_FIXES: dict[str, str] = {
    "required": "fill the field at the source, or give the mapping a default",
    "too_long": "shorten the value at the source, or set too_long: truncate",
    "invalid_format": "correct the value at the source, or add a transform to the mapping",
    "invalid_value": "correct the value at the source, or add a value_map to the mapping",
    "invalid_reference": (
        "the referenced record is not in Akountify (it may be rejected or filtered out): fix "
        "that record first; this one is retried on the next run"
    ),
    "unknown_field": "remove the field from the mapping, or define the custom field",
    "read_only": "remove the field from the mapping: Akountify computes it",
    "too_many": "send fewer values",
    "forbidden_characters": "remove the character at the source",
    "duplicate_number": "invoice numbers must be unique: change the number at the source",
    "duplicate_external_id": "another record already has this external id",
}


@dataclass
class WorkItem:
    """One record to settle.

    Attributes:
        mapped: The mapped source record.
        retried: It comes from the rejected store (an earlier run).
    """

    mapped: MappedRecord
    retried: bool = False


@dataclass(eq=False)  # one registration is one drain: compared (and removed) by identity
class Prepared:
    """A drain registered before it is written (see :meth:`Writer.prepare`).

    Attributes:
        entity: The entity written.
        keys: The external ids the drain writes (reserved until it is written).
        chunks: The external ids of each chunk read ahead.
        reads: The reads of these chunks, on their way.
        unread: Its upserts are planned without reading (a first sync, see above).
    """

    entity: str
    keys: frozenset[str]
    chunks: list[list[str]]
    reads: list[Future[list[dict[str, Any]]]]
    unread: bool = False


@dataclass
class _Pending:
    """An operation on its way, with what is needed to follow it up."""

    item: WorkItem
    plan: Plan
    rounds: int = 1
    names_tried: list[str] = field(default_factory=list)


class Writer:
    """Writes records of every stream for one run.

    Args:
        client: The Akountify client.
        settings: The target settings.
        report: The run's report.
        store: The rejected store.
    """

    def __init__(
        self,
        client: AkountifyClient,
        settings: Settings,
        report: SyncReport,
        store: RejectedStore,
    ) -> None:
        """Prepare the thread pool and the (lazy) natural-key indexes."""
        self.client = client
        self.settings = settings
        self.report = report
        self.store = store
        # Separate pools, so that a read is never queued behind a drain's writes; the client
        # keeps the requests in flight at max_concurrency whatever the pools hold.
        self._readers = ThreadPoolExecutor(max_workers=READ_AHEAD, thread_name_prefix="read")
        self._senders = ThreadPoolExecutor(
            max_workers=settings.max_concurrency, thread_name_prefix="write"
        )
        self.run_id = uuid.uuid4().hex
        # a dry run plans and settles like a real one; only its batches are answered locally
        self.rehearsal: Rehearsal | None = None
        if settings.dry_run:
            from target_akountify.rehearsal import Rehearsal  # noqa: PLC0415 - dry runs only

            self.rehearsal = Rehearsal(client)
        self._indexes: dict[str, NaturalKeyIndex] = {}
        self._first_sync: dict[str, bool] = {}  # entity -> held no external id when checked
        self._upserts_seen: dict[str, int] = {}
        self._first_sync_lock = threading.Lock()
        self._reserved: list[Prepared] = []
        self._reserved_lock = threading.Lock()
        self._index_lock = threading.Lock()
        self._warnings_logged = 0

    def close(self) -> None:
        """Stop the thread pools."""
        self._readers.shutdown(wait=True)
        self._senders.shutdown(wait=True)

    # ------------------------------------------------------------------ entry point

    def prepare(self, compiled: CompiledStream, items: list[WorkItem]) -> Prepared:
        """Register a drain that will be written after the ones registered before it.

        Call it in the order the drains are written, then pass the result to :meth:`write`. It
        reserves the drain's external ids and, unless a drain registered earlier and not yet
        written holds one of the first ones, sends the reads of its first chunks now.

        Args:
            compiled: The stream's compiled mapping.
            items: The records, as they will be given to :meth:`write`.

        Returns:
            The registration.
        """
        entity = compiled.entity.name
        order = _live_order(items)
        unread = self._upserts_unread(entity, items)
        to_read = _to_read(items, order, unread=unread)
        head = to_read[: READ_CHUNK * READ_AHEAD]
        prepared = Prepared(entity, frozenset(order), [], [], unread)
        with self._reserved_lock:
            busy = any(
                earlier.entity == entity and not earlier.keys.isdisjoint(head)
                for earlier in self._reserved
            )
            self._reserved.append(prepared)
        if head and not busy:
            prepared.chunks = [head[i : i + READ_CHUNK] for i in range(0, len(head), READ_CHUNK)]
            prepared.reads = [
                self._readers.submit(self.client.list_by_external_ids, entity, chunk)
                for chunk in prepared.chunks
            ]
        return prepared

    def write(
        self, compiled: CompiledStream, items: list[WorkItem], prepared: Prepared | None = None
    ) -> int:
        """Settle every item: write, skip as unchanged, or reject.

        Args:
            compiled: The stream's compiled mapping.
            items: The records, in arrival order.
            prepared: What :meth:`prepare` returned for these items, if it was called.

        Returns:
            How many records were merged into a later one with the same external id.
        """
        try:
            return self._write(compiled, items, prepared)
        finally:
            if prepared is not None:
                with self._reserved_lock:
                    self._reserved.remove(prepared)

    def _write(
        self, compiled: CompiledStream, items: list[WorkItem], prepared: Prepared | None
    ) -> int:
        planner = Planner(compiled, self.settings.conflict_policy)
        live: dict[str, WorkItem] = {}
        for item in items:
            if self._settle_early(item):
                continue
            assert item.mapped.external_id is not None  # noqa: S101 - checked by mapping
            live.pop(item.mapped.external_id, None)
            live[item.mapped.external_id] = item
        merged = sum(1 for i in items if i.mapped.ok and i.mapped.intent != "skip") - len(live)
        try:
            if live:
                pending = self._first_round(planner, live, prepared)
                rounds = 1
                while pending and rounds < MAX_ROUNDS:
                    rounds += 1
                    sender = _BatchSender(self, planner, rounds)
                    with sender:
                        for entry in pending:
                            sender.add(entry)
                        pending = sender.finish()
        finally:
            self.store.flush()
        return merged

    def _settle_early(self, item: WorkItem) -> bool:
        """Settle records that need no Akountify call; return True when settled."""
        mapped = item.mapped
        self._log_warnings(mapped)
        if not mapped.ok:
            self.reject(item, mapped.problems)
            return True
        if mapped.intent == "skip":
            self._settled(item, "skipped")
            self.store.resolve(mapped.stream, mapped.external_id, mapped.record)
            return True
        return False

    def _log_warnings(self, mapped: MappedRecord) -> None:
        for warning in mapped.warnings:
            if self._warnings_logged >= MAX_WARNINGS_LOGGED:
                return
            self._warnings_logged += 1
            LOGGER.warning(
                "%s %s: %s (%s)%s",
                mapped.stream,
                mapped.external_id,
                warning.describe(),
                warning.code,
                " — further warnings are not logged"
                if self._warnings_logged == MAX_WARNINGS_LOGGED
                else "",
            )

    # ------------------------------------------------------------------ reading

    def _first_round(
        self, planner: Planner, live: dict[str, WorkItem], prepared: Prepared | None
    ) -> list[_Pending]:
        """Read, plan and send the drain chunk by chunk; return the follow-ups.

        Up to :data:`READ_AHEAD` reads are in flight ahead of the chunk being planned (the
        first ones sent by :meth:`prepare`, when it could); each chunk's operations join the
        batches being filled, and a full batch is sent at once.
        """
        if prepared is not None and prepared.entity == planner.entity:
            unread = prepared.unread
        else:
            unread = self._upserts_unread(planner.entity, list(live.values()))
        to_read = _to_read(list(live.values()), list(live), unread=unread)
        chunks = [to_read[i : i + READ_CHUNK] for i in range(0, len(to_read), READ_CHUNK)]
        reads: deque[Future[list[dict[str, Any]]]] = deque()
        if (
            prepared is not None
            and prepared.entity == planner.entity
            and prepared.chunks == chunks[: len(prepared.chunks)]
        ):
            reads.extend(prepared.reads)
        sender = _BatchSender(self, planner, 1)
        with sender:
            if unread:
                read_set = set(to_read)
                creates = [e for e in live if e not in read_set]
                for start in range(0, len(creates), READ_CHUNK):
                    chunk = creates[start : start + READ_CHUNK]
                    for entry in self._plan_all(planner, {e: live[e] for e in chunk}, {}):
                        sender.add(entry)
            for index, chunk in enumerate(chunks):
                for ahead in chunks[index + len(reads) : index + READ_AHEAD]:
                    reads.append(
                        self._readers.submit(
                            self.client.list_by_external_ids, planner.entity, ahead
                        )
                    )
                current = {
                    str(record["external_id"]): record
                    for record in reads.popleft().result()
                    if record.get("external_id") is not None
                }
                for entry in self._plan_all(planner, {e: live[e] for e in chunk}, current):
                    sender.add(entry)
            return sender.finish()

    def _upserts_unread(self, entity: str, items: list[WorkItem]) -> bool:
        """Whether the upserts of a drain go unread: the entity held no external id (see above).

        Asks Akountify once per entity and run, when the run's upserts of the entity reach
        :data:`FIRST_SYNC_CHECK_AFTER`; before that, and when it holds linked records, no.
        """
        with self._first_sync_lock:
            known = self._first_sync.get(entity)
            if known is not None:
                return known
            upserts = sum(1 for item in items if item.mapped.ok and item.mapped.intent == "upsert")
            seen = self._upserts_seen[entity] = self._upserts_seen.get(entity, 0) + upserts
            if seen < FIRST_SYNC_CHECK_AFTER:
                return False
            first = self._first_sync[entity] = not self.client.any_linked(entity)
        if first:
            LOGGER.info(
                "No %s in Akountify has an external id yet: a first sync, so new records are "
                "created without reading them first (a create is refused, then read, if the "
                "record appeared meanwhile)",
                entity,
            )
        return first

    def _index(self, entity: str, mapped_paths: set[str]) -> NaturalKeyIndex | None:
        keys = self.settings.natural_keys.get(entity) or []
        usable = [
            k
            for k in keys
            if k in mapped_paths or (k == "name" and {"first_name", "last_name"} & mapped_paths)
        ]
        if not self.settings.match_existing or not usable:
            return None
        with self._index_lock:
            index = self._indexes.get(entity)
            if index is None:
                index = NaturalKeyIndex(keys, self.settings.name_options)
                index.add_all(self.client.list_unlinked(entity))
                self._indexes[entity] = index
                LOGGER.info(
                    "%d %s typed by hand in Akountify (no external id) can be linked by %s",
                    len(index),
                    entity,
                    ", ".join(keys),
                )
            return index

    # ------------------------------------------------------------------ planning

    def _plan_all(
        self,
        planner: Planner,
        live: dict[str, WorkItem],
        current: dict[str, dict[str, Any]],
    ) -> list[_Pending]:
        pending: list[_Pending] = []
        index: NaturalKeyIndex | None = None
        index_ready = False
        for external_id, item in live.items():
            record = current.get(external_id)
            candidate = None
            if record is None and item.mapped.intent == "upsert":
                if not index_ready:  # loaded at the first record that may need it
                    index, index_ready = self._index(planner.entity, set(planner.specs)), True
                claimed = index.claim(item.mapped.values) if index is not None else None
                if claimed is not None:
                    candidate = claimed[0]
                    LOGGER.info(
                        "%s %s matches %s %s typed by hand (same %s): linking",
                        item.mapped.stream,
                        external_id,
                        planner.entity,
                        candidate.get("id"),
                        claimed[1],
                    )
            plan = planner.plan(item.mapped, record, link_candidate=candidate)
            settled = self._settle_plan(item, plan)
            if not settled:
                pending.append(_Pending(item, plan))
        return pending

    def _settle_plan(self, item: WorkItem, plan: Plan) -> bool:
        """Settle plans that need no write; return True when settled."""
        mapped = item.mapped
        if plan.kind == "reject":
            self._note_conflicts(mapped, plan)
            self.reject(item, plan.problems)
            return True
        if plan.kind in {"unchanged", "skip"}:
            self._note_conflicts(mapped, plan)
            self._settled(item, plan.kind.replace("skip", "skipped"))
            self.store.resolve(mapped.stream, mapped.external_id, mapped.record)
            return True
        return False

    # ------------------------------------------------------------------ sending

    def _settle_result(
        self, planner: Planner, entry: _Pending, result: dict[str, Any], *, final: bool
    ) -> _Pending | None:
        status = int(result.get("status", 500))
        if status < 300:  # noqa: PLR2004
            self._count_success(entry.item, entry.plan, str(result.get("result") or ""))
            return None
        error = result.get("error") or {}
        code = str(error.get("code", "error"))
        follow: _Pending | None = None
        if final:
            pass
        elif status == 412 or code in {"version_conflict", "duplicate_external_id"}:  # noqa: PLR2004
            return self._replan(planner, entry)
        elif code == "duplicate_name":
            return self._on_duplicate_name(planner, entry, error)
        elif status == 404 and entry.plan.kind == "link":  # noqa: PLR2004
            follow = _Pending(entry.item, planner.plan(entry.item.mapped, None), entry.rounds + 1)
        elif status >= 500:  # noqa: PLR2004
            follow = _Pending(entry.item, entry.plan, entry.rounds + 1, entry.names_tried)
        if follow is None:
            self.reject(entry.item, self._problems_from_error(entry, status, error))
        return follow

    def _replan(self, planner: Planner, entry: _Pending) -> _Pending | None:
        mapped = entry.item.mapped
        assert mapped.external_id is not None  # noqa: S101
        records = self.client.list_by_external_ids(planner.entity, [mapped.external_id])
        current = records[0] if records else None
        plan = planner.plan(mapped, current)
        if self._settle_plan(entry.item, plan):
            return None
        return _Pending(entry.item, plan, entry.rounds + 1, entry.names_tried)

    def _on_duplicate_name(
        self, planner: Planner, entry: _Pending, error: dict[str, Any]
    ) -> _Pending | None:
        mapped = entry.item.mapped
        name = str(mapped.values.get("display_name", ""))
        holder_id = next(
            (d.get("existing_id") for d in error.get("details", []) if d.get("existing_id")),
            None,
        )
        holder = self.client.get(planner.entity, str(holder_id)) if holder_id else None
        if holder is not None and holder.get("external_id") is None:
            LOGGER.info(
                "%s %s: display name %r is held by %s %s typed by hand: linking",
                mapped.stream,
                mapped.external_id,
                name,
                planner.entity,
                holder_id,
            )
            plan = planner.plan(mapped, None, link_candidate=holder)
            return _Pending(entry.item, plan, entry.rounds + 1, entry.names_tried)
        template = self.settings.duplicate_name_suffix
        if template and planner.entity == CUSTOMERS:
            tried = entry.names_tried or [name]
            renamed = self._suffixed(tried[0], template, mapped.external_id, len(tried) - 1)
            mapped.values["display_name"] = renamed
            plan = planner.plan(mapped, None)
            return _Pending(entry.item, plan, entry.rounds + 1, [*tried, renamed])
        holder_text = (
            f"{planner.entity} {holder_id} (external id {holder.get('external_id')})"
            if holder is not None
            else "another record"
        )
        self.reject(
            entry.item,
            [
                Problem(
                    "display_name",
                    "duplicate_name",
                    f"display name {name!r} is already used by {holder_text}",
                    "give one of them another name at the source, or set duplicate_name_suffix "
                    "(e.g. ' ({external_id})') to tell them apart",
                )
            ],
        )
        return None

    @staticmethod
    def _suffixed(name: str, template: str, external_id: str | None, attempt: int) -> str:
        suffix = template.replace("{external_id}", external_id or "").replace(
            "{n}", str(attempt + 2)
        )
        return truncate(name, 100 - len(suffix)) + suffix

    # ------------------------------------------------------------------ outcomes

    def _count_success(self, item: WorkItem, plan: Plan, result: str) -> None:
        mapped = item.mapped
        counter = {
            "created": "created",
            "updated": "updated",
            "unchanged": "unchanged",
            "archived": "archived",
        }.get(result, "updated")
        if plan.kind in {"link", "archive"}:  # an archive is an upsert of status: archived
            counter = {"link": "linked", "archive": "archived"}[plan.kind]
        self._settled(item, counter)
        if plan.restores:
            self._note_restored(mapped, plan)
        self._note_conflicts(mapped, plan)
        self.store.resolve(mapped.stream, mapped.external_id, mapped.record)

    def _note_restored(self, mapped: MappedRecord, plan: Plan) -> None:
        self.report.note_restored(
            {
                "stream": mapped.stream,
                "entity": mapped.entity,
                "external_id": mapped.external_id,
                "record_id": plan.record_id,
            }
        )
        LOGGER.info(
            "%s %s: restored at the source after it was archived; %s %s reactivated",
            mapped.stream,
            mapped.external_id,
            mapped.entity,
            plan.record_id,
        )

    def _note_conflicts(self, mapped: MappedRecord, plan: Plan) -> None:
        if not plan.conflicts:
            return
        self.report.add(mapped.stream, mapped.entity, "conflicts")
        for conflict in plan.conflicts:
            self.report.note_conflict(
                {
                    "stream": mapped.stream,
                    "entity": mapped.entity,
                    "external_id": mapped.external_id,
                    "record_id": plan.record_id,
                    "field": conflict.path,
                    "akountify_value": _jsonable(conflict.akountify_value),
                    "source_value": _jsonable(conflict.source_value),
                    "resolution": conflict.resolution,
                }
            )
        LOGGER.warning(
            "%s %s: %d field(s) edited in Akountify since the last sync (%s): %s",
            mapped.stream,
            mapped.external_id,
            len(plan.conflicts),
            ", ".join(c.path for c in plan.conflicts),
            plan.conflicts[0].resolution,
        )

    def _settled(self, item: WorkItem, counter: str) -> None:
        """Count a record's outcome (once per record: see ``report.py``)."""
        mapped = item.mapped
        key = mapped.external_id
        if key is None and item.retried:
            key = record_key(None, mapped.record)
        self.report.settle(mapped.stream, mapped.entity, key, counter, retried=item.retried)

    def reject(self, item: WorkItem, problems: list[Problem]) -> None:
        """Keep a record in the rejected store and count it (the run goes on)."""
        mapped = item.mapped
        stored = self.store.reject(
            stream=mapped.stream,
            external_id=mapped.external_id,
            entity=mapped.entity,
            record=mapped.record,
            reasons=problems,
            now=utc_now(),
        )
        first = problems[0] if problems else Problem("", "rejected", "rejected", "see the log")
        self.report.reject(
            mapped.stream,
            mapped.entity,
            stored.key,
            {
                "stream": mapped.stream,
                "entity": mapped.entity,
                "external_id": mapped.external_id,
                "field": first.field,
                "code": first.code,
                "message": "; ".join(p.located() for p in problems),
                "fix": first.fix,
            },
            retried=item.retried,
        )
        LOGGER.warning(
            "Rejected %s %s (kept in the rejected store, retried next run): %s",
            mapped.stream,
            mapped.external_id,
            " | ".join(p.describe() for p in problems),
        )

    def _problems_from_error(
        self, entry: _Pending, status: int, error: dict[str, Any]
    ) -> list[Problem]:
        code = str(error.get("code", "error"))
        message = str(error.get("message", f"Akountify answered {status}"))
        details = error.get("details") or []
        problems = [
            Problem(
                _detail_path(d.get("field")),
                str(d.get("code", code)),
                self._detail_message(entry, d),
                _DETAIL_FIXES.get(str(d.get("code")), "correct the record at the source"),
            )
            for d in details
        ]
        if problems:
            return problems
        if status >= 500 or status == 412:  # noqa: PLR2004
            fix = "nothing to do: the record is retried on the next run"
        else:
            fix = _DETAIL_FIXES.get(code, "correct the record at the source")
        return [Problem("", code, f"Akountify answered {status} {code}: {message}", fix)]

    @staticmethod
    def _detail_message(entry: _Pending, detail: dict[str, Any]) -> str:
        message = str(detail.get("message", ""))
        if detail.get("code") == "invalid_reference":
            path = _detail_path(detail.get("field"))
            reference = entry.item.mapped.values.get(path)
            if reference is not None:
                return f"{message} (external id {reference!r})"
        return message


class _BatchSender:
    """Fills batches with planned operations and sends each as soon as it is full.

    Results are settled in the order the batches were sent: the ones already answered after
    each send, the rest in :meth:`finish`. Used as a context manager, it waits for every batch
    it sent before an error leaves the drain, so nothing is still being written once the run
    reports the failure.

    Args:
        writer: The run's writer.
        planner: The stream's planner (follow-ups are planned again).
        round_: The follow-up round (1 for the first write of a record).
    """

    def __init__(self, writer: Writer, planner: Planner, round_: int) -> None:
        """Start with an empty batch."""
        self.writer = writer
        self.planner = planner
        self.salt = f"{writer.run_id}:{round_}"
        self.final = round_ == MAX_ROUNDS
        self.limit = writer.settings.batch_operations
        self.batch: list[_Pending] = []
        self.encoded: list[bytes] = []
        self.size = 0
        self.sent: deque[tuple[list[_Pending], Future[ApiResponse]]] = deque()
        self.follow_ups: list[_Pending] = []

    def __enter__(self) -> Self:
        """Return the sender."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Wait for batches still on their way (their results are no longer settled)."""
        while self.sent:
            self.sent.popleft()[1].exception()

    def add(self, entry: _Pending) -> None:
        """Queue one operation; send the batch first when it cannot take the operation."""
        assert entry.plan.operation is not None  # noqa: S101 - only writes are pending
        operation = encode_operation(entry.plan.operation)
        op_size = len(operation) + 16
        if self.batch and (len(self.batch) >= self.limit or self.size + op_size > MAX_BODY_BYTES):
            self._send()
        self.batch.append(entry)
        self.encoded.append(operation)
        self.size += op_size

    def finish(self) -> list[_Pending]:
        """Send the last batch, settle every result, and return the follow-ups."""
        if self.batch:
            self._send()
        while self.sent:
            self._settle_next()
        return self.follow_ups

    def _send(self) -> None:
        body = batch_body(self.encoded)
        future = self.writer._senders.submit(  # noqa: SLF001 - the writer's own helper
            (self.writer.rehearsal or self.writer.client).batch, body, key_salt=self.salt
        )
        self.sent.append((self.batch, future))
        self.batch, self.encoded, self.size = [], [], 0
        while self.sent and self.sent[0][1].done():
            self._settle_next()

    def _settle_next(self) -> None:
        batch, future = self.sent[0]
        results = list(future.result().body.get("results", []))
        self.sent.popleft()
        by_op = {str(r.get("op_id")): r for r in results}
        for i, entry in enumerate(batch):
            result = by_op.get(str(i))
            if result is None:
                self.follow_ups.append(entry)
                continue
            follow = self.writer._settle_result(  # noqa: SLF001 - the writer's own helper
                self.planner, entry, result, final=self.final
            )
            if follow is not None:
                self.follow_ups.append(follow)


def _live_order(items: list[WorkItem]) -> list[str]:
    """Return the external ids :meth:`Writer.write` reads, in its order (the last copy wins)."""
    live: dict[str, None] = {}
    for item in items:
        mapped = item.mapped
        if mapped.ok and mapped.intent != "skip" and mapped.external_id is not None:
            live.pop(mapped.external_id, None)
            live[mapped.external_id] = None
    return list(live)


def _to_read(items: list[WorkItem], order: list[str], *, unread: bool) -> list[str]:
    """The external ids of ``order`` to read: all, or when ``unread`` all but the upserts.

    The last copy of an external id decides, as in :meth:`Writer.write` (an upsert followed by
    a deletion of the same record is read: an archive needs the record).
    """
    if not unread:
        return order
    upsert_last: dict[str, bool] = {}
    for item in items:
        mapped = item.mapped
        if mapped.ok and mapped.intent != "skip" and mapped.external_id is not None:
            upsert_last[mapped.external_id] = mapped.intent == "upsert"
    return [external_id for external_id in order if not upsert_last.get(external_id, False)]


def _detail_path(path: Any) -> str:
    """Turn Akountify's ``lines[3].quantity`` / ``operations[0].data.x`` into a mapping path."""
    if not path:
        return ""
    text = _DETAIL_INDEX.sub(r".\1", str(path))
    text = re.sub(r"^operations\.\d+\.", "", text)
    return text.removeprefix("data.")


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return str(value)
