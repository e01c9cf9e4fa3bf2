"""The sync report: what each run did, per stream and entity.

Printed as a table in the log, written as JSON (``report_path``) and posted to Akountify's sync
runs with the first 100 rejections. Thread-safe: batches in flight count into it at once.

Each record counts once in its outcome counters, per run:

* ``rejected`` counts distinct records (stream + store key): a record retried from the rejected
  store and rejected again, whose newer version also arrives and is rejected, is one rejected
  record; a record rejected earlier in the run and written later (a newer version arrived) is
  no longer counted rejected, and its listing is dropped;
* ``retried`` counts the distinct records taken from the rejected store; what became of each
  is kept in ``retried_outcomes`` (its outcome counter, ``superseded`` when a newer version
  from the source settled it, ``pending`` if the run ended first), so that retried records
  add up: ``retried`` = the sum of its outcomes.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

#: The counters of each stream/entity pair, in table order.
COUNTERS: tuple[str, ...] = (
    "received",
    "created",
    "updated",
    "unchanged",
    "archived",
    "linked",
    "conflicts",
    "rejected",
    "retried",
    "skipped",
)

#: The counters Akountify's sync runs accept.
SYNC_RUN_COUNTERS: tuple[str, ...] = (
    "created",
    "updated",
    "unchanged",
    "archived",
    "conflicts",
    "rejected",
)

MAX_LISTED = 100
MAX_MESSAGE = 2000
#: What became of a retried record replaced by a newer version from the source.
SUPERSEDED = "superseded"
#: What became of a retried record not settled (the run stopped first).
PENDING = "pending"
#: How the outcomes of retried records read in the log.
_OUTCOME_WORDS: dict[str, str] = {
    "rejected": "rejected again",
    SUPERSEDED: "replaced by a newer version from the source",
    PENDING: "not settled (the run stopped)",
}


def utc_now() -> str:
    """Return the current UTC time as RFC 3339 with microseconds and ``Z``."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass
