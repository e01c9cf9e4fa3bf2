"""Merge the field groups of a wide object back into whole rows, by Id, in bounded memory.

A wide object's fields are read by several REST queries (see :func:`~tap_salesforce_lite.soql.
split_fields`), each with the same WHERE and ORDER BY, each carrying Id and the replication key.
The merger advances the group that is furthest behind (in rows consumed), so all groups move
through the result together and only the rows seen by some groups but not yet by the others are
held in memory: about one page per group.

Records can change between the group queries. Nothing is lost or duplicated, and no row mixes
two versions of a record:

* a row whose parts disagree on the replication key (it was modified between two group
  queries) is "torn": it is re-read by Id in every group until the parts agree;
* a row missing from some groups (created, deleted or moved between the queries) is re-read
  by Id once every group has gone past where it should have appeared; a row found in no group
  any more was deleted (and deleted rows are not read) and is dropped;
* a row still torn after a few re-reads is skipped with a warning and reported in
  :attr:`FieldGroupMerger.skipped`, so the caller keeps the bookmark below it and the next run
  reads it again.

Objects without a replication key cannot show a torn row; their groups are merged as read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

LOGGER = logging.getLogger(__name__)

Row = dict[str, Any]
DEFAULT_REFETCH_ROUNDS: Final = 3


@dataclass
class _Partial:
    parts: dict[int, Row]
    position: int


class FieldGroupMerger:
    """Merges rows of several field-group queries that share one order."""

    def __init__(
        self,
        cursors: Sequence[Iterator[list[Row]]],
        *,
        key_field: str | None,
        refetch: Callable[[list[str]], list[dict[str, Row]]],
        slack_rows: int,
        refetch_batch: int = 200,
        refetch_rounds: int = DEFAULT_REFETCH_ROUNDS,
    ) -> None:
        """Prepare the merge.

        Args:
            cursors: One page iterator per group, in group order.
            key_field: The replication key (compared across parts), or None.
            refetch: Re-reads rows by Id in every group.
            slack_rows: How far (in rows) every group may go past a row it lacks before the
                row is re-read by Id; about two pages.
            refetch_batch: Re-read as soon as this many rows wait for it.
            refetch_rounds: Re-reads of a torn row before it is skipped.
        """
        self._cursors = list(cursors)
        self._key = key_field
        self._refetch = refetch
        self._slack = slack_rows
        self._batch = refetch_batch
        self._rounds = refetch_rounds
        self.skipped: list[tuple[str, Any]] = []
        self.refetched = 0
        self.peak_partials = 0

    def rows(self) -> Iterator[Row]:
        """Whole rows, each once; in key order within each page step."""
        groups = len(self._cursors)
        consumed = [0] * groups
        done = [False] * groups
        partial: dict[str, _Partial] = {}
        waiting: list[str] = []
        while not all(done):
            group = min((g for g in range(groups) if not done[g]), key=consumed.__getitem__)
            page = next(self._cursors[group], None)
            if page is None:
                done[group] = True
                continue
            ready: list[Row] = []
            for offset, row in enumerate(page):
                record_id = str(row["Id"])
                entry = partial.get(record_id)
                if entry is None:
                    entry = partial[record_id] = _Partial({}, consumed[group] + offset)
                entry.parts[group] = row
                if len(entry.parts) == groups:
                    del partial[record_id]
                    if self._consistent(entry.parts):
                        ready.append(_merged(entry.parts))
                    else:
                        waiting.append(record_id)
            consumed[group] += len(page)
            self.peak_partials = max(self.peak_partials, len(partial))
            yield from self._ordered(ready)
            waiting.extend(self._stale(partial, consumed, done))
            if len(waiting) >= self._batch:
                yield from self._reread(waiting)
                waiting = []
        waiting.extend(partial)
        yield from self._reread(waiting)

    def _stale(
        self, partial: dict[str, _Partial], consumed: list[int], done: list[bool]
    ) -> list[str]:
        open_groups = [consumed[g] for g in range(len(consumed)) if not done[g]]
        if not open_groups:
            return []
        frontier = min(open_groups)
        stale = [rid for rid, entry in partial.items() if entry.position + self._slack < frontier]
        for rid in stale:
            del partial[rid]
        return stale

    def _consistent(self, parts: dict[int, Row]) -> bool:
        if self._key is None:
            return True
        keys = {part.get(self._key) for part in parts.values()}
        return len(keys) == 1

    def _ordered(self, rows: list[Row]) -> list[Row]:
        key = self._key
        if key is None:
            return sorted(rows, key=lambda row: str(row["Id"]))
        return sorted(rows, key=lambda row: (str(row.get(key) or ""), str(row["Id"])))

    def _reread(self, record_ids: list[str]) -> Iterator[Row]:
        remaining = list(dict.fromkeys(record_ids))
        last_seen: dict[str, Any] = {}
        for _ in range(self._rounds):
            if not remaining:
                return
            found = self._refetch(remaining)
            self.refetched += len(remaining)
            ready: list[Row] = []
            again: list[str] = []
            for record_id in remaining:
                parts = {g: rows[record_id] for g, rows in enumerate(found) if record_id in rows}
                if not parts:
                    continue  # deleted meanwhile, and deleted rows are not read
                if len(parts) == len(found) and self._consistent(parts):
                    ready.append(_merged(parts))
                    continue
                if self._key is not None:
                    keys = [str(p.get(self._key) or "") for p in parts.values()]
                    last_seen[record_id] = min(keys)
                again.append(record_id)
            yield from self._ordered(ready)
            remaining = again
        for record_id in remaining:
            LOGGER.warning(
                "Record %s kept changing while its field groups were read; it is left for "
                "the next run (the bookmark stays below it)",
                record_id,
            )
            self.skipped.append((record_id, last_seen.get(record_id)))


def _merged(parts: dict[int, Row]) -> Row:
    merged: Row = {}
    for group in sorted(parts):
        merged.update(parts[group])
    return merged
