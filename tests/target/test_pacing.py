"""The rate pacer on a fake clock: budget, window reset, 429 blocks, unknown limits."""

from __future__ import annotations

from target_akountify.client import idempotency_key
from target_akountify.pacing import RatePacer


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def headers(limit: int, remaining: int, reset: int) -> dict[str, str]:
    return {
        "x-ratelimit-limit": str(limit),
        "x-ratelimit-remaining": str(remaining),
        "x-ratelimit-reset": str(reset),
    }


def test_requests_flow_until_the_window_is_spent_then_wait_for_its_reset() -> None:
    time = FakeTime()
    pacer = RatePacer(clock=time.clock, sleep=time.sleep)
    pacer.acquire()
    pacer.release(headers(3, 2, 60))
    pacer.acquire()
    pacer.release(headers(3, 1, 60))
    pacer.acquire()
    pacer.release(headers(3, 0, 60))
    assert time.sleeps == []
    pacer.acquire()  # the fourth waits for the reset plus the margin
    assert time.sleeps == [61.0]
    pacer.release(headers(3, 2, 60))
    assert pacer.limit == 3


def test_requests_in_flight_count_against_the_budget() -> None:
    time = FakeTime()
    pacer = RatePacer(clock=time.clock, sleep=time.sleep)
    pacer.acquire()
    pacer.release(headers(4, 3, 30))
    pacer.acquire()
    pacer.acquire()  # two in flight; the server still said 3 left before they arrived
    pacer.acquire()
    pacer.release(headers(4, 2, 30))  # answer of the second: two others still in flight
    pacer.release(headers(4, 1, 30))
    pacer.release(headers(4, 0, 30))
    pacer.acquire()
    assert time.sleeps == [31.0]


def test_a_429_blocks_every_caller_for_retry_after() -> None:
    time = FakeTime()
    pacer = RatePacer(clock=time.clock, sleep=time.sleep)
    pacer.acquire()
    pacer.release(headers(0, 0, 0))  # limits off on the server
    pacer.block(7)
    pacer.acquire()
    assert time.sleeps == [7.0]


def test_a_failed_attempt_without_headers_never_stalls_the_pacer() -> None:
    time = FakeTime()
    pacer = RatePacer(clock=time.clock, sleep=time.sleep)
    pacer.block(0)
    for _ in range(5):
        pacer.acquire()
        pacer.release(None)
    assert time.sleeps == []


def test_idempotency_keys_follow_the_content_and_the_salt() -> None:
    key = idempotency_key("POST", "/companies/c/batch", b'{"a":1}', "run:1")
    assert key == idempotency_key("POST", "/companies/c/batch", b'{"a":1}', "run:1")
    assert key != idempotency_key("POST", "/companies/c/batch", b'{"a":2}', "run:1")
    assert key != idempotency_key("POST", "/companies/c/batch", b'{"a":1}', "run:2")
    assert len(key) <= 128