class SyncReport:
    """Counts and notable events of one run.

    Attributes:
        started_at: When the run started (RFC 3339).
        dry_run: Whether nothing was written (counts then say what *would* happen).
        counts: (stream, entity) → counters.
        rejections: The first rejections (stream, external id, entity, field, code, message, fix).
        conflicts: The first conflicts (stream, external id, field, resolution).
        restored: The first records reactivated because the source restored them (counted
            as updated).
        custom_fields_created: Definitions created this run (``entity.name``).
        api_calls: Requests made, by kind.
    """

    started_at: str = field(default_factory=utc_now)
    dry_run: bool = False
    counts: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)
    rejections: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    restored: list[dict[str, Any]] = field(default_factory=list)
    custom_fields_created: list[str] = field(default_factory=list)
    api_calls: Counter[str] = field(default_factory=Counter)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _rejected: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    _listed: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict, repr=False)
    _retried: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict, repr=False)

    def add(self, stream: str, entity: str, counter: str, n: int = 1) -> None:
        """Add ``n`` to one counter of a stream/entity pair."""
        if counter not in COUNTERS:
            raise ValueError(f"unknown counter {counter!r}")
        with self._lock:
            self.counts.setdefault((stream, entity), Counter())[counter] += n

    def ensure(self, stream: str, entity: str) -> None:
        """Make a stream/entity pair appear in the report even with no records."""
        with self._lock:
            self.counts.setdefault((stream, entity), Counter())

    def _keep(self, entries: list[dict[str, Any]], entry: dict[str, Any]) -> None:
        with self._lock:
            if len(entries) < MAX_LISTED:
                entries.append(entry)

    def note_rejection(self, entry: dict[str, Any]) -> None:
        """Keep a rejection for the report (the first 100 only); prefer :meth:`reject`."""
        self._keep(self.rejections, entry)

    def reject(
        self, stream: str, entity: str, key: str, listing: dict[str, Any], *, retried: bool
    ) -> None:
        """Count a rejected record once per run, and list it (the first 100 records).

        Args:
            stream: Its stream.
            entity: Its entity.
            key: Its key in the rejected store (external id, or content hash).
            listing: The rejection as listed (stream, entity, external_id, field, code,
                message, fix); a second rejection of the record replaces the first.
            retried: The rejected version came from the rejected store.
        """
        record = (stream, key)
        with self._lock:
            if record not in self._rejected:
                self._rejected[record] = entity
                self.counts.setdefault((stream, entity), Counter())["rejected"] += 1
            listed = self._listed.get(record)
            if listed is not None:
                self.rejections[_position(self.rejections, listed)] = listing
                self._listed[record] = listing
            elif len(self.rejections) < MAX_LISTED:
                self.rejections.append(listing)
                self._listed[record] = listing
            self._note_retried(record, entity, "rejected", retried=retried)

    def settle(
        self, stream: str, entity: str, key: str | None, counter: str, *, retried: bool
    ) -> None:
        """Count a record's outcome other than rejected (created, updated, unchanged…).

        A record rejected earlier in the run (an older version) is no longer counted
        rejected: it ends written.

        Args:
            stream: Its stream.
            entity: Its entity.
            key: Its key in the rejected store (None: a record that cannot be in it).
            counter: The outcome counter.
            retried: The settled version came from the rejected store.
        """
        self.add(stream, entity, counter)
        if key is None:
            return
        record = (stream, key)
        with self._lock:
            was = self._rejected.pop(record, None)
            if was is not None:
                self.counts[(stream, was)]["rejected"] -= 1
                listed = self._listed.pop(record, None)
                if listed is not None:
                    del self.rejections[_position(self.rejections, listed)]
            self._note_retried(record, entity, counter, retried=retried)

    def retrying(self, stream: str, entity: str, key: str) -> bool:
        """Count a record taken from the rejected store; False if already taken this run."""
        record = (stream, key)
        with self._lock:
            if record in self._retried:
                return False
            self._retried[record] = (entity, PENDING)
            self.counts.setdefault((stream, entity), Counter())["retried"] += 1
            return True

    def _note_retried(
        self, record: tuple[str, str], entity: str, outcome: str, *, retried: bool
    ) -> None:
        if record in self._retried:
            self._retried[record] = (entity, outcome if retried else SUPERSEDED)

    def retried_outcomes(self) -> dict[tuple[str, str], Counter[str]]:
        """Return, per stream and entity, what became of the records retried this run."""
        outcomes: dict[tuple[str, str], Counter[str]] = {}
        with self._lock:
            for (stream, _), (entity, outcome) in self._retried.items():
                outcomes.setdefault((stream, entity), Counter())[outcome] += 1
        return outcomes

    def retried_summary(self) -> list[str]:
        """Return one line per stream that retried records, saying what became of them."""
        lines = []
        for (stream, entity), outcomes in sorted(self.retried_outcomes().items()):
            parts = [
                f"{n} {_OUTCOME_WORDS.get(outcome, outcome)}"
                for outcome, n in sorted(outcomes.items(), key=lambda item: (-item[1], item[0]))
            ]
            lines.append(
                f"{stream} → {entity}: {outcomes.total()} retried from earlier runs: "
                + ", ".join(parts)
            )
        return lines

    def note_conflict(self, entry: dict[str, Any]) -> None:
        """Keep a conflict for the report (the first 100 only)."""
        self._keep(self.conflicts, entry)

    def note_restored(self, entry: dict[str, Any]) -> None:
        """Keep a reactivated record for the report (the first 100 only)."""
        self._keep(self.restored, entry)

    def total(self, counter: str) -> int:
        """Return a counter summed over every stream and entity."""
        with self._lock:
            return sum(c[counter] for c in self.counts.values())

    def status(self, *, failed: bool) -> str:
        """Return the run status Akountify's sync runs use."""
        if failed:
            return "failed"
        return "succeeded_with_rejections" if self.total("rejected") else "succeeded"

    def table(self) -> str:
        """Return the counts as a fixed-width text table (one line per stream/entity)."""
        headers = ("stream", "entity", *COUNTERS)
        with self._lock:
            rows = [
                (stream, entity, *(str(c[name]) for name in COUNTERS))
                for (stream, entity), c in sorted(self.counts.items())
            ]
            totals = (
                "TOTAL",
                "",
                *(str(sum(c[name] for c in self.counts.values())) for name in COUNTERS),
            )
        rows.append(totals)
        widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
        lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
        lines.append("  ".join("-" * w for w in widths))
        lines.extend(
            "  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)) for row in rows
        )
        lines.extend(self.retried_summary())
        return "\n".join(lines)

    def to_json(
        self, *, finished_at: str, failed: bool, error: str | None = None
    ) -> dict[str, Any]:
        """Return the whole report as a JSON-ready dict."""
        with self._lock:
            outcomes = self.retried_outcomes()
            streams = [
                {
                    "stream": stream,
                    "entity": entity,
                    **{n: c[n] for n in COUNTERS},
                    "retried_outcomes": dict(sorted(outcomes.get((stream, entity), {}).items())),
                }
                for (stream, entity), c in sorted(self.counts.items())
            ]
            return {
                "started_at": self.started_at,
                "finished_at": finished_at,
                "dry_run": self.dry_run,
                "status": self.status(failed=failed) if not self.dry_run else "dry_run",
                "error": error,
                "streams": streams,
                "totals": {n: sum(c[n] for c in self.counts.values()) for n in COUNTERS},
                "rejections": list(self.rejections),
                "conflicts": list(self.conflicts),
                "restored": list(self.restored),
                "retried_summary": self.retried_summary(),
                "custom_fields_created": list(self.custom_fields_created),
                "api_calls": dict(self.api_calls),
            }

    def sync_run_body(self, *, source: str, finished_at: str, failed: bool) -> dict[str, Any]:
        """Return the body of ``POST /companies/{cid}/sync-runs``."""
        with self._lock:
            per_entity: dict[str, Counter[str]] = {}
            for (_, entity), c in self.counts.items():
                per_entity.setdefault(entity, Counter()).update(
                    {n: c[n] for n in SYNC_RUN_COUNTERS}
                )
            rejections = [
                {
                    "external_id": r.get("external_id"),
                    "entity": r["entity"],
                    "code": r["code"],
                    "message": _one_line(r, MAX_MESSAGE),
                }
                for r in self.rejections
                if r.get("entity")
            ]
        return {
            "source": source,
            "started_at": self.started_at,
            "finished_at": finished_at,
            "status": self.status(failed=failed),
            "counts": {
                entity: {n: c[n] for n in SYNC_RUN_COUNTERS} for entity, c in per_entity.items()
            },
            "rejections": rejections[:MAX_LISTED],
        }


def _position(entries: list[dict[str, Any]], entry: dict[str, Any]) -> int:
    return next(i for i, e in enumerate(entries) if e is entry)


def _one_line(rejection: dict[str, Any], limit: int) -> str:
    where = f"{rejection['field']}: " if rejection.get("field") else ""
    text = f"{where}{rejection['message']}. Fix: {rejection['fix']}"
    return text if len(text) <= limit else text[: limit - 1] + "…"
