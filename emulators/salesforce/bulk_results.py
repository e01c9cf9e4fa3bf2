"""Bulk 2.0 query results kept as a CSV file per job, as Salesforce keeps result files.

The job writes its file once, from the store's snapshot chunk by chunk (never the whole result
in memory; two chunks rendered at a time on the render threads), and records the byte offset
of every record; each results request then streams a byte range of the file, so paging by
``maxRecords`` and ``locator`` costs file reads only.
"""

from __future__ import annotations

import collections
import contextlib
import csv
import functools
import itertools
from array import array
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import concurrent.futures
    from collections.abc import Callable, Generator, Iterator
    from pathlib import Path

    from emulators.salesforce.store import QueryResult

#: Records fetched from the store per write.
WRITE_CHUNK_ROWS: Final[int] = 5000
#: Chunks rendered at the same time when the job has render threads.
CHUNKS_AHEAD: Final[int] = 2
#: Bytes read from the file per streamed piece.
READ_CHUNK_BYTES: Final[int] = 1 << 20


class _Lines:
    """A ``csv.writer`` sink that keeps each written row as its own string."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, text: str) -> int:
        self.lines.append(text)
        return len(text)


class ResultsFile:
    """The CSV results of one job on disk, with the offset of every record.

    Args:
        path: Where the file goes.
        delimiter: Column delimiter character.
        line_ending: The line ending (LF or CRLF characters).
    """

    def __init__(self, path: Path, delimiter: str, line_ending: str) -> None:
        """See the class docstring; nothing is written until :meth:`write`."""
        self.path = path
        self.delimiter = delimiter
        self.line_ending = line_ending
        self.offsets: array[int] = array("q")
        self.header_length = 0

    def _writer(self, sink: _Lines) -> Any:
        return csv.writer(
            sink, delimiter=self.delimiter, lineterminator=self.line_ending, quoting=csv.QUOTE_ALL
        )

    def write(
        self,
        result: QueryResult,
        stop: Callable[[], bool],
        executor: concurrent.futures.Executor | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> bool:
        """Write every record of ``result``; return False if ``stop()`` said to give up.

        Args:
            result: The job's snapshot.
            stop: Checked before each chunk is written (an aborted job).
            executor: Threads that render chunks ahead, in parallel (SQLite renders a whole
                chunk in one statement step, with the GIL released); None renders them one
                after the other on this thread.
            progress: Called with the number of records written so far after each chunk.

        Raises:
            SalesforceApiError: The store's refusal (compound or binary columns).
        """
        sink = _Lines()
        writer = self._writer(sink)
        writer.writerow(result.csv_header())
        header = sink.lines[0].encode("utf-8")
        self.header_length = len(header)
        position = len(header)
        offsets = self.offsets
        self.path.parent.mkdir(parents=True, exist_ok=True)
        chunks = self._rendered_chunks(result, executor)
        try:
            with self.path.open("wb") as handle:
                handle.write(header)
                for text, sizes in chunks:
                    if stop():
                        return False
                    if not sizes:
                        continue
                    starts = list(itertools.accumulate(sizes, initial=position))
                    position = starts.pop()
                    offsets.extend(starts)
                    handle.write(text)
                    if progress is not None:
                        progress(len(offsets))
        finally:
            chunks.close()
        offsets.append(position)
        return True

    def _rendered_chunks(
        self, result: QueryResult, executor: concurrent.futures.Executor | None
    ) -> Generator[tuple[bytes, list[int]], None, None]:
        """Each chunk of :data:`WRITE_CHUNK_ROWS` records, in order: its CSV text, line sizes."""
        render = functools.partial(
            result.fetch_csv_chunk, delimiter=self.delimiter, line_ending=self.line_ending
        )
        starts = range(0, result.total_size, WRITE_CHUNK_ROWS)
        if executor is None:
            for start in starts:
                yield render(start, WRITE_CHUNK_ROWS)
            return
        pending: collections.deque[concurrent.futures.Future[tuple[bytes, list[int]]]] = (
            collections.deque()
        )
        try:
            for start in starts:
                pending.append(executor.submit(render, start, WRITE_CHUNK_ROWS))
                if len(pending) >= CHUNKS_AHEAD:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()

    @property
    def records(self) -> int:
        """How many records the file holds."""
        return max(len(self.offsets) - 1, 0)

    def header(self) -> bytes:
        """The header line."""
        with self.path.open("rb") as handle:
            return handle.read(self.header_length)

    def pieces(self, start: int, count: int) -> Iterator[tuple[int, int]]:
        """Byte ranges ``(offset, length)`` of records ``start`` to ``start + count``."""
        if count <= 0:
            return
        begin = self.offsets[start]
        end = self.offsets[min(start + count, self.records)]
        while begin < end:
            length = min(READ_CHUNK_BYTES, end - begin)
            yield begin, length
            begin += length

    def read(self, offset: int, length: int) -> bytes:
        """Read ``length`` bytes at ``offset``."""
        with self.path.open("rb") as handle:
            handle.seek(offset)
            return handle.read(length)

    def delete(self) -> None:
        """Remove the file."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
