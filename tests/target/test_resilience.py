"""STATE only after writes, crashes, injected faults, rate limits and concurrency, over HTTP."""

from __future__ import annotations

import contextlib
import io
import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from target_akountify.client import AkountifyClient, AkountifyUnavailableError, ClientOptions
from target_akountify.target import TargetAkountify

from .conftest import (
    NO_FAULTS,
    Api,
    record_message,
    run_target,
    schema_message,
    singer_lines,
    state_message,
)
from .schemas import ACCOUNT_SCHEMA
from .test_sync import account

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from emulators.akountify.launcher import CompanyCredentials, RunningAkountify

Config = dict[str, Any]


class ScriptedInput(io.StringIO):
    """Singer input that runs a callback when a given line is about to be read."""

    def __init__(self, lines: list[str], hooks: dict[int, Callable[[], object]]) -> None:
        super().__init__("".join(lines))
        self._lines = lines
        self._hooks = hooks

    def __iter__(self) -> Iterator[str]:  # type: ignore[override]
        for number, line in enumerate(self._lines):
            hook = self._hooks.get(number)
            if hook is not None:
                hook()
            yield line


def test_state_is_emitted_only_after_the_records_before_it_are_written(
    target_config: Config, api: Api, akountify: RunningAkountify
) -> None:
    target_config.update(state_interval_minutes=0, max_retries=2)
    lines = [
        singer_lines(schema_message("Account", ACCOUNT_SCHEMA)),
        singer_lines(record_message("Account", account(1))),
        singer_lines(state_message({"n": 1})),
        singer_lines(record_message("Account", account(2))),
        singer_lines(state_message({"n": 2})),
        singer_lines(record_message("Account", account(3))),
        singer_lines(state_message({"n": 3})),
    ]
    outage: dict[int, Callable[[], object]] = {
        5: lambda: akountify.set_faults(error_rate=1.0, retry_after=0)
    }
    stdout = io.StringIO()
    target = TargetAkountify(config=target_config)
    with (
        pytest.raises(AkountifyUnavailableError, match="after 2 attempts"),
        contextlib.redirect_stdout(stdout),
    ):
        target.listen(ScriptedInput(lines, outage))
    states = [json.loads(line) for line in stdout.getvalue().splitlines()]
    akountify.set_faults(**NO_FAULTS)
    assert set(api.by_external_id("customers")) == {"0010001", "0010002"}
    # STATE n=2 covers account 2, which was written, but it was read after the last full drain:
    # only n=1 was acknowledged; nothing about account 3 (never written) was.
    assert states == [{"n": 1}]
    report = json.loads(Path(target_config["report_path"]).read_text())
    assert report["status"] == "failed"
    assert "Akountify kept failing" in report["error"]


def test_every_record_lands_once_despite_errors_drops_and_429s(
    target_config: Config, api: Api, akountify: RunningAkountify
) -> None:
    akountify.set_faults(
        seed=7,
        error_rate=0.2,
        burst_rate=0.1,
        burst_length=2,
        drop_rate=0.1,
        drop_after_write_rate=0.2,
        retry_after=0,
    )
    target_config.update(max_retries=12, batch_operations=20)
    records = [account(n) for n in range(1, 121)]
    text = singer_lines(
        schema_message("Account", ACCOUNT_SCHEMA),
        *(record_message("Account", r) for r in records),
        state_message({"done": True}),
    )
    result = run_target(target_config, text)
    akountify.set_faults(**NO_FAULTS)
    customers = api.records("customers")
    assert len(customers) == 120
    assert len({c["external_id"] for c in customers}) == 120
    assert all(c["version"] == 1 for c in customers)  # nothing applied twice
    assert result.counts("Account")["created"] == 120
    assert result.report["api_calls"]["retries"] > 0
    assert result.states == [{"done": True}]


def test_concurrency_stays_within_the_company_limit(
    target_config: Config, api: Api, akountify: RunningAkountify, company: CompanyCredentials
) -> None:
    akountify.set_limits(company_id=company.company_id, concurrent_requests=2)
    target_config.update(max_concurrency=2, batch_operations=10)
    text = singer_lines(
        schema_message("Account", ACCOUNT_SCHEMA),
        *(record_message("Account", account(n)) for n in range(1, 301)),
    )
    result = run_target(target_config, text)
    assert len(api.records("customers")) == 300
    assert result.report["api_calls"].get("rate_limited", 0) == 0
    assert result.report["api_calls"]["write"] == 30  # full batches of 10
    # 100 external ids per read, plus one page of hand-typed customers for matching
    assert result.report["api_calls"]["read"] == 4


class EmulatorTime:
    """A fake client clock whose sleeps advance the (frozen) emulator clock too."""

    def __init__(self, akountify: RunningAkountify) -> None:
        self.akountify = akountify
        self.now = 1000.0
        self.slept = 0.0
        self._lock = threading.Lock()

    def clock(self) -> float:
        return self.now

    def client(self, company: CompanyCredentials) -> AkountifyClient:
        """A sequential client of the company that lives on this clock."""
        return AkountifyClient(
            self.akountify.base_url,
            company.client_id,
            company.client_secret,
            options=ClientOptions(max_concurrency=1, max_retries=3),
            sleep=self.sleep,
            clock=self.clock,
        )

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds
            self.slept += seconds
        self.akountify.set_clock(advance_seconds=seconds)


@pytest.fixture
def frozen_time(akountify: RunningAkountify) -> Iterator[EmulatorTime]:
    akountify.set_clock(frozen=True)
    yield EmulatorTime(akountify)
    akountify.set_clock(frozen=False, offset_seconds=0)


def test_pacing_uses_the_whole_rate_without_429(
    akountify: RunningAkountify, company: CompanyCredentials, frozen_time: EmulatorTime
) -> None:
    akountify.set_limits(company_id=company.company_id, requests_per_minute=20)
    client = frozen_time.client(company)
    requests_made = 65
    for _ in range(requests_made):
        client.list_by_external_ids("customers", ["x"])
    assert client.calls["rate_limited"] == 0
    windows = frozen_time.slept / 60
    # 65 requests at 20 a minute need 3 full windows of waiting; each wait ends one margin
    # second after the server's reset, so the whole allowed rate is used.
    assert 3.0 <= windows <= 3.1
    assert requests_made / ((windows + 1) * 20) >= 0.8


def test_a_429_from_another_client_is_honoured(
    akountify: RunningAkountify, company: CompanyCredentials, frozen_time: EmulatorTime
) -> None:
    akountify.set_limits(company_id=company.company_id, requests_per_minute=5)
    other = akountify.client_session(company)
    for _ in range(5):  # another integration spends the whole window
        other.get(f"{akountify.company_url(company)}/customers", timeout=30)
    client = frozen_time.client(company)
    assert client.list_by_external_ids("customers", ["x"]) == []
    assert client.calls["rate_limited"] == 1
    assert frozen_time.slept >= 1  # waited Retry-After, not a blind retry


def test_bad_credentials_fail_clearly_without_the_secret(target_config: Config, api: Api) -> None:
    target_config["client_secret"] = "cs_wrong_secret_value_123"
    with pytest.raises(Exception, match="refused the client credentials") as caught:
        run_target(target_config, singer_lines(schema_message("Account", ACCOUNT_SCHEMA)))
    assert "cs_wrong_secret_value_123" not in str(caught.value)
