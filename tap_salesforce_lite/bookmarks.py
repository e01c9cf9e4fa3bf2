"""The stream bookmark: it only moves forward, and only past records already emitted.

The state keeps the singer-sdk layout (``bookmarks.<stream>.replication_key`` and
``replication_key_value``, plus the SDK's ``progress_markers`` while a stream runs). Values are
the tap's normalized datetimes, so text order is time order.

Two values are tracked while a stream runs:

* the running maximum of the emitted keys (the SDK keeps it in ``progress_markers``; this
  tracker seeds it with the previous bookmark so it can never move back). When every query of
  the stream completed, the SDK promotes it to the bookmark.
* a *checkpoint*, written to ``replication_key_value`` as the run goes, which intermediate STATE
  messages carry and which becomes the bookmark when a run stops early (quota, record limit).
  REST pages show the current values of rows in the order they had when the query started, so a
  row modified during the read may show a newer key among older ones; the checkpoint therefore
  only advances to keys that were certainly not modified during the run: keys older than the
  session's issue time (server clock) minus the lookback window, which covers late commits.
  Bulk results and unmodified rows behave the same, so one rule serves both.

A record that could not be read consistently (see :mod:`~tap_salesforce_lite.merge`) caps the
final bookmark below it, so the next run reads it again.
"""

from __future__ import annotations

from typing import Any, Final

PROGRESS_MARKERS: Final = "progress_markers"
_NOTE: Final = "Note"
_NOTE_TEXT: Final = "Progress is not resumable if interrupted."


class BookmarkTracker:
    """Maintains one stream's bookmark inside the SDK's writable stream state."""

    def __init__(
        self,
        state: dict[str, Any],
        replication_key: str,
        *,
        start: str | None,
        certified_before: str | None,
    ) -> None:
        """Seed the state for a run.

        Args:
            state: The SDK's writable state of the stream.
            replication_key: The stream's replication key.
            start: The bookmark the run starts from (normalized), or None.
            certified_before: Keys below this were not modified during the run (session issue
                time minus the lookback window), or None when unknown (no mid-run checkpoint).
        """
        self._state = state
        self._key = replication_key
        self._start = start
        self._checkpoint = start
        self._certified_before = certified_before
        self._ceiling: str | None = None
        self._window_max: str | None = None
        markers: dict[str, Any] = {_NOTE: _NOTE_TEXT}
        if start is not None:
            markers["replication_key"] = replication_key
            markers["replication_key_value"] = start
        state[PROGRESS_MARKERS] = markers

    @property
    def checkpoint(self) -> str | None:
        """The value the bookmark would take if the run stopped now."""
        return self._checkpoint

    def emitted(self, value: str | None) -> None:
        """Note that a record with this key value was emitted."""
        if value is None:
            return
        if self._window_max is None or value > self._window_max:
            self._window_max = value
        certified = self._certified_before
        if certified is not None and value < certified:
            self._advance(value)

    def window_done(self, upper: str | None) -> None:
        """Every record of a window below ``upper`` (None: unbounded) was emitted."""
        if self._window_max is not None:
            value = self._window_max if upper is None else min(self._window_max, upper)
            self._advance(value)
        self._window_max = None

    def cap(self, value: str | None) -> None:
        """Keep the final bookmark at or below ``value`` (a record left for the next run)."""
        if value is not None and (self._ceiling is None or value < self._ceiling):
            self._ceiling = value

    def finish(self, *, complete: bool) -> None:
        """Set what the SDK will promote to the bookmark when the stream ends.

        Args:
            complete: Whether every query of the stream ran to its end. If not, the bookmark
                becomes the checkpoint.
        """
        markers = self._state.setdefault(PROGRESS_MARKERS, {_NOTE: _NOTE_TEXT})
        final = markers.get("replication_key_value") if complete else self._checkpoint
        if final is not None and self._ceiling is not None and final > self._ceiling:
            final = self._ceiling
        if final is not None and self._start is not None and final < self._start:
            final = self._start
        if final is None:
            markers.pop("replication_key", None)
            markers.pop("replication_key_value", None)
            return
        markers["replication_key"] = self._key
        markers["replication_key_value"] = final

    def _advance(self, value: str) -> None:
        if self._checkpoint is None or value > self._checkpoint:
            self._checkpoint = value
            self._state["replication_key"] = self._key
            self._state["replication_key_value"] = value
