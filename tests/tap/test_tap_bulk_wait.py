"""The Bulk job status-check schedule: pure waits, the job's wait loop, and the emulator.

Time is never measured here: the schedule is pure, the job's clock and sleep are injected, and
against the emulator the injected sleep waits for the job's real state through the job list
(which does not count as a status check) before the tap checks it.
"""

from __future__ import annotations

import io
import itertools
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
import requests
import urllib3

from emulators.salesforce.launcher import start_salesforce_emulator
from tap_salesforce_lite.bulk import BulkQuery
from tap_salesforce_lite.bulk_wait import (
    FIRST_WAIT,
    OPTIMISTIC_RECORDS_PER_SECOND,
    BulkThroughput,
    PollSchedule,
)
from tap_salesforce_lite.client import SalesforceClient
from tap_salesforce_lite.errors import BulkUnavailableError
from tap_salesforce_lite.settings import load_settings
from tap_salesforce_lite.streams import SalesforceStream

from .tap_harness import API, Org, client_credentials_config, run_tap

if TYPE_CHECKING:
    from collections.abc import Iterator

    from emulators.salesforce.launcher import RunningSalesforce

RUNNING = {"state": "InProgress", "numberRecordsProcessed": 0}


def check_times(schedule: PollSchedule, job_seconds: float) -> list[float]:
    """When (seconds after creation) the schedule checks a job that ends at ``job_seconds``."""
    now = schedule.first_wait()
    times = [now]
    while now < job_seconds:
        now += schedule.next_wait(now, RUNNING)
        times.append(now)
    return times


# The schedule (pure)


def test_unknown_duration_is_checked_at_each_half_again_of_its_running_time() -> None:
    schedule = PollSchedule(30.0)
    times = [0.5, 1.0, 1.5, 2.25, 3.375, 5.0625, 7.59375, 11.390625, 17.0859375, 25.62890625]
    assert check_times(schedule, 20.0) == pytest.approx(times)
    # A job that is done by the first check costs one check.
    assert check_times(schedule, 0.3) == [FIRST_WAIT]


