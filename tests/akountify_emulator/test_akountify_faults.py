"""Fault injection: each kind, determinism with a seed, dropped connections, exemptions."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
import requests

from emulators.akountify.launcher import RunningAkountify, start_akountify_emulator

from .akountify_helpers import Api, checked, detail, error

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from .akountify_contract import ContractChecker

NO_FAULTS = {
    "error_rate": 0.0,
    "burst_rate": 0.0,
    "latency_ms": 0,
    "drop_rate": 0.0,
    "drop_after_write_rate": 0.0,
    "hold_requests": False,
}


@pytest.fixture(scope="module")
def faulty(
    tmp_path_factory: pytest.TempPathFactory, contract: ContractChecker | None
) -> Iterator[RunningAkountify]:
    data_dir = tmp_path_factory.mktemp("akountify-faults")
    with start_akountify_emulator(data_dir, "--no-rate-limits", "--no-access-log") as emulator:
        yield checked(emulator, contract)


@pytest.fixture
def fapi(faulty: RunningAkountify, contract: ContractChecker | None) -> Iterator[Api]:
    api = Api(faulty, faulty.create_company("Faulty Co"), contract)
    yield api
    faulty.set_faults(**NO_FAULTS)


def _statuses(api: Api, count: int) -> list[int]:
    return [api.get("/customers").status_code for _ in range(count)]


def test_server_errors_and_exemptions(faulty: RunningAkountify, fapi: Api) -> None:
    faulty.set_faults(error_rate=1.0, seed=1, retry_after=7)
    seen = set()
    for _ in range(20):
        response = fapi.get("/customers")
        seen.add(response.status_code)
        if response.status_code == 503:
            error(response, 503, "service_unavailable")
            assert response.headers["Retry-After"] == "7"
        else:
            error(response, 500, "internal_error")
    assert seen == {500, 503}
    token = faulty.session().post(
        f"{faulty.base_url}/oauth/token", data={"grant_type": "client_credentials"}, timeout=5
    )
    assert token.status_code in {500, 503}
    assert faulty.session().get(f"{faulty.base_url}/health", timeout=5).status_code == 200
    assert faulty.limits()["default"]["requests_per_minute"] == 0  # admin is exempt


def test_same_seed_same_faults(faulty: RunningAkountify, fapi: Api) -> None:
    faulty.set_faults(error_rate=0.5, seed=42)
    first = _statuses(fapi, 30)
    faulty.set_faults(error_rate=0.5, seed=42)
    assert _statuses(fapi, 30) == first
    assert {200, 500, 503} <= set(first) | {200}
    assert 200 in first
    assert len(set(first)) > 1
    faulty.set_faults(error_rate=0.5, seed=43)
    assert _statuses(fapi, 30) != first


def test_429_bursts_come_in_runs(faulty: RunningAkountify, fapi: Api) -> None:
    faulty.set_faults(burst_rate=0.2, burst_length=3, seed=5, retry_after=2)
    statuses = []
    for _ in range(60):
        response = fapi.get("/customers")
        statuses.append(response.status_code)
        if response.status_code == 429:
            error(response, 429, "rate_limited")
            assert response.headers["Retry-After"] == "2"
            assert response.headers["X-RateLimit-Remaining"] == "0"
    runs, current = [], 0
    for status in [*statuses, 200]:
        if status == 429:
            current += 1
        elif current:
            runs.append(current)
            current = 0
    assert runs
    assert all(run % 3 == 0 for run in runs[:-1])
    assert set(statuses) == {200, 429}


def test_latency(faulty: RunningAkountify, fapi: Api) -> None:
    faulty.set_faults(latency_ms=300)
    started = time.monotonic()
    assert fapi.get("/customers").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_dropped_connections(faulty: RunningAkountify, fapi: Api) -> None:
    faulty.set_faults(drop_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        fapi.upsert("customers", "C-1", {"display_name": "Never written"})
    assert faulty.session().get(f"{faulty.base_url}/health", timeout=5).status_code == 200
    faulty.set_faults(drop_rate=0.0, drop_after_write_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        fapi.upsert("customers", "C-2", {"display_name": "Written, answer lost"})
    faulty.set_faults(**NO_FAULTS)
    listed = fapi.get("/customers").json()["data"]
    assert [(c["external_id"], c["version"]) for c in listed] == [("C-2", 1)]


def test_retry_with_idempotency_key_after_a_lost_answer(
    faulty: RunningAkountify, fapi: Api
) -> None:
    faulty.set_faults(drop_after_write_rate=1.0)
    key = {"Idempotency-Key": "lost-answer-1"}
    with pytest.raises(requests.ConnectionError):
        fapi.post("/customers", json={"display_name": "Exactly once"}, headers=key)
    faulty.set_faults(**NO_FAULTS)
    retry = fapi.post("/customers", json={"display_name": "Exactly once"}, headers=key)
    assert retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert len(fapi.get("/customers").json()["data"]) == 1


def test_fault_settings_are_validated(
    faulty: RunningAkountify, contract: ContractChecker | None
) -> None:
    session = faulty.session()
    session.headers["Authorization"] = f"Bearer {faulty.admin_token}"
    url = f"{faulty.base_url}/_admin/faults"
    body = error(
        session.put(url, json={"error_rate": 2, "explode": True}, timeout=5),
        422,
        "validation_failed",
    )
    assert detail(body, "error_rate")["code"] == "invalid_value"
    assert detail(body, "explode")["code"] == "unknown_field"
    assert session.get(url, timeout=5).json()["error_rate"] == 0.0


def test_faults_given_at_start(tmp_path: Path, contract: ContractChecker | None) -> None:
    args = ("--fault-error-rate", "1", "--seed", "9", "--no-access-log")
    with start_akountify_emulator(tmp_path, *args) as started:
        emulator = checked(started, contract)
        creds = emulator.create_company("Started faulty")
        faults = emulator.set_faults()
        assert (faults["error_rate"], faults["seed"]) == (1.0, 9)
        response = emulator.session().get(f"{emulator.company_url(creds)}/customers", timeout=5)
        assert response.status_code in {500, 503}
    log = (tmp_path / "emulator.log").read_text()
    assert "Fault injection on" in log
