"""The Akountify sink: maps each record as it arrives, writes in drains.

Records are mapped (and checked against the stream's SCHEMA) in :meth:`process_record`; a
record that fails keeps its problems and is rejected at the next drain, never raised: one bad
record never stops the run. :meth:`process_batch` first drains the streams of parent entities
(customers before contacts and invoices, so references resolve), then hands the batch to the
run's writer, which settles every record before returning.
"""

from __future__ import annotations

import copy
import sys
import time
from typing import TYPE_CHECKING, Any

from singer_sdk.sinks import BatchSink
from singer_sdk.sinks.core import BaseJSONSchemaValidator
from singer_sdk.typing import DEFAULT_JSONSCHEMA_VALIDATOR

from target_akountify.fast_schema import compile_fast_check
from target_akountify.mapping.mapper import MappedRecord, map_record
from target_akountify.problems import Problem
from target_akountify.writer import WorkItem

if sys.version_info >= (3, 12):
    from typing import override
else:
    from typing_extensions import override

if TYPE_CHECKING:
    from target_akountify.mapping.compile import CompiledStream
    from target_akountify.rejected import RejectedEntry
    from target_akountify.runtime import Runtime
    from target_akountify.target import TargetAkountify
    from target_akountify.writer import Prepared

#: Records mapped between two drains of a stream (reads go by 100, writes by 50). Each drain
#: ends with its last batches in flight and a hand-over to the next one: in paired runs of 10,000
#: records, drains of 2,000 took 0.87 of the time of drains of 1,000, and 1,000 then 3,000
#: 0.88 of flat 2,000 (flat 4,000 was slower again: the first writes wait for a whole drain).
DEFAULT_DRAIN_SIZE = 3000
#: The first drain of a stream is smaller: its writes start once these records are mapped, and
#: the next drain is mapped while they are written.
FIRST_DRAIN_SIZE = 1000
#: Records mapped between two voluntary hand-overs of the GIL (see :meth:`process_record`).
YIELD_EVERY = 100


class CollectingValidator(BaseJSONSchemaValidator):
    """Checks records against the stream's SCHEMA and keeps the errors instead of raising.

    The sink reads them with :meth:`take_errors` right after validation, and rejects the record
    with one problem per error. A compiled check (see ``fast_schema.py``) passes the valid
    records first; only the others are walked by ``jsonschema`` for their errors.
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        """Build a JSON Schema validator (formats are not checked; the mapping checks values)."""
        super().__init__(schema)
        self._validator = DEFAULT_JSONSCHEMA_VALIDATOR(schema)
        self._matches = compile_fast_check(schema)
        self._errors: list[Problem] = []

    @override
    def validate(self, record: dict[str, Any]) -> None:
        """Collect every way the record breaks the SCHEMA (never raises)."""
        if self._matches is not None and self._matches(record):
            self._errors = []
            return
        self._errors = [
            Problem(
                ".".join(str(p) for p in error.absolute_path) or "",
                "schema_violation",
                f"the record does not match the stream's SCHEMA: {error.message}",
                "fix the record at the source, or the tap's schema",
            )
            for error in self._validator.iter_errors(record)
        ]

    def take_errors(self) -> list[Problem]:
        """Return and forget the errors of the last record validated."""
        errors, self._errors = self._errors, []
        return errors


def without_date_formats(schema: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of a schema with date/time formats dropped.

    The SDK parses such strings into datetime objects (and stops the run on a bad one); the
    mapping reads them as text instead, and rejects a bad value with its record only.
    """

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: strip(v)
                for k, v in node.items()
                if not (k == "format" and v in {"date", "date-time", "time"})
            }
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    result: dict[str, Any] = strip(copy.deepcopy(schema))
    return result


