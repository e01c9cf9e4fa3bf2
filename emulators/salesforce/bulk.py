"""Bulk API 2.0 query jobs: create, poll, CSV results by locator, abort, delete, list.

A job runs on the store worker thread after it is created (UploadComplete → InProgress →
JobComplete, or Failed with ``errorMessage``). Its result is the store's snapshot; results are
served page by page (``maxRecords``), streamed in chunks, never held whole in memory. CSV
follows Salesforce: every value quoted, empty for null, the job's delimiter and line ending.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import functools
import itertools
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from starlette.responses import Response

from emulators.salesforce.bulk_results import ResultsFile
from emulators.salesforce.clock import format_salesforce
from emulators.salesforce.errors import SalesforceApiError
from emulators.salesforce.fault_effects import apply_late_commits, check_query_timeout
from emulators.salesforce.gate import ApiCall, api_endpoint
from emulators.salesforce.ids import make_id
from emulators.salesforce.responses import ChunkedCsvResponse, JsonResponse, not_found
from emulators.salesforce.rest import json_body
from emulators.salesforce.soql import compile_query

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from starlette.requests import Request

    from emulators.salesforce.soql import CompiledQuery
    from emulators.salesforce.state import EmulatorState
    from emulators.salesforce.store import QueryResult

DELIMITERS: Final[dict[str, str]] = {
    "BACKQUOTE": "`",
    "CARET": "^",
    "COMMA": ",",
    "PIPE": "|",
    "SEMICOLON": ";",
    "TAB": "\t",
}
LINE_ENDINGS: Final[dict[str, str]] = {"LF": "\n", "CRLF": "\r\n"}
OPERATIONS: Final[frozenset[str]] = frozenset({"query", "queryAll"})
TERMINAL_STATES: Final[frozenset[str]] = frozenset({"JobComplete", "Failed", "Aborted"})


def invalid_job(message: str, status: int = 400) -> SalesforceApiError:
    """A Bulk API 2.0 request error."""
    return SalesforceApiError(status, "INVALIDJOB", message)


@dataclass
class QueryJob:
    """One Bulk 2.0 query job.

    Attributes:
        id: The ``750`` job id.
        operation: ``query`` or ``queryAll``.
        object: The queried object.
        soql: The query text.
        created_by: The creating user's id.
        created: Creation time (Salesforce format).
        api_version: The API version of the creating call (results must use the same).
        column_delimiter: CSV delimiter name (``COMMA`` …).
        line_ending: ``LF`` or ``CRLF``.
        state: Internal state.
        modstamp: Time of the last state change (Salesforce format).
        error_message: Why the job failed.
        result: The store's snapshot once complete.
        results: The results file once complete.
        polls: GETs of the job info so far.
        records_written: Records written to the results file so far (grows while the job
            runs, chunk by chunk).
        processing_ms: Time spent running the query.
        pages_served: Results pages served so far.
        late_commits_done: Whether the late-commit fault already fired on this job.
    """

    id: str
    operation: str
    object: str
    soql: str
    created_by: str
    created: str
    api_version: str
    column_delimiter: str
    line_ending: str
    state: str = "UploadComplete"
    modstamp: str = ""
    error_message: str | None = None
    result: QueryResult | None = None
    results: ResultsFile | None = None
    polls: int = 0
    records_written: int = 0
    processing_ms: int = 0
    pages_served: int = 0
    late_commits_done: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def visible_state(self, polls_in_progress: int) -> str:
        """The state clients see: a finished job shows InProgress for its first polls."""
        if self.state == "JobComplete" and self.polls <= polls_in_progress:
            return "InProgress"
        return self.state

    def info(self, *, reported_state: str | None = None) -> dict[str, Any]:
        """The job as ``GET /jobs/query/{id}`` shows it."""
        state = reported_state or self.state
        body: dict[str, Any] = {
            "id": self.id,
            "operation": self.operation,
            "object": self.object,
            "createdById": self.created_by,
            "createdDate": self.created,
            "systemModstamp": self.modstamp or self.created,
            "state": state,
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(self.api_version),
            "jobType": "V2Query",
            "lineEnding": self.line_ending,
            "columnDelimiter": self.column_delimiter,
            "numberRecordsProcessed": self._records_processed(state),
            "retries": 0,
            "totalProcessingTime": self.processing_ms if state == "JobComplete" else 0,
            "isPkChunkingSupported": True,
        }
        if state == "Failed" and self.error_message:
            body["errorMessage"] = self.error_message
        return body

    def _records_processed(self, state: str) -> int:
        """``numberRecordsProcessed`` as Salesforce reports it in ``state``.

        It grows while the job is InProgress (the records written so far: clients estimate
        the job's end from it), is the result's size once JobComplete, and 0 otherwise.
        """
        if state == "JobComplete":
            return self.results.records if self.results is not None else 0
        if state == "InProgress":
            return self.records_written
        return 0


class BulkJobs:
    """The org's Bulk query jobs, oldest first; finished jobs beyond ``max_jobs`` are dropped.

    Args:
        max_jobs: Jobs kept at most.
        results_dir: Folder of the jobs' result files (emptied at start: jobs live in memory).
    """

    def __init__(self, max_jobs: int, results_dir: Path) -> None:
        """See the class docstring."""
        self.max_jobs = max_jobs
        self.results_dir = results_dir
        if results_dir.exists():
            for stale in results_dir.glob("*.csv"):
                stale.unlink()
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, QueryJob] = OrderedDict()
        self._sequence = itertools.count(1)

    def next_id(self) -> str:
        """A fresh ``750`` job id."""
        return make_id("750", next(self._sequence))

    def add(self, job: QueryJob) -> None:
        """Register a job, dropping the oldest finished jobs beyond the limit."""
        with self._lock:
            self._jobs[job.id] = job
            excess = len(self._jobs) - self.max_jobs
            for old_id in [j.id for j in self._jobs.values() if j.state in TERMINAL_STATES]:
                if excess <= 0:
                    break
                _discard(self._jobs.pop(old_id))
                excess -= 1

    def get(self, job_id: str) -> QueryJob:
        """Return a job or raise NOT_FOUND."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise not_found()
        return job

    def remove(self, job_id: str) -> None:
        """Forget a job, its snapshot and its results file."""
        with self._lock:
            job = self._jobs.pop(job_id, None)
        if job is not None:
            _discard(job)

    def clear(self) -> None:
        """Forget every job and delete every results file."""
        with self._lock:
            jobs = list(self._jobs.values())
            self._jobs.clear()
        for job in jobs:
            _discard(job)

    def all(self) -> list[QueryJob]:
        """Every job, oldest first."""
        with self._lock:
            return list(self._jobs.values())


def _discard(job: QueryJob) -> None:
    if job.results is not None:
        job.results.delete()
    job.result = None
    job.results = None


# -- running a job (worker thread) ---------------------------------------------------------
def run_job(state: EmulatorState, job: QueryJob) -> None:
    """Execute a job's query on the worker thread and record the outcome."""
    with job.lock:
        if job.state != "UploadComplete":
            return
        job.state = "InProgress"
        job.modstamp = format_salesforce(state.clock.now())
    started = state.clock.now()
    try:
        result = state.store.query(job.soql, include_deleted=job.operation == "queryAll")
        refusal = result.bulk_error()
        if refusal is not None:
            raise refusal
        results = ResultsFile(
            state.bulk_jobs.results_dir / f"{job.id}.csv",
            DELIMITERS[job.column_delimiter],
            LINE_ENDINGS[job.line_ending],
        )
        written = results.write(
            result,
            stop=lambda: job.state == "Aborted",
            executor=state.renderers,
            progress=functools.partial(setattr, job, "records_written"),
        )
        if not written:
            results.delete()
            return
        outcome, error = "JobComplete", None
    except SalesforceApiError as exc:
        result, results, outcome, error = None, None, "Failed", f"{exc.error_code}: {exc.message}"
    with job.lock:
        if job.state == "Aborted":
            if results is not None:
                results.delete()
            return
        job.polls = 0
        job.results = results
        job.result = result
        job.state = outcome
        job.error_message = error
        job.processing_ms = int((state.clock.now() - started).total_seconds() * 1000)
        job.modstamp = format_salesforce(state.clock.now())
    state.count(f"bulk_jobs_{outcome}")


def _failure_before_run(state: EmulatorState, job: QueryJob, compiled: CompiledQuery) -> None:
    """Fail jobs that Bulk refuses before running them: unsupported objects, wide windows.

    Compound and binary columns are refused after the query runs (``QueryResult.bulk_error``).
    """
    reason: str | None = None
    if not compiled.object.bulk_queryable:
        reason = f"INVALIDENTITY: Entity '{compiled.object.name}' is not supported by the Bulk API."
    else:
        try:
            check_query_timeout(state, compiled)
        except SalesforceApiError as exc:
            reason = f"{exc.error_code}: {exc.message}"
    if reason is not None:
        job.state = "Failed"
        job.error_message = reason
        job.modstamp = format_salesforce(state.clock.now())


def _compile(state: EmulatorState, soql: str, include_deleted: bool) -> CompiledQuery:
    return compile_query(soql, state.catalog, include_deleted=include_deleted)


# -- results -------------------------------------------------------------------------------
def encode_locator(offset: int) -> str:
    """The opaque locator of the results page starting at ``offset`` (``MTAwMDA`` style)."""
    return base64.b64encode(str(offset).encode()).decode().rstrip("=")


def decode_locator(locator: str) -> int:
    """The offset of a locator.

    Raises:
        SalesforceApiError: INVALIDJOB for a locator this job never issued.
    """
    try:
        padded = locator + "=" * (-len(locator) % 4)
        text = base64.b64decode(padded, validate=True).decode("ascii")
        offset = int(text)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise invalid_job(f"Invalid locator {locator!r}: use the Sforce-Locator value") from exc
    if offset < 0 or encode_locator(offset) != locator:
        raise invalid_job(f"Invalid locator {locator!r}: use the Sforce-Locator value")
    return offset


async def _stream(
    state: EmulatorState, job: QueryJob, start: int, count: int
) -> AsyncIterator[bytes]:
    results, result = job.results, job.result
    if results is None or result is None:  # pragma: no cover - served for complete jobs only
        return
    yield await asyncio.to_thread(results.header)
    for offset, length in results.pieces(start, count):
        yield await asyncio.to_thread(results.read, offset, length)
    end = start + count
    job.pages_served += 1
    after = state.settings.faults.modify_during_paging_after_page
    if after > 0 and job.pages_served >= after and not job.late_commits_done:
        job.late_commits_done = True
        await state.worker.run(apply_late_commits, state, result, end)


# -- routes --------------------------------------------------------------------------------
def _job_settings(payload: dict[str, Any]) -> tuple[str, str, str, str]:
    operation = payload.get("operation")
    if operation not in OPERATIONS:
        raise invalid_job(
            f"Invalid operation {operation!r}: a query job's operation is 'query' or 'queryAll'"
        )
    soql = payload.get("query")
    if not isinstance(soql, str) or not soql.strip():
        raise invalid_job("The job needs a 'query' with the SOQL to run")
    delimiter = payload.get("columnDelimiter", "COMMA")
    if delimiter not in DELIMITERS:
        raise invalid_job(
            f"Invalid columnDelimiter {delimiter!r}: use one of {', '.join(DELIMITERS)}"
        )
    ending = payload.get("lineEnding", "LF")
    if ending not in LINE_ENDINGS:
        raise invalid_job(f"Invalid lineEnding {ending!r}: use LF or CRLF")
    content_type = payload.get("contentType", "CSV")
    if content_type != "CSV":
        raise invalid_job(f"Invalid contentType {content_type!r}: query results are CSV")
    return operation, soql, delimiter, ending


@api_endpoint
async def query_jobs(request: Request, call: ApiCall) -> Response:
    """``POST`` (create) or ``GET`` (list) ``/services/data/vXX.X/jobs/query``."""
    state = call.state
    if request.method == "GET":
        infos = [job.info() for job in state.bulk_jobs.all()]
        return JsonResponse({"done": True, "records": infos, "nextRecordsUrl": None})
    payload = json_body(await request.body())
    if not isinstance(payload, dict):
        raise invalid_job("The body must be a JSON object describing the job")
    operation, soql, delimiter, ending = _job_settings(payload)
    compiled = await state.worker.run(_compile, state, soql, operation == "queryAll")
    now = format_salesforce(state.clock.now())
    job = QueryJob(
        id=state.bulk_jobs.next_id(),
        operation=operation,
        object=compiled.object.name,
        soql=soql,
        created_by=call.session.user_id,
        created=now,
        api_version=call.version,
        column_delimiter=delimiter,
        line_ending=ending,
        modstamp=now,
    )
    created = job.info()
    _failure_before_run(state, job, compiled)
    state.bulk_jobs.add(job)
    state.usage.count_bulk_job()
    if job.state == "UploadComplete":
        state.worker.submit(run_job, state, job)
    state.count("bulk_jobs_created")
    return JsonResponse(created)


@api_endpoint
async def query_job(request: Request, call: ApiCall) -> Response:
    """``GET`` (info), ``PATCH`` (abort) or ``DELETE`` ``/services/data/vXX.X/jobs/query/{id}``."""
    state = call.state
    job = state.bulk_jobs.get(request.path_params["job_id"])
    if request.method == "DELETE":
        with job.lock:
            shown = job.visible_state(state.settings.bulk_polls_in_progress)
        if shown not in TERMINAL_STATES:
            raise invalid_job(
                f"Job {job.id} is {shown}: abort it or wait for it to finish before deleting it"
            )
        state.bulk_jobs.remove(job.id)
        return Response(status_code=204)
    if request.method == "PATCH":
        return JsonResponse(_abort(state, job, json_body(await request.body())))
    with job.lock:
        job.polls += 1
        reported = job.visible_state(state.settings.bulk_polls_in_progress)
    return JsonResponse(job.info(reported_state=reported))


def _abort(state: EmulatorState, job: QueryJob, payload: Any) -> dict[str, Any]:
    wanted = payload.get("state") if isinstance(payload, dict) else None
    if wanted != "Aborted":
        raise invalid_job(f"Invalid state {wanted!r}: a query job can only be set to 'Aborted'")
    with job.lock:
        shown = job.visible_state(state.settings.bulk_polls_in_progress)
        if shown in TERMINAL_STATES:
            raise invalid_job(f"Job {job.id} is already {shown} and cannot be aborted")
        job.state = "Aborted"
        job.modstamp = format_salesforce(state.clock.now())
        return job.info()


@api_endpoint
async def query_job_results(request: Request, call: ApiCall) -> Response:
    """``GET /services/data/vXX.X/jobs/query/{id}/results?maxRecords=N&locator=L``."""
    state = call.state
    job = state.bulk_jobs.get(request.path_params["job_id"])
    if call.version != job.api_version:
        raise invalid_job(
            f"Job {job.id} was created with API version {job.api_version}; fetch its results "
            f"with the same version, not {call.version}",
            status=409,
        )
    with job.lock:
        reported = job.visible_state(state.settings.bulk_polls_in_progress)
        complete = reported == "JobComplete" and job.results is not None
    if not complete or job.results is None:
        raise invalid_job(
            f"Job {job.id} is {reported}: results are available once its state is JobComplete"
        )
    total = job.results.records
    raw_max = request.query_params.get("maxRecords")
    page_size = state.settings.bulk_page_size
    if raw_max is not None:
        if not raw_max.isdigit() or int(raw_max) < 1:
            raise invalid_job(f"Invalid maxRecords {raw_max!r}: use a whole number of 1 or more")
        page_size = int(raw_max)
    raw_locator = request.query_params.get("locator")
    start = decode_locator(raw_locator) if raw_locator else 0
    if start > total:
        raise invalid_job(f"Invalid locator {raw_locator!r}: it is past the end of the results")
    count = min(page_size, total - start)
    next_locator = encode_locator(start + count) if start + count < total else "null"
    headers = {
        "Sforce-NumberOfRecords": str(count),
        "Sforce-Locator": next_locator,
        "content-type": "text/csv; charset=UTF-8",
    }
    state.count("bulk_result_pages")
    cut = state.faults.page_drop_point()
    return ChunkedCsvResponse(_stream(state, job, start, count), headers=headers, cut=cut)
