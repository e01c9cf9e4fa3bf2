#!/usr/bin/env python3
"""The demo behind ``python3 scripts/dev.py demo`` (until the Salesforce → Akountify job exists).

It starts the local Akountify emulator in the background unless it already runs, creates a
demo company once, then talks to the API as an integration would: gets a token, upserts a few
customers in one batch and lists them. Rerunning it reuses the running emulator and the same
company (the upserts then come back ``unchanged``).

    python3 scripts/demo.py [--data-dir .data/akountify] [--port 8300]
    python3 scripts/demo.py --stop

Everything lives in the data folder: the database, ``emulator.pid``, ``emulator.port``,
``emulator.log``, ``admin-token`` and ``demo-company.json`` (credentials, owner-only).
Standard library and requests only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = ROOT / ".data" / "akountify"
DEFAULT_PORT = 8300
START_TIMEOUT = 30.0
DEMO_CUSTOMERS = [
    {
        "external_id": "DEMO-001",
        "data": {
            "display_name": "Acme Corporation",
            "email": "ap@acme.example",
            "billing_address": {"line1": "1 Main Street", "city": "Springfield", "country": "US"},
            "currency": "USD",
            "payment_terms": "net_30",
            "credit_limit": "5000.00",
        },
    },
    {
        "external_id": "DEMO-002",
        "data": {
            "display_name": "Globex Ltd",
            "email": "finance@globex.example",
            "currency": "GBP",
        },
    },
    {
        "external_id": "DEMO-003",
        "data": {"display_name": "Initech GmbH", "tax_id": "DE123456789", "currency": "EUR"},
    },
]


class DemoError(RuntimeError):
    """Something the user has to fix; the message says what."""


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    return session


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _base_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/v1"


def _answers(port: int) -> bool:
    try:
        response = _session().get(f"{_base_url(port)}/health", timeout=2)
    except requests.RequestException:
        return False
    return response.status_code == 200


def _running(data_dir: Path) -> tuple[int, int] | None:
    """The (pid, port) of an emulator this demo started and that still answers."""
    pid, port = _read_int(data_dir / "emulator.pid"), _read_int(data_dir / "emulator.port")
    if pid is None or port is None or not _alive(pid) or not _answers(port):
        return None
    return pid, port


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _pick_port(wanted: int) -> int:
    """``wanted`` when it is free, else (or for 0) a port the system has free."""
    if wanted and _free(wanted):
        return wanted
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def _admin_token(data_dir: Path) -> str:
    path = data_dir / "admin-token"
    if path.exists() and path.read_text().strip():
        return path.read_text().strip()
    token = secrets.token_urlsafe(24)
    _write_private(path, token + "\n")
    return token


def start(data_dir: Path, wanted_port: int) -> tuple[int, int, bool]:
    """Start the emulator unless it runs; return (pid, port, started_now)."""
    running = _running(data_dir)
    if running is not None:
        return running[0], running[1], False
    data_dir.mkdir(parents=True, exist_ok=True)
    port = _pick_port(wanted_port)
    log_path = data_dir / "emulator.log"
    command = [
        sys.executable, "-m", "emulators.akountify", "serve",
        "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data_dir),
    ]  # fmt: skip
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=ROOT,
            start_new_session=True,
            # the admin token travels in the environment, never in the (world-readable) argv
            env={
                **os.environ,
                "PYTHONUNBUFFERED": "1",
                "AKOUNTIFY_ADMIN_TOKEN": _admin_token(data_dir),
            },
        )
    (data_dir / "emulator.pid").write_text(f"{process.pid}\n")
    (data_dir / "emulator.port").write_text(f"{port}\n")
    deadline = time.monotonic() + START_TIMEOUT
    while not _answers(port):
        if process.poll() is not None or time.monotonic() > deadline:
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-20:])
            raise DemoError(f"the emulator did not start; the end of {log_path}:\n{tail}")
        time.sleep(0.2)
    return process.pid, port, True


def stop(data_dir: Path) -> int:
    """Stop an emulator this demo started; return the exit code for the command line."""
    pid = _read_int(data_dir / "emulator.pid")
    if pid is None or not _alive(pid):
        print(f"No demo emulator is running (nothing in {data_dir / 'emulator.pid'}).")
        return 0
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    (data_dir / "emulator.pid").unlink(missing_ok=True)
    print(f"Stopped the Akountify emulator (pid {pid}). Its data stays in {data_dir}.")
    return 0


def demo_company(data_dir: Path, base_url: str) -> dict[str, Any]:
    """The demo company's credentials, created on the first run."""
    path = data_dir / "demo-company.json"
    if path.exists():
        company: dict[str, Any] = json.loads(path.read_text())
        return company
    response = _session().post(
        f"{base_url}/_admin/companies",
        json={"name": "Demo Company"},
        headers={"Authorization": f"Bearer {_admin_token(data_dir)}"},
        timeout=10,
    )
    if response.status_code != 201:
        raise DemoError(
            f"could not create the demo company: {response.status_code} {response.text}"
        )
    company = response.json()
    _write_private(path, json.dumps(company, indent=2) + "\n")
    return company


