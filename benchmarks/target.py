"""Benchmark target-akountify against a plain batch client on the Akountify emulator.

    .venv/bin/python benchmarks/target.py [--sizes 10000 100000] [--runs 3] [--rate-records 6000]
    .venv/bin/python benchmarks/target.py --sizes 1000000 --runs 1 --no-plain --rate-records 0

Cases (every one on a freshly started emulator, so each sees the same empty tables; rate limits
off except in the last case):

* ``plain client``: the limit. Posts exactly the operations the target sends on a first sync
  (built beforehand with the target's own mapping and planner: same fields, same
  ``sync_metadata``), as full batches of 50 upserts with an ``Idempotency-Key`` each, 5 in
  flight, bodies encoded before the clock starts. No reads, no mapping, no framework.
* ``target``: ``target-akountify`` as a subprocess reading N Account records from a Singer file
  (first sync, default settings: records checked against the SCHEMA): records/s, the ratio to
  the plain client of the same size, API calls against the minimum (one read per 100 and one
  write per 50 records), the target's and the emulator's CPU per record, the target's peak
  RSS. The target's fixed start-up (imports, configuration, authentication: measured on an
  input with no record) is reported on its own row, and the ratio is also given without it.
* ``target at 60 requests/min``: Akountify's default limit; the share of the allowed rate used
  and the number of 429s.

Figures are medians of ``--runs`` runs; each target run follows its plain run, and the ratio is
the median of the ratios of these pairs (the shared machine's load drifts between runs). The
1-minute load average at the end of every run is printed with it. Prints one Markdown table.

The target runs as installed: its console script (``target-akountify``) with the bytecode of
every module it imports compiled beforehand, as ``pip install`` leaves a package. The children
get their own bytecode cache (``PYTHONPYCACHEPREFIX`` in the run's temporary folder, filled by
one unmeasured run) even when ``PYTHONDONTWRITEBYTECODE`` is set in the benchmark's
environment: otherwise the project's own modules, installed editable, would be compiled from
source in every measured run (0.1-0.2 s) while the libraries' bytecode is read from disk.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.installed import installed_environment  # noqa: E402
from emulators.akountify.launcher import (  # noqa: E402
    CompanyCredentials,
    RunningAkountify,
    start_akountify_emulator,
)
from target_akountify.mapping.compile import compile_stream  # noqa: E402
from target_akountify.mapping.loader import load_spec  # noqa: E402
from target_akountify.mapping.mapper import map_record  # noqa: E402
from target_akountify.mapping.values import ValuePolicy  # noqa: E402
from target_akountify.planner import Planner  # noqa: E402
from target_akountify.rejected import encode_json  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Iterator

BATCH = 50
IN_FLIGHT = 5
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


@dataclass
class Measure:
    """One run of one case."""

    seconds: float
    calls: int
    target_cpu: float = 0.0
    emulator_cpu: float = 0.0
    peak_rss: int = 0
    report: dict[str, Any] | None = None
    load: float = field(default_factory=lambda: os.getloadavg()[0])


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """User + system CPU seconds of this process (the plain client's threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def children_cpu_seconds() -> float:
    """User + system CPU seconds of this process's reaped children (the target runs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def high_water_mark(status: Path) -> int:
    """Peak RSS of a running process in bytes (Linux VmHWM), 0 once it is gone."""
    try:
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return 0
    return 0


def emulator_pid(akountify: RunningAkountify) -> int:
    process = akountify.process
    if process is None or process.pid is None:
        raise SystemExit("the emulator is not a child process")
    return process.pid


def new_company(akountify: RunningAkountify, per_minute: int) -> CompanyCredentials:
    creds = akountify.create_company("Benchmark")
    akountify.set_limits(
        company_id=creds.company_id, requests_per_minute=per_minute, concurrent_requests=5
    )
    return creds


def first_sync_bodies(size: int, prefix: str) -> list[bytes]:
    """The batch bodies the target sends on a first sync, built with its own code."""
    compiled, problems = compile_stream(
        load_spec(),
        "Account",
        schema=SCHEMA["schema"],  # type: ignore[arg-type]
        key_properties=["Id"],
        custom={},
    )
    if compiled is None:
        raise SystemExit(f"the default mapping does not compile: {problems}")
    planner = Planner(compiled, "source_wins")
    policy = ValuePolicy()
    bodies = []
    for start in range(0, size, BATCH):
        operations = []
        for n in range(start, min(start + BATCH, size)):
            plan = planner.plan(map_record(compiled, record(n, prefix), policy), None)
            operations.append({"op_id": str(n - start), **(plan.operation or {})})
        bodies.append(encode_json({"operations": operations}))
    return bodies


def plain_client(akountify: RunningAkountify, bodies: list[bytes]) -> Measure:
    """Post pre-encoded batches with Idempotency-Keys (as any safe client must), 5 in flight."""
    creds = new_company(akountify, 0)
    local = threading.local()
    url = f"{akountify.company_url(creds)}/batch"
    token = akountify.token(creds)

    def post(request: tuple[bytes, str]) -> None:
        body, key = request
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = akountify.session()
            session.headers["Authorization"] = f"Bearer {token}"
        headers = {"Content-Type": "application/json", "Idempotency-Key": key}
        response = session.post(url, data=body, headers=headers, timeout=300)
        response.raise_for_status()
        if any(result["status"] >= 300 for result in response.json()["results"]):
            raise SystemExit(f"plain client: an operation failed: {response.text[:500]}")

    requests_ = [(body, uuid.uuid4().hex) for body in bodies]
    pid = emulator_pid(akountify)
    own_before = own_cpu_seconds()
    cpu_before, started = cpu_seconds(pid), time.perf_counter()
    with ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool:
        list(pool.map(post, requests_))
    seconds = time.perf_counter() - started
    return Measure(
        seconds,
        len(bodies),
        target_cpu=own_cpu_seconds() - own_before,
        emulator_cpu=cpu_seconds(pid) - cpu_before,
    )


def run_target(
    akountify: RunningAkountify, creds: CompanyCredentials, singer: Path, work: Path
) -> Measure:
    """Run target-akountify on a Singer file as a subprocess and measure it."""
    work.mkdir(parents=True, exist_ok=True)
    config = {
        "base_url": akountify.base_url,
        "client_id": creds.client_id,
        "client_secret": creds.client_secret,
        "rejected_store_path": str(work / "rejected"),
        "report_path": str(work / "report.json"),
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
    pid = emulator_pid(akountify)
    children_before = children_cpu_seconds()
    cpu_before, started = cpu_seconds(pid), time.perf_counter()
    with (work / "target.log").open("w") as log:
        process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=log,
            env=installed_environment(work.parent),
        )
        peak = 0
        status = Path(f"/proc/{process.pid}/status")
        while process.poll() is None:
            peak = max(peak, high_water_mark(status))
            time.sleep(0.05)
    seconds = time.perf_counter() - started
    emulator_cpu = cpu_seconds(pid) - cpu_before
    if process.returncode != 0:
        raise SystemExit(f"target failed, see {work / 'target.log'}")
    report = json.loads((work / "report.json").read_text())
    calls = report["api_calls"]
    return Measure(
        seconds,
        calls.get("read", 0) + calls.get("write", 0),
        target_cpu=children_cpu_seconds() - children_before,
        emulator_cpu=emulator_cpu,
        peak_rss=peak,
        report=report,
    )


def minimum_calls(size: int) -> int:
    return math.ceil(size / 100) + math.ceil(size / BATCH)


@contextlib.contextmanager
def fresh_emulator(base: Path, name: str) -> Iterator[RunningAkountify]:
    """An emulator on an empty data folder (limits off; cases set their company's limits)."""
    with start_akountify_emulator(
        base / name, "--no-rate-limits", "--no-access-log", "--log-level", "warning"
    ) as akountify:
        yield akountify


def measure_plain(base: Path, size: int, bodies: list[bytes], run: int) -> Measure:
    with fresh_emulator(base, f"plain-{size}-{run}") as akountify:
        return plain_client(akountify, bodies)


def measure_target(base: Path, singer: Path, name: str, per_minute: int = 0) -> Measure:
    with fresh_emulator(base, f"emulator-{name}") as akountify:
        creds = new_company(akountify, per_minute)
        return run_target(akountify, creds, singer, base / f"work-{name}")


def _loads(measures: list[Measure]) -> str:
    """The 1-minute load average at the end of each run (the shared machine's noise)."""
    return " / ".join(f"{m.load:.1f}" for m in measures)


def median(measures: list[Measure], attribute: str) -> float:
    return float(statistics.median(getattr(m, attribute) for m in measures))


def measure_startup(base: Path, runs: int) -> tuple[float, str]:
    """The target's fixed cost: median seconds of runs on an input with no record, and its row."""
    empty = base / "empty.singer"
    write_singer(empty, 0, "E")
    measure_target(base, empty, "bytecode")  # unmeasured: fills the bytecode cache
    startups = [measure_target(base, empty, f"start-{run}") for run in range(runs)]
    startup = median(startups, "seconds")
    row = (
        f"| target start-up (no record) | 0 | {startup:.2f} | - | - | - | "
        f"{median(startups, 'target_cpu'):.2f} s | - | "
        f"{median(startups, 'peak_rss') / 2**20:.0f} MB | {median(startups, 'load'):.1f} |"
    )
    return startup, row


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3, help="runs per case (medians reported)")
    parser.add_argument("--rate-records", type=int, default=6_000, help="0 skips the rate case")
    parser.add_argument("--no-plain", action="store_true", help="skip the plain client")
    args = parser.parse_args()
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        startup, row = measure_startup(base, args.runs)
        rows.append(row)
        for size in args.sizes:
            singer = base / f"accounts-{size}.singer"
            write_singer(singer, size, "T")
            bodies = [] if args.no_plain else first_sync_bodies(size, "T")
            plains: list[Measure] = []
            targets: list[Measure] = []
            for run in range(args.runs):  # each target run right after its plain run
                if bodies:
                    plains.append(measure_plain(base, size, bodies, run))
                targets.append(measure_target(base, singer, f"{size}-{run}"))
            del bodies
            singer.unlink()
            if plains:
                seconds = median(plains, "seconds")
                rows.append(
                    f"| plain client (limit) | {size:,} | {seconds:.1f} | {size / seconds:,.0f} | "
                    f"1.00 | {plains[0].calls} | "
                    f"{median(plains, 'target_cpu') / size * 1000:.3f} (client) | "
                    f"{median(plains, 'emulator_cpu') / size * 1000:.3f} | - | "
                    f"{_loads(plains)} |"
                )
            seconds = median(targets, "seconds")
            ratio = "-"
            if plains:  # ratios of the runs paired in time, then their median
                pairs = list(zip(plains, targets, strict=True))
                ratios = [p.seconds / t.seconds for p, t in pairs]
                bare = [p.seconds / max(t.seconds - startup, 1e-9) for p, t in pairs]
                ratio = (
                    f"{statistics.median(ratios):.2f} ({statistics.median(bare):.2f} w/o "
                    f"start-up; runs {' / '.join(f'{r:.2f}' for r in ratios)})"
                )
            calls = targets[0].calls
            rows.append(
                f"| target, first sync | {size:,} | {seconds:.1f} | {size / seconds:,.0f} | "
                f"{ratio} | {calls} ({calls / minimum_calls(size):.3f} x min) | "
                f"{median(targets, 'target_cpu') / size * 1000:.3f} | "
                f"{median(targets, 'emulator_cpu') / size * 1000:.3f} | "
                f"{max(m.peak_rss for m in targets) / 2**20:.0f} MB | {_loads(targets)} |"
            )
        if args.rate_records:
            size = args.rate_records
            singer = base / "accounts-rate.singer"
            write_singer(singer, size, "R")
            paced = measure_target(base, singer, "rate", per_minute=60)
            calls = (paced.report or {}).get("api_calls", {})
            made = sum(calls.get(k, 0) for k in ("read", "write", "other"))
            allowed = 60 * paced.seconds / 60
            rows.append(
                f"| target at 60 requests/min | {size:,} | {paced.seconds:.1f} | "
                f"{size / paced.seconds:,.0f} | - | {made} requests, "
                f"{calls.get('rate_limited', 0)} x 429, {made / allowed:.1%} of the allowed "
                f"rate | - | - | {paced.peak_rss / 2**20:.0f} MB | {paced.load:.1f} |"
            )
    load = os.getloadavg()[0]
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, load {load:.1f}; "
        f"medians of {args.runs} run(s)"
    )
    print(
        "| case | records | s | records/s | ratio to limit | API calls (read + write) "
        "| target CPU ms/record | emulator CPU ms/record | peak RSS | load (1 min) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
