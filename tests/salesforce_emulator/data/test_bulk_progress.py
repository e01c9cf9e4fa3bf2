"""A Bulk query job reports ``numberRecordsProcessed`` growing while it is InProgress.

The job writes its results file chunk by chunk; after each chunk the count of records written
so far is what ``GET /jobs/query/{id}`` shows, as Salesforce does while a query job runs.
"""

from __future__ import annotations

import concurrent.futures
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest

from emulators.salesforce import bulk_results
from emulators.salesforce.bulk import BulkJobs, QueryJob, run_job
from emulators.salesforce.bulk_results import ResultsFile
from emulators.salesforce.clock import ControllableClock

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from emulators.salesforce.store import OrgStore

ACCOUNTS = 10
CHUNK = 3


class RecordingExecutor(concurrent.futures.Executor):
    """Runs each submitted chunk at once, noting what the job reported before it."""

    def __init__(self) -> None:
        self.job: QueryJob | None = None
        self.seen: list[tuple[str, int]] = []

    def submit(
        self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> concurrent.futures.Future[Any]:
        if self.job is not None:
            info = self.job.info()
            self.seen.append((info["state"], info["numberRecordsProcessed"]))
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        future.set_result(fn(*args, **kwargs))
        return future


@pytest.fixture
def accounts(store: OrgStore) -> OrgStore:
    for number in range(ACCOUNTS):
        store.create("Account", {"Name": f"Account {number}"})
    return store


def test_results_file_reports_progress_after_each_chunk(
    accounts: OrgStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk_results, "WRITE_CHUNK_ROWS", CHUNK)
    result = accounts.query("SELECT Id, Name FROM Account", include_deleted=False)
    progress: list[int] = []
    results = ResultsFile(tmp_path / "job.csv", ",", "\n")
    assert results.write(result, stop=lambda: False, progress=progress.append)
    assert progress == [3, 6, 9, 10]
    assert results.records == ACCOUNTS


def test_job_info_counts_records_while_in_progress(
    accounts: OrgStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk_results, "WRITE_CHUNK_ROWS", CHUNK)
    executor = RecordingExecutor()
    clock = ControllableClock()
    state = SimpleNamespace(
        store=accounts,
        bulk_jobs=BulkJobs(10, tmp_path / "bulk"),
        renderers=executor,
        clock=clock,
        count=lambda kind: None,
    )
    job = QueryJob(
        id="750000000000001AAA",
        operation="query",
        object="Account",
        soql="SELECT Id, Name FROM Account",
        created_by="005000000000001AAA",
        created="2024-01-01T00:00:00.000+0000",
        api_version="59.0",
        column_delimiter="COMMA",
        line_ending="LF",
    )
    assert job.info()["numberRecordsProcessed"] == 0  # UploadComplete
    executor.job = job
    run_job(state, job)  # type: ignore[arg-type]
    # chunks are rendered two ahead: the third is asked for once the first is written
    assert executor.seen == [
        ("InProgress", 0),
        ("InProgress", 0),
        ("InProgress", 3),
        ("InProgress", 6),
    ]
    assert job.info()["state"] == "JobComplete"
    assert job.info()["numberRecordsProcessed"] == ACCOUNTS
    assert job.info(reported_state="InProgress")["numberRecordsProcessed"] == ACCOUNTS
    job.state = "Aborted"
    assert job.info()["numberRecordsProcessed"] == 0
