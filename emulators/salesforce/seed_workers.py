"""Write the account batches of a seed: generator processes, one writer.

Every batch is independent (its own random generator, its own reserved id ranges, name
ordinals that follow from its position), so batches are generated in parallel by worker
processes. A worker writes each batch into a small SQLite file of its own (no indexes, no
journal) and announces it; the parent, the only writer of the org's database, copies each file
in with ``INSERT … SELECT`` (SQLite to SQLite, no Python per row) while the workers generate
the next batches. The records are the same whatever the number of workers or the order the
files arrive in: every row carries its id sequence as its rowid.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue
import random
import shutil
import sqlite3
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emulators.salesforce.seed_accounts import CHILDREN_PER_ACCOUNT, AccountSeeder
from emulators.salesforce.seed_context import Inserts, SeedContext, SeedCounts, SeedWriter
from emulators.salesforce.seed_extras import (
    EXTRAS_PER_ACCOUNT,
    seed_feed,
    seed_history,
    seed_projects,
)
from emulators.salesforce.seed_pools import build_pools
from emulators.salesforce.seed_support import TimestampFormatter
from emulators.salesforce.tables import column_names, create_table_sql, quote

if TYPE_CHECKING:
    from collections.abc import Callable

    from emulators.salesforce.schema import Catalog, ObjectDef
    from emulators.salesforce.seed_pools import Pools

logger = logging.getLogger(__name__)

#: Id sequences reserved per account, per object written with the accounts.
STRIDES: dict[str, int] = {**CHILDREN_PER_ACCOUNT, **EXTRAS_PER_ACCOUNT}
#: Seconds a connection waits for a lock held by another one (a store open elsewhere).
LOCK_TIMEOUT = 600
#: Page cache of a loading connection, in KiB.
CACHE_KIB = 131_072
#: Batch files written but not yet copied in, at most (bounds the disk they take).
FILES_WAITING = 4
#: Pools built by the parent before forking, inherited by the workers (seed → pools).
_INHERITED_POOLS: dict[int, Pools] = {}


@dataclass(frozen=True)
class RunPlan:
    """What every batch writer of a run needs: constants, bases of the id ranges, references.

    Attributes:
        db_path: The database file.
        seed: The run's seed.
        accounts: Accounts of the whole run.
        now_ms: The run's "now" (epoch ms).
        start_ms: Earliest CreatedDate (epoch ms).
        bases: First id sequence of every object written with the accounts (account 0).
        active_user_ids: Users that own records.
        price_entries: The price book entries line items use.
        standard_pricebook_id: The standard price book.
        catalog: The org's objects.
    """

    db_path: str
    seed: int
    accounts: int
    now_ms: int
    start_ms: int
    bases: dict[str, int]
    active_user_ids: tuple[str, ...]
    price_entries: tuple[tuple[str, str, str, str, float], ...]
    standard_pricebook_id: str
    catalog: Catalog


def open_connection(db_path: str | Path) -> sqlite3.Connection:
    """A connection for bulk loading: no fsync, a large cache, long waits for the lock."""
    connection = sqlite3.connect(
        db_path, isolation_level=None, timeout=LOCK_TIMEOUT, check_same_thread=False
    )
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA temp_store=MEMORY")
    connection.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    return connection


def batch_ranges(accounts: int, batch_size: int) -> list[tuple[int, int]]:
    """The (start, end) account ranges of the batches of a run."""
    return [(start, min(start + batch_size, accounts)) for start in range(0, accounts, batch_size)]


def batch_objects(catalog: Catalog) -> list[ObjectDef]:
    """The objects written with the accounts (the tables of a batch file)."""
    found = [catalog.get(name) for name in STRIDES]
    return [obj for obj in found if obj is not None]


class BatchFileWriter:
    """Writes each batch's inserts into a fresh SQLite file and announces the file.

    Args:
        folder: Where the files go.
        objects: The tables a batch file holds.
        announce: Called with each written file's path.
        slots: Taken before writing a file, given back by the parent once it copied one: bounds
            the files waiting on disk.
    """

    def __init__(
        self,
        folder: Path,
        objects: list[ObjectDef],
        announce: Callable[[str], None],
        slots: Any = None,
    ) -> None:
        """See the class docstring."""
        self._folder = folder
        self._tables = [create_table_sql(obj) for obj in objects]
        self._announce = announce
        self._slots = slots
        self._sequence = 0
        self.slot_wait = 0.0

    def write(self, inserts: Inserts) -> None:
        """Write one batch's inserts into a new file, then announce it."""
        self._sequence += 1
        path = self._folder / f"batch-{os.getpid()}-{self._sequence}.sqlite3"
        if self._slots is not None:
            waited = time.perf_counter()
            self._slots.acquire()
            self.slot_wait += time.perf_counter() - waited
        connection = sqlite3.connect(path, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=OFF")
            connection.execute("PRAGMA synchronous=OFF")
            connection.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            connection.execute("BEGIN")
            for table in self._tables:
                connection.execute(table)
            for sql, rows in inserts:
                connection.executemany(sql, rows)
            connection.execute("COMMIT")
        finally:
            connection.close()
        self._announce(str(path))


def copy_batch_file(connection: sqlite3.Connection, path: str, objects: list[ObjectDef]) -> int:
    """Copy every row of a batch file into the org's tables (one transaction); return the rows.

    The file is deleted afterwards.
    """
    connection.execute("ATTACH DATABASE ? AS batch", (path,))
    copied = 0
    try:
        connection.execute("BEGIN")
        try:
            for obj in objects:
                columns = ", ".join(quote(name) for name in column_names(obj))
                table = quote(obj.name)
                cursor = connection.execute(
                    f"INSERT INTO main.{table} (rowid, {columns}) "  # noqa: S608 - identifiers
                    f"SELECT rowid, {columns} FROM batch.{table}"
                )
                copied += cursor.rowcount
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    finally:
        connection.execute("DETACH DATABASE batch")
    Path(path).unlink()
    return copied


def write_batches(
    plan: RunPlan, batches: list[tuple[int, int]], pools: Pools, files: BatchFileWriter
) -> SeedCounts:
    """Generate the given batches, each written as one batch file; return what was written.

    Args:
        plan: The run's constants.
        batches: (start, end) account ranges.
        pools: The run's Faker pools.
        files: Writes and announces the batch files.

    Returns:
        The counts of the records and cases written.
    """
    ctx = SeedContext(
        connection=None,
        catalog=plan.catalog,
        rng=random.Random(f"{plan.seed}:variants"),
        pools=pools,
        stamps=TimestampFormatter(),
        now_ms=plan.now_ms,
        start_ms=plan.start_ms,
        total_accounts=plan.accounts,
    )
    ctx.active_user_ids = list(plan.active_user_ids)
    ctx.price_entries = list(plan.price_entries)
    ctx.standard_pricebook_id = plan.standard_pricebook_id
    seeder = AccountSeeder(ctx)
    writer = ctx.writer = SeedWriter(files.write)
    began = time.perf_counter()
    cpu = time.process_time()
    try:
        for start, end in batches:
            ctx.use_rng(random.Random(f"{plan.seed}:batch:{start}"))
            for object_name, stride in STRIDES.items():
                ctx.next_sequence[object_name] = plan.bases[object_name] + start * stride
            infos = seeder.seed_batch(start, end)
            seed_projects(ctx, infos)
            seed_history(ctx, infos)
            seed_feed(ctx, infos)
            ctx.flush()
            logger.debug("Seeded accounts %s to %s", start, end)
    finally:
        ctx.writer = None
        writer.close()
    logger.info(
        "Process %s generated %s batches in %.1f s (%.1f s of CPU, of which %.1f s writing "
        "batch files; %.1f s waiting for the parent to copy them)",
        os.getpid(),
        len(batches),
        time.perf_counter() - began,
        time.process_time() - cpu,
        writer.cpu,
        files.slot_wait,
    )
    return ctx.counts


def _worker_main(
    plan: RunPlan,
    batches: list[tuple[int, int]],
    folder: str,
    results: Any,
    slots: Any,
) -> None:
    """Entry point of a worker process: generate its batches, report files, counts or error."""
    try:
        pools = _INHERITED_POOLS.get(plan.seed) or build_pools(plan.seed)
        files = BatchFileWriter(
            Path(folder),
            batch_objects(plan.catalog),
            lambda path: results.put(("file", path)),
            slots,
        )
        counts = write_batches(plan, batches, pools, files)
        results.put(("ok", counts))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises
        results.put(("error", traceback.format_exc()))


def worker_count(batches: int, wanted: int | None = None) -> int:
    """Workers for a run: as asked, else one per core (at most 2), never more than batches."""
    limit = wanted if wanted is not None else min(2, os.cpu_count() or 1)
    return max(1, min(limit, batches))


def write_all(
    connection: sqlite3.Connection,
    plan: RunPlan,
    batch_size: int,
    pools: Pools,
    wanted_workers: int | None = None,
) -> SeedCounts:
    """Generate every account batch of the run in worker processes and copy them in.

    Args:
        connection: The parent's connection to the org's database (outside a transaction).
        plan: The run's constants.
        batch_size: Accounts per batch.
        pools: The run's Faker pools (inherited by forked workers).
        wanted_workers: Worker processes to use (None: one per core, at most 2).

    Returns:
        The counts of all workers together.

    Raises:
        RuntimeError: If a worker fails (its traceback is in the message).
    """
    ranges = batch_ranges(plan.accounts, batch_size)
    if not ranges:
        return SeedCounts()
    workers = worker_count(len(ranges), wanted_workers)
    methods = multiprocessing.get_all_start_methods()
    context: Any = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    share = -(-len(ranges) // workers)
    chunks = [ranges[index : index + share] for index in range(0, len(ranges), share)]
    folder = tempfile.mkdtemp(prefix=".seed-batches-", dir=Path(plan.db_path).parent)
    _INHERITED_POOLS[plan.seed] = pools
    results: Any = context.Queue()
    slots = context.BoundedSemaphore(FILES_WAITING)
    processes = [
        context.Process(
            target=_worker_main, args=(plan, chunk, folder, results, slots), daemon=True
        )
        for chunk in chunks
    ]
    try:
        for process in processes:
            process.start()
        return _collect(connection, batch_objects(plan.catalog), processes, results, slots)
    finally:
        _INHERITED_POOLS.pop(plan.seed, None)
        for process in processes:
            if process.is_alive():
                process.kill()
            process.join()
        shutil.rmtree(folder, ignore_errors=True)


def _collect(
    connection: sqlite3.Connection,
    objects: list[ObjectDef],
    processes: list[Any],
    results: Any,
    slots: Any,
) -> SeedCounts:
    """Copy batch files in as they come; return the workers' counts once all are done."""
    total = SeedCounts()
    pending = len(processes)
    copying = 0.0
    while pending:
        try:
            status, payload = results.get(timeout=1.0)
        except queue.Empty:
            dead = [p for p in processes if p.exitcode not in {None, 0}]
            if dead:
                raise RuntimeError(
                    f"seed worker {dead[0].pid} died with exit code {dead[0].exitcode}"
                ) from None
            continue
        if status == "error":
            raise RuntimeError(f"a seed worker failed:\n{payload}")
        if status == "file":
            began = time.perf_counter()
            try:
                copy_batch_file(connection, payload, objects)
            finally:
                with contextlib.suppress(ValueError):
                    slots.release()
            copying += time.perf_counter() - began
            continue
        pending -= 1
        total.records.update(payload.records)
        total.deleted.update(payload.deleted)
        total.cases.update(payload.cases)
    logger.info("The parent copied the batch files in %.1f s", copying)
    return total
