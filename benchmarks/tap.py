"""tap-salesforce-lite against "the limit": a plain client doing the same I/O, same run.

    .venv/bin/python benchmarks/tap.py --accounts 10000 --runs 3
    .venv/bin/python benchmarks/tap.py --accounts 100000 --accounts 1000000 --runs 1

For each size it starts the Salesforce emulator seeded with that many accounts, then runs, each
in its own process writing its Singer messages to /dev/null:

* plain REST: ``requests`` paging ``queryAll`` with the tap's SOQL (every Account field),
  decoding with exact decimals and writing the same RECORD messages with msgspec;
* the tap with ``api_type: rest``;
* plain Bulk: one Bulk 2.0 job, polled every 0.2 s, results streamed through ``csv``;
* the tap with ``api_type: bulk``;
* the tap with ``api_type: auto`` (the default: a REST probe, then Bulk from 100,000 records);
* the tap again, incremental, with nothing changed since the REST run.

Every child runs as an installed program runs, its bytecode cached (``benchmarks/installed.py``;
the plain client is started as ``python -m benchmarks.tap`` so that its own module is cached
too), the cache filled by unmeasured warm-up runs before the clock starts.

Each round runs every case once, in that order; with ``--runs R`` there are R rounds. It
prints one table: records, median seconds, records/s, the ratio to the plain client of the same
API (the median of the per-round ratios, so each compares runs made under nearly the same
load), API calls (from the emulator's counter; every distinct count of the rounds, as a
Bulk job's status checks depend on how long the job ran) against the minimum the API allows,
the peak RSS of the process (``VmHWM``) and the one-minute load average when the case ended.
The minimum of a REST read is one call per 2,000 records; of a Bulk read, the job's creation,
one results call per 200,000 records and one status check (results are served only once a
check has seen ``JobComplete``); ``auto`` adds its REST probe when it goes to Bulk. A no-change
incremental run's minimum is one query.
"""

from __future__ import annotations

import argparse
import atexit
import csv
import io
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

import msgspec
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.installed import installed_environment  # noqa: E402
from tap_salesforce_lite.records import RecordShape  # noqa: E402
from tap_salesforce_lite.schema import object_from_schema  # noqa: E402
from tap_salesforce_lite.soql import QuerySpec, build_soql  # noqa: E402

if TYPE_CHECKING:
    from emulators.salesforce.launcher import RunningSalesforce

API = "/services/data/v62.0"
REST_PAGE = 2000
BULK_PAGE = 200_000
AUTO_BULK_THRESHOLD = 100_000
DECODER = msgspec.json.Decoder(float_hook=Decimal)
ENCODER = msgspec.json.Encoder(decimal_format="number")


# The plain clients (each in a child: ``python -m benchmarks.tap --plain rest|bulk --spec SPEC``)


def _normalize(value: str) -> str:
    return value[:23] + "000+00:00"


def _plain_rest(spec: dict[str, Any], out: Any) -> int:
    session = requests.Session()
    session.verify = spec["ca_file"]
    session.trust_env = False
    token = _token(session, spec)
    headers = {"Authorization": f"Bearer {token}", "Sforce-Query-Options": f"batchSize={REST_PAGE}"}
    url = f"{spec['instance_url']}{API}/queryAll?{urlencode({'q': spec['soql']})}"
    count = 0
    while url:
        body = DECODER.decode(session.get(url, headers=headers, timeout=300).content)
        count += _write(spec, body["records"], out, rest=True)
        next_url = body.get("nextRecordsUrl")
        url = f"{spec['instance_url']}{next_url}" if next_url else ""
    return count