class AkountifySink(BatchSink):
    """Writes one stream's records to one Akountify entity."""

    MAX_SIZE_DEFAULT = DEFAULT_DRAIN_SIZE

    def __init__(
        self,
        target: TargetAkountify,
        stream_name: str,
        schema: dict[str, Any],
        key_properties: list[str] | None,
    ) -> None:
        """Compile the stream's mapping against its SCHEMA (a bad mapping stops the run here)."""
        self.runtime: Runtime = target.runtime
        self.target = target
        super().__init__(target, stream_name, schema, key_properties)
        self.compiled: CompiledStream | None = self.runtime.compile(
            stream_name, self.original_schema, list(key_properties or [])
        )
        self.schema = without_date_formats(self.schema)
        self._clean_keys: set[str] = set()
        self._retries: list[WorkItem] = []
        self._drained = False
        self._mapped_since_yield = 0

    @property
    @override
    def include_sdc_metadata_properties(self) -> bool:
        """Keep ``_sdc_deleted_at``: it tells which records to archive."""
        return True

    @override
    def get_validator(self) -> BaseJSONSchemaValidator | None:
        """Validate against the SCHEMA without raising (see :class:`CollectingValidator`)."""
        if not self.validate_schema:
            self._collector: CollectingValidator | None = None
            return None
        self._collector = CollectingValidator(self.original_schema)
        return self._collector

    @override
    def _add_sdc_metadata_to_record(
        self, record: dict[str, Any], message: dict[str, Any], context: dict[str, Any]
    ) -> None:
        """Keep ``_sdc_deleted_at`` (it marks deletions); the other ``_sdc_`` columns are unused.

        The SDK would stamp seven metadata columns on every record (two clock readings
        among them) only for :meth:`process_record` to drop them again.
        """
        record["_sdc_deleted_at"] = record.get("_sdc_deleted_at")

    @override
    def _parse_timestamps_in_record(
        self, record: dict[str, Any], schema: dict[str, Any], treatment: Any
    ) -> None:
        """Only report fields missing from the SCHEMA: no value is parsed here.

        The sink's schema has its date/time formats removed (see :func:`without_date_formats`:
        the mapping reads those values as text and rejects a bad one with its record), so the
        SDK's per-field walk could never parse anything; this keeps its one other effect, a
        warning per unknown field, at a subset test per record.
        """
        properties = schema["properties"].keys()
        if schema.get("additionalProperties", False) or record.keys() <= properties:
            return
        unknown = record.keys() - properties - self._warned_missing_fields
        for key in sorted(unknown):
            if record[key] is not None:
                self.logger.warning("No schema for record field '%s'", key)
                self._warned_missing_fields.add(key)

    @property
    def entity(self) -> str | None:
        """The Akountify entity written (None for an unmapped, skipped stream)."""
        return self.compiled.entity.name if self.compiled is not None else None

    @override
    def setup(self) -> None:
        """Queue the stream's rejected records from earlier runs for retrying."""
        super().setup()
        self.target.register_sink(self)
        if self.compiled is None:
            return
        entity = self.compiled.entity.name
        for entry in self.runtime.store.pending(self.stream_name):
            # counted once: a sink built again for the stream (new SCHEMA) retries nothing twice
            if self.runtime.report.retrying(self.stream_name, entity, entry.key):
                self._retries.append(WorkItem(self._map_stored(entry), retried=True))

    def _map_stored(self, entry: RejectedEntry) -> MappedRecord:
        assert self.compiled is not None  # noqa: S101
        return map_record(self.compiled, entry.record, self.runtime.settings.value_policy)

    @override
    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        """Map the record now; it is written (or rejected) at the next drain.

        Mapping is the one busy loop of the run, on the main thread, while the drain worker
        and the batch senders write the drain before (they need the GIL only briefly, after
        each answer). CPython takes the GIL from a busy thread only when another has waited
        for it for the switch interval, and on two loaded cores the writers were measured
        waiting 50-100 ms at a time, Akountify idle meanwhile. So every :data:`YIELD_EVERY`
        records (about 3 ms of mapping) the main thread hands the GIL over (``sleep(0)``):
        10,000 records written 0.2 s sooner (1.56-1.64 -> 1.29-1.48 s in paired runs).
        """
        self._mapped_since_yield += 1
        if self._mapped_since_yield >= YIELD_EVERY:
            self._mapped_since_yield = 0
            time.sleep(0)
        errors = self._collector.take_errors() if self._collector is not None else []
        if self.compiled is None:
            self.runtime.report.add(self.stream_name, "-", "received")
            self.runtime.report.add(self.stream_name, "-", "skipped")
            return
        mapped = map_record(self.compiled, self._source(record), self.runtime.settings.value_policy)
        if errors and mapped.intent != "skip":
            mapped.problems[:0] = errors
        context.setdefault("items", []).append(WorkItem(mapped))  # counted received when drained

    def _source(self, record: dict[str, Any]) -> dict[str, Any]:
        """Return the record without Singer metadata columns other than ``_sdc_deleted_at``.

        Records of a stream mostly share one set of keys: a set found free of such columns is
        remembered, and a record with the same keys is taken as is (one set comparison instead
        of a pass over its fields).
        """
        keys = record.keys()
        if keys == self._clean_keys:
            return record
        if any(k.startswith("_sdc_") and k != "_sdc_deleted_at" for k in keys):
            return {
                k: v
                for k, v in record.items()
                if not k.startswith("_sdc_") or k == "_sdc_deleted_at"
            }
        self._clean_keys = set(keys)
        return record

    @property
    @override
    def max_size(self) -> int:
        """Records mapped before a drain: ``batch_size_rows`` if set, else smaller at first."""
        if self.batch_size_rows is not None:
            return self.batch_size_rows
        return DEFAULT_DRAIN_SIZE if self._drained else FIRST_DRAIN_SIZE

    @override
    def process_batch(self, context: dict[str, Any]) -> None:
        """Drain parent streams first, then queue the batch for writing.

        The write runs in the target's drain worker while the next records are read and
        mapped; the target waits for it before any STATE message (see
        :meth:`TargetAkountify.wait_for_drains`).
        """
        self._drained = True
        if self.compiled is None:
            return
        self.target.drain_parents(self)
        items: list[WorkItem] = context.get("items", [])
        self.runtime.report.add(self.stream_name, self.compiled.entity.name, "received", len(items))
        retries, self._retries = self._retries, []
        prepared = self.runtime.writer.prepare(self.compiled, [*retries, *items])
        self.target.submit_drain(lambda: self._write(items, retries, prepared))

    def flush_retries(self) -> None:
        """Write retries that no batch of this run carried (the stream sent no record)."""
        if self._retries and self.compiled is not None:
            self.target.drain_parents(self)
            retries, self._retries = self._retries, []
            prepared = self.runtime.writer.prepare(self.compiled, retries)
            self.target.submit_drain(lambda: self._write([], retries, prepared))

    def _write(
        self, items: list[WorkItem], retries: list[WorkItem], prepared: Prepared | None = None
    ) -> None:
        if self.compiled is None:
            return
        if retries:
            self.logger.info(
                "Retrying %d record(s) of %s rejected in earlier runs",
                len(retries),
                self.stream_name,
            )
        try:
            merged = self.runtime.writer.write(self.compiled, [*retries, *items], prepared)
        except Exception as exc:
            self.runtime.finish(failed=True, error=str(exc))
            raise
        self.runtime.store.remember_schema(
            self.stream_name, self.original_schema, list(self.key_properties)
        )
        if merged:
            self.tally_duplicate_merged(merged)
