"""Benchmark: batch upsert operations per second that the Akountify emulator sustains.

Starts the emulator (limits off, no access log) in a temporary folder and posts full batches
of 50 customer upserts with a plain ``requests`` client (bodies encoded before the clock
starts): creates, updates, unchanged re-writes, and creates from 4 clients at once. Reports
the median of several runs, the emulator's CPU time per case and its peak RSS.

Two rates are printed: wall-clock operations per second (what a client sees on this machine
now, other processes included) and operations per second of emulator CPU time (its capacity,
independent of how busy the shared machine is). The target is 2,000 operations per second.

    .venv/bin/python benchmarks/akountify_emulator.py [--ops 4000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from emulators.akountify.launcher import (
    CompanyCredentials,
    RunningAkountify,
    start_akountify_emulator,
)

if TYPE_CHECKING:
    import requests

BATCH = 50
TARGET_OPS_PER_SECOND = 2000
PARALLEL_CLIENTS = 4
CASES = ("create", "update", "unchanged", f"create x{PARALLEL_CLIENTS} clients")
EXPECTED = {"create": "created", "update": "updated", "unchanged": "unchanged"}


def customer(index: int, revision: int) -> dict[str, Any]:
    return {
        "display_name": f"Customer {index:07d}",
        "email": f"ap{index}@customer{index}.example",
        "phone": f"+1 555 {index % 10000:04d}",
        "billing_address": {
            "line1": f"{index} Main Street",
            "city": "Springfield",
            "postal_code": f"{index % 100000:05d}",
            "country": "US",
        },
        "currency": "USD",
        "payment_terms": "net_30",
        "credit_limit": f"{1000 + revision}.00",
        "tags": ["benchmark", f"rev{revision}"],
        "sync_metadata": {"revision": revision},
    }


def batches(prefix: str, count: int, revision: int) -> list[bytes]:
    """Request bodies of full batches, already encoded."""
    bodies = []
    for start in range(0, count, BATCH):
        operations = [
            {
                "op_id": str(index),
                "action": "upsert",
                "entity": "customers",
                "external_id": f"{prefix}-{index}",
                "data": customer(index, revision),
            }
            for index in range(start, min(start + BATCH, count))
        ]
        bodies.append(orjson.dumps({"operations": operations}))
    return bodies


def post_all(session: requests.Session, url: str, bodies: list[bytes]) -> set[str]:
    results: set[str] = set()
    for body in bodies:
        response = session.post(
            url, data=body, headers={"Content-Type": "application/json"}, timeout=120
        )
        response.raise_for_status()
        results.update(str(item["result"]) for item in response.json()["results"])
    return results


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_case(
    emulator: RunningAkountify, creds: CompanyCredentials, case: str, ops: int
) -> tuple[float, float]:
    """One run of a case; returns (wall seconds, emulator CPU seconds)."""
    session = emulator.client_session(creds)
    url = f"{emulator.company_url(creds)}/batch"
    if case in {"update", "unchanged"}:
        post_all(session, url, batches("r", ops, 1))
    bodies = batches("r", ops, 2 if case == "update" else 1)
    pid = emulator.process.pid if emulator.process and emulator.process.pid else 0
    cpu_before, started = cpu_seconds(pid), time.perf_counter()
    if case.startswith("create x"):
        sessions = [emulator.client_session(creds) for _ in range(PARALLEL_CLIENTS)]
        chunks = [bodies[i::PARALLEL_CLIENTS] for i in range(PARALLEL_CLIENTS)]
        with ThreadPoolExecutor(PARALLEL_CLIENTS) as pool:
            results = set().union(
                *pool.map(
                    lambda pair: post_all(pair[0], url, pair[1]),
                    zip(sessions, chunks, strict=False),
                )
            )
    else:
        results = post_all(session, url, bodies)
    elapsed, cpu = time.perf_counter() - started, cpu_seconds(pid) - cpu_before
    if results != {EXPECTED.get(case, "created")}:
        raise SystemExit(f"{case}: unexpected results {results}")
    return elapsed, cpu


def read_times(
    emulator: RunningAkountify, creds: CompanyCredentials, table: int, reads: int
) -> dict[str, float]:
    """Median seconds of list reads on a company holding ``table`` customers.

    Cases: 100 random external ids (the target's read before writing), the first page of
    records typed by hand (``has_external_id=false``), and a plain page of 200.
    """
    session = emulator.client_session(creds)
    url = f"{emulator.company_url(creds)}/customers"
    rng = random.Random(table)
    cases: dict[str, list[tuple[str, str]]] = {
        "100 external ids": [],
        "hand-typed page": [("has_external_id", "false"), ("status", "active"), ("limit", "200")],
        "plain page of 200": [("limit", "200")],
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(reads):
        for name, fixed in cases.items():
            params = fixed
            if name == "100 external ids":
                wanted = rng.sample(range(table), 100)
                params = [("limit", "100"), ("external_id", ",".join(f"r-{n}" for n in wanted))]
            started = time.perf_counter()
            response = session.get(url, params=params, timeout=120)
            times[name].append(time.perf_counter() - started)
            response.raise_for_status()
            if name == "100 external ids" and len(response.json()["data"]) != 100:
                raise SystemExit("read by external ids: records missing")
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--ops", type=int, default=4000, help="operations per run and case")
    parser.add_argument("--runs", type=int, default=3, help="runs per case (medians reported)")
    parser.add_argument(
        "--read-tables",
        type=int,
        nargs="*",
        default=[30_000, 150_000],
        help="table sizes (customers in one company) at which reads are timed",
    )
    args = parser.parse_args()
    rows = []
    read_rows: list[tuple[int, dict[str, float]]] = []
    with (
        tempfile.TemporaryDirectory() as folder,
        start_akountify_emulator(
            Path(folder), "--no-rate-limits", "--no-access-log", "--log-level", "warning"
        ) as emulator,
    ):
        for case in CASES:
            walls, cpus = [], []
            for run in range(args.runs):
                creds = emulator.create_company(f"Bench {case} {run}")
                wall, cpu = run_case(emulator, creds, case, args.ops)
                walls.append(wall)
                cpus.append(cpu)
            rows.append((case, statistics.median(walls), statistics.median(cpus)))
        reader = emulator.create_company("Bench reads")
        loaded = 0
        for table in sorted(args.read_tables):
            session = emulator.client_session(reader)
            post_all(
                session,
                f"{emulator.company_url(reader)}/batch",
                batches("r", table, 1)[loaded // BATCH :],
            )
            loaded = table
            read_rows.append((table, read_times(emulator, reader, table, reads=21)))
        rss = (
            peak_rss_mb(emulator.process.pid)
            if emulator.process and emulator.process.pid
            else float("nan")
        )
    calls = -(-args.ops // BATCH)
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, load {load:.1f}")
    print(
        f"{args.ops} ops per run, median of {args.runs} runs, batches of {BATCH}, limits off; "
        f"target {TARGET_OPS_PER_SECOND} ops/s"
    )
    header = ("case", "ops", "s", "ops/s", "x target", "CPU s", "ops/CPU-s", "calls", "RSS MB")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for case, wall, cpu in rows:
        rate = args.ops / wall
        capacity = args.ops / cpu if cpu else float("inf")
        print(
            f"| {case} | {args.ops} | {wall:.2f} | {rate:.0f} | "
            f"{rate / TARGET_OPS_PER_SECOND:.2f} | {cpu:.2f} | {capacity:.0f} | {calls} | "
            f"{rss:.1f} |"
        )
    if read_rows:
        names = list(read_rows[0][1])
        print()
        print("reads (median of 21, ms): | customers in the company | " + " | ".join(names) + " |")
        print("|---|" + "---|" * len(names))
        for table, times in read_rows:
            cells = " | ".join(f"{times[name] * 1000:.1f}" for name in names)
            print(f"| {table:,} | {cells} |")


if __name__ == "__main__":
    main()