def _plain_bulk(spec: dict[str, Any], out: Any) -> int:
    session = requests.Session()
    session.verify = spec["ca_file"]
    session.trust_env = False
    headers = {"Authorization": f"Bearer {_token(session, spec)}"}
    base = f"{spec['instance_url']}{API}/jobs/query"
    job = session.post(
        base,
        json={
            "operation": "queryAll",
            "query": spec["soql"],
            "columnDelimiter": "COMMA",
            "lineEnding": "LF",
        },
        headers=headers,
        timeout=300,
    ).json()
    while session.get(f"{base}/{job['id']}", headers=headers, timeout=300).json()["state"] not in {
        "JobComplete",
        "Failed",
        "Aborted",
    }:
        time.sleep(0.2)
    count = 0
    locator = None
    while True:
        params: dict[str, Any] = {"maxRecords": BULK_PAGE}
        if locator:
            params["locator"] = locator
        response = session.get(
            f"{base}/{job['id']}/results", params=params, headers=headers, stream=True, timeout=300
        )
        response.raw.decode_content = True
        text = io.TextIOWrapper(cast("IO[bytes]", response.raw), encoding="utf-8", newline="")
        reader = csv.reader(text)
        header = next(reader)
        rows = []
        for row in reader:
            rows.append(dict(zip(header, row, strict=True)))
            if len(rows) == 1000:
                count += _write(spec, rows, out, rest=False)
                rows = []
        count += _write(spec, rows, out, rest=False)
        locator = response.headers.get("Sforce-Locator")
        if not locator or locator == "null":
            return count


def _typed_csv(row: dict[str, Any], typed: list[list[str]]) -> None:
    for name, cell in row.items():
        if cell == "":
            row[name] = None
    for name, kind in typed:
        cell = row[name]
        if cell is None:
            continue
        if kind == "b":
            row[name] = cell == "true"
        elif kind == "i":
            row[name] = int(cell)
        else:
            row[name] = Decimal(cell)


def _write(spec: dict[str, Any], rows: list[dict[str, Any]], out: Any, *, rest: bool) -> int:
    now = datetime.now(UTC).isoformat()
    for row in rows:
        if rest:
            row.pop("attributes", None)
        else:
            _typed_csv(row, spec["typed"])
        for name in spec["datetimes"]:
            if row.get(name) is not None:
                row[name] = _normalize(row[name])
        for name, parts in spec["compounds"]:
            value = {key: row.get(part) for key, part in parts}
            row[name] = value if any(v is not None for v in value.values()) else None
        for name in spec["hidden"]:
            row.pop(name, None)
        row["_sdc_deleted_at"] = row["SystemModstamp"] if row.get("IsDeleted") else None
        message = {"type": "RECORD", "stream": "Account", "record": row, "time_extracted": now}
        out.write(ENCODER.encode(message) + b"\n")
    return len(rows)


def _token(session: requests.Session, spec: dict[str, Any]) -> str:
    response = session.post(
        f"{spec['instance_url']}/services/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": spec["client_id"],
            "client_secret": spec["client_secret"],
        },
        timeout=60,
    )
    return str(response.json()["access_token"])


def plain_main(kind: str, spec_path: str, rss_file: str) -> None:
    atexit.register(_write_peak_rss, rss_file)
    spec = json.loads(Path(spec_path).read_text())
    with open(os.devnull, "wb") as out:  # noqa: PTH123
        count = (_plain_rest if kind == "rest" else _plain_bulk)(spec, out)
    print(count)


# The driver


@dataclass
class Measure:
    case: str
    records: int
    seconds: float
    rss_mb: float
    calls: int
    load: float
    samples: list[Sample]


@dataclass
class Sample:
    seconds: float
    rss_mb: float
    calls: int
    records: int
    load: float


def _child(argv: list[str], sf: RunningSalesforce, work: Path) -> Sample:
    """Run one case in a child process writing its messages to /dev/null.

    The child writes its own peak RSS (``VmHWM`` of its process image: ``wait4``'s maxrss
    would include the driver's memory copied at fork); the tap runs through its console script
    (``python -m benchmarks.peak_rss``), as people run it. Every child runs with its bytecode
    cached (``benchmarks/installed.py``), from the project root. The tap reports its record
    count as the SDK's ``record_count`` metric on stderr; the plain client prints it.
    """
    rss_file = work / "rss.txt"
    log_file = work / "stderr.log"
    before = sf.stats()["api_usage"]["used"]
    start = time.perf_counter()
    with log_file.open("wb") as log:
        completed = subprocess.run(
            [*argv[:3], "--rss-file", str(rss_file), *argv[3:]],
            stdout=subprocess.PIPE,
            stderr=log,
            check=False,
            cwd=ROOT,
            env=installed_environment(work),
        )
    seconds = time.perf_counter() - start
    if completed.returncode != 0:
        raise RuntimeError(f"{argv} failed: {log_file.read_text()[-2000:]}")
    calls = sf.stats()["api_usage"]["used"] - before
    counted = re.findall(r'"metric":"record_count","value":(\d+)', log_file.read_text())
    records = int(completed.stdout.strip() or 0) if "--plain" in argv else sum(map(int, counted))
    load = os.getloadavg()[0]  # one-minute load average when the case ends
    return Sample(seconds, float(rss_file.read_text()), calls, records, load)


