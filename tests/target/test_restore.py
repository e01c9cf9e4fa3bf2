"""Records deleted at the source and restored later, over real HTTP against the emulator.

The target archives a deleted record and marks, in its ``sync_metadata``, that the source did
it; a restored source record is then reactivated. A record a person archived in Akountify is
not the target's to reactivate silently: its status is a conflict under ``conflict_policy``.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from .conftest import Api, run_target
from .test_behaviours import accounts_only, rejected_entries
from .test_sync import account

Config = dict[str, Any]


def test_a_record_restored_at_the_source_is_reactivated(
    target_config: Config, api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    run_target(target_config, accounts_only(account(1, Phone="111"), account(2)))
    deleted = run_target(target_config, accounts_only(account(1, Phone="111", IsDeleted=True)))
    archived = api.by_external_id("customers")["0010001"]
    assert deleted.counts("Account")["archived"] == 1
    assert archived["status"] == "archived"
    assert archived["sync_metadata"]["archived"] == "source"
    assert archived["updated_by"]["type"] == "api_client"

    with caplog.at_level(logging.INFO, logger="target_akountify"):
        restored = run_target(target_config, accounts_only(account(1, Phone="222")))
    after = api.by_external_id("customers")["0010001"]
    counts = restored.counts("Account")
    assert after["status"] == "active"
    assert after["phone"] == "222"
    assert "archived" not in after["sync_metadata"]
    assert (counts["updated"], counts["archived"], counts["conflicts"]) == (1, 0, 0)
    assert restored.report["restored"] == [
        {
            "stream": "Account",
            "entity": "customers",
            "external_id": "0010001",
            "record_id": after["id"],
        }
    ]
    assert "0010001: restored at the source" in caplog.text
    assert api.by_external_id("customers")["0010002"]["status"] == "active"

    again = run_target(target_config, accounts_only(account(1, Phone="222")))
    assert again.counts("Account")["unchanged"] == 1
    assert again.report["restored"] == []


def test_a_deletion_at_the_source_keeps_the_sync_history(target_config: Config, api: Api) -> None:
    """A field edited by hand while the record was archived is still seen as a conflict."""
    run_target(target_config, accounts_only(account(1, Phone="111")))
    run_target(target_config, accounts_only(account(1, Phone="111", IsDeleted=True)))
    record = api.by_external_id("customers")["0010001"]
    api.edit_by_hand("customers", record["id"], {"phone": "999"})
    target_config["conflict_policy"] = "destination_wins"
    restored = run_target(target_config, accounts_only(account(1, Phone="111")))
    after = api.by_external_id("customers")["0010001"]
    assert after["status"] == "active"
    assert after["phone"] == "999"
    assert [c["field"] for c in restored.report["conflicts"]] == ["phone"]


@pytest.mark.parametrize("policy", ["source_wins", "destination_wins", "reject"])
def test_a_record_archived_by_a_person_is_a_status_conflict(
    target_config: Config, api: Api, policy: str
) -> None:
    target_config["conflict_policy"] = policy
    run_target(target_config, accounts_only(account(1, Phone="111")))
    record = api.by_external_id("customers")["0010001"]
    api.archive_by_hand("customers", record["id"])

    result = run_target(target_config, accounts_only(account(1, Phone="222")))
    after = api.by_external_id("customers")["0010001"]
    counts = result.counts("Account")
    assert counts["conflicts"] == 1
    conflict = result.report["conflicts"][0]
    assert (conflict["field"], conflict["akountify_value"], conflict["source_value"]) == (
        "status",
        "archived",
        "active",
    )
    assert result.report["restored"] == []
    if policy == "source_wins":
        assert conflict["resolution"] == "overwritten"
        assert after["status"] == "active"
        assert after["phone"] == "222"
        assert counts["updated"] == 1
    elif policy == "destination_wins":
        assert conflict["resolution"] == "kept"
        assert after["status"] == "archived"
        assert after["phone"] == "222"  # the other fields are still written
        assert after["sync_metadata"]["archived"] == "kept"
        again = run_target(target_config, accounts_only(account(1, Phone="222")))
        assert again.counts("Account")["conflicts"] == 0
        assert again.counts("Account")["unchanged"] == 1
        assert api.by_external_id("customers")["0010001"]["status"] == "archived"
    else:
        assert conflict["resolution"] == "rejected"
        assert after["status"] == "archived"
        assert after["phone"] == "111"
        assert counts["rejected"] == 1
        entries = rejected_entries(target_config, "Account")
        assert [reason["field"] for reason in entries[0]["reasons"]] == ["status"]
