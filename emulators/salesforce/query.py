"""REST ``query`` and ``queryAll`` with nextRecordsUrl paging over the store's snapshots.

The first call runs the query (the store materializes the ordered row ids: a snapshot) and
returns the first page; when more rows remain, a cursor is kept under a ``01g`` locator and
``nextRecordsUrl`` is ``/services/data/vXX.X/query/01g…-2000``. Cursors expire after a period
without use (emulator clock) and the oldest go first when too many are open.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson
from starlette.responses import Response

from emulators.salesforce.errors import SalesforceApiError
from emulators.salesforce.fault_effects import apply_late_commits, check_query_timeout
from emulators.salesforce.gate import ApiCall, api_endpoint
from emulators.salesforce.ids import make_id
from emulators.salesforce.responses import JSON_MEDIA_TYPE, CutResponse
from emulators.salesforce.settings import MAX_QUERY_BATCH, MIN_QUERY_BATCH
from emulators.salesforce.soql import compile_query

if TYPE_CHECKING:
    import concurrent.futures

    from starlette.requests import Request

    from emulators.salesforce.clock import ControllableClock
    from emulators.salesforce.state import EmulatorState
    from emulators.salesforce.store import QueryResult


#: Cursors that may hold pages rendered ahead at the same time.
MAX_PREFETCHED_PAGES = 4
#: Pages of one cursor rendered ahead while the client reads, one per render thread. Since a
#: page renders in one statement step (the GIL released throughout), two render at once on
#: two cores: 26,645 against 22,155 records/s back to back (50k accounts, load 1-1.5), for
#: about 25% more server CPU (contention in SQLite's allocator).
PAGES_AHEAD = 2


def invalid_locator() -> SalesforceApiError:
    """Salesforce's error for an unknown or expired query locator."""
    return SalesforceApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")


def missing_query() -> SalesforceApiError:
    """The error of a query call without ``q``."""
    return SalesforceApiError(
        400, "MALFORMED_QUERY", "A query string has to be specified in the 'q' parameter"
    )


@dataclass
class Cursor:
    """An open query result being paged.

    Attributes:
        locator: The ``01g`` id.
        result: The store's snapshot.
        batch_size: Page size chosen by the first call.
        api_version: API version of the first call (record URLs use it).
        last_used: Emulator-clock epoch seconds of the last page served.
        pages_served: Pages served so far (the first page included).
        late_commits_done: Whether the late-commit fault already fired on this query.
        prefetched: The next pages by first row, rendered ahead while the client reads this one.
    """

    locator: str
    result: QueryResult
    batch_size: int
    last_used: float
    api_version: str = "59.0"
    pages_served: int = 0
    late_commits_done: bool = False
    prefetched: dict[int, concurrent.futures.Future[bytes]] = field(default_factory=dict)

    def take_prefetched(self, start: int) -> concurrent.futures.Future[bytes] | None:
        """The page rendered ahead for row ``start``, if any (each is handed out once).

        Pages rendered ahead for other rows (the client went back or skipped) are dropped.
        """
        future = self.prefetched.pop(start, None)
        for stale in [ahead for ahead in self.prefetched if ahead < start]:
            del self.prefetched[stale]
        return future


