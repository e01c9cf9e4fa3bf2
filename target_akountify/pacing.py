"""Pace requests from Akountify's ``X-RateLimit-*`` headers so a long sync uses the whole rate.

Akountify counts requests per company in fixed 60-second windows and says, on every response,
the window's limit, what is left and the seconds until it resets. The pacer mirrors that
window on the client: requests go out while the window has budget left (counting requests in
flight that the server has not answered yet); when the budget is spent, callers wait until the
window resets (plus a small margin, since the reset is given in whole seconds) instead of
drawing 429s. A 429 (other clients of the company may share the budget) closes the window for
``Retry-After`` seconds for every caller.

The clock and the sleep function are injectable, so tests drive time without waiting.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

#: Seconds added to the server's whole-second reset to stay clear of its boundary.
DEFAULT_MARGIN_SECONDS = 1.0
#: A reset later than the known one by more than this starts a new window.
_NEW_WINDOW_SLACK = 2.0


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        value = headers.get(name.lower())
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


@dataclass
class PacerStats:
    """What the pacer did.

    Attributes:
        waits: How many times a caller waited for the window to reset.
        waited_seconds: Total time callers waited (wall time, summed over callers).
    """

    waits: int = 0
    waited_seconds: float = 0.0


class RatePacer:
    """A client-side mirror of the server's rate window.

    Args:
        clock: Monotonic seconds.
        sleep: Sleeps for the given seconds.
        margin_seconds: Added to every reset.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        margin_seconds: float = DEFAULT_MARGIN_SECONDS,
    ) -> None:
        """Start with no knowledge: requests flow until the first headers arrive."""
        self._clock = clock
        self._sleep = sleep
        self._margin = margin_seconds
        self._lock = threading.Lock()
        self._limit: int | None = None
        self._remaining: int | None = None
        self._window_end: float | None = None
        self._in_flight = 0
        self._blocked_until = 0.0
        self.stats = PacerStats()

    def acquire(self) -> None:
        """Wait until the window has budget for one more request, then take it."""
        while True:
            with self._lock:
                now = self._clock()
                if self._window_end is not None and now >= self._window_end:
                    self._remaining = self._limit
                    self._window_end = None
                if now < self._blocked_until:
                    wait = self._blocked_until - now
                elif self._remaining is None or self._remaining > 0 or self._window_end is None:
                    if self._remaining:
                        self._remaining -= 1
                    self._in_flight += 1
                    return
                else:
                    wait = self._window_end - now
                self.stats.waits += 1
                self.stats.waited_seconds += wait
            self._sleep(wait)

    def release(self, headers: Mapping[str, str] | None) -> None:
        """Record a response (or a failed attempt with ``headers`` None) of an acquired slot."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            if headers is None:
                return
            limit = _header_int(headers, "X-RateLimit-Limit")
            remaining = _header_int(headers, "X-RateLimit-Remaining")
            reset = _header_int(headers, "X-RateLimit-Reset")
            if limit is None or remaining is None or reset is None:
                return
            if limit <= 0:  # limits off
                self._limit = self._remaining = self._window_end = None
                return
            self._limit = limit
            end = self._clock() + reset + self._margin
            budget = max(0, remaining - self._in_flight)
            if self._window_end is None or end > self._window_end + _NEW_WINDOW_SLACK:
                self._window_end = end
                self._remaining = budget
            else:
                self._window_end = min(self._window_end, end)
                known = self._remaining if self._remaining is not None else budget
                self._remaining = min(known, budget)

    def block(self, seconds: float) -> None:
        """Close the window for ``seconds`` (after a 429 with ``Retry-After``)."""
        with self._lock:
            self._blocked_until = max(self._blocked_until, self._clock() + max(seconds, 0.0))

    @property
    def limit(self) -> int | None:
        """The per-window limit last reported by the server (None: unknown or off)."""
        return self._limit
