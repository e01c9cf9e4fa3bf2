"""Scenario 7: the target is killed in the middle of a run; the rerun ends with exactly the
expected data, nothing duplicated, nothing missing."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from typing import TYPE_CHECKING

from .checks import compare

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Callable, Iterator

    from emulators.akountify.launcher import RunningAkountify

    from .conftest import Books, Org
    from .harness import MeltanoProject

WAIT_SECONDS = 300


@contextlib.contextmanager
def slow_akountify(akountify: RunningAkountify) -> Iterator[None]:
    """Every request takes a while, so that the run is surely still writing when it is killed."""
    akountify.set_faults(latency_ms=200, latency_rate=1.0)
    try:
        yield
    finally:
        akountify.set_faults(latency_ms=0)


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Poll ``condition`` until it holds (no timing is asserted; the deadline only ends hangs)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


@contextlib.contextmanager
def ended_at_exit(run: subprocess.Popen[str]) -> Iterator[subprocess.Popen[str]]:
    """End the run's whole process group if the test leaves early."""
    try:
        yield run
    finally:
        if run.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(run.pid, signal.SIGKILL)
        run.wait(timeout=WAIT_SECONDS)


def test_rerun_after_the_target_is_killed_mid_run_ends_with_exactly_the_expected_data(
    project: MeltanoProject, org: Org, books: Books, akountify: RunningAkountify
) -> None:
    session = books.session()  # one token for all the polling below
    landed = books.url("/customers")

    def customers_landed() -> int:
        return len(session.get(landed, params={"limit": 200}, timeout=60).json()["data"])

    # Small batches one at a time: the target writes for many seconds, customers first.
    slow_writes = {
        "TARGET_AKOUNTIFY_BATCH_OPERATIONS": "5",
        "TARGET_AKOUNTIFY_MAX_CONCURRENCY": "1",
    }
    with slow_akountify(akountify), ended_at_exit(project.start_run(env=slow_writes)) as run:
        wait_for(lambda: customers_landed() >= 50, "the first customers to land")
        targets = project.plugin_processes(run, "target-akountify")
        assert targets, "the target's process was not found"
        for pid in targets:
            os.kill(pid, signal.SIGKILL)
        assert run.wait(timeout=WAIT_SECONDS) != 0
    partial = books.by_external_id("customers")
    assert 50 <= len(partial) < len(org.accounts()), len(partial)
    assert not books.all("sync-runs"), "the killed run posted a sync run"

    project.run()

    verdict = compare(org, books, project)
    verdict.assert_clean()  # every record exactly once with its values, or rejected
    assert len(books.all("customers")) == verdict.landed["customers"]
    assert len(books.all("contacts")) == verdict.landed["contacts"]
    assert len(books.all("invoices")) == verdict.landed["invoices"]
    assert set(partial) <= set(books.by_external_id("customers"))
