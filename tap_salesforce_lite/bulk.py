"""Bulk API 2.0 query jobs with results streamed page by page in constant memory.

A job is created with the same ordered SOQL as REST (``ORDER BY key, Id``), its status is
checked on the schedule of :mod:`~tap_salesforce_lite.bulk_wait` (at its estimated end when the
record count is known, else at each half again of its running time, capped) until it completes,
and its CSV results are read one ``maxRecords`` page at a time, each page parsed as it
arrives (quoted multi-line values intact). A connection dropped in the middle of a page is
retried with the same locator, skipping the rows already handed out, so nothing is lost or
repeated; an expired session during a status check or a download logs in again.
"""

from __future__ import annotations

import csv
import io
import logging
import random
import time
from typing import IO, TYPE_CHECKING, Any, Final, cast

import requests
import urllib3

from tap_salesforce_lite.bulk_wait import PollSchedule
from tap_salesforce_lite.errors import (
    BulkUnavailableError,
    RetryableRequestError,
    SalesforceRequestError,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterator

    from tap_salesforce_lite.bulk_wait import BulkThroughput
    from tap_salesforce_lite.client import SalesforceClient

LOGGER = logging.getLogger(__name__)

_DONE_LOCATOR: Final = "null"
_BROKEN_STREAM: Final = (
    urllib3.exceptions.HTTPError,
    requests.RequestException,
    OSError,
    csv.Error,
    UnicodeDecodeError,
)


class BulkQuery:
    """One Bulk API 2.0 query job, from creation to its last results page."""

    def __init__(
        self,
        client: SalesforceClient,
        soql: str,
        *,
        query_all: bool,
        page_size: int,
        poll_max_interval: float,
        doing: str,
        expected_records: int | None = None,
        throughput: BulkThroughput | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Prepare the job; nothing is sent until :meth:`rows` is iterated.

        Args:
            client: The API client.
            soql: The query text.
            query_all: Operation ``queryAll`` (deleted rows included) instead of ``query``.
            page_size: ``maxRecords`` per results request.
            poll_max_interval: Longest wait between two status checks, in seconds.
            doing: What the job is for, for messages.
            expected_records: Records the query matches, when known (sizes the first wait).
            throughput: The run's Bulk throughput, learned from each completed job.
            clock: Monotonic clock in seconds (tests inject one).
            sleep: How to wait (tests inject one).
        """
        self._client = client
        self._soql = soql
        self._query_all = query_all
        self._page_size = page_size
        self._doing = doing
        self._throughput = throughput
        self._expected = expected_records
        self._clock = clock
        self._sleep = sleep
        self.schedule = PollSchedule(
            poll_max_interval, expected_records=expected_records, throughput=throughput
        )
        self.job_id: str | None = None
        self.records_expected: int | None = None
        self.status_checks = 0
        self._created_at = 0.0

    def rows(self) -> Iterator[tuple[list[str], list[str]]]:
        """Create the job, wait for it and yield ``(header, row)`` for every result row.

        Raises:
            BulkUnavailableError: Bulk refused the object or the query, or the job failed.
        """
        self._create()
        self._wait()
        locator: str | None = None
        while True:
            locator = yield from self._page(locator)
            if locator is None:
                return

    def _create(self) -> None:
        body = {
            "operation": "queryAll" if self._query_all else "query",
            "query": self._soql,
            "contentType": "CSV",
            "columnDelimiter": "COMMA",
            "lineEnding": "LF",
        }
        try:
            job = self._client.send_json(
                "POST",
                self._client.data_path("jobs/query"),
                body,
                doing=f"creating a Bulk query job for {self._doing}",
                kind="bulk",
            )
        except SalesforceRequestError as exc:
            raise BulkUnavailableError(
                f"Bulk API 2.0 refused the query for {self._doing}: {exc.api_message or exc}"
            ) from None
        self._created_at = self._clock()
        self.job_id = str((job or {}).get("id") or "")
        if not self.job_id:
            raise BulkUnavailableError(f"Bulk API 2.0 returned no job id for {self._doing}")

    def _status(self) -> dict[str, Any]:
        self.status_checks += 1
        try:
            status = self._client.get_json(
                self._client.data_path(f"jobs/query/{self.job_id}"),
                doing=f"checking Bulk job {self.job_id} for {self._doing}",
                kind="bulk",
            )
        except SalesforceRequestError as exc:
            raise BulkUnavailableError(
                f"Bulk job {self.job_id} for {self._doing} cannot be checked: "
                f"{exc.api_message or exc}"
            ) from None
        return status if isinstance(status, dict) else {}

    def _wait(self) -> None:
        """Check the job on the schedule until it completes (or fails)."""
        wait = self.schedule.first_wait()
        while True:
            self._pause(wait)
            status = self._status()
            elapsed = self._clock() - self._created_at
            state = status.get("state")
            if state == "JobComplete":
                processed = status.get("numberRecordsProcessed")
                self.records_expected = int(processed) if processed is not None else None
                if self._throughput is not None:
                    self._throughput.record_completed(status, elapsed)
                LOGGER.info(
                    "Bulk job %s for %s complete: %s records (%s expected), %d status "
                    "check(s) in %.1fs",
                    self.job_id,
                    self._doing,
                    processed,
                    "none" if self._expected is None else self._expected,
                    self.status_checks,
                    elapsed,
                )
                return
            if state in {"Failed", "Aborted"}:
                reason = status.get("errorMessage") or state
                raise BulkUnavailableError(
                    f"Bulk job {self.job_id} for {self._doing} ended {state}: {reason}"
                )
            wait = self.schedule.next_wait(elapsed, status)

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            self._sleep(seconds)

    def _page(
        self, locator: str | None
    ) -> Generator[tuple[list[str], list[str]], None, str | None]:
        """Yield one results page's rows; return the next locator (None when done)."""
        params: dict[str, Any] = {"maxRecords": self._page_size}
        if locator:
            params["locator"] = locator
        path = self._client.data_path(f"jobs/query/{self.job_id}/results")
        handed_out = 0
        attempt = 0
        while True:
            response = self._client.request(
                "GET",
                path,
                params=params,
                stream=True,
                doing=f"downloading Bulk results of job {self.job_id} for {self._doing}",
                kind="bulk_results",
            )
            try:
                next_locator = response.headers.get("Sforce-Locator")
                announced = response.headers.get("Sforce-NumberOfRecords")
                position = 0
                for header, row in _csv_rows(response):
                    if position >= handed_out:
                        handed_out += 1
                        yield header, row
                    position += 1
                if announced is not None and announced.isdigit() and position != int(announced):
                    raise csv.Error(f"{position} rows received of {announced} announced")
            except _BROKEN_STREAM as exc:
                attempt += 1
                if attempt > self._client.retry.max_retries:
                    raise RetryableRequestError(
                        f"Bulk results of job {self.job_id} for {self._doing} kept breaking "
                        f"off ({exc.__class__.__name__})"
                    ) from None
                delay = random.uniform(
                    0,
                    min(
                        self._client.retry.max_delay,
                        self._client.retry.initial_delay * 2 ** (attempt - 1),
                    ),
                )
                LOGGER.warning(
                    "Bulk results page broke off after %d rows (%s); retry %d in %.2fs",
                    handed_out,
                    exc.__class__.__name__,
                    attempt,
                    delay,
                )
                time.sleep(delay)
                continue
            finally:
                response.close()
            if not next_locator or next_locator == _DONE_LOCATOR:
                return None
            return next_locator


def _csv_rows(response: requests.Response) -> Iterator[tuple[list[str], list[str]]]:
    """Parse a streamed CSV body; yields ``(header, row)``."""
    response.raw.decode_content = True
    text = io.TextIOWrapper(cast("IO[bytes]", response.raw), encoding="utf-8", newline="")
    reader = csv.reader(text, strict=True)
    header = next(reader, None)
    if header is None:
        return
    for row in reader:
        if len(row) != len(header):
            raise csv.Error(f"row with {len(row)} cells under a header of {len(header)}")
        yield header, row
