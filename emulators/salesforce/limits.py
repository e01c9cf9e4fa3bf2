"""The org's daily API request quota and the ``/limits`` resource.

Every authenticated REST or Bulk call counts one request against ``DailyApiRequests``; when the
quota is used up, calls fail with 403 REQUEST_LIMIT_EXCEEDED until the day (on the emulator's
clock, UTC) changes or an admin resets it. Every data response reports the usage in
``Sforce-Limit-Info: api-usage=N/M``.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from emulators.salesforce.errors import SalesforceApiError

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date

    from emulators.salesforce.clock import ControllableClock

DEFAULT_DAILY_QUOTA = 15_000
DAILY_BULK_V2_QUERY_JOBS = 10_000
DAILY_BULK_V2_QUERY_FILE_STORAGE_MB = 1_048_576
DAILY_BULK_API_BATCHES = 15_000
#: Requests between two saves of the day's usage (it is also saved on a clean shutdown), so
#: an emulator that is killed forgets at most this many.
USAGE_SAVE_EVERY = 50


def request_limit_exceeded() -> SalesforceApiError:
    """The error of a call made after the daily quota ran out."""
    return SalesforceApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")


def limit_info(used: int, quota: int) -> str:
    """The ``Sforce-Limit-Info`` header value: ``api-usage=N/M``."""
    return f"api-usage={used}/{quota}"


class ApiUsage:
    """Counts API requests and Bulk query jobs per UTC day of the emulator's clock.

    Args:
        clock: The emulator's clock.
        daily_quota: ``DailyApiRequests`` maximum.
        used: Requests already used today (restored after a restart).
        save: Called with the day and its usage every :data:`USAGE_SAVE_EVERY` requests and
            after an admin change (None: never).
    """

    def __init__(
        self,
        clock: ControllableClock,
        daily_quota: int,
        used: int = 0,
        save: Callable[[date, int], None] | None = None,
    ) -> None:
        """See the class docstring."""
        self._clock = clock
        self._lock = threading.Lock()
        self.daily_quota = daily_quota
        self._used = used
        self._bulk_jobs = 0
        self._day = clock.now().date()
        self._save = save

    def _roll(self) -> None:
        today = self._clock.now().date()
        if today != self._day:
            self._day = today
            self._used = 0
            self._bulk_jobs = 0

    def consume(self) -> tuple[int, int]:
        """Count one request; return ``(used, quota)`` after it.

        Raises:
            SalesforceApiError: 403 REQUEST_LIMIT_EXCEEDED when the quota is already used up.
        """
        with self._lock:
            self._roll()
            if self._used >= self.daily_quota:
                raise request_limit_exceeded()
            self._used += 1
            used, quota, day = self._used, self.daily_quota, self._day
        if self._save is not None and used % USAGE_SAVE_EVERY == 0:
            self._save(day, used)
        return used, quota

    def count_bulk_job(self) -> None:
        """Count one Bulk 2.0 query job."""
        with self._lock:
            self._roll()
            self._bulk_jobs += 1

    def snapshot(self) -> tuple[int, int]:
        """Return ``(used, quota)`` without counting."""
        with self._lock:
            self._roll()
            return self._used, self.daily_quota

    def set(self, *, daily_quota: int | None = None, used: int | None = None) -> None:
        """Change the quota and/or the requests used today (admin)."""
        with self._lock:
            self._roll()
            if daily_quota is not None:
                self.daily_quota = daily_quota
            if used is not None:
                self._used = used
            day, saved = self._day, self._used
        if self._save is not None:
            self._save(day, saved)

    def day(self) -> date:
        """The day the usage counts (the emulator clock's UTC date)."""
        with self._lock:
            self._roll()
            return self._day

    def limits_body(self) -> dict[str, Any]:
        """The body of ``GET /services/data/vXX.X/limits``."""
        with self._lock:
            self._roll()
            used, quota, jobs = self._used, self.daily_quota, self._bulk_jobs
        return {
            "ConcurrentAsyncGetReportInstances": {"Max": 200, "Remaining": 200},
            "ConcurrentSyncReportRuns": {"Max": 20, "Remaining": 20},
            "DailyApiRequests": {"Max": quota, "Remaining": max(quota - used, 0)},
            "DailyAsyncApexExecutions": {"Max": 250000, "Remaining": 250000},
            "DailyBulkApiBatches": {
                "Max": DAILY_BULK_API_BATCHES,
                "Remaining": DAILY_BULK_API_BATCHES,
            },
            "DailyBulkV2QueryFileStorageMB": {
                "Max": DAILY_BULK_V2_QUERY_FILE_STORAGE_MB,
                "Remaining": DAILY_BULK_V2_QUERY_FILE_STORAGE_MB,
            },
            "DailyBulkV2QueryJobs": {
                "Max": DAILY_BULK_V2_QUERY_JOBS,
                "Remaining": max(DAILY_BULK_V2_QUERY_JOBS - jobs, 0),
            },
            "DataStorageMB": {"Max": 5, "Remaining": 5},
            "FileStorageMB": {"Max": 20, "Remaining": 20},
            "HourlyODataCallout": {"Max": 10000, "Remaining": 10000},
        }
