"""``sync_metadata`` formats: records synced by earlier versions (format 1) are still understood.

Format 1 (BLAKE2b hashes) is what every run before format 2 wrote; such a record must compare
per field exactly as before, and keep its format, so that no record is rewritten only because
the hash changed.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

import pytest

from target_akountify.mapping.mapper import map_record
from target_akountify.mapping.values import ValuePolicy
from target_akountify.planner import META_FORMAT, Planner, value_hash
from target_akountify.rejected import encode_json

from .test_drain_pipeline import compiled_accounts
from .test_sync import account


def format_1_hash(value: Any) -> str:
    """The hash earlier runs stored, written out as they computed it."""
    return hashlib.blake2b(encode_json(value), digest_size=6).hexdigest()


def test_format_1_hashes_are_computed_as_earlier_runs_did() -> None:
    for value in ("Acme", None, ["Energy", "Oil"], "", "Zoë 東京"):
        assert value_hash(value, 1) == format_1_hash(value)
    assert value_hash("Acme", 1) == "d775bad41952"
    assert META_FORMAT == 2
    assert value_hash("Acme") == "f6d638e59533"
    assert len(value_hash("Acme")) == len(value_hash("Acme", 1))


def synced_record(meta_format: int) -> tuple[Planner, Any, dict[str, Any]]:
    """An Account created by the target, as Akountify holds it, with metadata of a format."""
    compiled = compiled_accounts()
    planner = Planner(compiled, "source_wins")
    item = map_record(compiled, account(1), ValuePolicy())
    created = planner.plan(item, None)
    assert created.kind == "create"
    assert created.operation is not None
    current = copy.deepcopy(created.operation["data"])
    if meta_format == 1:
        hashes = {p: format_1_hash(v) for p, v in sorted(item.values.items())}
        current["sync_metadata"] = {"v": 1, "stream": "Account", "f": hashes}
    assert current["sync_metadata"]["v"] == meta_format
    current |= {"id": "cus_1", "version": 1, "status": "active", "external_id": item.external_id}
    return planner, item, current


@pytest.mark.parametrize("meta_format", [1, 2])
def test_an_unchanged_record_is_not_written_whatever_its_format(meta_format: int) -> None:
    planner, item, current = synced_record(meta_format)
    assert planner.plan(item, current).kind == "unchanged"


@pytest.mark.parametrize("meta_format", [1, 2])
def test_a_source_change_writes_the_field_and_keeps_the_format(meta_format: int) -> None:
    planner, item, current = synced_record(meta_format)
    item.values["display_name"] = "Renamed Ltd"
    plan = planner.plan(item, current)
    assert plan.kind == "update"
    assert plan.conflicts == []
    assert plan.operation is not None
    data = plan.operation["data"]
    assert set(data) == {"display_name", "sync_metadata"}
    meta = data["sync_metadata"]
    assert meta["v"] == meta_format
    assert meta["f"]["display_name"] == value_hash("Renamed Ltd", meta_format)
    unchanged = {p: h for p, h in meta["f"].items() if p != "display_name"}
    assert unchanged == {
        p: h for p, h in current["sync_metadata"]["f"].items() if p != "display_name"
    }


@pytest.mark.parametrize("meta_format", [1, 2])
def test_a_hand_edit_in_akountify_is_a_conflict_whatever_the_format(meta_format: int) -> None:
    planner, item, current = synced_record(meta_format)
    current["phone"] = "+1 555 0199"
    plan = planner.plan(item, current)
    assert [c.path for c in plan.conflicts] == ["phone"]
    assert plan.operation is not None
    assert plan.operation["data"]["phone"] == item.values["phone"]
    assert plan.operation["data"]["sync_metadata"]["v"] == meta_format


def test_an_archive_keeps_the_format_1_hashes() -> None:
    planner, item, current = synced_record(1)
    item.intent = "archive"
    plan = planner.plan(item, current)
    assert plan.kind == "archive"
    assert plan.operation is not None
    meta = plan.operation["data"]["sync_metadata"]
    assert meta == current["sync_metadata"] | {"archived": "source"}
