"""Read one object's records for one time window, with the right API.

* ``rest``: REST query paging; a wide object is read as several field groups merged by Id.
* ``bulk``: one Bulk API 2.0 job (no URI limit, so never split), results streamed.
* ``auto``: the REST query runs first; if its ``totalSize`` reaches ``bulk_threshold`` the
  window is read through Bulk instead, otherwise the REST pages already started are used (a
  window with nothing new costs exactly one call).

When Bulk refuses the object, or a job fails, the object falls back to REST for the rest of the
run. When a read breaks off after records were emitted (an expired query cursor, Bulk results
that keep failing), the window is read again from the stream's checkpoint and the records
already emitted in this run are recognized by Id and replication key and not emitted twice.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from tap_salesforce_lite.bulk import BulkQuery
from tap_salesforce_lite.errors import (
    BulkUnavailableError,
    InvalidQueryLocatorError,
    RetryableRequestError,
)
from tap_salesforce_lite.merge import FieldGroupMerger
from tap_salesforce_lite.rest import RestQuery
from tap_salesforce_lite.settings import ApiType
from tap_salesforce_lite.soql import (
    MAX_BULK_SOQL_CHARS,
    MAX_URI_BYTES,
    QuerySpec,
    TimeWindow,
    build_soql,
    query_path,
    split_fields,
)
from tap_salesforce_lite.values import parse_datetime

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterator

    from tap_salesforce_lite.client import SalesforceClient
    from tap_salesforce_lite.records import RecordShape
    from tap_salesforce_lite.settings import TapSettings

LOGGER = logging.getLogger(__name__)

Row = dict[str, Any]
MAX_RESUMES: Final = 5
RECENT_CAPACITY: Final = 100_000
_PRUNE_EVERY: Final = 1024


class RecentRecords:
    """The last records emitted, as ``Id -> replication key value`` (bounded).

    Only records at or after the stream's checkpoint can be read again by a resumed read, so
    older entries are forgotten as the checkpoint moves; the capacity bounds the rest.
    """

    def __init__(self, capacity: int = RECENT_CAPACITY) -> None:
        """Keep at most ``capacity`` entries (oldest dropped first)."""
        self._entries: OrderedDict[str, Any] = OrderedDict()
        self._capacity = capacity

    def add(self, record_id: str, version: Any) -> None:
        """Remember an emitted record."""
        self._entries[record_id] = version
        self._entries.move_to_end(record_id)
        if len(self._entries) > self._capacity:
            self._entries.popitem(last=False)

    def forget_below(self, version: Any) -> None:
        """Forget the entries, oldest first, whose version is below ``version``."""
        entries = self._entries
        while entries:
            oldest = next(iter(entries))
            if entries[oldest] is None or entries[oldest] >= version:
                return
            del entries[oldest]

    def __len__(self) -> int:
        """How many entries are held."""
        return len(self._entries)

    def has(self, record_id: str, version: Any) -> bool:
        """Whether this exact version of the record was emitted."""
        return record_id in self._entries and self._entries[record_id] == version


@dataclass
class ReadStats:
    """What the reader did, for logs and tests.

    Attributes:
        api_used: APIs that returned records ("rest", "bulk").
        field_groups: Field groups of the last REST read.
        bulk_fallbacks: Times Bulk failed and REST took over.
        bulk_status_checks: Status checks of the Bulk jobs (one call each).
        resumes: Times a window was read again after breaking off.
        duplicates_skipped: Records recognized as already emitted after a resume.
        rows_reread: Rows of a wide object read again by Id (changed between group queries).
        skipped: Records left for the next run, with their last seen key.
    """

    api_used: set[str]
    field_groups: int = 1
    bulk_fallbacks: int = 0
    bulk_status_checks: int = 0
    resumes: int = 0
    duplicates_skipped: int = 0
    rows_reread: int = 0
    skipped: list[tuple[str, Any]] | None = None


class ObjectReader:
    """Reads windows of one object; remembers across windows whether Bulk works for it."""

    def __init__(
        self,
        client: SalesforceClient,
        settings: TapSettings,
        shape: RecordShape,
        *,
        limit: int | None,
        resume_lower: Callable[[], str | None],
    ) -> None:
        """Prepare the reader.

        Args:
            client: The API client.
            settings: The tap settings.
            shape: Query fields and record conversion of the stream.
            limit: At most this many records per window (max_records_per_stream), or None.
            resume_lower: The stream's checkpoint, where a broken-off read starts again.
        """
        self._client = client
        self._settings = settings
        self._shape = shape
        self.shape = shape
        self._limit = limit
        self._resume_lower = resume_lower
        self._bulk_refused = settings.api_type is ApiType.REST or bool(
            shape.bulk_unsupported_fields
        )
        self._recent = RecentRecords()
        self._name = shape.object.name
        self.stats = ReadStats(api_used=set(), skipped=[])

    @property
    def _query_all(self) -> bool:
        return self._shape.include_deleted

    @property
    def _rest_page_size(self) -> int:
        size = self._settings.rest_page_size
        return min(size, max(200, self._limit)) if self._limit else size

    def read(self, window: TimeWindow) -> Iterator[Row]:
        """The records of ``window``, each emitted once.

        Raises:
            QueryTimeoutError: The window is too wide for Salesforce (the caller narrows it).
        """
        current = window
        resumed = False
        key = self._shape.replication_key
        while True:
            try:
                for count, record in enumerate(self._read_once(current), start=1):
                    version = record.get(key or "Id")
                    if resumed and self._recent.has(record["Id"], version):
                        self.stats.duplicates_skipped += 1
                        continue
                    self._recent.add(record["Id"], version)
                    yield record
                    if key and count % _PRUNE_EVERY == 0:
                        checkpoint = self._resume_lower()
                        if checkpoint is not None:
                            self._recent.forget_below(checkpoint)
            except (InvalidQueryLocatorError, _BrokenReadError) as exc:
                self.stats.resumes += 1
                if self.stats.resumes > MAX_RESUMES:
                    raise
                current = self._resumed_window(window)
                resumed = True
                LOGGER.warning(
                    "Reading %s broke off (%s); reading again from %s",
                    self._name,
                    exc,
                    current.lower.isoformat() if current.lower else "the start",
                )
                continue
            return

    def _resumed_window(self, window: TimeWindow) -> TimeWindow:
        checkpoint = self._resume_lower()
        if checkpoint is None or self._shape.replication_key is None:
            return window
        lower = parse_datetime(checkpoint)
        if window.lower is not None and window.lower > lower:
            lower = window.lower
        return TimeWindow(lower, window.upper)

    # Choosing the API

    def _read_once(self, window: TimeWindow) -> Iterator[Row]:
        api = self._settings.api_type
        if api is ApiType.BULK and not self._bulk_refused:
            records = yield from self._bulk_or_none(window)
            if records:
                return
        if api is ApiType.AUTO and not self._bulk_refused:
            groups = self._groups()
            probe = RestQuery(
                self._client,
                build_soql(self._spec(groups[0], window)),
                query_all=self._query_all,
                page_size=self._rest_page_size,
                doing=f"querying {self._name}",
            )
            total = probe.first_page().total_size
            if total >= self._settings.bulk_threshold:
                LOGGER.info("%s: %d records to read, using Bulk API 2.0", self._name, total)
                records = yield from self._bulk_or_none(window, expected_records=total)
                if records:
                    return
            yield from self._rest(window, groups, first=probe)
            return
        yield from self._rest(window, self._groups(), first=None)

    # Bulk API 2.0

    def _bulk_or_none(
        self, window: TimeWindow, *, expected_records: int | None = None
    ) -> Generator[Row, None, bool]:
        """Read through Bulk; return True when done, False when REST must take over.

        Args:
            window: The time window to read.
            expected_records: The records the window holds, when a REST probe counted them.
        """
        soql = build_soql(self._spec(self._shape.query_fields, window))
        if len(soql) > MAX_BULK_SOQL_CHARS:
            self._refuse_bulk(f"its query is longer than {MAX_BULK_SOQL_CHARS} characters")
            return False
        page_size = self._settings.bulk_page_size
        job = BulkQuery(
            self._client,
            soql,
            query_all=self._query_all,
            page_size=min(page_size, self._limit) if self._limit else page_size,
            poll_max_interval=self._settings.bulk_poll_max_interval,
            doing=f"reading {self._name}",
            expected_records=expected_records,
            throughput=self._client.bulk_throughput,
        )
        emitted = 0
        converters: dict[tuple[str, ...], Callable[[list[str]], Row]] = {}
        try:
            for header, row in job.rows():
                key = tuple(header)
                convert = converters.get(key)
                if convert is None:
                    convert = converters[key] = self._shape.csv_row_reader(header)
                    self.stats.api_used.add("bulk")
                emitted += 1
                yield convert(row)
        except (BulkUnavailableError, RetryableRequestError) as exc:
            self._refuse_bulk(str(exc))
            if emitted:
                raise _BrokenReadError(str(exc)) from None
            return False
        finally:
            self.stats.bulk_status_checks += job.status_checks
        return True

    def _refuse_bulk(self, reason: str) -> None:
        self._bulk_refused = True
        self.stats.bulk_fallbacks += 1
        LOGGER.warning(
            "%s: Bulk API 2.0 unavailable (%s); reading it through REST", self._name, reason
        )

    # REST

    def _groups(self) -> list[tuple[str, ...]]:
        required = ("Id", self._shape.replication_key) if self._shape.replication_key else ("Id",)
        groups = split_fields(
            self._shape.query_fields,
            object_name=self._name,
            required=tuple(required),
            path=self._client.data_path("queryAll" if self._query_all else "query"),
        )
        self.stats.field_groups = len(groups)
        return groups

    def _spec(
        self, fields: tuple[str, ...], window: TimeWindow, ids: tuple[str, ...] = ()
    ) -> QuerySpec:
        return QuerySpec(
            object_name=self._name,
            fields=fields,
            replication_key=self._shape.replication_key,
            window=TimeWindow() if ids else window,
            ids=ids,
            limit=None if ids else self._limit,
        )

    def _rest_query(self, spec: QuerySpec) -> RestQuery:
        return RestQuery(
            self._client,
            build_soql(spec),
            query_all=self._query_all,
            page_size=self._rest_page_size,
            doing=f"querying {self._name}",
        )

    def _rest(
        self, window: TimeWindow, groups: list[tuple[str, ...]], *, first: RestQuery | None
    ) -> Iterator[Row]:
        queries = [first or self._rest_query(self._spec(groups[0], window))]
        queries.extend(self._rest_query(self._spec(group, window)) for group in groups[1:])
        from_rest = self._shape.from_rest
        self.stats.api_used.add("rest")
        if len(queries) == 1:
            for page in queries[0].pages(prefetch=True):
                for raw in page:
                    yield from_rest(raw)
            return
        merger = FieldGroupMerger(
            [query.pages() for query in queries],
            key_field=self._shape.replication_key,
            refetch=lambda ids: self._refetch(groups, ids),
            slack_rows=2 * self._rest_page_size,
        )
        for raw in merger.rows():
            yield from_rest(raw)
        self.stats.rows_reread += merger.refetched
        if self.stats.skipped is not None:
            self.stats.skipped.extend(merger.skipped)

    def _refetch(self, groups: list[tuple[str, ...]], ids: list[str]) -> list[dict[str, Row]]:
        found: list[dict[str, Row]] = []
        for group in groups:
            rows: dict[str, Row] = {}
            for chunk in self._id_chunks(group, ids):
                for page in self._rest_query(self._spec(group, TimeWindow(), chunk)).pages():
                    rows.update((str(row["Id"]), row) for row in page)
            found.append(rows)
        return found

    def _id_chunks(self, group: tuple[str, ...], ids: list[str]) -> Iterator[tuple[str, ...]]:
        path = self._client.data_path("queryAll" if self._query_all else "query")
        chunk: list[str] = []
        for record_id in ids:
            candidate = (*chunk, record_id)
            length = len(query_path(path, build_soql(self._spec(group, TimeWindow(), candidate))))
            if length > MAX_URI_BYTES and chunk:
                yield tuple(chunk)
                chunk = [record_id]
            else:
                chunk.append(record_id)
        if chunk:
            yield tuple(chunk)


class _BrokenReadError(Exception):
    """A read broke off after records were emitted; the window is read again."""
