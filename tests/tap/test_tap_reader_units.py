"""Reader, windows, describe and error translation against a scripted fake Salesforce."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from tap_salesforce_lite.api_errors import ApiErrorBody, error_for
from tap_salesforce_lite.bulk_wait import BulkThroughput
from tap_salesforce_lite.describe import closest_names, describe_objects
from tap_salesforce_lite.errors import (
    ApiDisabledError,
    FieldNotFoundError,
    InvalidQueryLocatorError,
    ObjectNotFoundError,
    PermissionMissingError,
    QueryTimeoutError,
    SalesforceRequestError,
    StopRequestedError,
)
from tap_salesforce_lite.objects import ObjectInfo
from tap_salesforce_lite.reader import ObjectReader, RecentRecords
from tap_salesforce_lite.records import RecordShape
from tap_salesforce_lite.redaction import Redactor
from tap_salesforce_lite.settings import load_settings
from tap_salesforce_lite.soql import TimeWindow
from tap_salesforce_lite.windows import EARLIEST, WindowPlan

if TYPE_CHECKING:
    from collections.abc import Callable

OBJECT = ObjectInfo.from_describe(
    {
        "name": "Account",
        "fields": [
            {"name": "Id", "type": "id", "length": 18},
            {"name": "Name", "type": "string", "length": 255},
            {"name": "IsDeleted", "type": "boolean"},
            {"name": "SystemModstamp", "type": "datetime"},
        ],
    }
)


def row(index: int) -> dict[str, Any]:
    return {
        "attributes": {"type": "Account"},
        "Id": f"001{index:015d}",
        "Name": f"Account {index}",
        "IsDeleted": False,
        "SystemModstamp": f"2024-01-01T00:00:{index:02d}.000+0000",
    }


class FakeClient:
    """Answers the tap's calls from a script; records what was asked."""

    def __init__(self, rows: list[dict[str, Any]], page: int = 2) -> None:
        self.rows = rows
        self.page = page
        self.calls: Counter[str] = Counter()
        self.soql: list[str] = []
        self.fail_locator_once = False
        self.bulk_state = "Failed"
        self.bulk_throughput = BulkThroughput()

    def data_path(self, path: str) -> str:
        return f"/services/data/v62.0/{path.lstrip('/')}"

    def get_json(self, path: str, **_: Any) -> Any:
        self.calls["get"] += 1
        if "/jobs/query/" in path:
            return {"state": self.bulk_state, "errorMessage": "InternalServerError"}
        if "?q=" in path:
            self.soql.append(path)
            # Row i has SystemModstamp 00:00:i, so a lower bound of 00:00:n starts at row n.
            marker = "%3E%3D2024-01-01T00%3A00%3A"
            start = int(path.split(marker, 1)[1][:2]) if marker in path else 0
            return self._page(start)
        start = int(path.rsplit("-", 1)[1])
        if self.fail_locator_once:
            self.fail_locator_once = False
            raise InvalidQueryLocatorError("The query cursor expired (INVALID_QUERY_LOCATOR)")
        return self._page(start)

    def send_json(self, method: str, path: str, body: Any, **_: Any) -> Any:
        self.calls[f"{method} {path.rsplit('/', 2)[-2]}"] += 1
        return {"id": "750000000000001AAA", "state": "UploadComplete"}

    def _page(self, start: int) -> dict[str, Any]:
        chunk = [dict(r) for r in self.rows[start : start + self.page]]
        end = start + len(chunk)
        body: dict[str, Any] = {
            "totalSize": len(self.rows) - 0,
            "done": end >= len(self.rows),
            "records": chunk,
        }
        if end < len(self.rows):
            body["nextRecordsUrl"] = f"/services/data/v62.0/queryAll/01gXX-{end}"
        return body


