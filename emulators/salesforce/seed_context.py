"""Shared state of one seed run: connection, generators, pools, row layouts and counters."""

from __future__ import annotations

import queue
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from emulators.salesforce.seed_support import IdMaker, TimestampFormatter
from emulators.salesforce.tables import column_names, quote

if TYPE_CHECKING:
    import random
    import sqlite3
    from collections.abc import Callable, Sequence

    from emulators.salesforce.schema import Catalog, ObjectDef
    from emulators.salesforce.seed_pools import Pools


#: How seed rows hold a null: Python's sqlite3 binds ``None`` much more slowly than a string,
#: so rows carry ``''`` and the INSERT turns it back into NULL with ``NULLIF(?, '')``
#: (Salesforce never stores empty strings, so ``''`` cannot mean anything else).
NULL = ""


class Layout:
    """How seeded rows of one table are inserted: the columns the seed sets, bound as params.

    The bound columns are fixed when the layout is bound (explicitly with :meth:`bind`, or by
    the keys of the first :meth:`row`); a row is then a sequence: the rowid (the id sequence),
    then one value per bound column. Columns the seed never sets are left out of the INSERT
    (null, or 0 for booleans).
    """

    def __init__(self, obj: ObjectDef) -> None:
        """Prepare the layout of ``obj``'s table (bound later)."""
        self.obj = obj
        self.keys: tuple[str, ...] = ()
        self.insert_sql = ""
        self.deleted_position: int | None = None

    def bind(self, keys: tuple[str, ...]) -> None:
        """Fix the bound columns (once; binding again to the same keys is allowed)."""
        if self.keys:
            if keys != self.keys:
                raise KeyError(f"{self.obj.name} is already bound to other columns")
            return
        stored = {field.name: field for field in self.obj.stored_fields()}
        unknown = [key for key in keys if key not in stored and key != "IsDeleted"]
        if unknown:
            raise KeyError(f"{self.obj.name} has no columns {unknown}")
        self.keys = keys
        fixed = [
            name
            for name in column_names(self.obj)
            if name not in keys and (name == "IsDeleted" or stored[name].type == "boolean")
        ]
        names = ", ".join(quote(name) for name in (*keys, *fixed))
        values = ", ".join(["?", *("NULLIF(?, '')" for _ in keys), *("0" for _ in fixed)])
        self.insert_sql = f"INSERT INTO {quote(self.obj.name)} (rowid, {names}) VALUES ({values})"  # noqa: S608
        self.deleted_position = keys.index("IsDeleted") + 1 if "IsDeleted" in keys else None

    def row(self, sequence: int, values: dict[str, Any]) -> list[Any]:
        """A row from a dict of values (None for null): for the small objects."""
        if not self.keys:
            self.bind(tuple(values))
        if len(values) != len(self.keys):
            raise KeyError(
                f"{self.obj.name} row has keys {sorted(values)}, expected {sorted(self.keys)}"
            )
        return [sequence, *[NULL if (value := values[key]) is None else value for key in self.keys]]


