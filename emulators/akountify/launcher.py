"""Start the Akountify emulator as a child process for tests, the demo and benchmarks.

with start_akountify_emulator(tmp_path, "--no-rate-limits") as akountify:
    creds = akountify.create_company("Acme Books")
    session = akountify.client_session(creds)
    session.get(f"{akountify.base_url}/companies/{creds.company_id}/customers")
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

from emulators.common.process import EmulatorProcess, free_port, python_module_command

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


@dataclass(frozen=True)
class CompanyCredentials:
    """Everything needed to act as a company: its API client and its user."""

    company_id: str
    client_id: str
    client_secret: str
    username: str
    password: str

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> CompanyCredentials:
        """Build from the admin endpoint's answer (``POST /v1/_admin/companies``)."""
        return cls(
            body["company_id"],
            body["client_id"],
            body["client_secret"],
            body["user"]["username"],
            body["user"]["password"],
        )


@dataclass
class RunningAkountify:
    """A running emulator and helpers to drive it.

    Attributes:
        base_url: ``http://127.0.0.1:PORT/v1``.
        admin_token: Bearer token of the admin endpoints.
        data_dir: The emulator's data folder.
        process: The child process (None when attached to a server started elsewhere).
        response_hooks: ``requests`` response hooks given to every session these helpers open
            (tests add a contract check here).
    """

    base_url: str
    admin_token: str
    data_dir: Path
    process: EmulatorProcess | None = None
    response_hooks: list[Callable[..., Any]] = field(default_factory=list)

    def session(self) -> requests.Session:
        """A plain ``requests`` session (no proxies from the environment) with the hooks."""
        session = requests.Session()
        session.trust_env = False
        session.hooks["response"].extend(self.response_hooks)
        return session

    def _admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.session().request(
            method,
            f"{self.base_url}/_admin/{path}",
            json=body,
            headers={"Authorization": f"Bearer {self.admin_token}"},
            timeout=30,
        )
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def create_company(self, name: str) -> CompanyCredentials:
        """Create a company (``POST /v1/_admin/companies``) and return its credentials."""
        return CompanyCredentials.from_json(self._admin("POST", "companies", {"name": name}))

    def add_api_client(self, company_id: str, name: str = "Second integration") -> tuple[str, str]:
        """Add an API client to a company; return its id and secret."""
        body = self._admin("POST", f"companies/{company_id}/clients", {"name": name})
        return body["client_id"], body["client_secret"]

    def set_faults(self, **faults: Any) -> dict[str, Any]:
        """Change fault injection (``PUT /v1/_admin/faults``); returns the new settings."""
        return self._admin("PUT", "faults", faults)

    def set_limits(self, **limits: Any) -> dict[str, Any]:
        """Change rate limits (``PUT /v1/_admin/limits``; ``company_id=`` for one company)."""
        return self._admin("PUT", "limits", limits)

    def limits(self) -> dict[str, Any]:
        """Limits in force and usage per company (``GET /v1/_admin/limits``)."""
        return self._admin("GET", "limits")

    def set_clock(self, **clock: Any) -> dict[str, Any]:
        """Move or freeze the clock (``offset_seconds``, ``advance_seconds``, ``frozen``)."""
        return self._admin("PUT", "clock", clock)

    def token(self, creds: CompanyCredentials, *, as_user: bool = False) -> str:
        """An access token for the company's API client (or its user)."""
        form = (
            {"grant_type": "password", "username": creds.username, "password": creds.password}
            if as_user
            else {
                "grant_type": "client_credentials",
                "client_id": creds.client_id,
                "client_secret": creds.client_secret,
            }
        )
        response = self.session().post(f"{self.base_url}/oauth/token", data=form, timeout=30)
        response.raise_for_status()
        return str(response.json()["access_token"])

    def client_session(
        self, creds: CompanyCredentials, *, as_user: bool = False
    ) -> requests.Session:
        """A ``requests`` session authenticated as the company's API client (or its user)."""
        session = self.session()
        session.headers["Authorization"] = f"Bearer {self.token(creds, as_user=as_user)}"
        return session

    def company_url(self, creds: CompanyCredentials) -> str:
        """``{base_url}/companies/{company_id}``."""
        return f"{self.base_url}/companies/{creds.company_id}"


ADMIN_TOKEN_VARIABLE = "AKOUNTIFY_ADMIN_TOKEN"  # noqa: S105 - a variable name, not a secret


def serve_command(data_dir: Path, port: int, *extra_serve_args: str) -> list[str]:
    """The argv that serves the emulator on ``port`` with ``data_dir``.

    The admin token goes in the ``AKOUNTIFY_ADMIN_TOKEN`` environment variable, not in the
    argv, so that other users of the machine cannot read it from the process list.
    """
    return python_module_command(
        "emulators.akountify",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        *extra_serve_args,
    )


@contextlib.contextmanager
def start_akountify_emulator(data_dir: Path, *extra_serve_args: str) -> Iterator[RunningAkountify]:
    """Start the emulator on a free loopback port; stop it when the block ends.

    Args:
        data_dir: Its data folder (the log goes to ``emulator.log`` inside).
        *extra_serve_args: More ``serve`` options (``--no-rate-limits``, ``--token-ttl 5`` …).

    Yields:
        The running emulator.
    """
    data_dir = Path(data_dir)
    port = free_port()
    admin_token = secrets.token_urlsafe(24)
    base_url = f"http://127.0.0.1:{port}/v1"
    process = EmulatorProcess(
        command=serve_command(data_dir, port, *extra_serve_args),
        ready_url=f"{base_url}/health",
        log_path=data_dir / "emulator.log",
        env={"PYTHONUNBUFFERED": "1", ADMIN_TOKEN_VARIABLE: admin_token},
    )
    with process:
        yield RunningAkountify(base_url, admin_token, data_dir, process)
