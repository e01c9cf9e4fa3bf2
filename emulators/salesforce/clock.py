"""The emulator's notion of "now": real time, a frozen instant, or real time shifted.

Every timestamp the emulator writes (CreatedDate, SystemModstamp, token issue and expiry, job
dates) comes from one :class:`ControllableClock`, so tests can freeze or move "now" through the
admin endpoint instead of sleeping.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class ControllableClock:
    """A thread-safe clock that runs in real time until told otherwise.

    Three modes: real time (the default), frozen at an instant (``set(now, frozen=True)``), or
    running in real time from a chosen instant (``set(now, frozen=False)``, an offset).
    """

    def __init__(self) -> None:
        """Start in real time."""
        self._lock = threading.Lock()
        self._frozen_at: datetime | None = None
        self._offset = timedelta(0)

    def now(self) -> datetime:
        """Return the emulator's current time, timezone-aware UTC."""
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
            return datetime.now(UTC) + self._offset

    def set(self, now: datetime | None, *, frozen: bool = True) -> None:
        """Set "now".

        Args:
            now: The instant to use; naive values are taken as UTC. None returns to real time.
            frozen: Whether time stands still at ``now`` (True) or runs on from it (False).
        """
        with self._lock:
            if now is None:
                self._frozen_at = None
                self._offset = timedelta(0)
                return
            aware = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
            aware = aware.astimezone(UTC)
            if frozen:
                self._frozen_at = aware
                self._offset = timedelta(0)
            else:
                self._frozen_at = None
                self._offset = aware - datetime.now(UTC)

    def advance(self, seconds: float) -> datetime:
        """Move "now" forward by ``seconds`` (backward if negative) and return the new value."""
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += timedelta(seconds=seconds)
                return self._frozen_at
            self._offset += timedelta(seconds=seconds)
            return datetime.now(UTC) + self._offset

    def describe(self) -> dict[str, object]:
        """The clock's state as the admin endpoint reports it."""
        with self._lock:
            frozen = self._frozen_at is not None
            offset = self._offset.total_seconds()
        return {"now": format_iso(self.now()), "frozen": frozen, "offset_seconds": offset}


def format_iso(moment: datetime) -> str:
    """Format an aware datetime as ``2024-01-15T10:20:30.000Z``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def format_salesforce(moment: datetime) -> str:
    """Format an aware datetime as Salesforce's REST APIs do: ``2024-01-15T10:20:30.000+0000``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant (``Z``, ``+00:00`` or ``+0000`` offsets; naive means UTC).

    Raises:
        ValueError: If ``text`` is not an ISO 8601 date-time.
    """
    cleaned = text.strip()
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    elif len(cleaned) > 5 and cleaned[-5] in "+-" and cleaned[-4:].isdigit():  # noqa: PLR2004
        cleaned = f"{cleaned[:-2]}:{cleaned[-2:]}"
    moment = datetime.fromisoformat(cleaned)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