class SeedWriter:
    """Writes the seed's batches, each as one transaction, inline or on a thread of its own.

    Alone, a process writes on a thread: Python's sqlite3 releases the GIL while SQLite
    inserts, so the next batch is generated while the previous one is written. When several
    processes write the same database they take turns through ``write_lock``, and each writes
    inline: one process inserts at full speed while the other generates, instead of a writer
    thread holding the database lock while it competes for the GIL with its own generator.
    Transactions are written in submission order either way, so the records are the same.
    """

    _STOP = object()

    def __init__(self, connection: sqlite3.Connection, write_lock: Any = None) -> None:
        """Prepare the writer (and start its thread when there is no shared lock).

        Args:
            connection: The connection to write with (``check_same_thread=False``).
            write_lock: A lock shared by every process writing the database (a
                ``multiprocessing.Lock``), taken around each transaction: waiting on it wakes
                up as soon as the other process commits, where SQLite's busy handler polls
                and may sleep up to 100 ms past the moment the database is free.
        """
        self.connection = connection
        self._write_lock = write_lock
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=4)
        self._error: BaseException | None = None
        self.lock_wait = 0.0
        self.lock_held = 0.0
        self.cpu = 0.0
        self._thread: threading.Thread | None = None
        if write_lock is None:
            self._thread = threading.Thread(target=self._run, name="seed-writer", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        began = time.thread_time()
        try:
            self._loop()
        finally:
            self.cpu = time.thread_time() - began

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is self._STOP:
                return
            if self._error is not None:
                continue
            try:
                self._transaction(item)
            except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
                self._error = error

    def _transaction(self, inserts: list[tuple[str, Sequence[Sequence[Any]]]]) -> None:
        waited = time.perf_counter()
        if self._write_lock is not None:
            self._write_lock.acquire()
        try:
            self.connection.execute("BEGIN IMMEDIATE")
            held = time.perf_counter()
            self.lock_wait += held - waited
            try:
                for sql, rows in inserts:
                    self.connection.executemany(sql, rows)
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")
            self.lock_held += time.perf_counter() - held
        finally:
            if self._write_lock is not None:
                self._write_lock.release()

    def _check(self) -> None:
        if self._error is not None:
            raise self._error

    def transaction(self, inserts: list[tuple[str, Sequence[Sequence[Any]]]]) -> None:
        """Queue one transaction: ``executemany(sql, rows)`` for each (sql, rows), in order.

        The write lock is taken only when the whole transaction is ready, so several
        processes writing the same database hold it for the inserts alone.
        """
        self._check()
        if self._thread is None:
            began = time.thread_time()
            self._transaction(inserts)
            self.cpu += time.thread_time() - began
        else:
            self._queue.put(inserts)

    def close(self) -> None:
        """Wait for every queued transaction; raise the first error one of them raised."""
        if self._thread is not None:
            self._queue.put(self._STOP)
            self._thread.join()
        self._check()


@dataclass
class SeedCounts:
    """What a seed run wrote: records and soft-deleted records per object, cases per name."""

    records: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    cases: Counter[str] = field(default_factory=Counter)


@dataclass
class SeedContext:
    """Everything the row builders of one run share.

    Attributes:
        connection: The seed's own SQLite connection (inside a transaction while loading).
        catalog: The org's objects.
        rng: The run's seeded random generator.
        pools: Faker value pools.
        stamps: Timestamp formatter.
        now_ms: The run's "now" (epoch ms): every timestamp is at or before it.
        start_ms: Earliest CreatedDate (epoch ms).
        total_accounts: Accounts of the whole run (spreads CreatedDate evenly).
        counts: Counters for the summary.
    """

    connection: sqlite3.Connection
    catalog: Catalog
    rng: random.Random
    pools: Pools
    stamps: TimestampFormatter
    now_ms: int
    start_ms: int
    total_accounts: int
    counts: SeedCounts = field(default_factory=SeedCounts)
    writer: SeedWriter | None = None
    #: Inserts of the batch being generated, handed to the writer as one transaction.
    pending: list[tuple[str, Sequence[Any]]] = field(default_factory=list)
    layouts: dict[str, Layout] = field(default_factory=dict)
    id_makers: dict[str, IdMaker] = field(default_factory=dict)
    next_sequence: dict[str, int] = field(default_factory=dict)
    active_user_ids: list[str] = field(default_factory=list)
    standard_pricebook_id: str = ""
    #: (entry id, product id, product code, product name, list price) of every price book entry.
    price_entries: list[tuple[str, str, str, str, float]] = field(default_factory=list)
    #: A uniformly random element of a sequence (bound to ``rng``).
    pick: Callable[[Sequence[Any]], Any] = field(init=False, repr=False)

    def layout(self, object_name: str) -> Layout:
        """The layout of an object's table."""
        found = self.layouts.get(object_name)
        if found is None:
            obj = self.catalog.get(object_name)
            if obj is None:  # pragma: no cover - seed objects are in the default catalogue
                raise KeyError(object_name)
            found = self.layouts[object_name] = Layout(obj)
        return found

    def load_sequences(self) -> None:
        """Read the next id sequence of every object (before the writer owns the connection)."""
        for obj in self.catalog.objects:
            found = self.connection.execute(
                f"SELECT COALESCE(MAX(rowid), 0) + 1 FROM {quote(obj.name)}"  # noqa: S608
            ).fetchone()
            self.next_sequence[obj.name] = int(found[0])

    def reserve(self, object_name: str, count: int) -> tuple[int, list[str]]:
        """Reserve ``count`` id sequences of an object: the first sequence and the ids."""
        first = self.next_sequence[object_name]
        self.next_sequence[object_name] = first + count
        maker = self.id_makers.get(object_name)
        if maker is None:
            maker = self.id_makers[object_name] = IdMaker(self.layout(object_name).obj.key_prefix)
        return first, maker.range(first, count)

    def write(self, object_name: str, rows: Sequence[Sequence[Any]]) -> None:
        """Insert rows laid out as the object's :class:`Layout` says, and count them."""
        if not rows:
            return
        layout = self.layout(object_name)
        if self.writer is None:
            self.connection.executemany(layout.insert_sql, rows)
        else:
            self.pending.append((layout.insert_sql, rows))
        self.counts.records[object_name] += len(rows)
        position = layout.deleted_position
        if position is not None:
            self.counts.deleted[object_name] += sum(1 for row in rows if row[position])

    def flush(self) -> None:
        """Hand the batch's inserts to the writer as one transaction."""
        if self.writer is not None and self.pending:
            self.writer.transaction(self.pending)
        self.pending = []

    def __post_init__(self) -> None:
        """Bind the fast random picker."""
        self.use_rng(self.rng)

    def use_rng(self, rng: random.Random) -> None:
        """Draw from ``rng`` from now on (each batch has its own generator)."""
        self.rng = rng
        random = rng.random

        def pick(values: Sequence[Any]) -> Any:
            return values[int(random() * len(values))]

        self.pick = pick
