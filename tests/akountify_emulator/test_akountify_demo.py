"""scripts/demo.py: starts the emulator once, creates the demo company once, stops it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parents[2] / "scripts" / "demo.py"


def _demo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(DEMO), *args], capture_output=True, text=True, check=False, timeout=120
    )


def test_demo_is_idempotent_and_stoppable(tmp_path: Path) -> None:
    data = str(tmp_path / "akountify")
    try:
        first = _demo("--data-dir", data, "--port", "0")
        assert first.returncode == 0, first.stderr
        assert "Started Akountify emulator at http://127.0.0.1:" in first.stdout
        assert "DEMO-001 created, DEMO-002 created, DEMO-003 created" in first.stdout
        assert "demo --stop --data-dir" in first.stdout
        second = _demo("--data-dir", data)
        assert second.returncode == 0, second.stderr
        assert "Reusing the running Akountify emulator" in second.stdout
        assert "DEMO-001 unchanged" in second.stdout
        company_line = [
            line for line in first.stdout.splitlines() if line.startswith("Demo company")
        ]
        assert company_line
        assert company_line[0] in second.stdout
        secrets = (tmp_path / "akountify" / "demo-company.json").read_text()
        assert "client_secret" in secrets
        assert (tmp_path / "akountify" / "demo-company.json").stat().st_mode & 0o077 == 0
        for output in (first.stdout, second.stdout):
            assert '"client_secret"' not in output
    finally:
        stopped = _demo("--data-dir", data, "--stop")
    assert stopped.returncode == 0
    assert "Stopped the Akountify emulator" in stopped.stdout
    assert "No demo emulator is running" in _demo("--data-dir", data, "--stop").stdout