def reader_for(
    client: FakeClient, resume: Callable[[], str | None], **settings: Any
) -> ObjectReader:
    config = {"client_id": "x", "client_secret": "y", "retry_initial_delay": 0, **settings}
    shape = RecordShape(OBJECT, ["Id", "Name"], include_deleted=True)
    return ObjectReader(
        client,  # type: ignore[arg-type]
        load_settings(config),
        shape,
        limit=None,
        resume_lower=resume,
    )


def test_expired_cursor_resumes_from_the_checkpoint_without_duplicates(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = FakeClient([row(i) for i in range(8)])
    client.fail_locator_once = True
    checkpoint = "2024-01-01T00:00:01.000000+00:00"  # the last record emitted before the break
    reader = reader_for(client, lambda: checkpoint, api_type="rest")
    with caplog.at_level(logging.WARNING):
        records = list(reader.read(TimeWindow(datetime(2023, 12, 31, tzinfo=UTC), None)))
    assert [r["Id"] for r in records] == [f"001{i:015d}" for i in range(8)]
    assert reader.stats.resumes == 1
    assert "Reading Account broke off" in caplog.text
    assert "SystemModstamp%3E%3D2024-01-01T00%3A00%3A01.000Z" in client.soql[-1]
    assert reader.stats.duplicates_skipped == 1


def test_already_emitted_records_are_skipped_after_a_resume() -> None:
    client = FakeClient([row(i) for i in range(8)], page=6)
    client.fail_locator_once = True
    reader = reader_for(client, lambda: "2024-01-01T00:00:04.000000+00:00", api_type="rest")
    records = list(reader.read(TimeWindow()))
    ids = [r["Id"] for r in records]
    assert ids == [f"001{i:015d}" for i in range(8)]
    assert reader.stats.duplicates_skipped == 2  # rows 4 and 5 came twice


def test_failed_bulk_job_falls_back_to_rest(caplog: pytest.LogCaptureFixture) -> None:
    client = FakeClient([row(i) for i in range(3)])
    reader = reader_for(client, lambda: None, api_type="bulk", bulk_poll_max_interval=0)
    with caplog.at_level(logging.WARNING):
        records = list(reader.read(TimeWindow()))
    assert len(records) == 3
    assert reader.stats.bulk_fallbacks == 1
    assert reader.stats.api_used == {"rest"}
    assert "ended Failed: InternalServerError" in caplog.text
    # The object stays on REST for the rest of the run.
    client.calls.clear()
    list(reader.read(TimeWindow()))
    assert not any("POST" in key for key in client.calls)


def test_windows_are_halved_oldest_first() -> None:
    now = datetime(2024, 1, 2, tzinfo=UTC)
    plan = WindowPlan.starting_at(datetime(2024, 1, 1, tzinfo=UTC), lambda: now)
    first = plan.next_window()
    assert first == TimeWindow(datetime(2024, 1, 1, tzinfo=UTC), None)
    plan.split(first, what="Account.SystemModstamp", cause=QueryTimeoutError("timeout"))
    older = plan.next_window()
    assert older == TimeWindow(
        datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 1, 12, tzinfo=UTC)
    )
    assert plan.next_window() == TimeWindow(datetime(2024, 1, 1, 12, tzinfo=UTC), None)
    unbounded = WindowPlan.starting_at(None, lambda: now)
    window = unbounded.next_window()
    assert window is not None
    unbounded.split(window, what="x", cause=QueryTimeoutError("t"))
    assert unbounded.next_window() == TimeWindow(EARLIEST, EARLIEST + (now - EARLIEST) / 2)


def test_a_one_second_window_that_times_out_is_an_error() -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    plan = WindowPlan.starting_at(start, lambda: start)
    narrow = TimeWindow(start, start + timedelta(seconds=1))
    with pytest.raises(QueryTimeoutError, match=r"even on a one-second window of Account\.X"):
        plan.split(narrow, what="Account.X", cause=QueryTimeoutError("t"))


