"""Data survives restarts; the CLI creates companies and seeds hand-typed customers, with the
server running or not."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from typing import TYPE_CHECKING

from emulators.akountify.launcher import CompanyCredentials, start_akountify_emulator

from .akountify_helpers import Api, checked

if TYPE_CHECKING:
    from pathlib import Path

    from .akountify_contract import ContractChecker


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emulators.akountify", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_data_and_tokens_survive_a_restart(
    tmp_path: Path, contract: ContractChecker | None
) -> None:
    with start_akountify_emulator(tmp_path, "--no-access-log") as started:
        first = checked(started, contract)
        creds = first.create_company("Durable Ltd")
        api = Api(first, creds, contract)
        record = api.ok_upsert(
            "customers", "C-1", {"display_name": "Durable", "sync_metadata": {"h": 1}}
        )
        api.post(
            "/custom-field-definitions",
            json={"entity": "customers", "name": "tier", "type": "string"},
        )
        api.post(
            "/sync-runs",
            json={"source": "s", "started_at": "2026-01-01T00:00:00Z", "status": "failed"},
        )
        api.post("/customers", json={"display_name": "Keyed"}, headers={"Idempotency-Key": "k"})
        token = str(api.session.headers["Authorization"]).removeprefix("Bearer ")
    with start_akountify_emulator(tmp_path, "--no-access-log") as restarted:
        second = checked(restarted, contract)
        again = Api(second, creds, contract, token=token)
        assert again.get(f"/customers/{record['id']}").json() == {
            **record,
            "custom_fields": {"tier": None},
        }
        assert len(again.get("/sync-runs").json()["data"]) == 1
        replay = again.post(
            "/customers", json={"display_name": "Keyed"}, headers={"Idempotency-Key": "k"}
        )
        assert replay.headers["Idempotent-Replayed"] == "true"
        assert again.ok_upsert("customers", "C-1", {"notes": "after restart"})["version"] == 2
    log = (tmp_path / "emulator.log").read_text()
    assert log.count("Akountify emulator: http://127.0.0.1:") == 2


def test_create_company_and_seed_while_the_server_runs(
    tmp_path: Path, contract: ContractChecker | None
) -> None:
    with start_akountify_emulator(tmp_path, "--no-access-log") as started:
        emulator = checked(started, contract)
        created = _cli("create-company", "CLI Co", "--data-dir", str(tmp_path), "--json")
        assert created.returncode == 0, created.stderr
        body = json.loads(created.stdout)
        creds = CompanyCredentials.from_json(body)
        seeded = _cli("seed", "--data-dir", str(tmp_path), "--company-id", creds.company_id)
        assert seeded.returncode == 0, seeded.stderr
        assert "seeded 8 hand-typed customer(s)" in seeded.stdout
        api = Api(emulator, creds, contract)
        customers = api.get("/customers").json()["data"]
        assert len(customers) == 8
        assert {c["external_id"] for c in customers} == {None}
        assert {c["updated_by"]["type"] for c in customers} == {"user"}
        names = {c["display_name"] for c in customers}
        assert {"EDGE COMMUNICATIONS", "Génépoint", "dickenson  plc"} <= names
        assert any(c["tax_id"] and c["email"] for c in customers)
        rerun = _cli("seed", "--data-dir", str(tmp_path), "--company-id", creds.company_id)
        assert "seeded 0 hand-typed customer(s)" in rerun.stdout
        user = Api(emulator, creds, contract, as_user=True)
        assert user.post("/customers", json={"display_name": "Typed now"}).status_code == 201


def test_cli_text_output_errors_and_admin_token_file(tmp_path: Path) -> None:
    created = _cli("create-company", "Text Co", "--data-dir", str(tmp_path))
    assert created.returncode == 0
    for label in ("company_id:", "client_id:", "client_secret:", "username:", "password:"):
        assert label in created.stdout
    fresh = _cli("seed", "--data-dir", str(tmp_path / "new"))
    assert fresh.returncode == 0
    assert "company_id:" in fresh.stdout
    assert "seeded 8" in fresh.stdout
    bad = _cli("seed", "--data-dir", str(tmp_path), "--company-id", "cmp_missing")
    assert bad.returncode != 0
    assert "does not exist" in bad.stderr
    blank = _cli("create-company", "  ", "--data-dir", str(tmp_path))
    assert blank.returncode != 0
    assert "name is required" in blank.stderr
    with start_akountify_emulator(tmp_path / "served", "--no-access-log") as emulator:
        token_file = tmp_path / "served" / "admin-token"
        assert token_file.read_text().strip() == emulator.admin_token
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert _cli("--help").returncode == 0
    help_text = _cli("serve", "--help").stdout
    for option in (
        "--token-ttl",
        "--requests-per-minute",
        "--concurrent-requests",
        "--no-rate-limits",
        "--body-limit",
        "--admin-token",
        "--seed",
        "--fault-error-rate",
        "--clock-offset",
    ):
        assert option in help_text
