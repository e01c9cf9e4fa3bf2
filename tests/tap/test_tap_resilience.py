"""Sessions that expire, 503 storms, dropped connections, query timeouts, quota stops."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from emulators.salesforce.launcher import start_salesforce_emulator
from tap_salesforce_lite.streams import SalesforceStream

from .tap_harness import Org, client_credentials_config, discover, run_tap

if TYPE_CHECKING:
    from collections.abc import Iterator

    from emulators.salesforce.launcher import RunningSalesforce

    from .tap_harness import TapRun

T0 = datetime(2024, 7, 1, 0, 0, tzinfo=UTC)
ACCOUNTS = 450
CONTACTS = 30


@pytest.fixture(scope="module")
def sf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSalesforce]:
    with start_salesforce_emulator(tmp_path_factory.mktemp("sf-resilience")) as running:
        running.set_clock(T0)
        org = Org(running)
        for index in range(ACCOUNTS):
            org.create("Account", Name=f"Account {index:03d}", Opening_Balance__c=index + 0.5)
            running.advance_clock(60)  # 7.5 hours of changes
        for index in range(CONTACTS):
            org.create("Contact", LastName=f"Contact {index:02d}")
        running.advance_clock(3600)
        yield running


@pytest.fixture(autouse=True)
def clean(sf: RunningSalesforce) -> Iterator[None]:
    sf.set_faults(reset=True)
    sf.set_limits(daily_quota=1_000_000, used=0)
    yield
    sf.set_faults(reset=True)


@pytest.fixture(scope="module")
def config(sf: RunningSalesforce) -> dict[str, Any]:
    return client_credentials_config(
        sf, objects=["Account", "Contact"], rest_page_size=200, bulk_page_size=100
    )


@pytest.fixture(scope="module")
def catalog(config: dict[str, Any]) -> dict[str, Any]:
    return discover(config)


@pytest.fixture(scope="module")
def baseline(config: dict[str, Any], catalog: dict[str, Any]) -> TapRun:
    run = run_tap({**config, "api_type": "rest"}, catalog=catalog)
    assert len(run.records("Account")) == ACCOUNTS
    assert len(run.records("Contact")) == CONTACTS
    return run


def stream(run: TapRun, name: str) -> SalesforceStream:
    result = run.tap.streams[name]
    assert isinstance(result, SalesforceStream)
    return result


@pytest.mark.parametrize("api_type", ["rest", "bulk"])
def test_session_expiry_mid_run_logs_in_again(
    sf: RunningSalesforce,
    config: dict[str, Any],
    catalog: dict[str, Any],
    baseline: TapRun,
    api_type: str,
) -> None:
    sf.set_faults(session_max_requests=2)
    run = run_tap({**config, "api_type": api_type}, catalog=catalog)
    assert run.records("Account") == baseline.records("Account")
    assert run.records("Contact") == baseline.records("Contact")
    assert run.tap.runtime.client.authenticator.logins >= 2
    assert run.final_state == baseline.final_state


@pytest.mark.parametrize("api_type", ["rest", "bulk"])
def test_503_storm_is_weathered(
    sf: RunningSalesforce,
    config: dict[str, Any],
    catalog: dict[str, Any],
    baseline: TapRun,
    api_type: str,
) -> None:
    sf.set_faults(seed=7, server_unavailable_rate=0.4)
    run = run_tap({**config, "api_type": api_type}, catalog=catalog)
    assert sf.fault_stats().get("server_unavailable", 0) >= 3
    assert run.records("Account") == baseline.records("Account")
    assert run.final_state == baseline.final_state


@pytest.mark.parametrize(
    "case", [(api, point) for api in ("rest", "bulk") for point in ("headers", "body")]
)
def test_dropped_connections_lose_and_repeat_nothing(
    sf: RunningSalesforce,
    config: dict[str, Any],
    catalog: dict[str, Any],
    baseline: TapRun,
    case: tuple[str, str],
) -> None:
    api_type, point = case
    sf.set_faults(drop_connection_every=2, drop_connection_point=point)
    run = run_tap({**config, "api_type": api_type}, catalog=catalog)
    assert sf.fault_stats().get("connection_dropped", 0) >= 1
    assert run.records("Account") == baseline.records("Account")


@pytest.mark.parametrize("api_type", ["rest", "bulk"])
def test_query_timeout_narrows_the_time_window(
    sf: RunningSalesforce,
    config: dict[str, Any],
    catalog: dict[str, Any],
    baseline: TapRun,
    api_type: str,
) -> None:
    sf.set_faults(query_timeout_window_seconds=2 * 3600)
    settings = {**config, "api_type": api_type, "start_date": T0.isoformat()}
    run = run_tap(settings, catalog=catalog)
    plan = stream(run, "Account").last_plan
    assert plan is not None
    assert plan.splits >= 2
    assert run.records("Account") == baseline.records("Account")
    assert run.bookmark("Account") == baseline.bookmark("Account")


def test_quota_guard_stops_cleanly_and_the_next_run_continues(
    sf: RunningSalesforce, config: dict[str, Any], catalog: dict[str, Any], baseline: TapRun
) -> None:
    sf.set_limits(daily_quota=100, used=0)
    settings = {**config, "api_type": "rest", "max_api_usage_percent": 2}
    stopped = run_tap(settings, catalog=catalog)
    emitted = stopped.ids("Account")
    assert 0 < len(emitted) < ACCOUNTS
    assert stopped.records("Contact") == []
    assert stopped.tap.runtime.stop_reason is not None
    assert "max_api_usage_percent is 2" in stopped.tap.runtime.stop_reason
    # The bookmark covers only what was emitted: the last record read.
    last = stopped.records("Account")[-1]["SystemModstamp"]
    assert stopped.bookmark("Account") == last
    assert "Contact" not in stopped.final_state.get("bookmarks", {}) or not stopped.bookmark(
        "Contact"
    )
    sf.set_limits(daily_quota=1_000_000, used=0)
    resumed = run_tap(settings, state=stopped.final_state, catalog=catalog)
    assert set(emitted) | set(resumed.ids("Account")) == set(baseline.ids("Account"))
    assert len(resumed.records("Contact")) == CONTACTS
    assert resumed.final_state == baseline.final_state


def test_request_limit_exceeded_stops_cleanly(
    sf: RunningSalesforce, config: dict[str, Any], catalog: dict[str, Any]
) -> None:
    # Other integrations used the whole quota: the first query is refused by Salesforce.
    sf.set_limits(daily_quota=50, used=50)
    state = {
        "bookmarks": {
            "Account": {
                "replication_key": "SystemModstamp",
                "replication_key_value": T0.isoformat(),
            }
        }
    }
    run = run_tap({**config, "api_type": "rest"}, state=state, catalog=catalog)
    assert run.tap.runtime.stop_reason is not None
    assert "REQUEST_LIMIT_EXCEEDED" in run.tap.runtime.stop_reason
    assert run.records("Account") == []
    assert run.records("Contact") == []
    assert run.bookmark("Account") == T0.isoformat(timespec="microseconds")


@pytest.mark.parametrize("api_type", ["rest", "bulk"])
def test_max_records_per_stream(
    config: dict[str, Any], catalog: dict[str, Any], baseline: TapRun, api_type: str
) -> None:
    run = run_tap({**config, "api_type": api_type, "max_records_per_stream": 5}, catalog=catalog)
    assert run.records("Account") == baseline.records("Account")[:5]
    assert run.records("Contact") == baseline.records("Contact")[:5]
    # A handful of records costs a handful of calls, whatever the object's size.
    assert sum(run.calls.values()) <= (2 if api_type == "rest" else 8)
    assert run.bookmark("Account") == baseline.records("Account")[4]["SystemModstamp"]


def test_no_change_incremental_run_costs_one_query_per_stream(
    sf: RunningSalesforce, config: dict[str, Any], catalog: dict[str, Any], baseline: TapRun
) -> None:
    sf.advance_clock(timedelta(days=1).total_seconds())
    run = run_tap(config, state=baseline.final_state, catalog=catalog)
    assert run.calls == {"query": 2}
    # Only the lookback window (10 minutes behind the bookmark) is read again.
    assert run.records("Account") == baseline.records("Account")[-11:]
    assert run.final_state == baseline.final_state
