"""Benchmark target-akountify against the Akountify emulator.

    .venv/bin/python benchmarks/target.py --sizes 10000 100000 [--rate-records 6000]

Cases, all in one run on the same emulator:

* ``plain client``: the limit. Posts the same records as full batches of 50 upserts, 5 in
  flight, with nothing else (no reads, no mapping, no framework). Rate limits off.
* ``target N``: ``target-akountify`` as a subprocess reading N Account records from a Singer
  file (first sync, rate limits off). Reports records/s, the ratio to the plain client, API
  calls per record against the minimum (one read per 100 and one write per 50 records), and
  peak RSS of the target process.
* ``target at 60/min``: the default limit of 60 requests a minute; reports the share of the
  allowed rate used and the number of 429s.

Prints one Markdown table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from emulators.akountify.launcher import (  # noqa: E402
    CompanyCredentials,
    RunningAkountify,
    start_akountify_emulator,
)

SCHEMA = {
    "type": "SCHEMA",
    "stream": "Account",
    "key_properties": ["Id"],
    "schema": {
        "type": "object",
        "properties": {
            "Id": {"type": "string"},
            "Name": {"type": ["string", "null"]},
            "Phone": {"type": ["string", "null"]},
            "BillingStreet": {"type": ["string", "null"]},
            "BillingCity": {"type": ["string", "null"]},
            "BillingCountry": {"type": ["string", "null"]},
            "Industry": {"type": ["string", "null"]},
            "SystemModstamp": {"type": ["string", "null"], "format": "date-time"},
        },
    },
}


def record(n: int, prefix: str) -> dict[str, Any]:
    return {
        "Id": f"{prefix}{n:09d}",
        "Name": f"Account {prefix}{n}",
        "Phone": f"+1 555 {n % 10000:04d}",
        "BillingStreet": f"{n} Main Street",
        "BillingCity": "Springfield",
        "BillingCountry": "United States",
        "Industry": "Banking",
        "SystemModstamp": "2024-01-01T00:00:00.000000Z",
    }


def write_singer(path: Path, size: int, prefix: str) -> None:
    with path.open("w") as out:
        out.write(json.dumps(SCHEMA) + "\n")
        for n in range(size):
            out.write(
                json.dumps({"type": "RECORD", "stream": "Account", "record": record(n, prefix)})
            )
            out.write("\n")
        out.write(json.dumps({"type": "STATE", "value": {"bookmarks": {"Account": {}}}}) + "\n")


def new_company(akountify: RunningAkountify, per_minute: int) -> CompanyCredentials:
    creds = akountify.create_company("Benchmark")
    akountify.set_limits(
        company_id=creds.company_id, requests_per_minute=per_minute, concurrent_requests=5
    )
    return creds


def plain_client(akountify: RunningAkountify, size: int) -> tuple[float, int]:
    """Post ``size`` records as full batches of 50, 5 in flight. Returns (seconds, calls)."""
    creds = new_company(akountify, 0)
    session = akountify.client_session(creds)
    url = f"{akountify.company_url(creds)}/batch"
    lock = threading.Lock()
    calls = 0

    def post(start: int) -> None:
        nonlocal calls
        operations = []
        for n in range(start, min(start + 50, size)):
            r = record(n, "P")
            operations.append(
                {
                    "op_id": str(n),
                    "action": "upsert",
                    "entity": "customers",
                    "external_id": r["Id"],
                    "data": {
                        "display_name": r["Name"],
                        "phone": r["Phone"],
                        "billing_address": {
                            "line1": r["BillingStreet"],
                            "city": r["BillingCity"],
                            "country": "US",
                        },
                        "tags": [r["Industry"]],
                    },
                }
            )
        response = session.post(url, json={"operations": operations}, timeout=120)
        response.raise_for_status()
        with lock:
            calls += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=5) as pool:
        list(pool.map(post, range(0, size, 50)))
    return time.perf_counter() - started, calls


def run_target(
    akountify: RunningAkountify, creds: CompanyCredentials, singer: Path, work: Path
) -> tuple[float, dict[str, Any], int]:
    """Run target-akountify on a Singer file. Returns (seconds, report, peak RSS bytes)."""
    config = {
        "base_url": akountify.base_url,
        "client_id": creds.client_id,
        "client_secret": creds.client_secret,
        "rejected_store_path": str(work / "rejected"),
        "report_path": str(work / "report.json"),
        "validate_records": False,
    }
    config_path = work / "config.json"
    config_path.write_text(json.dumps(config))
    command = [
        str(ROOT / ".venv" / "bin" / "target-akountify"),
        "--config",
        str(config_path),
        "--input",
        str(singer),
    ]
    started = time.perf_counter()
    with (work / "target.log").open("w") as log:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
        peak = 0
        status = Path(f"/proc/{process.pid}/status")
        while process.poll() is None:
            peak = max(peak, high_water_mark(status))
            time.sleep(0.05)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"target failed, see {work / 'target.log'}")
    report = json.loads((work / "report.json").read_text())
    return seconds, report, peak


def high_water_mark(status: Path) -> int:
    """Peak RSS of a running process in bytes (Linux VmHWM), 0 once it is gone."""
    try:
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return 0
    return 0


def minimum_calls(size: int) -> int:
    return math.ceil(size / 100) + math.ceil(size / 50)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--rate-records", type=int, default=6_000)
    args = parser.parse_args()
    rows: list[tuple[Any, ...]] = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        with start_akountify_emulator(base / "akountify", "--no-rate-limits") as akountify:
            for size in args.sizes:
                plain_seconds, plain_calls = plain_client(akountify, size)
                plain_rate = size / plain_seconds
                rows.append(
                    (
                        "plain client (limit)",
                        size,
                        plain_seconds,
                        plain_rate,
                        1.0,
                        plain_calls,
                        "-",
                        "-",
                    )
                )
                singer = base / f"accounts-{size}.singer"
                write_singer(singer, size, "T")
                work = base / f"run-{size}"
                work.mkdir()
                creds = new_company(akountify, 0)
                seconds, report, peak = run_target(akountify, creds, singer, work)
                calls = report["api_calls"]
                data_calls = calls.get("read", 0) + calls.get("write", 0)
                rows.append(
                    (
                        "target, first sync",
                        size,
                        seconds,
                        size / seconds,
                        (size / seconds) / plain_rate,
                        f"{data_calls} ({data_calls / minimum_calls(size):.3f}x min)",
                        f"{peak / 2**20:.0f} MB",
                        "-",
                    )
                )
                singer.unlink()
            size = args.rate_records
            singer = base / "accounts-rate.singer"
            write_singer(singer, size, "R")
            work = base / "run-rate"
            work.mkdir()
            creds = new_company(akountify, 60)
            seconds, report, peak = run_target(akountify, creds, singer, work)
            calls = report["api_calls"]
            requests_made = sum(calls.get(k, 0) for k in ("read", "write", "other"))
            allowed = 60 * seconds / 60
            rows.append(
                (
                    "target at 60 requests/min",
                    size,
                    seconds,
                    size / seconds,
                    "-",
                    f"{requests_made} requests, {calls.get('rate_limited', 0)} x 429",
                    f"{peak / 2**20:.0f} MB",
                    f"{requests_made / allowed:.1%} of allowed rate",
                )
            )
    print(f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(
        "| case | records | seconds | records/s | ratio to limit | API calls | peak RSS | rate use"
    )
    print("|---|---|---|---|---|---|---|---|")
    for case, size, seconds, rate, ratio, calls, rss, use in rows:
        ratio_text = f"{ratio:.2f}" if isinstance(ratio, float) else ratio
        print(
            f"| {case} | {size:,} | {seconds:.1f} | {rate:,.0f} | {ratio_text} | {calls} | {rss} "
            f"| {use}"
        )


if __name__ == "__main__":
    main()