def test_long_jobs_are_checked_at_the_capped_interval() -> None:
    schedule = PollSchedule(30.0)
    times = check_times(schedule, 2 * 3600.0)
    waits = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert max(waits) == 30.0
    assert times[-1] - 2 * 3600.0 <= 30.0  # a finished job waits at most one interval
    # 12 checks up to 57.7 s (the last wait under the cap), then one every 30 s.
    assert times[11] == pytest.approx(57.6650390625)
    assert len(times) == 12 + -(-(2 * 3600 - times[11]) // 30)


def test_a_finished_job_never_waits_longer_than_half_its_running_time() -> None:
    schedule = PollSchedule(1_000.0)
    for job_seconds in (0.7, 3.1, 17.0, 95.5, 400.0):
        last = check_times(schedule, job_seconds)[-1]
        assert job_seconds <= last <= 1.5 * job_seconds


def test_a_known_count_puts_the_first_check_at_the_optimistic_estimate() -> None:
    schedule = PollSchedule(60.0, expected_records=1_000_000)
    estimate = 1_000_000 / OPTIMISTIC_RECORDS_PER_SECOND * 1.1 + 0.25
    assert schedule.first_wait() == pytest.approx(estimate)
    # A 20 s job: the estimate falls short, then the schedule goes on from there: 3 checks
    # instead of the 10 an unsized job of that length costs.
    assert check_times(schedule, 20.0) == pytest.approx([estimate, 1.5 * estimate, 2.25 * estimate])


def test_a_throughput_learned_earlier_in_the_run_makes_one_check_enough() -> None:
    throughput = BulkThroughput()
    throughput.record_completed(
        {"state": "JobComplete", "numberRecordsProcessed": 100_000, "totalProcessingTime": 2000},
        elapsed=2.5,
    )
    assert throughput.records_per_second == 50_000
    schedule = PollSchedule(60.0, expected_records=1_000_000, throughput=throughput)
    assert schedule.first_wait() == pytest.approx(20 * 1.1 + 0.25)
    assert len(check_times(schedule, 21.0)) == 1


def test_throughput_falls_back_to_the_observed_time_and_ignores_empty_jobs() -> None:
    throughput = BulkThroughput()
    throughput.record_completed({"numberRecordsProcessed": 0, "totalProcessingTime": 10}, 1.0)
    throughput.record_completed({"numberRecordsProcessed": "n/a"}, 1.0)
    assert throughput.records_per_second is None
    throughput.record_completed({"numberRecordsProcessed": 3000}, elapsed=1.5)
    assert throughput.records_per_second == 2000


def test_reported_progress_extrapolates_the_end() -> None:
    schedule = PollSchedule(600.0, expected_records=1_000_000)
    # A quarter done after 40 s: the rest takes 120 s more (plus the margin).
    status = {"state": "InProgress", "numberRecordsProcessed": 250_000}
    assert schedule.next_wait(40.0, status) == pytest.approx(120 * 1.1 + 0.25)
    # Nearly done: the next check comes soon, not half the running time later.
    nearly = {"state": "InProgress", "numberRecordsProcessed": 990_000}
    assert schedule.next_wait(40.0, nearly) == pytest.approx(10_000 * 40 / 990_000 * 1.1 + 0.25)
    # Progress means nothing without the record count: the usual half of the running time.
    assert PollSchedule(600.0).next_wait(40.0, status) == 20.0


def test_every_wait_respects_the_cap_even_below_the_first_wait() -> None:
    schedule = PollSchedule(0.005, expected_records=10_000_000)
    assert schedule.first_wait() == 0.005
    assert schedule.next_wait(100.0, RUNNING) == 0.005


@pytest.mark.parametrize(
    ("job_seconds", "records", "unsized", "sized", "measured"),
    [
        (0.3, 15_000, 1, 1, 1),
        (2.0, 100_000, 4, 2, 1),
        (20.0, 1_000_000, 10, 3, 1),
        (600.0, 30_000_000, 31, 21, 20),
        (7200.0, 360_000_000, 251, 241, 240),
    ],
)
def test_checks_per_job_as_documented(
    job_seconds: float, records: int, unsized: int, sized: int, measured: int
) -> None:
    """The table of docs/tap-salesforce-lite.md (a job processing 50,000 records/s)."""
    throughput = BulkThroughput()
    throughput.record(records, job_seconds)
    assert len(check_times(PollSchedule(30.0), job_seconds)) == unsized
    assert len(check_times(PollSchedule(30.0, expected_records=records), job_seconds)) == sized
    with_rate = PollSchedule(30.0, expected_records=records, throughput=throughput)
    assert len(check_times(with_rate, job_seconds)) == measured


# The job's wait loop (scripted client, injected clock and sleep)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class ScriptedBulk:
    """A Bulk API whose job completes ``job_seconds`` after creation (on the fake clock)."""

    def __init__(self, clock: FakeClock, job_seconds: float, *, records: int = 2) -> None:
        self.clock = clock
        self.job_seconds = job_seconds
        self.records = records
        self.created_at = 0.0
        self.status_calls = 0
        self.final_state = "JobComplete"

    def data_path(self, path: str) -> str:
        return f"{API}/{path}"

    def send_json(self, method: str, path: str, body: Any, **_: Any) -> Any:
        assert (method, path) == ("POST", f"{API}/jobs/query")
        self.created_at = self.clock.now
        return {"id": "750000000000001AAA", "state": "UploadComplete"}

    def get_json(self, path: str, **_: Any) -> Any:
        self.status_calls += 1
        if self.clock.now - self.created_at < self.job_seconds:
            return {"state": "InProgress", "numberRecordsProcessed": 0}
        if self.final_state == "Failed":
            return {"state": "Failed", "errorMessage": "INVALIDENTITY: not supported"}
        return {
            "state": "JobComplete",
            "numberRecordsProcessed": self.records,
            "totalProcessingTime": int(self.job_seconds * 1000),
        }

    def request(self, method: str, path: str, **_: Any) -> requests.Response:
        body = b'"Id","Name"\n' + b"".join(
            f'"001{i:015d}","Name {i}"\n'.encode() for i in range(self.records)
        )
        response = requests.Response()
        response.status_code = 200
        response.headers["Sforce-NumberOfRecords"] = str(self.records)
        response.headers["Sforce-Locator"] = "null"
        response.raw = urllib3.HTTPResponse(body=io.BytesIO(body), preload_content=False)
        return response


def bulk_job(
    api: ScriptedBulk,
    clock: FakeClock,
    *,
    expected: int | None = None,
    throughput: BulkThroughput | None = None,
) -> BulkQuery:
    return BulkQuery(
        api,  # type: ignore[arg-type]
        "SELECT Id, Name FROM Account ORDER BY SystemModstamp, Id",
        query_all=True,
        page_size=1000,
        poll_max_interval=30.0,
        doing="reading Account",
        expected_records=expected,
        throughput=throughput,
        clock=clock,
        sleep=clock.sleep,
    )


def test_the_job_loop_sleeps_the_schedule_and_checks_once_per_wait() -> None:
    clock = FakeClock()
    api = ScriptedBulk(clock, job_seconds=20.0)
    job = bulk_job(api, clock)
    rows = [row for _header, row in job.rows()]
    assert rows == [["001000000000000000", "Name 0"], ["001000000000000001", "Name 1"]]
    times = check_times(PollSchedule(30.0), 20.0)
    assert clock.sleeps == pytest.approx([times[0], *(b - a for a, b in itertools.pairwise(times))])
    assert job.status_checks == api.status_calls == len(times) == 10
    assert job.records_expected == 2


def test_a_second_job_of_the_run_is_checked_once_at_its_learned_end() -> None:
    clock = FakeClock()
    throughput = BulkThroughput()
    first = ScriptedBulk(clock, job_seconds=10.0, records=2)
    list(bulk_job(first, clock, throughput=throughput).rows())
    # The first job processed 2 records in 10 s: the next, 3 records, should take 15 s.
    second = ScriptedBulk(clock, job_seconds=15.0, records=3)
    job = bulk_job(second, clock, expected=3, throughput=throughput)
    assert len(list(job.rows())) == 3
    assert second.status_calls == 1
    assert clock.sleeps[-1] == pytest.approx(15 * 1.1 + 0.25)


def test_a_failed_job_is_reported_after_its_checks() -> None:
    clock = FakeClock()
    api = ScriptedBulk(clock, job_seconds=1.0)
    api.final_state = "Failed"
    with pytest.raises(BulkUnavailableError, match=r"ended Failed: INVALIDENTITY: not supported"):
        list(bulk_job(api, clock).rows())
    assert api.status_calls == 2  # at 0.5 s (running) and 1 s (failed)


# Against the emulator


@pytest.fixture(scope="module")
def sf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSalesforce]:
    with start_salesforce_emulator(tmp_path_factory.mktemp("sf-bulk-wait")) as running:
        running.set_clock(datetime(2024, 9, 1, tzinfo=UTC))
        org = Org(running)
        for index in range(30):
            org.create("Account", Name=f"Account {index:02d}")
            running.advance_clock(1)
        yield running