def show_api(base_url: str, company: dict[str, Any]) -> None:
    """Talk to the API like an integration and print what it answers."""
    session = _session()
    token = session.post(
        f"{base_url}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": company["client_id"],
            "client_secret": company["client_secret"],
        },
        timeout=10,
    )
    token.raise_for_status()
    grant = token.json()
    print(f"POST /oauth/token -> {token.status_code}: a Bearer token valid {grant['expires_in']} s")
    session.headers["Authorization"] = f"Bearer {grant['access_token']}"
    api = f"{base_url}/companies/{company['company_id']}"
    operations = [
        {"op_id": item["external_id"], "action": "upsert", "entity": "customers", **item}
        for item in DEMO_CUSTOMERS
    ]
    batch = session.post(f"{api}/batch", json={"operations": operations}, timeout=10)
    batch.raise_for_status()
    results = ", ".join(f"{r['op_id']} {r['result']}" for r in batch.json()["results"])
    print(f"POST /companies/{company['company_id']}/batch -> {batch.status_code}: {results}")
    listed = session.get(f"{api}/customers", params={"limit": 10}, timeout=10)
    listed.raise_for_status()
    print(
        f"GET  /companies/{company['company_id']}/customers -> {listed.status_code} "
        f"(rate limit: {listed.headers['X-RateLimit-Remaining']} of "
        f"{listed.headers['X-RateLimit-Limit']} requests left this minute)"
    )
    for customer in listed.json()["data"]:
        print(
            f"  {customer['id']}  {customer['external_id'] or '-':<9}  v{customer['version']}  "
            f"{customer['display_name']}"
        )


def main() -> int:
    """Run the demo (or stop its emulator with ``--stop``)."""
    parser = argparse.ArgumentParser(
        description="Start the Akountify emulator and show it answering."
    )
    parser.add_argument(
        "--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="emulator data folder"
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port to use when starting")
    parser.add_argument("--stop", action="store_true", help="stop the emulator this demo started")
    args = parser.parse_args()
    data_dir: Path = args.data_dir.resolve()
    if args.stop:
        return stop(data_dir)
    try:
        pid, port, started = start(data_dir, args.port)
        base_url = _base_url(port)
        state = "Started" if started else "Reusing the running"
        print(
            f"{state} Akountify emulator at {base_url} (pid {pid}, log {data_dir / 'emulator.log'})"
        )
        company = demo_company(data_dir, base_url)
        saved = data_dir / "demo-company.json"
        print(f"Demo company {company['company_id']} (credentials in {saved})")
        show_api(base_url, company)
    except (DemoError, requests.RequestException) as error:
        print(f"demo failed: {error}", file=sys.stderr)
        return 1
    print()
    print("The Salesforce → Akountify job is not wired up yet; this demo shows the Akountify side.")
    print("The emulator keeps running in the background. Stop it with:")
    custom = "" if data_dir == DEFAULT_DATA_DIR.resolve() else f" --data-dir {data_dir}"
    print(f"    python3 scripts/dev.py demo --stop{custom}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
