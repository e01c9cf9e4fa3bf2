"""Bulk API 2.0 query jobs through simple-salesforce and raw HTTP."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

import pytest
from simple_salesforce.exceptions import SalesforceOperationError

from emulators.salesforce.clock import parse_instant

if TYPE_CHECKING:
    from pathlib import Path

    import requests

    from emulators.salesforce.launcher import RunningSalesforce


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _account_fields(sf: Any) -> dict[str, str]:
    return {
        f["name"]: f["type"]
        for f in sf.Account.describe()["fields"]
        if f["type"] not in {"address", "location", "base64"}
    }


def _as_csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _same(field_type: str, rest_value: Any, cell: str) -> bool:
    if rest_value is None or cell == "":
        return rest_value in {None, ""} and cell == ""
    if isinstance(rest_value, bool):
        return cell == ("true" if rest_value else "false")
    if isinstance(rest_value, int | float):
        return float(cell) == float(rest_value)
    if field_type == "datetime":
        return parse_instant(rest_value) == parse_instant(cell)
    return _as_csv_cell(rest_value) == cell


def _create_job(api: requests.Session, rest_base: str, soql: str, **extra: str) -> dict[str, Any]:
    response = api.post(
        f"{rest_base}/jobs/query", json={"operation": "query", "query": soql, **extra}, timeout=30
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _wait(api: requests.Session, rest_base: str, job_id: str) -> dict[str, Any]:
    for _ in range(10_000):
        info: dict[str, Any] = api.get(f"{rest_base}/jobs/query/{job_id}", timeout=30).json()
        if info["state"] in {"JobComplete", "Failed", "Aborted"}:
            return info
    raise AssertionError(f"job {job_id} never finished")


def test_bulk_results_equal_rest_results(sf: Any) -> None:
    fields = _account_fields(sf)
    soql = f"SELECT {', '.join(fields)} FROM Account ORDER BY Id"  # noqa: S608
    rest = sf.query_all(soql)["records"]
    pages = list(sf.bulk2.Account.query(soql, max_records=50, wait=0))
    assert len(pages) == -(-len(rest) // 50)
    bulk = [row for page in pages for row in _rows(page)]
    assert list(bulk[0]) == list(fields)
    assert len(bulk) == len(rest)
    for rest_record, bulk_row in zip(rest, bulk, strict=True):
        for name, kind in fields.items():
            rest_value, cell = rest_record[name], bulk_row[name]
            assert _same(kind, rest_value, cell), (name, rest_value, cell)
    multi_line = [r for r in bulk if "\n" in (r["Description"] or "")]
    assert multi_line, "the seed has multi-line descriptions; they must survive CSV intact"


def test_bulk_download_to_a_folder(sf: Any, tmp_path: Path) -> None:
    results = sf.bulk2.Contact.download(
        "SELECT Id, LastName, Account.Name FROM Contact", str(tmp_path), max_records=100, wait=0
    )
    total = sf.query("SELECT COUNT() FROM Contact")["totalSize"]
    assert sum(r["number_of_records"] for r in results) == total
    rows = [row for r in results for row in _rows((tmp_path / r["file"]).read_text("utf-8"))]
    assert len(rows) == total
    assert set(rows[0]) == {"Id", "LastName", "Account.Name"}


def test_results_headers_locators_and_quoting(api: requests.Session, rest_base: str) -> None:
    job = _create_job(api, rest_base, "SELECT Id, Name FROM Account ORDER BY Id")
    assert job["state"] == "UploadComplete"
    assert set(job) >= {"id", "operation", "object", "createdById", "createdDate", "systemModstamp",
                        "state", "concurrencyMode", "contentType", "apiVersion", "lineEnding",
                        "columnDelimiter"}  # fmt: skip
    assert job["id"].startswith("750")
    assert job["object"] == "Account"
    info = _wait(api, rest_base, job["id"])
    assert info["state"] == "JobComplete"
    total = info["numberRecordsProcessed"]
    seen: list[str] = []
    locator: str | None = None
    while True:
        params: dict[str, Any] = {"maxRecords": 40}
        if locator:
            params["locator"] = locator
        page = api.get(f"{rest_base}/jobs/query/{job['id']}/results", params=params, timeout=30)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/csv")
        lines = page.text.split("\n")
        assert lines[0] == '"Id","Name"'
        rows = _rows(page.text)
        assert int(page.headers["Sforce-NumberOfRecords"]) == len(rows)
        seen.extend(r["Id"] for r in rows)
        locator = page.headers["Sforce-Locator"]
        if locator == "null":
            break
    assert len(seen) == total == len(set(seen))
    assert seen == sorted(seen)


def test_jobs_that_bulk_refuses_fail_with_a_message(api: requests.Session, rest_base: str) -> None:
    feed = _wait(api, rest_base, _create_job(api, rest_base, "SELECT Id FROM AccountFeed")["id"])
    assert feed["state"] == "Failed"
    assert "AccountFeed" in feed["errorMessage"]
    compound = _create_job(api, rest_base, "SELECT Id, BillingAddress FROM Account")
    failed = _wait(api, rest_base, compound["id"])
    assert failed["state"] == "Failed"
    assert failed["errorMessage"] == (
        "FUNCTIONALITY_NOT_ENABLED: Selecting compound data not supported in Bulk Query"
    )
    results = api.get(f"{rest_base}/jobs/query/{compound['id']}/results", timeout=30)
    assert results.status_code == 400


def test_simple_salesforce_reports_a_failed_job(sf: Any) -> None:
    with pytest.raises(SalesforceOperationError, match="compound data"):
        list(sf.bulk2.Account.query("SELECT BillingAddress FROM Account", wait=0))


def test_query_errors_are_refused_at_creation(api: requests.Session, rest_base: str) -> None:
    response = api.post(
        f"{rest_base}/jobs/query",
        json={"operation": "query", "query": "SELECT Nme FROM Account"},
        timeout=30,
    )
    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "INVALID_FIELD"
    bad_operation = api.post(
        f"{rest_base}/jobs/query",
        json={"operation": "insert", "query": "SELECT Id FROM Account"},
        timeout=30,
    )
    assert bad_operation.status_code == 400


def test_polling_abort_delete_and_list(
    emulator: RunningSalesforce, api: requests.Session, rest_base: str
) -> None:
    emulator.set_settings(bulk_polls_in_progress=2)
    job = _create_job(api, rest_base, "SELECT Id FROM Contact")
    states = {
        api.get(f"{rest_base}/jobs/query/{job['id']}", timeout=30).json()["state"] for _ in range(2)
    }
    assert states <= {"UploadComplete", "InProgress"}
    early = api.get(f"{rest_base}/jobs/query/{job['id']}/results", timeout=30)
    assert early.status_code == 400
    aborted = api.patch(
        f"{rest_base}/jobs/query/{job['id']}", json={"state": "Aborted"}, timeout=30
    )
    assert aborted.status_code == 200
    assert aborted.json()["state"] == "Aborted"
    again = api.patch(f"{rest_base}/jobs/query/{job['id']}", json={"state": "Aborted"}, timeout=30)
    assert again.status_code == 400
    listed = api.get(f"{rest_base}/jobs/query", timeout=30).json()
    assert listed["done"] is True
    assert job["id"] in {j["id"] for j in listed["records"]}
    assert api.delete(f"{rest_base}/jobs/query/{job['id']}", timeout=30).status_code == 204
    assert api.get(f"{rest_base}/jobs/query/{job['id']}", timeout=30).status_code == 404


def test_results_need_the_creating_version(
    api: requests.Session, rest_base: str, emulator: RunningSalesforce
) -> None:
    job = _create_job(api, rest_base, "SELECT Id FROM Account")
    _wait(api, rest_base, job["id"])
    other = f"{emulator.instance_url}/services/data/v58.0/jobs/query/{job['id']}/results"
    assert api.get(other, timeout=30).status_code == 409


def test_query_all_job_includes_deleted_rows(
    sf: Any, api: requests.Session, rest_base: str
) -> None:
    created = sf.Contact.create({"LastName": "Bulk Deleted"})["id"]
    sf.Contact.delete(created)
    soql = "SELECT Id, IsDeleted FROM Contact"
    live = _create_job(api, rest_base, soql)
    response = api.post(
        f"{rest_base}/jobs/query", json={"operation": "queryAll", "query": soql}, timeout=30
    )
    everything = response.json()
    assert everything["operation"] == "queryAll"
    found = {}
    for job in (live, everything):
        _wait(api, rest_base, job["id"])
        text = api.get(f"{rest_base}/jobs/query/{job['id']}/results", timeout=30).text
        found[job["id"]] = {r["Id"]: r["IsDeleted"] for r in _rows(text)}
    assert created not in found[live["id"]]
    assert found[everything["id"]][created] == "true"
