"""Deterministic fault injection: a seeded RNG decides per request, in arrival order."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from emulators.akountify.settings import Faults

_DRAWS_PER_REQUEST = 6


@dataclass(frozen=True)
class Decision:
    """What happens to one request.

    Attributes:
        latency: Seconds to wait before anything else.
        status: An injected error status (429, 500 or 503), or None.
        drop_before: Close the connection without doing anything.
        drop_after: Process the request, then close the connection without answering.
    """

    latency: float = 0.0
    status: int | None = None
    drop_before: bool = False
    drop_after: bool = False


NO_FAULT = Decision()


class FaultInjector:
    """Holds the fault settings and the RNG; decides the fate of each request."""

    def __init__(self, faults: Faults) -> None:
        """Start with ``faults`` and an RNG seeded from them."""
        self.faults = faults
        self._rng = random.Random(faults.seed)
        self._burst_left = 0
        self._released: asyncio.Event | None = None

    def configure(self, faults: Faults) -> None:
        """Replace the settings; the RNG restarts from the seed and any burst ends."""
        self.faults = faults
        self._rng = random.Random(faults.seed)
        self._burst_left = 0
        if self._released is not None and not faults.hold_requests:
            self._released.set()
            self._released = None

    def decide(self) -> Decision:
        """The fate of the next request (always draws the same number of random values)."""
        faults = self.faults
        if not faults.active:
            return NO_FAULT
        error, kind, burst, slow, drop, drop_after = (
            self._rng.random() for _ in range(_DRAWS_PER_REQUEST)
        )
        latency = (
            faults.latency_ms / 1000 if faults.latency_ms and slow < faults.latency_rate else 0.0
        )
        if drop < faults.drop_rate:
            return Decision(latency=latency, drop_before=True)
        if self._burst_left == 0 and burst < faults.burst_rate:
            self._burst_left = max(faults.burst_length, 1)
        if self._burst_left > 0:
            self._burst_left -= 1
            return Decision(latency=latency, status=429)
        if error < faults.error_rate:
            return Decision(latency=latency, status=500 if kind < 0.5 else 503)  # noqa: PLR2004
        return Decision(latency=latency, drop_after=drop_after < faults.drop_after_write_rate)

    async def wait_while_held(self) -> None:
        """Wait until ``hold_requests`` is turned off (returns at once when it is off)."""
        if not self.faults.hold_requests:
            return
        if self._released is None:
            self._released = asyncio.Event()
        await self._released.wait()
