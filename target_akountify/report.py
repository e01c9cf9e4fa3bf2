"""The sync report: what each run did, per stream and entity.

Printed as a table in the log, written as JSON (``report_path``) and posted to Akountify's sync
runs with the first 100 rejections. Thread-safe: batches in flight count into it at once.
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
        """Keep a rejection for the report (the first 100 only)."""
        self._keep(self.rejections, entry)

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
        return "\n".join(lines)

    def to_json(
        self, *, finished_at: str, failed: bool, error: str | None = None
    ) -> dict[str, Any]:
        """Return the whole report as a JSON-ready dict."""
        with self._lock:
            streams = [
                {"stream": stream, "entity": entity, **{n: c[n] for n in COUNTERS}}
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


def _one_line(rejection: dict[str, Any], limit: int) -> str:
    where = f"{rejection['field']}: " if rejection.get("field") else ""
    text = f"{where}{rejection['message']}. Fix: {rejection['fix']}"
    return text if len(text) <= limit else text[: limit - 1] + "…"
