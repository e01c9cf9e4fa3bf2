"""REST ``query``/``queryAll`` paged through ``nextRecordsUrl``.

A page is decoded whole (numbers with fractions as exact Decimals) before any of its rows is
used, so a connection dropped mid-page is simply retried: nothing was emitted from it yet.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from tap_salesforce_lite.soql import query_path

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tap_salesforce_lite.client import SalesforceClient

_T = TypeVar("_T")
_DONE = object()


@dataclass(frozen=True)
class RestPage:
    """One page of a REST query.

    Attributes:
        records: Raw rows (``attributes`` included, values typed by the JSON decoder).
        total_size: ``totalSize`` of the whole query.
        next_url: ``nextRecordsUrl`` of the next page, or None when done.
    """

    records: list[dict[str, Any]]
    total_size: int
    next_url: str | None


class RestQuery:
    """One SOQL query read page by page."""

    def __init__(
        self,
        client: SalesforceClient,
        soql: str,
        *,
        query_all: bool,
        page_size: int,
        doing: str,
    ) -> None:
        """Prepare the query; nothing is sent until :meth:`first_page`.

        Args:
            client: The API client.
            soql: The query text.
            query_all: Use ``queryAll`` (deleted rows included).
            page_size: ``batchSize`` (200..2000).
            doing: What the query is for, for messages.
        """
        self._client = client
        self._soql = soql
        self._resource = client.data_path("queryAll" if query_all else "query")
        self._headers = {"Sforce-Query-Options": f"batchSize={page_size}"}
        self._doing = doing
        self._first: RestPage | None = None

    @property
    def uri_length(self) -> int:
        """Bytes of the first request's URI (path and query string)."""
        return len(query_path(self._resource, self._soql))

    def first_page(self) -> RestPage:
        """Run the query and return its first page (fetched once, then cached)."""
        if self._first is None:
            self._first = self._get(query_path(self._resource, self._soql))
        return self._first

    def pages(self, *, prefetch: bool = False) -> Iterator[list[dict[str, Any]]]:
        """Every page's rows, the first one included.

        Args:
            prefetch: Fetch the next page in a background thread while the caller works on
                the current one (one request in flight at most; errors surface in order).
        """
        if prefetch:
            yield from _prefetched(self._page_rows())
            return
        yield from self._page_rows()

    def _page_rows(self) -> Iterator[list[dict[str, Any]]]:
        page: RestPage | None = self.first_page()
        while page is not None:
            yield page.records
            page = self._get(page.next_url) if page.next_url else None

    def _get(self, path: str) -> RestPage:
        body = self._client.get_json(path, doing=self._doing, kind="query", headers=self._headers)
        records = body.get("records") or []
        next_url = body.get("nextRecordsUrl") if not body.get("done", True) else None
        return RestPage(
            records=records,
            total_size=int(body.get("totalSize") or 0),
            next_url=str(next_url) if next_url else None,
        )


def _prefetched(items: Iterator[_T]) -> Iterator[_T]:
    """Yield ``items`` while a worker thread already computes the next one."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rest-prefetch") as worker:
        pending = worker.submit(next, items, _DONE)
        while True:
            item = pending.result()
            if item is _DONE:
                return
            pending = worker.submit(next, items, _DONE)
            yield item  # type: ignore[misc]
