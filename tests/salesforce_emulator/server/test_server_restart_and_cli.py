"""Persistence across restarts and the CLI's create-app, serve and seed commands."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from typing import TYPE_CHECKING, Any

from simple_salesforce import Salesforce

from emulators.salesforce.launcher import start_salesforce_emulator
from emulators.salesforce.limits import USAGE_SAVE_EVERY

if TYPE_CHECKING:
    from pathlib import Path


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emulators.salesforce", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def _sf(running: object) -> Any:
    return Salesforce(
        consumer_key=running.client_id,  # type: ignore[attr-defined]
        consumer_secret=running.client_secret,  # type: ignore[attr-defined]
        domain="emulator.my",
        session=running.session(),  # type: ignore[attr-defined]
        version="59.0",
    )


def test_data_apps_and_tokens_survive_a_restart(tmp_path: Path) -> None:
    with start_salesforce_emulator(tmp_path) as first:
        sf = _sf(first)
        created = sf.Account.create({"Name": "Survives Restarts"})["id"]
        token, ca = sf.session_id, first.ca_file.read_bytes()
        client_id = first.client_id
    with start_salesforce_emulator(tmp_path) as second:
        assert second.client_id == client_id
        assert second.ca_file.read_bytes() == ca
        direct: Any = Salesforce(
            session_id=token,
            instance_url=second.instance_url,
            session=second.session(),
            version="59.0",
        )
        assert direct.Account.get(created)["Name"] == "Survives Restarts"


def test_create_app_is_idempotent_and_named(tmp_path: Path) -> None:
    first = _cli("create-app", "--data-dir", str(tmp_path), "--json")
    assert first.returncode == 0, first.stderr
    again = _cli("create-app", "--data-dir", str(tmp_path), "--json")
    assert json.loads(again.stdout) == json.loads(first.stdout)
    other = json.loads(
        _cli("create-app", "--data-dir", str(tmp_path), "--name", "reporting", "--json").stdout
    )
    original = json.loads(first.stdout)
    assert other["client_id"] != original["client_id"]
    assert other["username"] != original["username"]
    assert (tmp_path / "apps" / "reporting" / "jwt-private-key.pem").stat().st_mode & 0o077 == 0
    text = _cli("create-app", "--data-dir", str(tmp_path)).stdout
    for key in (
        "client_id",
        "client_secret",
        "username",
        "password",
        "security_token",
        "refresh_token",
        "private_key_path",
    ):
        assert key in text
    bad = _cli("create-app", "--data-dir", str(tmp_path), "--name", "bad name!")
    assert bad.returncode != 0
    assert "app name 'bad name!' is invalid" in bad.stderr


def test_serve_rejects_unknown_faults(tmp_path: Path) -> None:
    result = _cli("serve", "--data-dir", str(tmp_path), "--fault", "bogus=1")
    assert result.returncode != 0
    assert "unknown fault setting 'bogus'" in result.stderr


def test_seed_command_writes_accounts(tmp_path: Path) -> None:
    result = _cli("seed", "--data-dir", str(tmp_path), "--accounts", "15", "--seed", "3")
    assert result.returncode == 0, result.stderr
    with start_salesforce_emulator(tmp_path) as running:
        assert _sf(running).query("SELECT COUNT() FROM Account")["totalSize"] >= 15


def test_api_usage_survives_a_killed_emulator(tmp_path: Path) -> None:
    with start_salesforce_emulator(tmp_path) as first:
        session = first.session()
        session.headers["Authorization"] = f"Bearer {first.access_token()}"
        limits_url = f"{first.instance_url}/services/data/v59.0/limits"
        for _ in range(USAGE_SAVE_EVERY + 7):
            session.get(limits_url, timeout=30).raise_for_status()
        used = session.get(limits_url, timeout=30).headers["Sforce-Limit-Info"]
        assert used.startswith(f"api-usage={USAGE_SAVE_EVERY + 8}/")
        assert first.process is not None
        assert first.process.pid is not None
        os.killpg(first.process.pid, signal.SIGKILL)  # no clean shutdown saves the usage
        first.process.stop()  # reaps the killed process
    with start_salesforce_emulator(tmp_path) as second:
        session = second.session()
        session.headers["Authorization"] = f"Bearer {second.access_token()}"
        url = f"{second.instance_url}/services/data/v59.0/limits"
        info = session.get(url, timeout=30).headers["Sforce-Limit-Info"]
        assert info.startswith(f"api-usage={USAGE_SAVE_EVERY + 1}/"), info


def test_seed_command_prints_a_readable_summary(tmp_path: Path) -> None:
    result = _cli("seed", "--data-dir", str(tmp_path), "--accounts", "12", "--seed", "2")
    assert result.returncode == 0, result.stderr
    assert "SeedSummary(" not in result.stdout
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Seeded 12 accounts (seed 2) into {tmp_path.resolve()} in ")
    account_line = next(line for line in lines if line.split()[:1] == ["Account"])
    assert account_line.split()[1] == "12"
    assert any(line.split()[:1] == ["industries_multi_select"] for line in lines)
