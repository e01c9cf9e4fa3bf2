"""Fixtures for target-akountify tests: a real Akountify emulator and an in-process target run."""

from __future__ import annotations

import contextlib
import io
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from emulators.akountify.launcher import (
    CompanyCredentials,
    RunningAkountify,
    start_akountify_emulator,
)
from target_akountify.target import TargetAkountify

if TYPE_CHECKING:
    from collections.abc import Iterator

    import requests


@pytest.fixture(scope="session")
def akountify(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAkountify]:
    """One emulator for the session; every test uses its own company (limits off by default)."""
    data_dir = tmp_path_factory.mktemp("akountify")
    with start_akountify_emulator(data_dir, "--no-rate-limits") as running:
        yield running


@pytest.fixture
def company(akountify: RunningAkountify) -> CompanyCredentials:
    """A fresh company with both rate limits off."""
    creds = akountify.create_company("Target Test Books")
    akountify.set_limits(company_id=creds.company_id, requests_per_minute=0, concurrent_requests=0)
    return creds


NO_FAULTS: dict[str, Any] = {
    "error_rate": 0.0,
    "burst_rate": 0.0,
    "latency_ms": 0,
    "drop_rate": 0.0,
    "drop_after_write_rate": 0.0,
    "hold_requests": False,
}


@pytest.fixture(autouse=True)
def _no_faults(akountify: RunningAkountify) -> Iterator[None]:
    """Every test starts and ends with fault injection off."""
    akountify.set_faults(**NO_FAULTS)
    yield
    akountify.set_faults(**NO_FAULTS)


@dataclass
class Api:
    """Reads and hand-edits in the emulator, as a person or another client would."""

    akountify: RunningAkountify
    creds: CompanyCredentials

    def session(self, *, as_user: bool = False) -> requests.Session:
        return self.akountify.client_session(self.creds, as_user=as_user)

    def url(self, suffix: str) -> str:
        return f"{self.akountify.company_url(self.creds)}{suffix}"

    def records(self, entity: str, **params: Any) -> list[dict[str, Any]]:
        session = self.session()
        records: list[dict[str, Any]] = []
        cursor = None
        while True:
            query = {"limit": 200, **params, **({"cursor": cursor} if cursor else {})}
            body = session.get(self.url(f"/{entity}"), params=query, timeout=30).json()
            records.extend(body["data"])
            cursor = body["next_cursor"]
            if not body["has_more"]:
                return records

    def by_external_id(self, entity: str) -> dict[str, dict[str, Any]]:
        return {r["external_id"]: r for r in self.records(entity) if r["external_id"]}

    def create_by_hand(self, entity: str, data: dict[str, Any]) -> dict[str, Any]:
        response = self.session(as_user=True).post(self.url(f"/{entity}"), json=data, timeout=30)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def edit_by_hand(self, entity: str, record_id: str, data: dict[str, Any]) -> dict[str, Any]:
        response = self.session(as_user=True).patch(
            self.url(f"/{entity}/{record_id}"), json=data, timeout=30
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    def archive_by_hand(self, entity: str, record_id: str) -> dict[str, Any]:
        response = self.session(as_user=True).post(
            self.url(f"/{entity}/{record_id}/archive"), timeout=30
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    def sync_runs(self) -> list[dict[str, Any]]:
        body = self.session().get(self.url("/sync-runs"), timeout=30).json()
        return list(body["data"])


@pytest.fixture
def api(akountify: RunningAkountify, company: CompanyCredentials) -> Api:
    return Api(akountify, company)


@dataclass
class RunResult:
    """What one target run left behind."""

    states: list[dict[str, Any]]
    report: dict[str, Any]
    log: str

    def totals(self) -> dict[str, int]:
        return dict(self.report["totals"])

    def counts(self, stream: str) -> dict[str, Any]:
        for row in self.report["streams"]:
            if row["stream"] == stream:
                return dict(row)
        raise KeyError(stream)


def singer_lines(*messages: dict[str, Any]) -> str:
    return "".join(json.dumps(m) + "\n" for m in messages)


def schema_message(
    stream: str, schema: dict[str, Any], key_properties: list[str] | None = None
) -> dict[str, Any]:
    return {
        "type": "SCHEMA",
        "stream": stream,
        "schema": schema,
        "key_properties": ["Id"] if key_properties is None else key_properties,
    }


def record_message(stream: str, record: dict[str, Any]) -> dict[str, Any]:
    return {"type": "RECORD", "stream": stream, "record": record}


def state_message(value: dict[str, Any]) -> dict[str, Any]:
    return {"type": "STATE", "value": value}


@pytest.fixture
def target_config(
    akountify: RunningAkountify, company: CompanyCredentials, tmp_path: Path
) -> dict[str, Any]:
    """A config pointing at the test company, with tiny backoff waits and local output paths."""
    return {
        "base_url": akountify.base_url,
        "client_id": company.client_id,
        "client_secret": company.client_secret,
        "rejected_store_path": str(tmp_path / "rejected"),
        "report_path": str(tmp_path / "report.json"),
        "backoff_base_seconds": 0.001,
        "backoff_max_seconds": 0.01,
        "request_timeout_seconds": 30,
    }


def run_target(config: dict[str, Any], text: str) -> RunResult:
    """Run the target in-process on Singer text; return STATE lines, the report and the log."""
    stdout = io.StringIO()
    log_stream = io.StringIO()
    handler = logging.StreamHandler(log_stream)
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with contextlib.redirect_stdout(stdout):
            target = TargetAkountify(config=config)
            target.listen(io.StringIO(text))
    finally:
        root.removeHandler(handler)
    states = [json.loads(line) for line in stdout.getvalue().splitlines() if line.strip()]
    report_path = Path(config["report_path"])
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    return RunResult(states, report, log_stream.getvalue())
