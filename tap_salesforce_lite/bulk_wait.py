"""When to check a Bulk API 2.0 query job again: as few status calls as the job allows.

Salesforce serves a query job's results only once the job's state is ``JobComplete`` (its
documentation says so for the results resource, and no Bulk 2.0 call waits for a job or hands
out results earlier, short of the beta platform-event subscription), so a job costs at least
one status check, and every check is one call against the org's daily API quota. The schedule
spends as few as it can without keeping a finished job waiting long:

* **An estimate of the job's end, when there is one.** Two sources:

  - the job's record count (``api_type: auto`` knows it from the REST probe's ``totalSize``)
    divided by the org's Bulk throughput: the throughput an earlier job of this run achieved
    (its ``numberRecordsProcessed`` over its ``totalProcessingTime``), else
    :data:`OPTIMISTIC_RECORDS_PER_SECOND`, an upper bound of what a Bulk query job processes,
    so that its estimate falls short of the real end rather than past it;
  - the job's own progress, when a status response reports ``numberRecordsProcessed`` while
    the job is still ``InProgress`` and the record count is known: the rest at the rate so far.

  A check goes at the estimated end (with a small margin), so a good estimate costs one check.

* **Otherwise, or once the estimate has passed**, each wait is half as long as the job has run
  so far (checks at 0.5, 0.75, 1.1, 1.7, 2.5 ... seconds after creation): the checks grow with
  the logarithm of the job's duration, and a job that has finished waits at most half as long
  as it ran. Doubling instead (a wait as long as the running time) saves a third of the checks
  but lets a finished job wait up to its own duration, which measurably slows a read whose
  download is only a few times longer than its job.

Every wait is capped by ``bulk_poll_max_interval``, so jobs of hours are checked at that
interval, and each check is an ordinary API request: an expired session is renewed then.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

#: First check after creation when nothing is known of the job's duration, in seconds.
FIRST_WAIT: Final = 0.5
#: Each later wait is this times the job's running time so far (checks at x1.5 of it).
WAIT_PER_SECOND_RUN: Final = 0.5
#: Records per second a Bulk query job is assumed to process at most before one has been seen.
OPTIMISTIC_RECORDS_PER_SECOND: Final = 100_000.0
#: An estimated end is checked this much later (relative), plus :data:`MARGIN_SECONDS`.
MARGIN_RATIO: Final = 1.1
MARGIN_SECONDS: Final = 0.25
_MILLISECONDS: Final = 1000.0


@dataclass
class BulkThroughput:
    """The org's Bulk query throughput seen in this run (records per second of processing).

    Shared by every job of a run through the client: the first job of a run teaches the next
    ones how long a job of a given size takes on this org.

    Attributes:
        records: Records processed by the completed jobs measured so far.
        seconds: Their processing time, in seconds.
    """

    records: int = 0
    seconds: float = 0.0

    def record(self, records: int, seconds: float) -> None:
        """Add one completed job (ignored when it tells nothing: empty or instantaneous)."""
        if records > 0 and seconds > 0:
            self.records += records
            self.seconds += seconds

    @property
    def records_per_second(self) -> float | None:
        """The measured throughput, or None before a job was measured."""
        if not self.records or self.seconds <= 0:
            return None
        return self.records / self.seconds

    def record_completed(self, status: Mapping[str, object], elapsed: float) -> None:
        """Learn from a ``JobComplete`` status seen ``elapsed`` seconds after creation.

        ``totalProcessingTime`` (milliseconds) is the server's own processing time; without it
        the time from creation to the check that saw the job complete (an upper bound) is used.
        """
        records = _whole_number(status.get("numberRecordsProcessed"))
        processing = _whole_number(status.get("totalProcessingTime"))
        seconds = processing / _MILLISECONDS if processing else elapsed
        if records is not None:
            self.record(records, seconds)


class PollSchedule:
    """The waits between a job's status checks (pure: the caller sleeps and keeps the time).

    Args:
        max_interval: Longest wait between two checks (``bulk_poll_max_interval``).
        expected_records: Records the job will return, when known beforehand.
        throughput: The run's measured Bulk throughput.
        first_wait: Wait before the first check when nothing is known.
    """

    def __init__(
        self,
        max_interval: float,
        *,
        expected_records: int | None = None,
        throughput: BulkThroughput | None = None,
        first_wait: float = FIRST_WAIT,
    ) -> None:
        """See the class docstring."""
        self._max = max_interval
        self._expected = expected_records
        self._first = first_wait
        rate = throughput.records_per_second if throughput is not None else None
        self._rate = rate or OPTIMISTIC_RECORDS_PER_SECOND

    def first_wait(self) -> float:
        """Seconds from the job's creation to its first status check."""
        target = self._sized_end()
        return self._bounded(target if target is not None else self._first)

    def next_wait(self, elapsed: float, status: Mapping[str, object]) -> float:
        """Seconds to wait after a check that found the job still running.

        Args:
            elapsed: Seconds since the job was created, at the check.
            status: The job's status body at that check.
        """
        target = self._progress_end(elapsed, status)
        if target is None:
            target = self._sized_end()
        if target is not None and target > elapsed:
            return self._bounded(target - elapsed)
        return self._bounded(elapsed * WAIT_PER_SECOND_RUN)

    def _sized_end(self) -> float | None:
        """The job's end estimated from its record count and the throughput."""
        if self._expected is None:
            return None
        return _with_margin(self._expected / self._rate)

    def _progress_end(self, elapsed: float, status: Mapping[str, object]) -> float | None:
        """The job's end extrapolated from the records it reports processed so far."""
        processed = _whole_number(status.get("numberRecordsProcessed"))
        if not processed or not self._expected or elapsed <= 0:
            return None
        remaining = max(self._expected - processed, 0)
        return elapsed + _with_margin(remaining * elapsed / processed)

    def _bounded(self, wait: float) -> float:
        return min(max(wait, self._first), self._max)


def _with_margin(seconds: float) -> float:
    return seconds * MARGIN_RATIO + MARGIN_SECONDS


def _whole_number(value: object) -> int | None:
    """A whole number from a JSON number or numeric text; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal) and math.isfinite(value):
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None
