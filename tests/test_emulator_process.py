"""The child-process launcher that tests, the demo and the benchmarks use for the emulators."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import pytest
import requests

from emulators.common.process import EmulatorProcess, EmulatorStartError, free_port

if TYPE_CHECKING:
    from pathlib import Path


def test_starts_answers_and_stops(tmp_path: Path) -> None:
    port = free_port()
    (tmp_path / "hello.txt").write_text("hi")
    process = EmulatorProcess(
        command=[
            sys.executable,
            "-m",
            "http.server",
            str(port),
            "--bind",
            "127.0.0.1",
            "--directory",
            str(tmp_path),
        ],
        ready_url=f"http://127.0.0.1:{port}/hello.txt",
        log_path=tmp_path / "server.log",
        env={"PYTHONUNBUFFERED": "1"},
    )
    with process:
        assert process.pid is not None
        assert requests.get(f"http://127.0.0.1:{port}/hello.txt", timeout=5).text == "hi"
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/hello.txt", timeout=2)


def test_reports_a_child_that_exits(tmp_path: Path) -> None:
    process = EmulatorProcess(
        command=[sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"],
        ready_url=f"http://127.0.0.1:{free_port()}/",
        log_path=tmp_path / "server.log",
    )
    with pytest.raises(EmulatorStartError, match="exited with code 3"):
        process.start()