class QueryCursors:
    """Open query cursors by locator.

    Args:
        clock: The emulator's clock.
        idle_seconds: A cursor unused this long expires.
        max_open: Cursors kept at most; the least recently used goes first.
    """

    def __init__(self, clock: ControllableClock, idle_seconds: float, max_open: int) -> None:
        """See the class docstring."""
        self._clock = clock
        self.idle_seconds = idle_seconds
        self.max_open = max_open
        self._lock = threading.Lock()
        self._open: OrderedDict[str, Cursor] = OrderedDict()
        self._sequence = itertools.count(1)

    def new(self, result: QueryResult, batch_size: int, api_version: str) -> Cursor:
        """Make a cursor for ``result`` (not yet registered; see :meth:`keep`)."""
        locator = make_id("01g", next(self._sequence))
        return Cursor(locator, result, batch_size, self._clock.now().timestamp(), api_version)

    def keep(self, cursor: Cursor) -> None:
        """Register ``cursor`` so its locator can be used."""
        with self._lock:
            self._open[cursor.locator] = cursor
            self._open.move_to_end(cursor.locator)
            while len(self._open) > self.max_open:
                self._open.popitem(last=False)

    def get(self, locator: str) -> Cursor:
        """Return the open cursor of ``locator``.

        Raises:
            SalesforceApiError: INVALID_QUERY_LOCATOR when unknown or expired.
        """
        now = self._clock.now().timestamp()
        with self._lock:
            cursor = self._open.get(locator)
            if cursor is None:
                raise invalid_locator()
            if now - cursor.last_used > self.idle_seconds:
                del self._open[locator]
                raise invalid_locator()
            cursor.last_used = now
            self._open.move_to_end(locator)
        return cursor

    def make_room_for_prefetch(self, cursor: Cursor) -> None:
        """Drop pages rendered ahead for all but the most recently used cursors (memory)."""
        with self._lock:
            others = [c for c in self._open.values() if c is not cursor and c.prefetched]
            for stale in others[: max(len(others) - MAX_PREFETCHED_PAGES + 1, 0)]:
                stale.prefetched = {}

    def open_count(self) -> int:
        """How many cursors are open."""
        with self._lock:
            return len(self._open)

    def clear(self) -> None:
        """Drop every cursor."""
        with self._lock:
            self._open.clear()


def batch_size_of(header: str | None, default: int) -> int:
    """The page size asked by ``Sforce-Query-Options: batchSize=N``, clamped to 200..2000."""
    if not header:
        return default
    for option in header.split(","):
        name, _, value = option.strip().partition("=")
        if name.strip().lower() == "batchsize":
            try:
                wanted = int(value.strip())
            except ValueError:
                return default
            return max(MIN_QUERY_BATCH, min(MAX_QUERY_BATCH, wanted))
    return default


def _run_query(state: EmulatorState, soql: str, include_deleted: bool) -> QueryResult:
    """Compile (checking the timeout fault first) and run a query: worker thread only."""
    if state.settings.faults.query_timeout_window_seconds > 0:
        check_query_timeout(
            state, compile_query(soql, state.catalog, include_deleted=include_deleted)
        )
    return state.store.query(soql, include_deleted=include_deleted)


def _render(cursor: Cursor, start: int, base_path: str) -> bytes:
    """Serialize the page of ``cursor`` starting at row ``start`` (any thread but the loop)."""
    result = cursor.result
    total = result.total_size
    if result.compiled.is_count:
        return orjson.dumps({"totalSize": total, "done": True, "records": []})
    end = min(start + cursor.batch_size, total)
    head: dict[str, Any] = {"totalSize": total, "done": end >= total}
    if end < total:
        head["nextRecordsUrl"] = f"{base_path}/query/{cursor.locator}-{end}"
    records = result.fetch_rest_page(start, cursor.batch_size, api_version=cursor.api_version)
    return page_body(head, records)


def _page(state: EmulatorState, cursor: Cursor, start: int, base_path: str) -> bytes:
    """Serialize a page, then apply the late-commit fault if due: worker thread only."""
    payload = _render(cursor, start, base_path)
    if cursor.result.compiled.is_count:
        return payload
    cursor.pages_served += 1
    after = state.settings.faults.modify_during_paging_after_page
    if after > 0 and cursor.pages_served >= after and not cursor.late_commits_done:
        cursor.late_commits_done = True
        end = min(start + cursor.batch_size, cursor.result.total_size)
        apply_late_commits(state, cursor.result, end)
    return payload


def page_body(head: dict[str, Any], records: bytes) -> bytes:
    """The page JSON: ``head``'s keys, then ``records`` (the records' JSON texts, joined)."""
    opening = orjson.dumps({**head, "records": []})[:-2]  # ends with '[]}'
    return b"".join((opening, records, b"]}"))


