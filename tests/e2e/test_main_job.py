"""The README's first command: the main job of scripts/pipeline.py and its sub-commands, run as
a newcomer runs them (here in a copy of the project, so the checkout's own .env is untouched)."""

from __future__ import annotations

import hashlib
import json
import re
import stat
import subprocess
import sys
from typing import TYPE_CHECKING

import yaml

from .harness import REPO, clean_environment, project_config

if TYPE_CHECKING:
    from pathlib import Path

PIPELINE = REPO / "scripts" / "pipeline.py"
ENV_KEYS = {
    "SALESFORCE_EMULATOR_URL",
    "SALESFORCE_EMULATOR_CA_FILE",
    "AKOUNTIFY_EMULATOR_URL",
    "TAP_SALESFORCE_LITE_CLIENT_ID",
    "TAP_SALESFORCE_LITE_CLIENT_SECRET",
    "TARGET_AKOUNTIFY_CLIENT_ID",
    "TARGET_AKOUNTIFY_CLIENT_SECRET",
}


def _demo(root: Path, *args: str) -> str:
    completed = subprocess.run(
        [sys.executable, str(PIPELINE), "--project-root", str(root), *args],
        env=clean_environment(),
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert completed.returncode == 0, f"{args}:\n{completed.stdout}\n{completed.stderr}"
    return completed.stdout


def _env_file(root: Path) -> dict[str, str]:
    lines = (root / ".env").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def _table_row(output: str, stream: str) -> dict[str, int]:
    lines = output.splitlines()
    header = next(line.split() for line in lines if line.startswith("stream "))
    row = next(line.split() for line in lines if line.startswith(f"{stream} "))
    return {name: int(value) for name, value in zip(header[2:], row[2:], strict=True)}


def test_main_job_runs_shows_an_edit_flowing_through_and_cleans_up(
    installed_plugins: Path, tmp_path: Path
) -> None:
    root = tmp_path / "project"
    (root / ".meltano").mkdir(parents=True)
    (root / "meltano.yml").write_text(yaml.safe_dump(project_config(), sort_keys=False))
    (root / "pyproject.toml").write_text("# the plugins are installed from the checkout\n")
    for plugin_type in ("extractors", "loaders"):
        (root / ".meltano" / plugin_type).symlink_to(installed_plugins / ".meltano" / plugin_type)
    # The plugins are installed already: tell the job so (it installs when this stamp is stale).
    project_file = (root / "meltano.yml").read_text()
    digest = hashlib.sha256((root / "pyproject.toml").read_bytes()).hexdigest()
    (root / ".meltano" / ".pipeline-installed-pyproject-sha256").write_text(digest + "\n")
    try:
        first = _demo(root)
        assert "Seeded the Salesforce emulator's org" in first
        assert "already typed 8 customers into Akountify by hand" in first
        assert "Sync report: succeeded_with_rejections" in first
        accounts = _table_row(first, "Account")
        assert accounts["received"] == 300
        assert accounts["linked"] == 8
        assert accounts["created"] + accounts["linked"] > 250
        assert "Where to look:" in first
        env = _env_file(root)
        assert set(env) >= ENV_KEYS
        assert stat.S_IMODE((root / ".env").stat().st_mode) == 0o600
        for secret in (
            env["TAP_SALESFORCE_LITE_CLIENT_SECRET"],
            env["TARGET_AKOUNTIFY_CLIENT_SECRET"],
        ):
            assert secret not in first
        report = json.loads((root / "output" / "akountify-sync-report.json").read_text())
        assert report["totals"]["linked"] == 8

        edit = _demo(root, "edit")
        match = re.search(r"Changed account (\w+) \((.+)\) in Salesforce: Phone .* -> '(.+)'", edit)
        assert match, edit
        account_id, name, phone = match.groups()

        second = _demo(root)
        assert "Seeded" not in second
        assert "Started" not in second  # both emulators were still running
        accounts = _table_row(second, "Account")
        assert (accounts["created"], accounts["updated"], accounts["archived"]) == (0, 1, 0)

        shown = _demo(root, "show", "customers", "--search", name)
        assert account_id in shown
        assert phone in shown
        runs = _demo(root, "show", "sync-runs")
        assert len([line for line in runs.splitlines() if line.startswith("run_")]) == 2

        sheet = _demo(root, "cheatsheet")
        assert "## Account → customers" in sheet
        assert "| `phone` | Phone number | field `Phone`" in sheet

        status = _demo(root, "status")
        assert "salesforce emulator: running at https://127.0.0.1:" in status
        assert "akountify emulator: running at http://127.0.0.1:" in status
        assert "last sync: succeeded_with_rejections" in status
    finally:
        stopped = _demo(root, "stop")
    assert "Stopped the salesforce emulator" in stopped
    assert "Stopped the akountify emulator" in stopped
    assert "not running" in _demo(root, "status")

    reset = _demo(root, "reset", "--yes")
    assert "cleared 1 local state id(s)" in reset
    assert not (root / ".data").exists()
    assert not (root / "output").exists()
    assert not set(_env_file(root)) & ENV_KEYS
    assert (root / "meltano.yml").read_text() == project_file, "meltano.yml was rewritten"
