"""Fault injection: off by default, deterministic for a given seed and request order.

The settings are one mutable object shared by the parts that read them (the API gate, the
session registry, the query and Bulk endpoints); the admin endpoint and the ``serve`` flags
change it. :class:`FaultInjector` makes the random draws from one seeded generator and counts
what it injected, so a test can assert that a fault really fired.
"""

from __future__ import annotations

import dataclasses
import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final, Literal

DropPoint = Literal["headers", "body"]
DROP_POINTS: Final[tuple[str, ...]] = ("headers", "body")


@dataclass
class FaultSettings:
    """Which faults are on. Zero means off for every numeric setting.

    Attributes:
        seed: Seed of the random draws (503s, which rows get modified).
        server_unavailable_rate: Fraction (0..1) of API requests answered 503
            SERVER_UNAVAILABLE.
        session_max_requests: Sessions expire after this many authenticated requests.
        session_max_age_seconds: Sessions expire this many seconds (emulator clock) after issue,
            if sooner than the token lifetime.
        query_timeout_window_seconds: Queries whose narrowest datetime window (WHERE bounds on a
            datetime field; a missing upper bound means "now", a missing lower bound means
            unbounded) is wider than this fail with QUERY_TIMEOUT.
        latency_ms: Delay added to every API request.
        drop_connection_every: Every Nth results page (REST query page or Bulk results page)
            is cut: the connection closes after the headers or part of the body.
        drop_connection_point: ``"headers"`` or ``"body"``: where the cut happens.
        modify_during_paging_after_page: After this page of a paged query (REST locator or
            Bulk results), rows of the result already served are modified, committing with a
            SystemModstamp a little in the past, as late commits in Salesforce do.
        modify_during_paging_rows: How many rows to modify.
        modify_during_paging_lag_seconds: How far before "now" their SystemModstamp is set.
    """

    seed: int = 0
    server_unavailable_rate: float = 0.0
    session_max_requests: int = 0
    session_max_age_seconds: float = 0.0
    query_timeout_window_seconds: float = 0.0
    latency_ms: float = 0.0
    drop_connection_every: int = 0
    drop_connection_point: str = "body"
    modify_during_paging_after_page: int = 0
    modify_during_paging_rows: int = 5
    modify_during_paging_lag_seconds: float = 120.0

    def as_dict(self) -> dict[str, Any]:
        """The settings as JSON-ready values."""
        return dataclasses.asdict(self)

    def update(self, changes: dict[str, Any]) -> None:
        """Apply ``changes`` after validating every one of them (all or nothing).

        Raises:
            ValueError: For an unknown name or a value of the wrong type or range; the message
                names the setting and what is allowed.
        """
        validated = {name: _validated(name, value) for name, value in changes.items()}
        for name, value in validated.items():
            setattr(self, name, value)

    def reset(self) -> None:
        """Turn every fault off (the seed is kept)."""
        seed = self.seed
        for item in dataclasses.fields(self):
            setattr(self, item.name, item.default)
        self.seed = seed


_FIELD_TYPES: Final[dict[str, type]] = {
    f.name: {"int": int, "float": float, "str": str}[str(f.type)]
    for f in dataclasses.fields(FaultSettings)
}


def _validated(name: str, value: Any) -> Any:
    kind = _FIELD_TYPES.get(name)
    if kind is None:
        known = ", ".join(sorted(_FIELD_TYPES))
        raise ValueError(f"unknown fault setting {name!r}; known settings: {known}")
    if kind is str:
        if value not in DROP_POINTS:
            raise ValueError(f"fault setting {name!r} must be one of {', '.join(DROP_POINTS)}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(  # noqa: TRY004 - callers report every bad setting as a ValueError
            f"fault setting {name!r} must be a number, got {value!r}"
        )
    if kind is int and int(value) != value:
        raise ValueError(f"fault setting {name!r} must be a whole number, got {value!r}")
    if name != "seed" and value < 0:
        raise ValueError(f"fault setting {name!r} must be 0 (off) or positive, got {value!r}")
    if name == "server_unavailable_rate" and value > 1:
        raise ValueError(f"fault setting {name!r} is a fraction between 0 and 1, got {value!r}")
    return kind(value)


@dataclass
class FaultInjector:
    """Makes the fault decisions and counts the faults injected.

    Attributes:
        settings: The live settings.
    """

    settings: FaultSettings
    _rng: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _pages: int = field(default=0, init=False)
    injected: Counter[str] = field(default_factory=Counter, init=False)

    def __post_init__(self) -> None:
        """Seed the generator."""
        self._rng = random.Random(self.settings.seed)

    def reseed(self) -> None:
        """Restart the random draws and page counter from the current seed."""
        with self._lock:
            self._rng = random.Random(self.settings.seed)
            self._pages = 0

    def clear_counts(self) -> None:
        """Forget the faults injected so far."""
        with self._lock:
            self.injected.clear()

    def server_unavailable(self) -> bool:
        """Whether this API request gets a 503 (draws only when the fault is on)."""
        rate = self.settings.server_unavailable_rate
        if rate <= 0:
            return False
        with self._lock:
            hit = self._rng.random() < rate
            if hit:
                self.injected["server_unavailable"] += 1
        return hit

    def page_drop_point(self) -> str | None:
        """Count one results page; return where to cut its connection, or None."""
        every = self.settings.drop_connection_every
        if every <= 0:
            return None
        with self._lock:
            self._pages += 1
            if self._pages % every:
                return None
            self.injected["connection_dropped"] += 1
        return self.settings.drop_connection_point

    def sample(self, population: int, count: int) -> list[int]:
        """Pick ``count`` distinct indexes below ``population`` with the seeded generator."""
        with self._lock:
            return sorted(self._rng.sample(range(population), min(count, population)))

    def count(self, kind: str, amount: int = 1) -> None:
        """Record that a fault of ``kind`` was injected."""
        with self._lock:
            self.injected[kind] += amount

    def stats(self) -> dict[str, int]:
        """Faults injected so far, by kind."""
        with self._lock:
            return dict(self.injected)