async def op_query(
    call: ApiCall, soql: str, *, include_deleted: bool, batch_size: int | None = None
) -> tuple[int, Any]:
    """Run a query and return its first page as ``(200, body)`` (composite subrequests)."""
    payload = await _first_page(call, soql, include_deleted, batch_size)
    return 200, orjson.Fragment(payload)


async def _first_page(
    call: ApiCall, soql: str, include_deleted: bool, batch_size: int | None
) -> bytes:
    state = call.state
    if not soql.strip():
        raise missing_query()
    result = await state.worker.run(_run_query, state, soql, include_deleted)
    cursor = state.cursors.new(result, batch_size or state.settings.query_page_size, call.version)
    payload = await state.worker.run(_page, state, cursor, 0, call.base_path)
    if result.total_size > cursor.batch_size and not result.compiled.is_count:
        state.cursors.keep(cursor)
        _render_ahead(state, cursor, cursor.batch_size, call.base_path)
    state.count("query_pages")
    return payload


def _render_ahead(state: EmulatorState, cursor: Cursor, start: int, base_path: str) -> None:
    """Render the pages from ``start`` on while the client reads the current one.

    Pages go to the render threads, :data:`PAGES_AHEAD` at a time (SQLite renders them with
    the GIL released, and the store worker stays free for writes and new queries). With the
    late-commit fault on, pages are rendered on the store worker instead, so the fault's writes
    land between pages as they would without rendering ahead.
    """
    state.cursors.make_room_for_prefetch(cursor)
    serial = state.settings.faults.modify_during_paging_after_page > 0
    depth = 1 if serial else PAGES_AHEAD
    total = cursor.result.total_size
    for ahead in range(start, min(start + depth * cursor.batch_size, total), cursor.batch_size):
        if ahead in cursor.prefetched:
            continue
        if serial:
            future = state.worker.submit(_page, state, cursor, ahead, base_path)
        else:
            future = state.renderers.submit(_render, cursor, ahead, base_path)
        cursor.prefetched[ahead] = future


def _page_response(state: EmulatorState, payload: bytes) -> Response:
    cut = state.faults.page_drop_point()
    if cut is not None:
        return CutResponse(
            payload,
            status_code=200,
            headers={"content-type": JSON_MEDIA_TYPE},
            cut_after_headers=cut == "headers",
        )
    return Response(payload, media_type=JSON_MEDIA_TYPE)


async def _query(request: Request, call: ApiCall, *, include_deleted: bool) -> Response:
    soql = request.query_params.get("q")
    if soql is None:
        raise missing_query()
    batch = batch_size_of(
        request.headers.get("sforce-query-options"), call.state.settings.query_page_size
    )
    payload = await _first_page(call, soql, include_deleted, batch)
    return _page_response(call.state, payload)


@api_endpoint
async def query(request: Request, call: ApiCall) -> Response:
    """``GET /services/data/vXX.X/query?q=…``."""
    return await _query(request, call, include_deleted=False)


@api_endpoint
async def query_all(request: Request, call: ApiCall) -> Response:
    """``GET /services/data/vXX.X/queryAll?q=…``."""
    return await _query(request, call, include_deleted=True)


@api_endpoint
async def query_more(request: Request, call: ApiCall) -> Response:
    """``GET /services/data/vXX.X/query/01g…-2000`` (a resent ``q`` is ignored)."""
    state = call.state
    locator, _, offset = request.path_params["locator"].rpartition("-")
    if not locator or not offset.isdigit():
        raise invalid_locator()
    cursor = state.cursors.get(locator)
    start = int(offset)
    if start >= cursor.result.total_size:
        raise invalid_locator()
    ahead = cursor.take_prefetched(start)
    if ahead is not None:
        payload = await asyncio.wrap_future(ahead)
    else:
        payload = await state.worker.run(_page, state, cursor, start, call.base_path)
    _render_ahead(state, cursor, start + cursor.batch_size, call.base_path)
    state.count("query_pages")
    return _page_response(state, payload)
