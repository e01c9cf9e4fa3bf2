"""How long seeding the Salesforce emulator takes: ``seed_org`` on a fresh data folder.

    .venv/bin/python benchmarks/salesforce_seed.py                    # 1,000,000 accounts
    .venv/bin/python benchmarks/salesforce_seed.py --accounts 100000 --runs 3

Prints one table: accounts, records written (all objects), wall seconds, CPU seconds of the
process (the generator and its writer thread), records/s, database size, peak RSS, and the
load average around the run (these machines are shared: a high load slows every figure).
The target is 1,000,000 accounts in under 120 s of wall time.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from emulators.salesforce.seed import seed_org


def run_once(accounts: int, seed: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="sf-seed-bench-") as folder:
        db_path = Path(folder) / "org.sqlite3"
        load_before = os.getloadavg()[0]
        cpu_before = time.process_time()
        began = time.perf_counter()
        summary = seed_org(db_path, accounts=accounts, seed=seed)
        wall = time.perf_counter() - began
        cpu = time.process_time() - cpu_before
        size = sum(p.stat().st_size for p in Path(folder).iterdir())
        return {
            "records": float(sum(summary.records.values())),
            "wall": wall,
            "cpu": cpu,
            "size_mb": size / 1e6,
            "load_before": load_before,
            "load_after": os.getloadavg()[0],
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(
        f"# machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {__import__('sqlite3').sqlite_version}"
    )
    results = [run_once(args.accounts, args.seed) for _ in range(args.runs)]
    wall = statistics.median(r["wall"] for r in results)
    cpu = statistics.median(r["cpu"] for r in results)
    records = results[0]["records"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        "| accounts | records | wall s (median) | cpu s | records/s | db MB | peak RSS MB "
        "| load avg before/after |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {args.accounts:,} | {records:,.0f} | {wall:.1f} | {cpu:.1f} | "
        f"{records / wall:,.0f} | {results[0]['size_mb']:,.0f} | {peak_mb:,.0f} | "
        + ", ".join(f"{r['load_before']:.1f}/{r['load_after']:.1f}" for r in results)
        + " |"
    )
    walls = ", ".join(f"{r['wall']:.1f}" for r in results)
    print(f"# walls: {walls}; target: < 120 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
