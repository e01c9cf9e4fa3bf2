"""Linking records people typed by hand, and the three-way comparison of the syncs after it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from .conftest import Api, record_message, run_target, schema_message, singer_lines
from .schemas import ACCOUNT_SCHEMA
from .test_behaviours import accounts_only
from .test_sync import account

Config = dict[str, Any]


def test_fields_empty_in_akountify_are_filled_at_link_time_without_conflicts(
    target_config: Config, api: Api
) -> None:
    typed = api.create_by_hand("customers", {"display_name": "Account 1"})
    source = account(1, Phone="111", Website="w.example", Regions__c="EMEA")
    result = run_target(target_config, accounts_only(source))
    counts = result.counts("Account")
    assert (counts["linked"], counts["created"], counts["conflicts"]) == (1, 0, 0)
    assert result.report["conflicts"] == []
    assert "edited in Akountify" not in result.log
    linked = api.by_external_id("customers")["0010001"]
    assert linked["id"] == typed["id"]
    assert linked["phone"] == "111"
    assert linked["website"] == "w.example"
    assert linked["billing_address"]["city"] == "Springfield"
    assert linked["billing_address"]["country"] == "US"
    assert linked["tags"] == ["Banking"]
    again = run_target(target_config, accounts_only(source))
    assert again.counts("Account")["unchanged"] == 1
    assert again.counts("Account")["conflicts"] == 0


@pytest.mark.parametrize("policy", ["source_wins", "destination_wins"])
def test_only_two_different_values_conflict_at_link_time(
    target_config: Config, api: Api, policy: str
) -> None:
    target_config["conflict_policy"] = policy
    api.create_by_hand(
        "customers",
        {"display_name": "Account 2", "phone": "555", "website": "typed.example", "notes": "VIP"},
    )
    source = account(2, Phone="111")  # no Website, no Description at the source
    result = run_target(target_config, accounts_only(source))
    assert result.counts("Account")["linked"] == 1
    assert result.counts("Account")["conflicts"] == 1
    assert [
        (c["field"], c["akountify_value"], c["source_value"]) for c in result.report["conflicts"]
    ] == [("phone", "555", "111")]
    linked = api.by_external_id("customers")["0010002"]
    assert linked["phone"] == ("111" if policy == "source_wins" else "555")
    assert linked["website"] == "typed.example"  # empty at the source: the typed value stays
    assert linked["notes"] == "VIP"
    assert linked["billing_address"]["city"] == "Springfield"  # empty in Akountify: filled
    again = run_target(target_config, accounts_only(source))
    assert again.counts("Account")["unchanged"] == 1
    assert again.counts("Account")["conflicts"] == 0
    # a value arriving later at the source replaces the typed one: only the source moved
    later = run_target(target_config, accounts_only(account(2, Phone="111", Website="s.example")))
    assert later.counts("Account")["updated"] == 1
    assert later.counts("Account")["conflicts"] == 0
    assert api.by_external_id("customers")["0010002"]["website"] == "s.example"


def test_a_field_cleared_by_a_person_after_a_sync_is_a_conflict(
    target_config: Config, api: Api
) -> None:
    run_target(target_config, accounts_only(account(3, Phone="111")))
    record = api.by_external_id("customers")["0010003"]
    api.edit_by_hand("customers", record["id"], {"phone": None})
    result = run_target(target_config, accounts_only(account(3, Phone="111")))
    assert result.counts("Account")["conflicts"] == 1
    conflict = result.report["conflicts"][0]
    assert (conflict["field"], conflict["akountify_value"], conflict["source_value"]) == (
        "phone",
        None,
        "111",
    )
    assert conflict["resolution"] == "overwritten"
    assert api.by_external_id("customers")["0010003"]["phone"] == "111"


def test_a_field_newly_mapped_follows_the_first_contact_rule(
    target_config: Config, api: Api
) -> None:
    narrow = copy.deepcopy(ACCOUNT_SCHEMA)
    for name in ("Phone", "Website"):
        del narrow["properties"][name]
    first = account(4)
    run_target(
        target_config,
        singer_lines(schema_message("Account", narrow), record_message("Account", first)),
    )
    record = api.by_external_id("customers")["0010004"]
    api.edit_by_hand("customers", record["id"], {"website": "typed.example"})
    result = run_target(
        target_config, accounts_only(account(4, Phone="111", Website="source.example"))
    )
    assert result.counts("Account")["updated"] == 1
    assert [c["field"] for c in result.report["conflicts"]] == ["website"]  # phone: no conflict
    after = api.by_external_id("customers")["0010004"]
    assert (after["phone"], after["website"]) == ("111", "source.example")
