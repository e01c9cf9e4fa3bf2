"""Per-company rate limits: requests per fixed 60-second window, and requests in flight."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from emulators.akountify.errors import ApiError
from emulators.akountify.settings import Limits, updated_limits

WINDOW_US = 60_000_000
UNLIMITED_REMAINING = 1_000_000


@dataclass(frozen=True)
class RateState:
    """What the ``X-RateLimit-*`` headers report.

    ``limit`` 0 means no per-minute limit (``remaining`` is then a large number).
    """

    limit: int
    remaining: int
    reset: int

    def headers(self) -> dict[str, str]:
        """The three headers."""
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }


@dataclass
class _Window:
    start_us: int
    count: int


class RateLimiter:
    """Counts requests per company; refuses with 429 ``rate_limited`` over a limit."""

    def __init__(self, defaults: Limits) -> None:
        """Start with ``defaults`` for every company."""
        self.defaults = defaults
        self.overrides: dict[str, Limits] = {}
        self._windows: dict[str, _Window] = {}
        self._in_flight: dict[str, int] = {}

    def limits_for(self, company_id: str) -> Limits:
        """The limits in force for a company."""
        return self.overrides.get(company_id, self.defaults)

    def default_state(self) -> RateState:
        """The headers of requests that belong to no company."""
        limit = self.defaults.requests_per_minute
        return RateState(limit, limit or UNLIMITED_REMAINING, WINDOW_US // 1_000_000)

    def admit(self, company_id: str, now_us: int) -> RateState:
        """Count a request in the company's window.

        Returns:
            The state after counting it.

        Raises:
            ApiError: 429 when the window's budget is spent (with the state's headers).
        """
        limit = self.limits_for(company_id).requests_per_minute
        window = self._windows.get(company_id)
        if window is None or now_us >= window.start_us + WINDOW_US or now_us < window.start_us:
            window = self._windows[company_id] = _Window(now_us, 0)
        reset = max(1, math.ceil((window.start_us + WINDOW_US - now_us) / 1_000_000))
        if limit and window.count >= limit:
            state = RateState(limit, 0, reset)
            raise ApiError(
                429,
                "rate_limited",
                f"this company may make {limit} requests a minute; retry after {reset} s",
                headers={"Retry-After": str(reset), **state.headers()},
            )
        window.count += 1
        remaining = limit - window.count if limit else UNLIMITED_REMAINING
        return RateState(limit, remaining, reset)

    def enter(self, company_id: str, state: RateState) -> None:
        """Mark a request in flight.

        Raises:
            ApiError: 429 when the company already has its maximum of requests in flight.
        """
        allowed = self.limits_for(company_id).concurrent_requests
        current = self._in_flight.get(company_id, 0)
        if allowed and current >= allowed:
            raise ApiError(
                429,
                "rate_limited",
                f"this company may have {allowed} requests in flight at once; wait for one to "
                "finish",
                headers={"Retry-After": "1", **state.headers()},
            )
        self._in_flight[company_id] = current + 1

    def leave(self, company_id: str) -> None:
        """Mark a request finished."""
        self._in_flight[company_id] = max(0, self._in_flight.get(company_id, 1) - 1)

    def configure(self, changes: Any) -> None:
        """Apply an admin change to the defaults or to one company's limits.

        The change is ``{"company_id"?, "requests_per_minute"?, "concurrent_requests"?,
        "reset"?}``; ``reset: true`` drops a company's override.

        Raises:
            ApiError: 422 for unknown members or bad values.
        """
        changes = dict(changes) if isinstance(changes, dict) else changes
        company_id = changes.pop("company_id", None) if isinstance(changes, dict) else None
        reset = changes.pop("reset", False) if isinstance(changes, dict) else False
        if company_id is None:
            self.defaults = updated_limits(self.defaults, changes)
        elif reset is True:
            self.overrides.pop(company_id, None)
        else:
            self.overrides[company_id] = updated_limits(self.limits_for(company_id), changes)

    def to_json(self) -> dict[str, Any]:
        """The admin view: defaults, overrides, and current usage per company."""
        return {
            "default": self.defaults.to_json(),
            "companies": {cid: limits.to_json() for cid, limits in self.overrides.items()},
            "usage": {
                cid: {
                    "in_flight": self._in_flight.get(cid, 0),
                    "requests_in_window": window.count if cid in self._windows else 0,
                }
                for cid, window in self._windows.items()
            },
        }
