"""Helpers of the tap's integration tests: configs, in-process runs, org setup over REST."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tap_salesforce_lite.tap import TapSalesforceLite

if TYPE_CHECKING:
    import requests

    from emulators.salesforce.launcher import RunningSalesforce

API = "/services/data/v62.0"

#: Retries and polls that cost nothing in tests (jitter included).
FAST = {
    "retry_initial_delay": 0.001,
    "retry_max_delay": 0.005,
    "bulk_poll_max_interval": 0.005,
    "max_retries": 12,
}


def client_credentials_config(sf: RunningSalesforce, **overrides: Any) -> dict[str, Any]:
    """A config for the emulator's connected app with the client credentials flow."""
    config: dict[str, Any] = {
        "client_id": sf.client_id,
        "client_secret": sf.client_secret,
        "login_url": sf.login_url,
        "ca_bundle": str(sf.ca_file),
        "objects": ["Account"],
        **FAST,
    }
    config.update(overrides)
    return config


@dataclass
class TapRun:
    """What one tap run wrote to stdout, and the tap object."""

    messages: list[dict[str, Any]]
    tap: TapSalesforceLite = field(repr=False)

    def records(self, stream: str) -> list[dict[str, Any]]:
        """The records of ``stream``, in order."""
        return [
            m["record"] for m in self.messages if m["type"] == "RECORD" and m["stream"] == stream
        ]

    def ids(self, stream: str) -> list[str]:
        """The Ids of the records of ``stream``, in order."""
        return [record["Id"] for record in self.records(stream)]

    @property
    def states(self) -> list[dict[str, Any]]:
        """Every STATE value, in order."""
        return [m["value"] for m in self.messages if m["type"] == "STATE"]

    @property
    def final_state(self) -> dict[str, Any]:
        """The last STATE value."""
        return self.states[-1]

    def bookmark(self, stream: str) -> str | None:
        """The final bookmark of ``stream``."""
        value = self.final_state.get("bookmarks", {}).get(stream, {})
        return value.get("replication_key_value")

    def schema(self, stream: str) -> dict[str, Any]:
        """The SCHEMA message of ``stream``."""
        return next(m for m in self.messages if m["type"] == "SCHEMA" and m["stream"] == stream)

    def stream_order(self) -> list[str]:
        """Streams in the order their SCHEMA messages came."""
        return [m["stream"] for m in self.messages if m["type"] == "SCHEMA"]

    @property
    def calls(self) -> dict[str, int]:
        """API calls the tap made, by kind."""
        return dict(self.tap.runtime.client.calls)


def run_tap(
    config: dict[str, Any],
    *,
    state: dict[str, Any] | None = None,
    catalog: dict[str, Any] | None = None,
) -> TapRun:
    """Run a sync in this process and collect its messages (numbers as Decimals)."""
    tap = TapSalesforceLite(config=config, state=state, catalog=catalog, parse_env_config=False)
    out = io.StringIO()
    try:
        with redirect_stdout(out):
            tap.sync_all()
    finally:
        tap.runtime.close()
    messages = [json.loads(line, parse_float=Decimal) for line in out.getvalue().splitlines()]
    return TapRun(messages, tap)


def discover(config: dict[str, Any]) -> dict[str, Any]:
    """The discovered catalog (as the command line prints it)."""
    tap = TapSalesforceLite(config=config, parse_env_config=False)
    try:
        return json.loads(json.dumps(tap.catalog_dict))
    finally:
        tap.runtime.close()


@dataclass
class CliRun:
    """A finished ``tap-salesforce-lite`` process."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(tmp_path: Path, config: dict[str, Any], *args: str, **env: str) -> CliRun:
    """Run the console script with ``config`` written to a file; return its output."""
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    executable = Path(sys.executable).with_name("tap-salesforce-lite")
    import os  # noqa: PLC0415 - only here

    completed = subprocess.run(
        [str(executable), "--config", str(config_path), *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
        timeout=600,
    )
    return CliRun(completed.returncode, completed.stdout, completed.stderr)


class Org:
    """Sets up records in the emulator through its REST API (as a user would)."""

    def __init__(self, sf: RunningSalesforce) -> None:
        """Log in with client credentials."""
        self.sf = sf
        self.session: requests.Session = sf.session(redirect_salesforce_hosts=False)
        self._login()

    def _login(self) -> None:
        response = self.session.post(
            f"{self.sf.instance_url}/services/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.sf.client_id,
                "client_secret": self.sf.client_secret,
            },
            timeout=30,
        )
        response.raise_for_status()
        self.session.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        for _ in range(2):
            response = self.session.request(
                method, f"{self.sf.instance_url}{API}/{path}", json=body, timeout=60
            )
            if response.status_code == 401:
                self._login()
                continue
            if response.status_code >= 400:
                raise AssertionError(f"{method} {path}: {response.status_code} {response.text}")
            return response.json() if response.content else None
        raise AssertionError(f"{method} {path}: session refused twice")

    def create(self, sobject: str, **fields: Any) -> str:
        """Create a record; return its Id."""
        return str(self._call("POST", f"sobjects/{sobject}", fields)["id"])

    def update(self, sobject: str, record_id: str, **fields: Any) -> None:
        """Update a record."""
        self._call("PATCH", f"sobjects/{sobject}/{record_id}", fields)

    def delete(self, sobject: str, record_id: str) -> None:
        """Delete a record (to the recycle bin)."""
        self._call("DELETE", f"sobjects/{sobject}/{record_id}")

    def get(self, sobject: str, record_id: str) -> dict[str, Any]:
        """Read a record."""
        result: dict[str, Any] = self._call("GET", f"sobjects/{sobject}/{record_id}")
        return result

    def query_all(self, soql: str) -> list[dict[str, Any]]:
        """Every row of a queryAll (all pages)."""
        from urllib.parse import quote  # noqa: PLC0415 - only here

        body = self._call("GET", f"queryAll?q={quote(soql)}")
        rows = list(body["records"])
        while not body.get("done", True):
            next_path = body["nextRecordsUrl"].removeprefix(API + "/")
            body = self._call("GET", next_path)
            rows.extend(body["records"])
        return rows
