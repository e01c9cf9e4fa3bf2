"""How long seeding the Salesforce emulator takes: ``seed_org`` on a fresh data folder.

    .venv/bin/python benchmarks/salesforce_seed.py                    # 1,000,000 accounts
    .venv/bin/python benchmarks/salesforce_seed.py --accounts 100000 --runs 3

Prints one table: accounts, records written (all objects), wall seconds, CPU seconds of this
process and its worker processes together (each worker's own split is in the INFO log lines),
records/s, database size, peak RSS, and the load average around the run,
after a calibration probe (``json.dumps`` rate versus an idle machine): these machines are
shared and a high load slows every figure. The target is 1,000,000 accounts in under 120 s of
wall time.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from emulators.salesforce.seed import seed_org

#: ``json.dumps`` rate of the calibration message on an idle machine of this kind
#: (``../shared/design/performance.md``): the ratio tells how loaded the machine is.
IDLE_JSON_DUMPS_PER_SECOND = 315_000


def calibration() -> float:
    """Messages per second ``json.dumps`` serializes right now (a machine-speed probe)."""
    message = {"type": "RECORD", "stream": "accounts", "record": {"id": 1, "name": "Acme"}}
    began = time.perf_counter()
    for _ in range(100_000):
        json.dumps(message)
    return 100_000 / (time.perf_counter() - began)


def all_cpu_seconds() -> float:
    """User and system CPU seconds of this process and of its finished worker processes."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def run_once(accounts: int, seed: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="sf-seed-bench-") as folder:
        db_path = Path(folder) / "org.sqlite3"
        load_before = os.getloadavg()[0]
        cpu_before = all_cpu_seconds()
        began = time.perf_counter()
        summary = seed_org(db_path, accounts=accounts, seed=seed)
        wall = time.perf_counter() - began
        cpu = all_cpu_seconds() - cpu_before
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
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    print(
        f"# machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {__import__('sqlite3').sqlite_version}"
    )
    speed = calibration()
    print(
        f"# calibration: json.dumps {speed:,.0f}/s, "
        f"{speed / IDLE_JSON_DUMPS_PER_SECOND:.2f} of an idle machine"
    )
    results = [run_once(args.accounts, args.seed) for _ in range(args.runs)]
    wall = statistics.median(r["wall"] for r in results)
    cpu = statistics.median(r["cpu"] for r in results)
    records = results[0]["records"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        "| accounts | records | wall s (median) | cpu s (all processes) | records/s | db MB "
        "| peak RSS MB "
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
