"""The collector is paused during start-up and the heap frozen before exit, output intact."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tap_salesforce_lite.heap import skip_final_collection, startup_collection_paused

if TYPE_CHECKING:
    from collections.abc import Iterator

EXECUTABLE = Path(sys.executable).with_name("tap-salesforce-lite")


@pytest.fixture
def restored_collector() -> Iterator[None]:
    """Leave the test process's collector as it was (enabled, nothing frozen)."""
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    if enabled:
        gc.enable()


class _Cycle:
    def __init__(self) -> None:
        self.me = self


@pytest.mark.usefixtures("restored_collector")
def test_collector_paused_inside_then_running_over_new_objects_only() -> None:
    gc.unfreeze()
    with startup_collection_paused():
        assert not gc.isenabled()
        kept = [_Cycle() for _ in range(100)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(kept)
    collectable = {id(obj) for obj in gc.get_objects()}
    assert not any(id(cycle) in collectable for cycle in kept)


@pytest.mark.usefixtures("restored_collector")
def test_collector_enabled_again_after_an_error() -> None:
    with pytest.raises(RuntimeError), startup_collection_paused():
        raise RuntimeError
    assert gc.isenabled()


@pytest.mark.usefixtures("restored_collector")
def test_collector_left_disabled_when_it_was() -> None:
    gc.disable()
    with startup_collection_paused():
        pass
    assert not gc.isenabled()


@pytest.mark.usefixtures("restored_collector")
def test_skip_final_collection_freezes_what_is_alive() -> None:
    gc.unfreeze()
    alive = [_Cycle() for _ in range(10)]
    skip_final_collection()
    assert gc.get_freeze_count() >= len(alive)


def test_console_script_output_complete_when_piped() -> None:
    completed = subprocess.run(
        [str(EXECUTABLE), "--about", "--format", "json"],
        capture_output=True,
        check=True,
        text=True,
    )
    about = json.loads(completed.stdout)
    assert about["name"] == "tap-salesforce-lite"
    assert about["settings"]["properties"]["client_secret"]["secret"] is True


def test_console_script_exit_status_of_a_bad_config(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"api_type": "soap"}))
    completed = subprocess.run(
        [str(EXECUTABLE), "--config", str(config), "--discover"],
        capture_output=True,
        check=False,
        text=True,
    )
    assert completed.returncode == 1
    assert "api_type" in completed.stderr
    assert "Traceback" not in completed.stderr
