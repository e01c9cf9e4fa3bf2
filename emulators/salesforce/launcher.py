"""Start the Salesforce emulator as a child process for tests, the demo and benchmarks.

``start_salesforce_emulator(data_dir)`` seeds the data folder (if asked), creates the default
connected app, starts ``salesforce-emulator serve`` on a free loopback port and yields a
:class:`RunningSalesforce` with everything a client needs; the process is stopped on exit.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emulators.common.process import EmulatorProcess, free_port, python_module_command
from emulators.salesforce.cli import ADMIN_TOKEN_ENV
from emulators.salesforce.clock import format_iso
from emulators.salesforce.tls import ensure_tls_files
from emulators.salesforce.transport import trusted_session

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from datetime import datetime

    import requests

MODULE = "emulators.salesforce"
SEED_MARKER = "seeded.json"


class EmulatorCommandError(RuntimeError):
    """A ``salesforce-emulator`` sub-command failed."""


@dataclass
class RunningSalesforce:
    """A running emulator and the credentials of its default connected app.

    Attributes:
        instance_url: ``https://127.0.0.1:PORT``.
        login_url: Same host; the token endpoint is ``/services/oauth2/token``.
        ca_file: CA certificate clients must trust.
        data_dir: The data folder.
        admin_token: Secret of the ``/_emulator`` endpoints.
        client_id: Connected app consumer key.
        client_secret: Connected app consumer secret.
        username: Integration user.
        password: Its password.
        security_token: Its security token.
        private_key_path: RSA key whose certificate is registered on the app (JWT bearer).
        refresh_token: A refresh token of the user for the app.
        user_id: The integration user's id.
        process: The child process.
    """

    instance_url: str
    login_url: str
    ca_file: Path
    data_dir: Path
    admin_token: str
    client_id: str
    client_secret: str
    username: str
    password: str
    security_token: str
    private_key_path: Path
    refresh_token: str
    user_id: str = ""
    process: EmulatorProcess | None = field(default=None, repr=False)

    @property
    def netloc(self) -> str:
        """``127.0.0.1:PORT``."""
        return self.instance_url.split("://", 1)[1]

    def session(self, *, redirect_salesforce_hosts: bool = True) -> requests.Session:
        """A ``requests`` session trusting the CA (even with ``REQUESTS_CA_BUNDLE`` set).

        Args:
            redirect_salesforce_hosts: Send ``https://*.salesforce.com`` requests to the
                emulator, so clients that build login URLs from a domain reach it.
        """
        netloc = self.netloc if redirect_salesforce_hosts else None
        return trusted_session(self.ca_file, salesforce_netloc=netloc)

    def access_token(self) -> str:
        """A fresh access token of the integration user (client-credentials grant)."""
        with self.session(redirect_salesforce_hosts=False) as session:
            response = session.post(
                f"{self.login_url}/services/oauth2/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                },
                timeout=30,
            )
        if response.status_code != 200:  # noqa: PLR2004
            raise EmulatorCommandError(f"token request failed with {response.status_code}")
        token: str = response.json()["access_token"]
        return token

    def admin(self) -> requests.Session:
        """A session for the ``/_emulator`` endpoints (admin token set)."""
        session = self.session(redirect_salesforce_hosts=False)
        session.headers["Authorization"] = f"Bearer {self.admin_token}"
        return session

    def _admin_call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        with self.admin() as session:
            response = session.request(method, self.instance_url + path, json=body, timeout=30)
        if response.status_code != 200:  # noqa: PLR2004
            raise EmulatorCommandError(
                f"{method} {path} failed with {response.status_code}: {response.text}"
            )
        return response.json()

    def set_faults(self, **faults: Any) -> None:
        """Change fault settings (``reset=True`` first turns every fault off)."""
        self._admin_call("PUT", "/_emulator/faults", faults)

    def fault_stats(self) -> dict[str, int]:
        """Faults injected so far, by kind."""
        stats: dict[str, int] = self._admin_call("GET", "/_emulator/faults")["injected"]
        return stats

    def set_clock(self, now: datetime | None, *, frozen: bool = True) -> None:
        """Freeze (or, with ``frozen=False``, restart from) "now"; None returns to real time."""
        self._admin_call(
            "PUT",
            "/_emulator/clock",
            {"now": None if now is None else format_iso(now), "frozen": frozen},
        )

    def advance_clock(self, seconds: float) -> None:
        """Move the emulator's "now" forward by ``seconds``."""
        self._admin_call("PUT", "/_emulator/clock", {"advance_seconds": seconds})

    def set_limits(self, *, daily_quota: int | None = None, used: int | None = None) -> None:
        """Set the daily API quota and/or the requests used today."""
        body = {
            k: v for k, v in {"daily_quota": daily_quota, "used": used}.items() if v is not None
        }
        self._admin_call("PUT", "/_emulator/limits", body)

    def set_api_enabled(self, enabled: bool) -> None:
        """Switch the API on or off (off: 403 API_DISABLED_FOR_ORG)."""
        self._admin_call("PUT", "/_emulator/api", {"enabled": enabled})

    def set_settings(self, **settings: Any) -> None:
        """Change run-time settings (query_page_size, bulk_page_size, bulk_polls_in_progress…)."""
        self._admin_call("PUT", "/_emulator/settings", settings)

    def expire_sessions(self) -> int:
        """End every access token now; return how many there were."""
        expired: int = self._admin_call("POST", "/_emulator/sessions/expire")["expired"]
        return expired

    def stats(self) -> dict[str, Any]:
        """Request statistics."""
        stats: dict[str, Any] = self._admin_call("GET", "/_emulator/stats")
        return stats


