"""The ``target-akountify`` command as users run it: a process started through the launcher."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest

from target_akountify import launch
from target_akountify.mapping.loader import (
    DEFAULT_MAPPING_JSON,
    default_mapping,
    default_mapping_json,
    default_mapping_text,
)
from target_akountify.target import TargetAkountify
from tests.target.conftest import record_message, schema_message, state_message
from tests.target.schemas import ACCOUNT_SCHEMA

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from emulators.akountify.launcher import CompanyCredentials, RunningAkountify


@pytest.fixture
def restored_gc() -> Iterator[None]:
    """Give the collector back as it was (the launcher changes process-wide settings)."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)
    gc.enable()


def test_launcher_runs_the_sdk_command_with_the_collector_tuned(
    monkeypatch: pytest.MonkeyPatch, restored_gc: None
) -> None:
    _ = restored_gc
    seen: dict[str, Any] = {}
    left_by_the_run: list[list[Any]] = []

    def fake_cli() -> None:
        seen["enabled"] = gc.isenabled()
        seen["threshold"] = gc.get_threshold()[0]
        seen["frozen"] = gc.get_freeze_count()
        left_by_the_run.append([seen])  # a list: always tracked by the collector
        raise SystemExit(0)  # click's standalone mode ends the process this way

    gc.unfreeze()
    monkeypatch.setattr(TargetAkountify, "cli", fake_cli)
    with pytest.raises(SystemExit):
        launch.main()
    assert seen["enabled"] is True  # cycles are still collected during the run
    assert seen["threshold"] == launch.GEN0_THRESHOLD
    assert seen["frozen"] > 0  # the imported modules are out of the collector's reach
    # what the run left alive is frozen too, so the interpreter's exit does not walk it
    assert all(o is not left_by_the_run[0] for o in gc.get_objects())


def test_launched_command_writes_records_and_emits_state(
    akountify: RunningAkountify,
    company: CompanyCredentials,
    target_config: dict[str, Any],
    tmp_path: Path,
) -> None:
    config = target_config
    (tmp_path / "config.json").write_text(json.dumps(config))
    records: list[dict[str, Any]] = [
        {"Id": "001L1", "Name": "Launch One", "BillingCountry": "Deutschland"},
        {"Id": "001L2", "Name": "Launch Two", "BillingCountry": "USA"},
        {"Id": "001L3", "Name": None, "BillingCountry": "Atlantis"},  # rejected, kept
    ]
    messages = [
        schema_message("Account", ACCOUNT_SCHEMA),
        *(record_message("Account", r) for r in records),
        state_message({"bookmarks": {"Account": {"replication_key_value": "x"}}}),
    ]
    (tmp_path / "input.singer").write_text("".join(json.dumps(m) + "\n" for m in messages))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "target_akountify.launch",
            "--config",
            str(tmp_path / "config.json"),
            "--input",
            str(tmp_path / "input.singer"),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    states = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert states == [{"bookmarks": {"Account": {"replication_key_value": "x"}}}]
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["totals"]["created"] == 2
    assert report["totals"]["rejected"] == 1
    session = akountify.client_session(company)
    customers = session.get(
        f"{akountify.company_url(company)}/customers", params={"external_id": "001L1,001L2"}
    ).json()["data"]
    countries = {c["external_id"]: c["billing_address"]["country"] for c in customers}
    assert countries == {"001L1": "DE", "001L2": "US"}


def test_default_mapping_json_twin_matches_the_yaml() -> None:
    expected = default_mapping_json(default_mapping_text())
    assert json.loads(expected) == default_mapping(), (
        f"{DEFAULT_MAPPING_JSON} differs from default_mapping.yaml: rewrite it with "
        ".venv/bin/python -c 'from target_akountify.mapping.loader import "
        "write_default_mapping_json as w; w()'"
    )


def test_a_run_on_the_default_mapping_loads_no_yaml_parser_nor_country_tables() -> None:
    """Nor pydantic, also with an inline mapping whose values have their final types."""
    code = (
        "import sys\n"
        "from target_akountify.mapping.loader import load_spec\n"
        "from target_akountify.mapping.compile import check_spec\n"
        "import target_akountify.target\n"
        "assert check_spec(load_spec(), {}) == []\n"
        "inline = {'Account': {'entity': 'customers', 'fields': {'display_name': "
        "{'source': 'Name', 'transforms': ['trim', {'truncate': 40}]}}}}\n"
        "assert check_spec(load_spec(inline), {}) == []\n"
        "print(sorted(m for m in ('yaml', 'pycountry', 'babel', 'pydantic') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"