@pytest.fixture(autouse=True)
def clean(sf: RunningSalesforce) -> Iterator[None]:
    sf.set_faults(reset=True)
    yield
    sf.set_settings(bulk_polls_in_progress=0)


def job_really_done(sf: RunningSalesforce) -> None:
    """Block until every Bulk job of the emulator has finished (the job list shows the truth)."""
    with sf.session(redirect_salesforce_hosts=False) as session:
        session.headers["Authorization"] = f"Bearer {sf.access_token()}"
        for _ in range(100_000):
            jobs = session.get(f"{sf.instance_url}{API}/jobs/query", timeout=30).json()["records"]
            if all(job["state"] in {"JobComplete", "Failed", "Aborted"} for job in jobs):
                return
    pytest.fail("the emulator's Bulk job never finished")


def emulator_job(sf: RunningSalesforce, client: SalesforceClient, sleep: Any) -> BulkQuery:
    return BulkQuery(
        client,
        "SELECT Id, Name FROM Account ORDER BY SystemModstamp, Id",
        query_all=False,
        page_size=7,
        poll_max_interval=30.0,
        doing="reading Account",
        sleep=sleep,
    )


def test_checks_continue_while_salesforce_reports_the_job_in_progress(
    sf: RunningSalesforce,
) -> None:
    sf.set_settings(bulk_polls_in_progress=2)
    client = SalesforceClient(load_settings(client_credentials_config(sf)))
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        job_really_done(sf)

    try:
        job = emulator_job(sf, client, sleep)
        rows = list(job.rows())
    finally:
        client.close()
    assert len(rows) == 30
    assert job.status_checks == 3  # two InProgress answers, then JobComplete
    assert client.calls["bulk"] == 1 + 3  # the create and the three checks
    assert len(waits) == 3


def test_a_session_expiring_during_the_wait_is_renewed_by_the_next_check(
    sf: RunningSalesforce,
) -> None:
    client = SalesforceClient(load_settings(client_credentials_config(sf)))
    first_token = client.token.access_token

    def sleep(_seconds: float) -> None:
        job_really_done(sf)
        assert sf.expire_sessions() >= 1

    try:
        job = emulator_job(sf, client, sleep)
        rows = list(job.rows())
        renewed = client.token.access_token
    finally:
        client.close()
    assert len(rows) == 30
    assert job.status_checks == 1
    assert renewed != first_token


def test_auto_sizes_its_bulk_job_from_the_rest_probe(
    sf: RunningSalesforce, caplog: pytest.LogCaptureFixture
) -> None:
    config = client_credentials_config(sf, api_type="auto", bulk_threshold=10)
    with caplog.at_level("INFO", logger="tap_salesforce_lite"):
        run = run_tap(config)
    assert len(run.records("Account")) == 30
    assert "Account: 30 records to read, using Bulk API 2.0" in caplog.text
    assert "complete: 30 records (30 expected)" in caplog.text
    stream = run.tap.streams["Account"]
    assert isinstance(stream, SalesforceStream)
    assert stream.last_reader is not None
    assert stream.last_reader.stats.api_used == {"bulk"}
    assert stream.last_reader.stats.bulk_status_checks >= 1
