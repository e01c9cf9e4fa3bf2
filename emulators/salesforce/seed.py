"""Deterministic, realistic org data: ``seed_org(path, accounts=N, seed=S)``.

The same seed, account count and ``now`` on a fresh data folder give the same records, byte
for byte (with the same Faker version installed). Values come from Faker pools drawn once per
run (many locales: Latin, accented, CJK, right-to-left, Cyrillic, Greek, Devanagari, Thai),
combined with a seeded ``random.Random``; rows are inserted with ``executemany`` in large
transactions with ``PRAGMA synchronous=OFF``, and indexes are built after the load.

What a run writes, for N accounts (averages where a count is drawn per account):

* Users: N/1000 (at least 5, at most 200), about 10% inactive.
* Products: N/500 (10 to 500), a standard price book and one entry per product.
* Accounts: N, created evenly over the three years before ``now`` (ids follow creation).
* Contacts: 0-3 per account (1.2 on average), named in their account's locale.
* Opportunities: 0-2 per account (0.65); 25% Closed Won, 15% Closed Lost, 60% open.
* Line items: 1-3 on half of the won opportunities that have an amount (Amount = their sum).
* Project__c: 5% of accounts; AccountHistory: 5% of accounts (2 rows each);
  AccountFeed: 3% of accounts; Wide_Object__c: min(N, 200) records, every field filled.

The cases that break real syncs, in exact proportions (``floor(rate x count)``):

======================================  =======  ===============================================
case                                    rate     of / what
======================================  =======  ===============================================
name_accented                           8%       accounts: é, ß, ł, ñ … names (fr, de, es, pl …)
name_cjk                                3%       accounts: Chinese, Japanese, Korean names
name_rtl                                2%       accounts: Arabic, Hebrew, Persian names
name_other_script                       2%       accounts: Cyrillic, Greek, Devanagari, Thai
name_emoji                              1%       accounts: an emoji in the name
name_colon                              1%       accounts: ``Name: Billing`` (a ``:`` in it)
name_control_characters                 0.5%     accounts: tab, VT, BEL, DEL, CR, ZWSP, NBSP
name_over_100_characters                0.5%     accounts: names of 101 to 255 characters
name_duplicate                          2%       accounts: exactly the name of another account
text_null_looking                       1%       accounts: AccountNumber/Site/Tax Id "NA",
                                                 "N/A", "None", "null", "NULL", "nil", "-"
description_long_multiline              5%       accounts: 1-8 KB descriptions, LF and CR,
                                                 double quotes and commas
industries_multi_select                 30%      accounts: 1-4 values of Industries_Served__c
currency_many_decimals                  10%      accounts: Opening_Balance__c with 6 decimals
missing_billing_country                 5%       accounts: an address without a country
missing_billing_address                 2%       accounts: no billing address at all
shared_systemmodstamp                   5%       accounts: one identical SystemModstamp
                                                 (a mass update 7 days before ``now``)
account_soft_deleted                    1%       accounts: deleted (their contacts,
                                                 opportunities and line items with them)
contact_invalid_email                   2%       contacts: emails Salesforce accepts but strict
                                                 validators refuse (``a..b@x.com``, ``a@x_y.com``)
contact_missing_email                   10%      contacts: no email
contact_null_looking_surname            0.5%     contacts: LastName "Null", "None", "Na" …
contact_soft_deleted                    1%       contacts: deleted alone
opportunity_won / opportunity_lost      25%/15%  opportunities
won_without_amount                      10%      won opportunities: no Amount, no line items
opportunity_soft_deleted                1%       opportunities: deleted alone
======================================  =======  ===============================================

Every country is written as people type it (``USA``, ``Deutschland``, ``日本``, ``UK`` …),
never normalized. :func:`seed_org` returns a :class:`SeedSummary` with the records written per
object, the soft-deleted ones, and the count of every case (``cascade_soft_deleted_children``
counts children deleted with their account).
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from emulators.salesforce.catalog import default_catalog
from emulators.salesforce.seed_context import SeedContext, SeedCounts
from emulators.salesforce.seed_extras import seed_wide
from emulators.salesforce.seed_pools import build_pools
from emulators.salesforce.seed_reference import (
    product_count,
    seed_products,
    seed_users,
    user_count,
)
from emulators.salesforce.seed_support import TimestampFormatter, epoch_millis
from emulators.salesforce.seed_workers import STRIDES, RunPlan, open_connection, write_all
from emulators.salesforce.store import OrgStore
from emulators.salesforce.tables import INDEXED_TIMESTAMPS, create_indexes, drop_indexes

logger = logging.getLogger(__name__)

#: The default "now" of a seed: fixed, so that a seed is reproducible on any day.
SEED_NOW = datetime(2025, 6, 1, tzinfo=UTC)
#: How far back the seeded records were created.
HISTORY_SPAN = timedelta(days=3 * 365)
#: Accounts written per batch (with their children) before the next transaction.
DEFAULT_BATCH_SIZE = 20_000
#: Helper threads SQLite may use to sort while building the indexes after the load.
INDEX_SORT_THREADS = 2


@dataclass(frozen=True)
class SeedSummary:
    """What :func:`seed_org` wrote.

    Attributes:
        accounts: Accounts requested.
        seed: The seed used.
        now: The seed's "now" (no timestamp is later).
        records: Records written per object (deleted ones included).
        deleted: Soft-deleted records per object.
        cases: Records of every troublesome case (see the module docstring).
        seconds: Wall time of the run.
    """

    accounts: int
    seed: int
    now: datetime
    records: dict[str, int]
    deleted: dict[str, int]
    cases: dict[str, int]
    seconds: float

    def report(self, where: str) -> str:
        """A readable report: what was written per object, then the count of every case.

        Args:
            where: The data folder or database the records went to.
        """
        total = sum(self.records.values())
        deleted = sum(self.deleted.values())
        headline = (
            f"Seeded {self.accounts} accounts (seed {self.seed}) into {where} in "
            f"{self.seconds:.1f} s: {total} records, {deleted} soft-deleted"
        )
        lines = [headline, ""]
        width = max([len("object"), *map(len, self.records)])
        lines.append(f"{'object'.ljust(width)}  {'records':>9}  {'deleted':>9}")
        lines.extend(
            f"{name.ljust(width)}  {count:>9}  {self.deleted.get(name, 0):>9}"
            for name, count in sorted(self.records.items())
        )
        if self.cases:
            lines.extend(["", "troublesome cases (records):"])
            case_width = max(map(len, self.cases))
            lines.extend(
                f"  {name.ljust(case_width)}  {count:>9}"
                for name, count in sorted(self.cases.items())
            )
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """The summary as plain JSON-ready data."""
        return {
            "accounts": self.accounts,
            "seed": self.seed,
            "now": self.now.isoformat(),
            "records": dict(sorted(self.records.items())),
            "deleted": dict(sorted(self.deleted.items())),
            "cases": dict(sorted(self.cases.items())),
            "seconds": round(self.seconds, 2),
        }


def seed_org(
    store_or_db_path: OrgStore | Path | str,
    *,
    accounts: int,
    seed: int,
    now: datetime | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int | None = None,
) -> SeedSummary:
    """Write deterministic, realistic records into an org's store.

    Args:
        store_or_db_path: An open store, or the database file of one (created if missing,
            with the default catalogue).
        accounts: Accounts to write (their contacts, opportunities … come with them).
        seed: The seed: the same seed on a fresh store gives the same records.
        now: The latest timestamp of the data; :data:`SEED_NOW` when None.
        batch_size: Accounts per transaction.
        workers: Processes writing the accounts (None: one per core, at most 2). The records
            are the same whatever the number.

    Returns:
        Counts of what was written.

    Raises:
        ValueError: If ``accounts`` is negative, ``batch_size`` or ``workers`` not positive.
    """
    if accounts < 0:
        raise ValueError(f"accounts must be 0 or more, not {accounts}")
    if batch_size <= 0:
        raise ValueError(f"batch_size must be positive, not {batch_size}")
    if workers is not None and workers <= 0:
        raise ValueError(f"workers must be positive, not {workers}")
    began = time.perf_counter()
    moment = now or SEED_NOW
    if isinstance(store_or_db_path, OrgStore):
        db_path, catalog = store_or_db_path.db_path, store_or_db_path.catalog
    else:
        db_path, catalog = Path(store_or_db_path), default_catalog()
        OrgStore(db_path, catalog).close()  # creates the tables, in WAL mode
    pools = build_pools(seed)
    connection = open_connection(db_path)
    try:
        ctx = SeedContext(
            connection=connection,
            catalog=catalog,
            rng=random.Random(f"{seed}:reference"),
            pools=pools,
            stamps=TimestampFormatter(),
            now_ms=epoch_millis(moment),
            start_ms=epoch_millis(moment - HISTORY_SPAN),
            total_accounts=accounts,
        )
        counts = _load(
            ctx, db_path, seed, accounts=accounts, batch_size=batch_size, workers=workers
        )
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    summary = SeedSummary(
        accounts=accounts,
        seed=seed,
        now=moment,
        records=dict(counts.records),
        deleted=dict(counts.deleted),
        cases=dict(counts.cases),
        seconds=time.perf_counter() - began,
    )
    logger.info("Seeded %s accounts in %.1f s: %s", accounts, summary.seconds, summary.records)
    return summary


def _load(
    ctx: SeedContext,
    db_path: Path,
    seed: int,
    *,
    accounts: int,
    batch_size: int,
    workers: int | None,
) -> SeedCounts:
    """Write every record and return the counts.

    The timestamp indexes are dropped during the load and built after it: rows arrive in
    random timestamp order, and sorting once is cheaper than inserting at random places.
    The other indexes (Id, references, external ids) receive keys in nearly increasing order
    (or from a few distinct values), so they are kept and maintained by the writer threads,
    in parallel with the generation.
    """
    connection = ctx.connection
    for obj in ctx.catalog.objects:
        drop_indexes(connection, obj, only=INDEXED_TIMESTAMPS)
    ctx.load_sequences()
    found = connection.execute(
        'SELECT Id FROM "Pricebook2" WHERE IsStandard = 1 ORDER BY rowid LIMIT 1'
    ).fetchone()
    ctx.standard_pricebook_id = "" if found is None else str(found[0])
    connection.execute("BEGIN IMMEDIATE")
    seed_users(ctx, user_count(accounts))
    seed_products(ctx, product_count(accounts))
    connection.execute("COMMIT")
    plan = RunPlan(
        db_path=str(db_path),
        seed=seed,
        accounts=accounts,
        now_ms=ctx.now_ms,
        start_ms=ctx.start_ms,
        bases={name: ctx.next_sequence[name] for name in STRIDES},
        active_user_ids=tuple(ctx.active_user_ids),
        price_entries=tuple(ctx.price_entries),
        standard_pricebook_id=ctx.standard_pricebook_id,
        catalog=ctx.catalog,
    )
    phase = time.perf_counter()
    counts = write_all(plan, batch_size, ctx.pools, workers)
    logger.info("Wrote the accounts and their records in %.1f s", time.perf_counter() - phase)
    for name, stride in STRIDES.items():
        ctx.next_sequence[name] = plan.bases[name] + accounts * stride
    ctx.use_rng(random.Random(f"{seed}:wide"))
    connection.execute("BEGIN IMMEDIATE")
    seed_wide(ctx, accounts)
    connection.execute("COMMIT")
    counts.records.update(ctx.counts.records)
    counts.deleted.update(ctx.counts.deleted)
    phase = time.perf_counter()
    connection.execute(f"PRAGMA threads={INDEX_SORT_THREADS}")
    for obj in ctx.catalog.objects:
        create_indexes(connection, obj)
    logger.info("Built the indexes in %.1f s", time.perf_counter() - phase)
    return counts
