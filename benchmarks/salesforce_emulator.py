"""How fast the Salesforce emulator serves Account rows over REST pages and Bulk 2.0 results.

Usage: ``.venv/bin/python benchmarks/salesforce_emulator.py [--accounts 50000] [--runs 3]``

Starts the emulator (seeding a data folder once, kept in the temp folder for reruns), then
for each case reads every record with a plain ``requests`` client, as a tap would:

* REST: ``query`` of every Account field (compound addresses included) in 2,000-record pages
  following ``nextRecordsUrl``, read twice. The measured case checks every page cheaply, so the
  client costs little beside the server it measures: each page's head (``totalSize``, ``done``,
  ``nextRecordsUrl``) is parsed, its records are counted (each record opens with
  ``{"attributes":``, which JSON text cannot hold inside a string) and must fill the page
  (2,000, the rest on the last page) and add up to ``totalSize``, the body must end the JSON
  (``]}``), and the first page and every :data:`FULL_CHECK_EVERY`-th page are parsed whole with
  orjson and every record on them checked (its keys are ``attributes`` then the selected fields
  in order, its type Account, its Id 18 characters with a valid checksum). A second case
  parses every page whole with orjson (what a tap pays), shown as its own row.
* Bulk: a Bulk 2.0 query job of every non-compound Account field, timed in two parts: the
  job (query and writing its results file, polled until JobComplete) and the download of its
  results in pages of ``maxRecords`` (50,000), streamed.

Prints one table (median of the runs): records, wall seconds, records/s, the ratio to the
target (REST 30,000/s; Bulk 60,000/s judged end to end, job plus download, as a client sees
it), CPU seconds of the server process (all threads) and of this client, records per server
CPU second (what the server would serve with a core to itself), API calls, and the 1-minute
load average after each run (the machine is shared); then the server's peak RSS.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from emulators.salesforce.ids import is_valid_id
from emulators.salesforce.launcher import RunningSalesforce, start_salesforce_emulator

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    import requests

TARGETS = {"REST query pages": 30_000, "Bulk 2.0 results": 60_000}
VERSION = "59.0"


def account_fields(session: requests.Session, base: str, *, compound: bool) -> list[str]:
    describe = session.get(f"{base}/sobjects/Account/describe", timeout=60).json()
    return [
        f["name"]
        for f in describe["fields"]
        if compound or f["type"] not in {"address", "location", "base64"}
    ]


RECORD_START = b'{"attributes":'
RECORDS_KEY = b'"records":['
#: Pages parsed whole by the cheap REST client: the first one and every N-th after it.
FULL_CHECK_EVERY = 10
PAGE_SIZE = 2000


class PageCheckError(AssertionError):
    """A REST page is not what the query must return."""


def page_head(body: bytes) -> dict[str, object]:
    """The keys before ``records`` of a page (the emulator writes them first), parsed."""
    cut = body.find(RECORDS_KEY)
    if cut < 0 or not body.endswith(b"]}"):
        raise PageCheckError(f"page is not a query result: {body[:80]!r}...{body[-20:]!r}")
    head: dict[str, object] = orjson.loads(body[:cut] + b'"records":[]}')
    return head


def check_records(records: list[dict[str, object]], fields: Sequence[str]) -> None:
    """Every record holds ``attributes`` then exactly ``fields``, in order, and is an Account."""
    expected = ["attributes", *fields]
    for record in records:
        if list(record) != expected:
            raise PageCheckError(f"record keys {list(record)[:5]}... are not {expected[:5]}...")
        attributes = record["attributes"]
        record_id = record["Id"]
        if not isinstance(attributes, dict) or attributes.get("type") != "Account":
            raise PageCheckError(f"record {record_id} has attributes {attributes!r}")
        if not isinstance(record_id, str) or len(record_id) != 18 or not is_valid_id(record_id):
            raise PageCheckError(f"record id {record_id!r} is not an 18-character id")


def rest_run(
    session: requests.Session,
    running: RunningSalesforce,
    soql: str,
    fields: Sequence[str],
    *,
    parse_every_page: bool,
) -> tuple[int, int]:
    """Read every page of ``soql``, checking each; return (records, calls).

    Args:
        session: An authorized session.
        running: The emulator.
        soql: The query (``fields`` of Account).
        fields: The selected fields, in order.
        parse_every_page: Parse every page whole (else see the module docstring).

    Raises:
        PageCheckError: A page is not what the query must return.
    """
    base = f"{running.instance_url}/services/data/v{VERSION}"
    url, params = f"{base}/query", {"q": soql}
    records = calls = 0
    total: object = None
    while True:
        with session.get(url, params=params, stream=True, timeout=600) as response:
            response.raise_for_status()
            body = response.raw.read()  # one read, not requests' 10 kB chunks
        head = page_head(body)
        if total is None:
            total = head["totalSize"]
        if head["totalSize"] != total:
            raise PageCheckError(f"totalSize changed from {total} to {head['totalSize']}")
        if parse_every_page or calls % FULL_CHECK_EVERY == 0:
            page = orjson.loads(body)
            check_records(page["records"], fields)
            count = len(page["records"])
        else:
            count = body.count(RECORD_START)
        if not isinstance(total, int) or count != min(PAGE_SIZE, total - records):
            raise PageCheckError(f"page {calls + 1} holds {count} records after {records}")
        calls += 1
        records += count
        done = head["done"]
        if done is True:
            break
        next_url = head.get("nextRecordsUrl")
        if done is not False or not isinstance(next_url, str):
            raise PageCheckError(f"page {calls}: done {done!r}, nextRecordsUrl {next_url!r}")
        url, params = running.instance_url + next_url, {}
    if records != total:
        raise PageCheckError(f"read {records} records, totalSize says {total}")
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


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds the process (all its threads) has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # after the command name: state is fields[0]; utime and stime are fields 11 and 12
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Sample:
    """One timed case of one run: wall seconds, CPU seconds of server and client, load."""

    wall: float
    server_cpu: float
    client_cpu: float
    load: float


@dataclass
class Meter:
    """Times a block: wall clock, the server's and this process's CPU, the 1-min load."""

    server_pid: int
    samples: dict[str, list[Sample]] = field(default_factory=dict)

    @contextlib.contextmanager
    def measure(self, case: str) -> Iterator[None]:
        """Record one sample of ``case`` around the block."""
        server_before, client_before = cpu_seconds(self.server_pid), time.process_time()
        began = time.perf_counter()
        yield
        wall = time.perf_counter() - began
        self.samples.setdefault(case, []).append(
            Sample(
                wall=wall,
                server_cpu=cpu_seconds(self.server_pid) - server_before,
                client_cpu=time.process_time() - client_before,
                load=os.getloadavg()[0],
            )
        )

    def add(self, case: str, parts: Sequence[str]) -> None:
        """Record ``case`` as the sum of the last samples of ``parts`` (same run)."""
        last = [self.samples[part][-1] for part in parts]
        self.samples.setdefault(case, []).append(
            Sample(
                wall=sum(s.wall for s in last),
                server_cpu=sum(s.server_cpu for s in last),
                client_cpu=sum(s.client_cpu for s in last),
                load=max(s.load for s in last),
            )
        )


CASES = (
    "REST query pages (client checks heads and counts, parses 1 page in 10)",
    "REST query pages, every record parsed by the client (orjson)",
    "Bulk 2.0 job (query + results file, polled)",
    "Bulk 2.0 results download",
    "Bulk 2.0 end to end (job + download)",
)
REST, REST_PARSED, BULK_JOB, BULK_DOWNLOAD, BULK_TOTAL = CASES


def run_cases(running: RunningSalesforce, runs: int) -> tuple[Meter, dict[str, tuple[int, int]]]:
    """Run every case ``runs`` times; return the samples and (records, calls) per case."""
    session = running.session(redirect_salesforce_hosts=False)
    session.headers["Authorization"] = f"Bearer {running.access_token()}"
    base = f"{running.instance_url}/services/data/v{VERSION}"
    rest_fields = account_fields(session, base, compound=True)
    rest_soql = f"SELECT {', '.join(rest_fields)} FROM Account"  # noqa: S608
    bulk_soql = f"SELECT {', '.join(account_fields(session, base, compound=False))} FROM Account"  # noqa: S608
    pid = running.process.pid if running.process else None
    if pid is None:
        raise RuntimeError("the emulator process is not running")
    meter = Meter(server_pid=pid)
    counts: dict[str, tuple[int, int]] = {}
    for _ in range(runs):
        with meter.measure(REST):
            counts[REST] = rest_run(
                session, running, rest_soql, rest_fields, parse_every_page=False
            )
        with meter.measure(REST_PARSED):
            counts[REST_PARSED] = rest_run(
                session, running, rest_soql, rest_fields, parse_every_page=True
            )
        with meter.measure(BULK_JOB):
            job_id, job_calls = bulk_job(session, running, bulk_soql)
        with meter.measure(BULK_DOWNLOAD):
            counts[BULK_DOWNLOAD] = bulk_download(session, running, job_id)
        meter.add(BULK_TOTAL, (BULK_JOB, BULK_DOWNLOAD))
        counts[BULK_JOB] = (counts[BULK_DOWNLOAD][0], job_calls)
        counts[BULK_TOTAL] = (counts[BULK_DOWNLOAD][0], job_calls + counts[BULK_DOWNLOAD][1])
    return meter, counts


def target_of(case: str) -> int | None:
    """The records/s goal a case is judged against (Bulk: end to end, as a client sees it)."""
    if case in {REST, REST_PARSED}:
        return TARGETS["REST query pages"]
    if case == BULK_TOTAL:
        return TARGETS["Bulk 2.0 results"]
    return None


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
        meter, counts = run_cases(running, args.runs)
        pid = running.process.pid if running.process else None
        rss = peak_rss_mb(pid) if pid else float("nan")
    print(
        f"Salesforce emulator, {args.accounts} accounts, median of {args.runs} runs; "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}; start-up incl. seeding {setup:.1f}s; "
        f"server peak RSS {rss:.0f} MB"
    )
    print(
        "| case | records | wall s | records/s | ratio to target | server CPU s "
        "| records per server CPU s | client CPU s | API calls | load (1 min) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for case in CASES:
        samples = meter.samples[case]
        records, calls = counts[case]
        wall = statistics.median(s.wall for s in samples)
        server_cpu = statistics.median(s.server_cpu for s in samples)
        client_cpu = statistics.median(s.client_cpu for s in samples)
        target = target_of(case)
        rate = records / wall
        ratio = f"{rate / target:.2f} (target {target:,})" if target else "-"
        loads = "/".join(f"{s.load:.1f}" for s in samples)
        per_cpu = records / server_cpu if server_cpu else float("inf")
        print(
            f"| {case} | {records} | {wall:.2f} | {rate:,.0f} | {ratio} | {server_cpu:.2f} "
            f"| {per_cpu:,.0f} | {client_cpu:.2f} | {calls} | {loads} |"
        )
    walls = {case: ", ".join(f"{s.wall:.2f}" for s in meter.samples[case]) for case in CASES}
    for case, values in walls.items():
        print(f"# {case}: walls {values}")


if __name__ == "__main__":
    main()