@pytest.mark.parametrize(
    ("code", "message", "error_class", "text"),
    [
        (
            "INVALID_FIELD",
            (
                "\nSELECT Foo__c FROM Account\n       ^\nERROR at Row:1:Column:8\nNo such column "
                "'Foo__c' on entity 'Account'. If you are attempting to use a custom field, be "
                "sure to append the '__c' after the custom field name."
            ),
            FieldNotFoundError,
            "Field 'Foo__c' does not exist on Account",
        ),
        (
            "INVALID_TYPE",
            "sObject type 'Acount' is not supported.",
            ObjectNotFoundError,
            "Object Acount does not exist",
        ),
        (
            "INSUFFICIENT_ACCESS",
            "insufficient access rights on object id",
            PermissionMissingError,
            "lacks a permission needed for querying Account",
        ),
        ("API_DISABLED_FOR_ORG", "The REST API is not enabled", ApiDisabledError, "Enterprise"),
        ("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", StopRequestedError, "daily"),
        ("QUERY_TIMEOUT", "running for too long", QueryTimeoutError, "timed out"),
        ("MALFORMED_QUERY", "unexpected token: 'FRM'", SalesforceRequestError, "HTTP 400"),
    ],
)
def test_error_codes_become_one_line_errors_with_a_fix(
    code: str, message: str, error_class: type[Exception], text: str
) -> None:
    error = error_for(ApiErrorBody(400, code, " ".join(message.split())), doing="querying Account")
    assert isinstance(error, error_class)
    assert text in str(error)
    assert "\n" not in str(error)


class DescribeClient(FakeClient):
    def __init__(self, results: list[dict[str, Any]], names: list[str]) -> None:
        super().__init__([])
        self.results = results
        self.names = names

    def send_json(self, method: str, path: str, body: Any, **_: Any) -> Any:
        return {"hasErrors": True, "results": self.results[: len(body["batchRequests"])]}

    def get_json(self, path: str, **_: Any) -> Any:
        return {"sobjects": [{"name": n, "queryable": True} for n in self.names]}


def test_permission_missing_on_an_object() -> None:
    client = DescribeClient(
        [{"statusCode": 403, "result": [{"errorCode": "INSUFFICIENT_ACCESS", "message": "no"}]}],
        ["Account"],
    )
    with pytest.raises(PermissionMissingError, match="may not describe Invoice__c"):
        describe_objects(client, ["Invoice__c"])  # type: ignore[arg-type]


def test_unqueryable_object_is_a_permission_problem() -> None:
    client = DescribeClient(
        [{"statusCode": 200, "result": {"name": "Secret__c", "queryable": False, "fields": []}}],
        ["Secret__c"],
    )
    with pytest.raises(PermissionMissingError, match="Secret__c cannot be queried"):
        describe_objects(client, ["Secret__c"])  # type: ignore[arg-type]


def test_closest_names() -> None:
    names = ["Account", "AccountHistory", "Contact", "Opportunity", "Project__c"]
    assert closest_names("acount", names)[0] == "Account"
    assert closest_names("Oportunity", names) == ["Opportunity"]
    assert closest_names("Zebra", names) == []


def test_redactor_hides_secrets_and_their_encodings() -> None:
    redactor = Redactor(("s3cr3t+value/x", "ab"))
    redactor.add("00Dxx!token.value")
    text = "a s3cr3t+value/x b s3cr3t%2Bvalue%2Fx c s3cr3t%2Bvalue%2Fx d 00Dxx!token.value ab"
    assert redactor.redact(text) == "a *** b *** c *** d *** ab"


def test_recent_records_forget_what_no_resume_can_read_again() -> None:
    recent = RecentRecords(capacity=3)
    for index in range(5):
        recent.add(f"id{index}", f"2024-01-0{index + 1}")
    assert len(recent) == 3  # the capacity bounds memory
    assert not recent.has("id0", "2024-01-01")
    recent.forget_below("2024-01-05")
    assert len(recent) == 1
    assert recent.has("id4", "2024-01-05")
    assert not recent.has("id4", "2024-01-06")  # another version is not a duplicate
