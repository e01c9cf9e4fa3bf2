"""Every fault kind: 503s, session expiry, QUERY_TIMEOUT, latency, cut connections, late commits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import requests

from emulators.salesforce.clock import parse_instant

if TYPE_CHECKING:
    from emulators.salesforce.launcher import RunningSalesforce

UNAVAILABLE = [
    {
        "message": "Server temporarily unavailable. Please try again later.",
        "errorCode": "SERVER_UNAVAILABLE",
    }
]
TIMEOUT = [
    {"message": "Your query request was running for too long.", "errorCode": "QUERY_TIMEOUT"}
]


def test_server_unavailable_fraction_is_deterministic(
    emulator: RunningSalesforce, api: requests.Session, rest_base: str
) -> None:
    def statuses() -> list[int]:
        return [api.get(f"{rest_base}/limits", timeout=30).status_code for _ in range(30)]

    emulator.set_faults(server_unavailable_rate=0.5, seed=11)
    first = statuses()
    emulator.set_faults(server_unavailable_rate=0.5, seed=11)
    assert statuses() == first
    assert set(first) == {200, 503}
    emulator.set_faults(server_unavailable_rate=1.0)
    response = api.get(f"{rest_base}/limits", timeout=30)
    assert response.status_code == 503
    assert response.json() == UNAVAILABLE


def test_sessions_expire_after_a_number_of_requests(
    emulator: RunningSalesforce, api: requests.Session, rest_base: str
) -> None:
    emulator.set_faults(session_max_requests=3)
    codes = [api.get(f"{rest_base}/limits", timeout=30).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 401, 401]


def test_sessions_expire_after_a_time(
    emulator: RunningSalesforce, api: requests.Session, rest_base: str
) -> None:
    emulator.set_clock(datetime.now(UTC))
    emulator.set_faults(session_max_age_seconds=60)
    with emulator.session() as session:
        from_token = emulator.access_token()
        session.headers["Authorization"] = f"Bearer {from_token}"
        assert session.get(f"{rest_base}/limits", timeout=30).status_code == 200
        emulator.advance_clock(59)
        assert session.get(f"{rest_base}/limits", timeout=30).status_code == 200
        emulator.advance_clock(2)
        expired = session.get(f"{rest_base}/limits", timeout=30)
    assert expired.status_code == 401
    assert expired.json()[0]["errorCode"] == "INVALID_SESSION_ID"
    del api


def test_query_timeout_for_wide_windows(
    emulator: RunningSalesforce, api: requests.Session, rest_base: str
) -> None:
    emulator.set_clock(datetime(2025, 1, 10, tzinfo=UTC))
    emulator.set_faults(query_timeout_window_seconds=86_400)

    def query(soql: str) -> requests.Response:
        return api.get(f"{rest_base}/query", params={"q": soql}, timeout=30)

    narrow = "SELECT Id FROM Account WHERE SystemModstamp >= 2025-01-09T12:00:00Z"
    assert query(narrow).status_code == 200
    bounded = (
        "SELECT Id FROM Account WHERE SystemModstamp >= 2020-01-01T00:00:00Z "
        "AND SystemModstamp < 2020-01-01T06:00:00Z"
    )
    assert query(bounded).status_code == 200
    for wide in (
        "SELECT Id FROM Account WHERE SystemModstamp >= 2024-01-01T00:00:00Z",
        "SELECT Id FROM Account",
    ):
        response = query(wide)
        assert response.status_code == 400
        assert response.json() == TIMEOUT
    job = api.post(
        f"{rest_base}/jobs/query",
        json={"operation": "query", "query": "SELECT Id FROM Account"},
        timeout=30,
    ).json()
    info = api.get(f"{rest_base}/jobs/query/{job['id']}", timeout=30).json()
    assert info["state"] == "Failed"
    assert "QUERY_TIMEOUT" in info["errorMessage"]
    assert emulator.fault_stats()["query_timeout"] == 3


def test_latency_is_injected(
    emulator: RunningSalesforce, api: requests.Session, rest_base: str
) -> None:
    emulator.set_faults(latency_ms=1)
    for _ in range(3):
        assert api.get(f"{rest_base}/limits", timeout=30).status_code == 200
    assert emulator.fault_stats()["latency"] == 3


@pytest.mark.parametrize("point", ["headers", "body"])
def test_rest_page_connection_cut(
    emulator: RunningSalesforce, api: requests.Session, rest_base: str, point: str
) -> None:
    emulator.set_faults(drop_connection_every=2, drop_connection_point=point)
    params = {"q": "SELECT Id, Name FROM Account"}
    assert api.get(f"{rest_base}/query", params=params, timeout=30).status_code == 200
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        api.get(f"{rest_base}/query", params=params, timeout=30)
    retried = api.get(f"{rest_base}/query", params=params, timeout=30)
    assert retried.status_code == 200
    assert retried.json()["records"]
    assert emulator.fault_stats()["connection_dropped"] == 1


@pytest.mark.parametrize("point", ["headers", "body"])
def test_bulk_results_connection_cut(
    emulator: RunningSalesforce, api: requests.Session, rest_base: str, point: str
) -> None:
    job = api.post(
        f"{rest_base}/jobs/query",
        json={"operation": "query", "query": "SELECT Id, Name, Description FROM Account"},
        timeout=30,
    ).json()
    states = (
        api.get(f"{rest_base}/jobs/query/{job['id']}", timeout=30).json()["state"]
        for _ in range(10_000)
    )
    assert next(s for s in states if s in {"JobComplete", "Failed"}) == "JobComplete"
    emulator.set_faults(drop_connection_every=1, drop_connection_point=point)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        api.get(
            f"{rest_base}/jobs/query/{job['id']}/results", params={"maxRecords": 10_000}, timeout=30
        )
    emulator.set_faults(drop_connection_every=0)
    complete = api.get(f"{rest_base}/jobs/query/{job['id']}/results", timeout=30)
    assert complete.status_code == 200
    assert complete.headers["Sforce-Locator"] == "null"


def test_late_commits_while_paging(
    emulator: RunningSalesforce, api: requests.Session, rest_base: str, sf: Any
) -> None:
    now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    emulator.set_clock(now)
    emulator.set_faults(
        modify_during_paging_after_page=1,
        modify_during_paging_rows=3,
        modify_during_paging_lag_seconds=90,
        seed=5,
    )
    soql = "SELECT Id, Description, SystemModstamp FROM Account ORDER BY Id"
    first = api.get(
        f"{rest_base}/query",
        params={"q": soql},
        headers={"Sforce-Query-Options": "batchSize=200"},
        timeout=30,
    ).json()
    assert emulator.fault_stats()["late_commit_rows"] == 3
    emulator.set_faults(reset=True)
    served = {r["Id"]: r for r in first["records"]}
    after = {r["Id"]: r for r in sf.query_all(soql)["records"] if r["Id"] in served}
    changed = [i for i in served if after[i]["Description"] != served[i]["Description"]]
    assert len(changed) == 3
    for record_id in changed:
        stamp = parse_instant(after[record_id]["SystemModstamp"])
        assert stamp == now - timedelta(seconds=90)
        assert after[record_id]["Description"].startswith("Edited by a late commit")


def test_fault_settings_are_validated(emulator: RunningSalesforce) -> None:
    with emulator.admin() as admin:
        unknown = admin.put(
            f"{emulator.instance_url}/_emulator/faults", json={"bogus": 1}, timeout=30
        )
        negative = admin.put(
            f"{emulator.instance_url}/_emulator/faults", json={"latency_ms": -1}, timeout=30
        )
    assert unknown.status_code == 400
    assert "unknown fault setting 'bogus'" in unknown.json()["error"]
    assert negative.status_code == 400
    with emulator.session() as anonymous:
        refused = anonymous.get(f"{emulator.instance_url}/_emulator/faults", timeout=30)
    assert refused.status_code == 401