def _write_peak_rss(path: str) -> None:
    status = Path("/proc/self/status").read_text()
    peak_kb = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
    Path(path).write_text(f"{peak_kb / 1024:.1f}")


def measure(case: str, samples: list[Sample]) -> Measure:
    """Median seconds (and load) of a case's runs, the peak RSS of all."""
    return Measure(
        case,
        samples[0].records,
        statistics.median(s.seconds for s in samples),
        max(s.rss_mb for s in samples),
        samples[0].calls,
        statistics.median(s.load for s in samples),
        samples,
    )


def paired_ratio(case: Measure, limit: Measure) -> float:
    """Median over the rounds of the case's records/s over its plain client's, same round.

    Each round runs every case once, the plain client just before the taps of its API, so a
    ratio compares runs made under nearly the same load (it drifts across a benchmark).
    """
    return statistics.median(
        (s.records / s.seconds) / (p.records / p.seconds)
        for s, p in zip(case.samples, limit.samples, strict=True)
    )


def plan(sf: RunningSalesforce, work: Path) -> tuple[dict[str, Any], dict[str, Any], Path]:
    config = {
        "client_id": sf.client_id,
        "client_secret": sf.client_secret,
        "login_url": sf.login_url,
        "ca_bundle": str(sf.ca_file),
        "objects": ["Account"],
    }
    (work / "config.json").write_text(json.dumps(config))
    catalog = json.loads(
        subprocess.run(
            [
                str(Path(sys.executable).with_name("tap-salesforce-lite")),
                "--config",
                str(work / "config.json"),
                "--discover",
            ],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    )
    (work / "catalog.json").write_text(json.dumps(catalog))
    schema = catalog["streams"][0]["schema"]
    obj = object_from_schema("Account", schema)
    shape = RecordShape(obj, list(schema["properties"]), include_deleted=True)
    kinds = {
        "boolean": "b",
        "int": "i",
        "long": "i",
        "double": "d",
        "currency": "d",
        "percent": "d",
    }
    spec = {
        "instance_url": sf.instance_url,
        "ca_file": str(sf.ca_file),
        "client_id": sf.client_id,
        "client_secret": sf.client_secret,
        "soql": build_soql(QuerySpec("Account", shape.query_fields, "SystemModstamp")),
        "datetimes": [f.name for f in obj.fields if f.sf_type == "datetime"],
        "compounds": [[c.name, [list(p) for p in c.parts]] for c in shape.compounds],
        "hidden": [n for n in shape.query_fields if n not in shape.emitted],
        "typed": [[f.name, kinds[f.sf_type]] for f in obj.fields if f.sf_type in kinds],
    }
    spec_path = work / "plain.json"
    spec_path.write_text(json.dumps(spec))
    return config, catalog, spec_path


def bench(accounts: int, runs: int, data_root: Path) -> list[Measure]:
    # The driver alone starts the emulator: its imports (~0.75 s) stay out of the children.
    from emulators.salesforce.launcher import start_salesforce_emulator  # noqa: PLC0415

    data_dir = data_root / f"tap-{accounts}"
    with start_salesforce_emulator(data_dir, accounts=accounts, seed=1) as sf:
        work = data_dir / "work"
        work.mkdir(exist_ok=True)
        config, _catalog, spec_path = plan(sf, work)
        python = sys.executable
        tap_exe = str(Path(python).with_name("tap-salesforce-lite"))
        tap = [python, "-m", "benchmarks.peak_rss", "tap-salesforce-lite"]
        catalog_path = work / "catalog.json"
        cases: dict[str, list[str]] = {}
        for api in ("rest", "bulk"):
            cases[f"plain {api}"] = [python, "-m", "benchmarks.tap", "--plain", api]
            cases[f"plain {api}"] += ["--spec", str(spec_path)]
            cfg = work / f"config-{api}.json"
            cfg.write_text(json.dumps({**config, "api_type": api}))
            cases[f"tap {api}"] = [*tap, "--config", str(cfg), "--catalog", str(catalog_path)]
        cfg = work / "config-auto.json"
        cfg.write_text(json.dumps({**config, "api_type": "auto"}))
        cases["tap auto"] = [*tap, "--config", str(cfg), "--catalog", str(catalog_path)]
        warm_up(config, catalog_path, work)
        samples: dict[str, list[Sample]] = {case: [] for case in cases}
        for _round in range(runs):
            for case, argv in cases.items():
                samples[case].append(_child(argv, sf, work))
        results = [measure(case, case_samples) for case, case_samples in samples.items()]
        # Incremental with nothing new: the state of a REST run (streamed, not held in memory).
        state_path = work / "state.json"
        rest_run = [tap_exe, "--config", str(work / "config-rest.json")]
        rest_run += ["--catalog", str(work / "catalog.json")]
        last_state = b""
        with subprocess.Popen(rest_run, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as child:
            for line in child.stdout or []:
                if line.startswith(b'{"type":"STATE"'):
                    last_state = line
        state_path.write_text(json.dumps(json.loads(last_state)["value"]))
        sf.advance_clock(86_400)
        incremental = [*tap, *rest_run[1:], "--state", str(state_path)]
        no_change = _child(incremental, sf, work)
        results.append(measure("tap incremental, no change", [no_change]))
        return results


def warm_up(config: dict[str, Any], catalog_path: Path, work: Path) -> None:
    """Fill the children's bytecode cache: the plain client's imports, a one-record tap run.

    A one-record REST run imports every module a sync uses (the Bulk code is imported with the
    REST code); each case then loads its modules from the cache, as an installed program does.
    """
    environment = installed_environment(work)
    python = sys.executable
    subprocess.run([python, "-c", "import benchmarks.tap"], cwd=ROOT, env=environment, check=True)
    warm = work / "config-warm-up.json"
    warm.write_text(json.dumps({**config, "api_type": "rest", "max_records_per_stream": 1}))
    tap_exe = str(Path(python).with_name("tap-salesforce-lite"))
    subprocess.run(
        [tap_exe, "--config", str(warm), "--catalog", str(catalog_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env=environment,
        check=True,
    )


def uses_bulk(case: str, records: int) -> bool:
    """Whether the case reads through Bulk (``auto`` does from its threshold on)."""
    if "auto" in case:
        return records >= AUTO_BULK_THRESHOLD
    return "bulk" in case


def minimum_calls(case: str, records: int) -> int:
    """The fewest API calls the APIs allow for the case's read (see the module docstring)."""
    if "no change" in case:
        return 1
    if not uses_bulk(case, records):
        return max(1, math.ceil(records / REST_PAGE))
    probe = 1 if "auto" in case else 0
    return probe + 1 + max(1, math.ceil(records / BULK_PAGE)) + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, action="append")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data-root", type=Path, default=ROOT / ".data" / "benchmarks")
    parser.add_argument("--plain", choices=["rest", "bulk"], help="(child) a plain client")
    parser.add_argument("--spec", help="(child) the plain client's plan")
    parser.add_argument("--rss-file", help="(child) where to write the peak RSS in MB")
    args = parser.parse_args()
    if args.plain:
        plain_main(args.plain, args.spec, args.rss_file)
        return
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        "| accounts | case | records | seconds | records/s | ratio to plain | API calls | "
        "minimum calls | over minimum | peak RSS MB | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for accounts in args.accounts or [10_000]:
        results = bench(accounts, args.runs, args.data_root)
        limits = {m.case.split()[1]: m for m in results if m.case.startswith("plain")}
        for m in results:
            rate = m.records / m.seconds if m.seconds else 0.0
            api = "bulk" if uses_bulk(m.case, m.records) else "rest"
            ratio = paired_ratio(m, limits[api]) if "no change" not in m.case else float("nan")
            minimum = minimum_calls(m.case, m.records)
            calls = sorted({s.calls for s in m.samples})
            excess = "/".join(f"{100 * (c / minimum - 1):+.0f}%" for c in calls)
            print(
                f"| {accounts} | {m.case} | {m.records} | {m.seconds:.2f} | {rate:,.0f} | "
                f"{ratio:.2f} | {'/'.join(map(str, calls))} | {minimum} | {excess} | "
                f"{m.rss_mb:.0f} | {m.load:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
