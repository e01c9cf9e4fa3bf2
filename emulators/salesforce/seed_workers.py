"""Write the account batches of a seed, in parallel worker processes when there are cores.

Every batch is independent (its own random generator, its own reserved id ranges, name
ordinals that follow from its position), so the batches can be split between processes that
each generate rows and insert them into the same WAL database, taking turns for the write
lock while the other generates. The records are the same whatever the number of workers.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import random
import sqlite3
import time
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from emulators.salesforce.seed_accounts import CHILDREN_PER_ACCOUNT, AccountSeeder
from emulators.salesforce.seed_context import SeedContext, SeedCounts, SeedWriter
from emulators.salesforce.seed_extras import (
    EXTRAS_PER_ACCOUNT,
    seed_feed,
    seed_history,
    seed_projects,
)
from emulators.salesforce.seed_pools import build_pools
from emulators.salesforce.seed_support import TimestampFormatter

if TYPE_CHECKING:
    from pathlib import Path

    from emulators.salesforce.schema import Catalog
    from emulators.salesforce.seed_pools import Pools

logger = logging.getLogger(__name__)

#: Id sequences reserved per account, per object written with the accounts.
STRIDES: dict[str, int] = {**CHILDREN_PER_ACCOUNT, **EXTRAS_PER_ACCOUNT}
#: Seconds a worker waits for the write lock held by another one.
LOCK_TIMEOUT = 600
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
    connection.execute("PRAGMA cache_size=-131072")
    return connection


def batch_ranges(accounts: int, batch_size: int) -> list[tuple[int, int]]:
    """The (start, end) account ranges of the batches of a run."""
    return [(start, min(start + batch_size, accounts)) for start in range(0, accounts, batch_size)]


def write_batches(
    plan: RunPlan, batches: list[tuple[int, int]], pools: Pools, write_lock: Any = None
) -> SeedCounts:
    """Generate and insert the given batches (one transaction each); return what was written.

    Args:
        plan: The run's constants.
        batches: (start, end) account ranges.
        pools: The run's Faker pools.
        write_lock: The lock the run's writing processes share (None when alone).

    Returns:
        The counts of the records and cases written.
    """
    connection = open_connection(plan.db_path)
    ctx = SeedContext(
        connection=connection,
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
    writer = ctx.writer = SeedWriter(connection, write_lock)
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
        try:
            writer.close()
        finally:
            connection.close()
    logger.info(
        "Process %s wrote %s batches in %.1f s (%.1f s of CPU, of which %.1f s inserting; "
        "%.1f s waiting for the write lock, %.1f s holding it)",
        os.getpid(),
        len(batches),
        time.perf_counter() - began,
        time.process_time() - cpu,
        writer.cpu,
        writer.lock_wait,
        writer.lock_held,
    )
    return ctx.counts


def _worker_main(
    plan: RunPlan, batches: list[tuple[int, int]], results: Any, write_lock: Any
) -> None:
    """Entry point of a worker process: write its batches, report counts or the error."""
    try:
        pools = _INHERITED_POOLS.get(plan.seed) or build_pools(plan.seed)
        counts = write_batches(plan, batches, pools, write_lock)
        results.put(("ok", counts))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises
        results.put(("error", traceback.format_exc()))


def worker_count(batches: int, wanted: int | None = None) -> int:
    """Workers for a run: as asked, else one per core (at most 2), never more than batches."""
    limit = wanted if wanted is not None else min(2, os.cpu_count() or 1)
    return max(1, min(limit, batches))


def write_all(
    plan: RunPlan, batch_size: int, pools: Pools, wanted_workers: int | None = None
) -> SeedCounts:
    """Write every account batch of the run, in parallel when more than one core is there.

    Args:
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
    workers = worker_count(len(ranges), wanted_workers)
    if workers == 1:
        return write_batches(plan, ranges, pools)
    methods = multiprocessing.get_all_start_methods()
    context: Any = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    share = -(-len(ranges) // workers)
    chunks = [ranges[index : index + share] for index in range(0, len(ranges), share)]
    _INHERITED_POOLS[plan.seed] = pools
    results: Any = context.Queue()
    write_lock = context.Lock()
    processes = [
        context.Process(target=_worker_main, args=(plan, chunk, results, write_lock), daemon=True)
        for chunk in chunks
    ]
    try:
        for process in processes:
            process.start()
        return _collect(processes, results)
    finally:
        _INHERITED_POOLS.pop(plan.seed, None)
        for process in processes:
            if process.is_alive():
                process.kill()
            process.join()


def _collect(processes: list[Any], results: Any) -> SeedCounts:
    total = SeedCounts()
    pending = len(processes)
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
        pending -= 1
        total.records.update(payload.records)
        total.deleted.update(payload.deleted)
        total.cases.update(payload.cases)
    return total
