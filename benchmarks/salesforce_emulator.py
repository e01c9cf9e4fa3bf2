"""How fast the Salesforce emulator serves Account rows over REST pages and Bulk 2.0 results.

Usage: ``.venv/bin/python benchmarks/salesforce_emulator.py [--accounts 50000] [--runs 3]``

Starts the emulator (seeding a data folder once, kept in the temp folder for reruns), then
for each case reads every record with a plain ``requests`` client, as a tap would:

* REST: ``query`` of every Account field (compound addresses included) in 2,000-record pages
  following ``nextRecordsUrl``; each page is parsed with orjson.
* Bulk: a Bulk 2.0 query job of every non-compound Account field, timed in two parts: the
  job (query and writing its results file, polled until JobComplete) and the download of its
  results in pages of ``maxRecords`` (50,000), streamed.

Prints one table (median of the runs): records, seconds, records/s, the ratio to the target
(REST 30,000/s, Bulk 60,000/s), API calls, and the server's peak RSS.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from emulators.salesforce.launcher import RunningSalesforce, start_salesforce_emulator

if TYPE_CHECKING:
    import requests

TARGETS = {"REST query pages": 30_000, "Bulk 2.0 results": 60_000}
VERSION = "59.0"


def _fields(session: requests.Session, base: str, *, compound: bool) -> list[str]:
    describe = session.get(f"{base}/sobjects/Account/describe", timeout=60).json()
    return [
        f["name"]
        for f in describe["fields"]
        if compound or f["type"] not in {"address", "location", "base64"}
    ]


def rest_run(session: requests.Session, running: RunningSalesforce, soql: str) -> tuple[int, int]:
    """Read every page of ``soql``; return (records, calls)."""
    base = f"{running.instance_url}/services/data/v{VERSION}"
    page = orjson.loads(session.get(f"{base}/query", params={"q": soql}, timeout=600).content)
    records, calls = len(page["records"]), 1
    while not page["done"]:
        url = running.instance_url + page["nextRecordsUrl"]
        page = orjson.loads(session.get(url, timeout=600).content)
        records += len(page["records"])
        calls += 1
    return records, calls


def bulk_job(session: requests.Session, running: RunningSalesforce, soql: str) -> tuple[str, int]:
    """Create a Bulk query job and poll it until JobComplete; return (job id, calls)."""
    base = f"{running.instance_url}/services/data/v{VERSION}"
    job = session.post(
        f"{base}/jobs/query", json={"operation": "query", "query": soql}, timeout=60
    ).json()
    calls = 1
    while True:
        state = session.get(f"{base}/jobs/query/{job['id']}", timeout=60).json()["state"]
        calls += 1
        if state == "JobComplete":
            return str(job["id"]), calls
        if state in {"Failed", "Aborted"}:
            raise RuntimeError(f"bulk job ended {state}")
        time.sleep(0.05)


def bulk_download(
    session: requests.Session, running: RunningSalesforce, job_id: str
) -> tuple[int, int]:
    """Stream every results page of a complete job; return (records, calls)."""
    base = f"{running.instance_url}/services/data/v{VERSION}"
    records, calls, locator = 0, 0, ""
    while True:
        params: dict[str, str | int] = {"maxRecords": 50_000}
        if locator:
            params["locator"] = locator
        with session.get(
            f"{base}/jobs/query/{job_id}/results", params=params, stream=True, timeout=600
        ) as response:
            response.raise_for_status()
            for _chunk in response.iter_content(chunk_size=1 << 20):
                pass
            records += int(response.headers["Sforce-NumberOfRecords"])
            locator = response.headers["Sforce-Locator"]
        calls += 1
        if locator == "null":
            return records, calls


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    data_dir = Path(tempfile.gettempdir()) / f"salesforce-bench-{args.accounts}-{args.seed}"
    started = time.perf_counter()
    with start_salesforce_emulator(data_dir, accounts=args.accounts, seed=args.seed) as running:
        setup = time.perf_counter() - started
        session = running.session(redirect_salesforce_hosts=False)
        session.headers["Authorization"] = f"Bearer {running.access_token()}"
        base = f"{running.instance_url}/services/data/v{VERSION}"
        rest_soql = f"SELECT {', '.join(_fields(session, base, compound=True))} FROM Account"  # noqa: S608
        bulk_soql = f"SELECT {', '.join(_fields(session, base, compound=False))} FROM Account"  # noqa: S608
        rows = []
        cases = ("REST query pages", "Bulk 2.0 job (query + results file)", "Bulk 2.0 results")
        measured: dict[str, list[float]] = {case: [] for case in cases}
        counts: dict[str, tuple[int, int]] = {}
        for _ in range(args.runs):
            begin = time.perf_counter()
            counts[cases[0]] = rest_run(session, running, rest_soql)
            measured[cases[0]].append(time.perf_counter() - begin)
            begin = time.perf_counter()
            job_id, job_calls = bulk_job(session, running, bulk_soql)
            measured[cases[1]].append(time.perf_counter() - begin)
            begin = time.perf_counter()
            counts[cases[2]] = bulk_download(session, running, job_id)
            measured[cases[2]].append(time.perf_counter() - begin)
            counts[cases[1]] = (counts[cases[2]][0], job_calls)
        for case in cases:
            seconds = statistics.median(measured[case])
            records, calls = counts[case]
            rate = records / seconds
            target = TARGETS.get(case)
            rows.append((case, records, seconds, rate, target, calls))
        pid = running.process.pid if running.process else None
        rss = peak_rss_mb(pid) if pid else float("nan")
        fields = len(rest_soql.split(","))
    print(
        f"Salesforce emulator, {args.accounts} accounts ({fields} Account fields), "
        f"median of {args.runs} runs; {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"start-up incl. seeding {setup:.1f}s"
    )
    print(
        "| case | records | seconds | records/s | ratio to target | API calls | server peak RSS |"
    )
    print("|---|---|---|---|---|---|---|")
    for case, records, seconds, rate, target, calls in rows:
        ratio = f"{rate / target:.2f} (target {target:,})" if target else "-"
        print(
            f"| {case} | {records} | {seconds:.2f} | {rate:,.0f} | {ratio} | {calls} "
            f"| {rss:.0f} MB |"
        )


if __name__ == "__main__":
    main()
