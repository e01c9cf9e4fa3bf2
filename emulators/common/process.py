"""Start an emulator as a child process on a free loopback port and stop it again.

Tests, the demo and the benchmarks all use this: the emulator runs as a real HTTP server in its
own process, exactly as a user would start it, and the caller gets its base URL once it answers.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Self

import requests

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path
    from types import TracebackType


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port on ``host`` that is free at the time of the call.

    Args:
        host: The interface to bind.

    Returns:
        A port number the operating system had free.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class EmulatorStartError(RuntimeError):
    """The emulator process exited or did not answer in time."""


@dataclass
class EmulatorProcess:
    """A running emulator child process.

    Attributes:
        command: The full command line (the Python module form, so no console script is needed).
        ready_url: A URL that answers (any HTTP status below 500) once the server is up.
        log_path: File that receives the child's stdout and stderr.
        env: Extra environment variables for the child.
        verify: ``requests`` ``verify`` argument for the readiness probe (a CA file for HTTPS).
        start_timeout: Seconds to wait for readiness.
    """

    command: Sequence[str]
    ready_url: str
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    verify: bool | str = True
    start_timeout: float = 30.0
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    def start(self) -> Self:
        """Start the child process and wait until ``ready_url`` answers.

        Returns:
            This object, started.

        Raises:
            EmulatorStartError: If the process dies or does not answer within the timeout.
        """
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.env}
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                list(self.command),
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        deadline = time.monotonic() + self.start_timeout
        # Probes ask for "Connection: close": a probe connection left open would make the
        # server wait for it (up to its keep-alive timeout) when it is asked to stop.
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise EmulatorStartError(
                    f"emulator exited with code {self._process.returncode}; "
                    f"see {self.log_path}:\n{self._tail()}"
                )
            with contextlib.suppress(requests.RequestException), requests.Session() as session:
                session.trust_env = False
                response = session.get(
                    self.ready_url,
                    timeout=2,
                    verify=self.verify,
                    headers={"Connection": "close"},
                )
                if response.status_code < 500:  # noqa: PLR2004
                    return self
            time.sleep(0.1)
        self.stop()
        raise EmulatorStartError(
            f"emulator did not answer at {self.ready_url} within {self.start_timeout:.0f}s; "
            f"see {self.log_path}:\n{self._tail()}"
        )

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the child process: SIGTERM, then SIGKILL after ``timeout`` seconds."""
        process = self._process
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=timeout)

    @property
    def pid(self) -> int | None:
        """The child's process id, or None before start."""
        return None if self._process is None else self._process.pid

    def _tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> Self:
        """Start the emulator when entering a ``with`` block."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the emulator when leaving a ``with`` block."""
        self.stop()


def python_module_command(module: str, *args: str) -> list[str]:
    """Return the argv that runs ``python -m module args`` with the current interpreter."""
    return [sys.executable, "-m", module, *args]
