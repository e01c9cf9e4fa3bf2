"""Token expiry, rate limits, concurrency limits, idempotency-key expiry and the body limit,
on an emulator of their own whose clock the tests move (no sleeping)."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import pytest
import requests

from emulators.akountify.clock import parse_rfc3339, rfc3339
from emulators.akountify.launcher import RunningAkountify, start_akountify_emulator

from .akountify_helpers import Api, checked, detail, error

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from .akountify_contract import ContractChecker

TTL = 60
BODY_LIMIT = 20_000


@pytest.fixture(scope="module")
def controlled(
    tmp_path_factory: pytest.TempPathFactory, contract: ContractChecker | None
) -> Iterator[RunningAkountify]:
    data_dir = tmp_path_factory.mktemp("akountify-controlled")
    args = ("--token-ttl", str(TTL), "--body-limit", str(BODY_LIMIT), "--no-access-log")
    with start_akountify_emulator(data_dir, *args) as emulator:
        yield checked(emulator, contract)


@pytest.fixture
def capi(controlled: RunningAkountify, contract: ContractChecker | None) -> Iterator[Api]:
    api = Api(controlled, controlled.create_company("Limited Co"), contract)
    yield api
    controlled.set_clock(frozen=False)
    controlled.set_faults(hold_requests=False)


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 20
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_tokens_expire_on_the_emulator_clock(controlled: RunningAkountify, capi: Api) -> None:
    assert capi.get("/customers").status_code == 200
    controlled.set_clock(advance_seconds=TTL - 1)
    assert capi.get("/customers").status_code == 200
    controlled.set_clock(advance_seconds=2)
    body = error(capi.get("/customers"), 401, "unauthorized")
    assert "expired" in body["message"]
    fresh = Api(controlled, capi.creds, capi.contract)
    assert fresh.get("/customers").status_code == 200


def test_requests_per_minute_window(controlled: RunningAkountify, capi: Api) -> None:
    controlled.set_clock(frozen=True)
    cid = capi.creds.company_id
    controlled.set_limits(company_id=cid, requests_per_minute=3)
    remaining = []
    for _ in range(3):
        response = capi.get("/customers")
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "3"
        remaining.append(response.headers["X-RateLimit-Remaining"])
        assert 1 <= int(response.headers["X-RateLimit-Reset"]) <= 60
    assert remaining == ["2", "1", "0"]
    refused = capi.get("/customers")
    error(refused, 429, "rate_limited")
    assert refused.headers["Retry-After"] == refused.headers["X-RateLimit-Reset"]
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    controlled.set_clock(advance_seconds=TTL - 1)
    error(capi.get("/customers"), 429, "rate_limited")  # the window is 60 s long
    controlled.set_clock(advance_seconds=1)
    capi = Api(controlled, capi.creds, capi.contract)  # the old token expired with the window
    again = capi.get("/customers")
    assert again.status_code == 200
    assert again.headers["X-RateLimit-Remaining"] == "2"
    controlled.set_limits(company_id=cid, reset=True)
    assert capi.get("/customers").headers["X-RateLimit-Limit"] == "60"


def test_unauthenticated_endpoints_report_the_defaults(controlled: RunningAkountify) -> None:
    health = controlled.session().get(f"{controlled.base_url}/health", timeout=5)
    assert health.headers["X-RateLimit-Limit"] == "60"
    assert health.headers["X-RateLimit-Remaining"] == "60"
    limits = controlled.limits()
    assert limits["default"] == {"requests_per_minute": 60, "concurrent_requests": 5}


def test_concurrent_requests_limit(controlled: RunningAkountify, capi: Api) -> None:
    cid = capi.creds.company_id
    controlled.set_limits(company_id=cid, concurrent_requests=2)
    controlled.set_faults(hold_requests=True)
    statuses: list[int] = []
    workers = [
        threading.Thread(target=lambda: statuses.append(capi.get("/customers").status_code))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    wait_until(
        lambda: controlled.limits()["usage"].get(cid, {}).get("in_flight") == 2, "2 in flight"
    )
    third = capi.get("/customers")
    body = error(third, 429, "rate_limited")
    assert "in flight" in body["message"]
    assert third.headers["Retry-After"] == "1"
    controlled.set_faults(hold_requests=False)
    for worker in workers:
        worker.join(timeout=20)
    assert statuses == [200, 200]
    assert controlled.limits()["usage"][cid]["in_flight"] == 0
    assert capi.get("/customers").status_code == 200


def test_idempotency_keys_expire_after_24_hours(controlled: RunningAkountify, capi: Api) -> None:
    key = {"Idempotency-Key": "daily-1"}
    first = capi.post("/customers", json={"display_name": "Day one"}, headers=key)
    controlled.set_clock(advance_seconds=24 * 3600 - 10)
    fresh = Api(controlled, capi.creds, capi.contract)
    assert (
        fresh.post("/customers", json={"display_name": "Day one"}, headers=key).json()
        == first.json()
    )
    controlled.set_clock(advance_seconds=20)
    fresh = Api(controlled, capi.creds, capi.contract)
    later = fresh.post("/customers", json={"display_name": "Day two"}, headers=key)
    assert later.status_code == 201
    assert "Idempotent-Replayed" not in later.headers
    assert len(fresh.get("/customers").json()["data"]) == 2


def test_body_limit(capi: Api) -> None:
    padding = "x" * (BODY_LIMIT - len('{"display_name":"A","notes":""}'))
    fits = capi.upsert("customers", "C-1", {"display_name": "A", "notes": padding[:4000]})
    assert fits.status_code == 201
    body = f'{{"display_name":"A","notes":"{padding}x"}}'.encode()
    assert len(body) == BODY_LIMIT + 1
    found = error(
        capi.put(
            "/customers/by-external-id/C-2", data=body, headers={"Content-Type": "application/json"}
        ),
        413,
        "payload_too_large",
    )
    assert detail(found, "body")["limit"] == BODY_LIMIT
    exact = body[:-3] + b'"}'
    assert len(exact) == BODY_LIMIT
    not_too_large = capi.put(
        "/customers/by-external-id/C-2", data=exact, headers={"Content-Type": "application/json"}
    )
    assert not_too_large.status_code == 422  # notes too long, but the body was read

    def chunks() -> Iterator[bytes]:
        yield b'{"display_name":"A","notes":"'
        for _ in range(30):
            yield b"y" * 1000
        yield b'"}'

    # a streamed (chunked) body is counted while it is read; openapi-core cannot replay a
    # generator body, so this one request goes around the contract hook
    plain = requests.Session()
    plain.headers["Authorization"] = str(capi.session.headers["Authorization"])
    streamed = plain.put(
        capi.url("/customers/by-external-id/C-3"),
        data=chunks(),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    error(streamed, 413, "payload_too_large")


def test_default_body_limit_is_3_5_mib(api: Api) -> None:
    limit = 3_670_016
    head = b'{"operations":[],"pad":"'
    body = head + b"p" * (limit + 1 - len(head) - 2) + b'"}'
    assert len(body) == limit + 1
    error(
        api.post("/batch", data=body, headers={"Content-Type": "application/json"}),
        413,
        "payload_too_large",
    )
    exact = body[:-3] + b'"}'
    error(
        api.post("/batch", data=exact, headers={"Content-Type": "application/json"}),
        422,
        "validation_failed",
    )


def test_admin_settings_are_validated(controlled: RunningAkountify) -> None:
    session = controlled.session()
    session.headers["Authorization"] = f"Bearer {controlled.admin_token}"
    base = f"{controlled.base_url}/_admin"
    body = error(
        session.put(f"{base}/limits", json={"requests_per_minute": -1, "burst": 2}, timeout=5),
        422,
        "validation_failed",
    )
    assert detail(body, "requests_per_minute")["code"] == "invalid_value"
    assert detail(body, "burst")["code"] == "unknown_field"
    body = error(
        session.put(f"{base}/clock", json={"frozen": "yes", "warp": 1}, timeout=5),
        422,
        "validation_failed",
    )
    assert detail(body, "frozen")["code"] == "invalid_format"
    assert detail(body, "warp")["code"] == "unknown_field"
    error(
        session.put(
            f"{base}/limits", data=b"[", headers={"Content-Type": "application/json"}, timeout=5
        ),
        400,
        "bad_request",
    )
    assert session.get(f"{base}/limits", timeout=5).json()["default"]["requests_per_minute"] == 60
    assert session.get(f"{base}/clock", timeout=5).json()["frozen"] is False


@pytest.mark.parametrize(
    ("sent", "rendered"),
    [
        ("0013-10-01T00:00:01Z", "0013-10-01T00:00:01.000000Z"),
        ("0999-01-02T03:04:05.5+00:00", "0999-01-02T03:04:05.500000Z"),
        ("2026-03-01T10:30:00.000001+01:00", "2026-03-01T09:30:00.000001Z"),
        ("9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z"),
    ],
)
def test_timestamps_render_with_four_digit_years_and_microseconds(sent: str, rendered: str) -> None:
    assert rfc3339(parse_rfc3339(sent)) == rendered
