"""Run both emulators in the background for the main job: start, reuse, stop, report status.

An emulator started here keeps running after the command that started it has finished (it is
the leader of its own process session), so a second run of the main job finds it and reuses
it. ``pipeline.json`` remembers each one's port, URL and process id; a port is kept from one
start to the next so the URLs written into ``.env`` stay valid.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import requests

from emulators.common.process import EmulatorProcess, free_port, python_module_command

if TYPE_CHECKING:
    from pathlib import Path

    from pipeline_files import ProjectPaths

logger = logging.getLogger(__name__)

SALESFORCE = "salesforce"
AKOUNTIFY = "akountify"
PREFERRED_PORTS = {SALESFORCE: 8443, AKOUNTIFY: 8300}
STOP_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class EmulatorInfo:
    """Where one emulator runs.

    Attributes:
        name: ``salesforce`` or ``akountify``.
        port: Its TCP port on 127.0.0.1.
        url: Its base URL (Salesforce: the instance URL; Akountify: ``…/v1``).
        health_url: The readiness URL (no credentials needed).
        pid: The server's process id (also its process group id).
        ca_file: The CA file clients must trust (Salesforce only).
    """

    name: str
    port: int
    url: str
    health_url: str
    pid: int
    ca_file: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The form kept in ``pipeline.json``."""
        return {
            "port": self.port,
            "url": self.url,
            "health_url": self.health_url,
            "pid": self.pid,
            "ca_file": self.ca_file,
        }

    @classmethod
    def from_json(cls, name: str, body: dict[str, Any]) -> EmulatorInfo:
        """Read the form kept in ``pipeline.json``."""
        return cls(
            name, body["port"], body["url"], body["health_url"], body["pid"], body.get("ca_file")
        )


def answers(info: EmulatorInfo) -> bool:
    """True when the emulator's readiness URL answers."""
    verify: bool | str = info.ca_file or True
    with requests.Session() as session:
        session.trust_env = False
        try:
            response = session.get(
                info.health_url, timeout=3, verify=verify, headers={"Connection": "close"}
            )
        except requests.RequestException:
            return False
    return response.status_code < 500


def process_alive(pid: int) -> bool:
    """True when a process with this id exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_ours(info: EmulatorInfo, data_dir: Path) -> bool:
    """True when ``info.pid`` is still this emulator serving ``data_dir`` (not a reused pid)."""
    if not process_alive(info.pid):
        return False
    completed = subprocess.run(
        ["ps", "-ww", "-p", str(info.pid), "-o", "command="],  # -ww: never cut the line
        capture_output=True,
        text=True,
        check=False,
    )
    command = completed.stdout
    return f"emulators.{info.name}" in command and str(data_dir) in command


def running(name: str, data_dir: Path, recorded: dict[str, Any] | None) -> EmulatorInfo | None:
    """The recorded emulator if it is still ours and answering, else None."""
    if not recorded:
        return None
    info = EmulatorInfo.from_json(name, recorded)
    if is_ours(info, data_dir) and answers(info):
        return info
    return None


def _port(name: str, recorded: dict[str, Any] | None) -> int:
    """The port used last time, else the preferred one, else any free one (if taken)."""
    for candidate in ((recorded or {}).get("port"), PREFERRED_PORTS[name]):
        if candidate and _port_free(int(candidate)):
            return int(candidate)
    return free_port()


def _port_free(port: int) -> bool:
    import socket  # noqa: PLC0415 - only needed here

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start_salesforce(paths: ProjectPaths, recorded: dict[str, Any] | None) -> EmulatorInfo:
    """Start the Salesforce emulator in the background on its data folder; wait until it answers.

    The admin token is generated into ``<data folder>/admin-token`` by the emulator itself.
    """
    from emulators.salesforce.tls import ensure_tls_files  # noqa: PLC0415 - slow import

    data_dir = paths.salesforce_dir
    files = ensure_tls_files(data_dir)
    port = _port(SALESFORCE, recorded)
    url = f"https://127.0.0.1:{port}"
    command = python_module_command(
        "emulators.salesforce", "serve", "--data-dir", str(data_dir), "--port", str(port)
    )
    process = EmulatorProcess(
        command=command,
        ready_url=f"{url}/_emulator/health",
        log_path=data_dir / "server.log",
        env={"PYTHONUNBUFFERED": "1"},
        verify=str(files.ca_file),
        start_timeout=60,
    ).start()
    pid = _pid(process)
    return EmulatorInfo(
        SALESFORCE, port, url, f"{url}/_emulator/health", pid, str(files.ca_file.resolve())
    )


def start_akountify(paths: ProjectPaths, recorded: dict[str, Any] | None) -> EmulatorInfo:
    """Start the Akountify emulator in the background on its data folder; wait until it answers.

    Its admin token is generated here, passed in the environment (never the argv) and kept by
    the emulator in ``<data folder>/admin-token``. Rate limits stay at Akountify's defaults
    (60 requests a minute, 5 at once), as in production, so the demo shows the target pacing.
    """
    from emulators.akountify.launcher import ADMIN_TOKEN_VARIABLE, serve_command  # noqa: PLC0415

    data_dir = paths.akountify_dir
    port = _port(AKOUNTIFY, recorded)
    url = f"http://127.0.0.1:{port}/v1"
    process = EmulatorProcess(
        command=serve_command(data_dir, port, "--no-access-log"),
        ready_url=f"{url}/health",
        log_path=data_dir / "server.log",
        env={"PYTHONUNBUFFERED": "1", ADMIN_TOKEN_VARIABLE: secrets.token_urlsafe(24)},
    ).start()
    return EmulatorInfo(AKOUNTIFY, port, url, f"{url}/health", _pid(process))


def _pid(process: EmulatorProcess) -> int:
    if process.pid is None:  # pragma: no cover - start() either sets it or raises
        raise RuntimeError("the emulator process has no id")
    return process.pid


def stop(info: EmulatorInfo, data_dir: Path) -> bool:
    """Stop an emulator started by the main job; return False when it was not running.

    Only a process that is still this emulator on this data folder is signalled: SIGTERM to
    its process group, then SIGKILL if it has not exited after a while.
    """
    if not is_ours(info, data_dir):
        return False
    with contextlib.suppress(ProcessLookupError):
        os.killpg(info.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if not process_alive(info.pid) or _reaped(info.pid):
            return True
        time.sleep(0.1)
    logger.warning("%s emulator (pid %s) ignored SIGTERM; killing it", info.name, info.pid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(info.pid, signal.SIGKILL)
    return True


def _reaped(pid: int) -> bool:
    """Reap ``pid`` if it is our exited child (a zombie); True when it is gone."""
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return reaped == pid