def run_cli(*args: str) -> str:
    """Run ``python -m emulators.salesforce ARGS`` and return its stdout.

    Raises:
        EmulatorCommandError: If the command fails (its output is in the message).
    """
    completed = subprocess.run(  # noqa: S603 - fixed argv, no shell
        python_module_command(MODULE, *args), capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise EmulatorCommandError(
            f"salesforce-emulator {args[0]} failed ({completed.returncode}): "
            f"{completed.stderr.strip() or completed.stdout.strip()}"
        )
    return completed.stdout


def seed_data_dir(data_dir: Path, *, accounts: int, seed: int) -> None:
    """Seed ``data_dir`` unless it was already seeded with the same accounts and seed."""
    marker = data_dir / SEED_MARKER
    wanted = {"accounts": accounts, "seed": seed}
    if marker.exists() and json.loads(marker.read_text(encoding="utf-8")) == wanted:
        return
    run_cli("seed", "--data-dir", str(data_dir), "--accounts", str(accounts), "--seed", str(seed))
    marker.write_text(json.dumps(wanted), encoding="utf-8")


@contextlib.contextmanager
def start_salesforce_emulator(
    data_dir: Path, *, accounts: int = 0, seed: int = 1, extra_args: Sequence[str] = ()
) -> Iterator[RunningSalesforce]:
    """Start the emulator on a free loopback port and stop it on exit.

    Args:
        data_dir: Data folder (created if needed; reuse it to keep data across restarts).
        accounts: Accounts to seed (0: none); a folder already seeded the same way is kept.
        seed: Random seed of the data.
        extra_args: More ``serve`` options (``--fault latency_ms=20``, ``--daily-quota 100`` …).

    Yields:
        The running emulator.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    if accounts:
        seed_data_dir(data_dir, accounts=accounts, seed=seed)
    credentials = json.loads(run_cli("create-app", "--data-dir", str(data_dir), "--json"))
    files = ensure_tls_files(data_dir)
    port = free_port()
    admin_token = secrets.token_urlsafe(24)
    instance_url = f"https://127.0.0.1:{port}"
    command = python_module_command(
        MODULE, "serve", "--data-dir", str(data_dir), "--port", str(port), *extra_args
    )
    process = EmulatorProcess(
        command=command,
        ready_url=f"{instance_url}/_emulator/health",
        log_path=data_dir / "server.log",
        env={ADMIN_TOKEN_ENV: admin_token, "PYTHONUNBUFFERED": "1"},
        verify=str(files.ca_file),
        start_timeout=60,
    )
    with process:
        yield RunningSalesforce(
            instance_url=instance_url,
            login_url=instance_url,
            ca_file=files.ca_file,
            data_dir=data_dir,
            admin_token=admin_token,
            client_id=credentials["client_id"],
            client_secret=credentials["client_secret"],
            username=credentials["username"],
            password=credentials["password"],
            security_token=credentials["security_token"],
            private_key_path=Path(credentials["private_key_path"]),
            refresh_token=credentials["refresh_token"],
            user_id=credentials["user_id"],
            process=process,
        )


__all__ = ["RunningSalesforce", "start_salesforce_emulator"]
