"""The emulator's clock: real time plus an adjustable offset, optionally frozen.

Tests control time through it (token expiry, rate-limit windows, idempotency-key expiry)
instead of sleeping. Times are handled as integer microseconds since the Unix epoch and
rendered as RFC 3339 UTC with microseconds and a ``Z``.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

MICROS = 1_000_000


class Clock:
    """Wall-clock time shifted by an offset; can be frozen at an instant.

    Thread-safe: the server's event loop and its database thread both read it.
    """

    def __init__(self, offset_seconds: float = 0.0) -> None:
        """Start the clock ``offset_seconds`` away from real time."""
        self._lock = threading.Lock()
        self._offset_us = round(offset_seconds * MICROS)
        self._frozen_us: int | None = None

    def now_us(self) -> int:
        """The current emulated time in microseconds since the epoch."""
        with self._lock:
            if self._frozen_us is not None:
                return self._frozen_us
            return time.time_ns() // 1000 + self._offset_us

    def now(self) -> float:
        """The current emulated time in seconds since the epoch."""
        return self.now_us() / MICROS

    def configure(self, *, offset_seconds: float | None = None, frozen: bool | None = None) -> None:
        """Change the offset and/or freeze or unfreeze the clock.

        Args:
            offset_seconds: New offset from real time (applies when unfrozen, and a frozen
                clock is re-frozen at real time plus this offset).
            frozen: True to stop the clock at the current emulated instant, False to let it run.
        """
        with self._lock:
            if offset_seconds is not None:
                self._offset_us = round(offset_seconds * MICROS)
                if self._frozen_us is not None:
                    self._frozen_us = time.time_ns() // 1000 + self._offset_us
            if frozen is True and self._frozen_us is None:
                self._frozen_us = time.time_ns() // 1000 + self._offset_us
            elif frozen is False and self._frozen_us is not None:
                self._offset_us = self._frozen_us - time.time_ns() // 1000
                self._frozen_us = None

    def advance(self, seconds: float) -> None:
        """Move the clock forward (or back, when negative) by ``seconds``, frozen or not."""
        with self._lock:
            step = round(seconds * MICROS)
            self._offset_us += step
            if self._frozen_us is not None:
                self._frozen_us += step

    def to_json(self) -> dict[str, Any]:
        """The clock's state for the admin endpoint."""
        now = self.now_us()
        with self._lock:
            return {
                "now": rfc3339(now),
                "offset_seconds": self._offset_us / MICROS,
                "frozen": self._frozen_us is not None,
            }


@lru_cache(maxsize=4096)
def _second_text(seconds: int) -> str:
    # isoformat pads years below 1000 to four digits (strftime's %Y does not on glibc).
    return datetime.fromtimestamp(seconds, tz=UTC).replace(tzinfo=None).isoformat()


def rfc3339(micros: int) -> str:
    """Render microseconds since the epoch as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    seconds, fraction = divmod(micros, MICROS)
    return f"{_second_text(seconds)}.{fraction:06d}Z"


def parse_rfc3339(text: str) -> int:
    """Parse an RFC 3339 timestamp with a time zone into microseconds since the epoch.

    Raises:
        ValueError: If the text is not an RFC 3339 date-time with a zone offset or ``Z``.
    """
    if not isinstance(text, str) or "T" not in text.upper():
        raise ValueError(text)
    moment = datetime.fromisoformat(text.replace("z", "Z"))
    if moment.tzinfo is None:
        raise ValueError(text)
    moment = moment.astimezone(UTC)
    seconds = int(moment.replace(microsecond=0).timestamp())
    return seconds * MICROS + moment.microsecond
