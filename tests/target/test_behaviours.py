"""Behaviours of the target over real HTTP: conflicts, linking, duplicates, deletes, rejects."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from target_akountify.mapping.loader import MappingError
from target_akountify.target import TargetAkountify

from .conftest import Api, record_message, run_target, schema_message, singer_lines
from .schemas import ACCOUNT_SCHEMA, CONTACT_SCHEMA
from .test_sync import account, contact, salesforce_input

Config = dict[str, Any]


def accounts_only(*records: dict[str, Any]) -> str:
    return singer_lines(
        schema_message("Account", ACCOUNT_SCHEMA), *(record_message("Account", r) for r in records)
    )


def rejected_entries(config: Config, stream: str) -> list[dict[str, Any]]:
    path = Path(config["rejected_store_path"]) / f"{stream}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("policy", ["source_wins", "destination_wins", "reject"])
def test_field_edited_in_akountify_is_a_conflict(
    target_config: Config, api: Api, policy: str
) -> None:
    target_config["conflict_policy"] = policy
    run_target(target_config, accounts_only(account(1, Phone="111")))
    record = api.by_external_id("customers")["0010001"]
    api.edit_by_hand("customers", record["id"], {"phone": "999"})
    result = run_target(target_config, accounts_only(account(1, Phone="111", Website="a.example")))
    after = api.by_external_id("customers")["0010001"]
    assert result.counts("Account")["conflicts"] == 1
    conflict = result.report["conflicts"][0]
    assert conflict["field"] == "phone"
    assert conflict["akountify_value"] == "999"
    assert conflict["source_value"] == "111"
    if policy == "source_wins":
        assert after["phone"] == "111"
        assert after["website"] == "a.example"
        assert conflict["resolution"] == "overwritten"
    elif policy == "destination_wins":
        assert after["phone"] == "999"
        assert after["website"] == "a.example"  # the unconflicted field is still written
        again = run_target(
            target_config, accounts_only(account(1, Phone="111", Website="a.example"))
        )
        assert again.counts("Account")["unchanged"] == 1
        assert again.counts("Account")["conflicts"] == 0
    else:
        assert after["phone"] == "999"
        assert after["website"] is None  # nothing written for a rejected record
        entries = rejected_entries(target_config, "Account")
        assert [e["reasons"][0]["code"] for e in entries] == ["conflict"]
        assert "edited in Akountify" in entries[0]["reasons"][0]["message"]


def test_source_change_without_akountify_edit_is_not_a_conflict(
    target_config: Config, api: Api
) -> None:
    run_target(target_config, accounts_only(account(1, Phone="111")))
    result = run_target(target_config, accounts_only(account(1, Phone="222")))
    assert result.counts("Account")["updated"] == 1
    assert result.counts("Account")["conflicts"] == 0
    assert api.by_external_id("customers")["0010001"]["phone"] == "222"


def test_hand_typed_records_are_linked_not_duplicated(target_config: Config, api: Api) -> None:
    typed = api.create_by_hand("customers", {"display_name": "ACCOUNT 1, Inc.", "phone": "5"})
    api.create_by_hand("contacts", {"first_name": "Ada", "email": "ADA1@example.com"})
    result = run_target(target_config, salesforce_input([account(1, Phone="5")], [contact(1, 1)]))
    customers = api.records("customers")
    assert len(customers) == 1
    assert customers[0]["id"] == typed["id"]
    assert customers[0]["external_id"] == "0010001"
    assert customers[0]["display_name"] == "Account 1"  # source wins, reported as a conflict
    contacts = api.records("contacts")
    assert len(contacts) == 1
    assert contacts[0]["external_id"] == "0030001"
    assert result.counts("Account")["linked"] == 1
    assert result.counts("Contact")["linked"] == 1
    assert result.counts("Account")["created"] == 0


def test_duplicate_display_name_never_creates_a_second_customer(
    target_config: Config, api: Api
) -> None:
    result = run_target(
        target_config, accounts_only(account(1, Name="Same Name"), account(2, Name="same name"))
    )
    customers = api.records("customers")
    assert len(customers) == 1
    assert result.counts("Account")["rejected"] == 1
    rejection = result.report["rejections"][0]
    assert rejection["code"] == "duplicate_name"
    assert "duplicate_name_suffix" in rejection["fix"]
    target_config["duplicate_name_suffix"] = " ({external_id})"
    again = run_target(
        target_config, accounts_only(account(1, Name="Same Name"), account(2, Name="same name"))
    )
    names = sorted(c["display_name"] for c in api.records("customers"))
    assert names == ["Same Name", "same name (0010002)"]
    assert again.counts("Account")["retried"] == 1
    assert rejected_entries(target_config, "Account") == []


def test_duplicate_name_held_by_a_hand_typed_record_links_it(
    target_config: Config, api: Api
) -> None:
    target_config["match_existing"] = False  # only the 409 path can find it
    typed = api.create_by_hand("customers", {"display_name": "Account 1"})
    result = run_target(target_config, accounts_only(account(1)))
    customers = api.records("customers")
    assert [c["id"] for c in customers] == [typed["id"]]
    assert customers[0]["external_id"] == "0010001"
    assert result.counts("Account")["linked"] == 1


@pytest.mark.parametrize(
    "marker", [{"IsDeleted": True}, {"_sdc_deleted_at": "2024-02-01T00:00:00Z"}]
)
def test_deleted_source_records_archive(
    target_config: Config, api: Api, marker: dict[str, Any]
) -> None:
    run_target(target_config, accounts_only(account(1), account(2)))
    result = run_target(target_config, accounts_only(account(1, **marker), account(3, **marker)))
    customers = api.by_external_id("customers")
    assert customers["0010001"]["status"] == "archived"
    assert customers["0010002"]["status"] == "active"
    assert "0010003" not in customers
    assert result.counts("Account")["archived"] == 1
    assert result.counts("Account")["skipped"] == 1
    target_config["on_delete"] = "ignore"
    ignored = run_target(target_config, accounts_only(account(2, **marker)))
    assert api.by_external_id("customers")["0010002"]["status"] == "active"
    assert ignored.counts("Account")["skipped"] == 1


def test_bad_records_are_kept_with_reason_and_fix_and_retried(
    target_config: Config, api: Api, company: Any
) -> None:
    bad = account(2, Name=None, BillingCountry="Atlantis")
    result = run_target(target_config, accounts_only(account(1), bad, account(3)))
    assert set(api.by_external_id("customers")) == {"0010001", "0010003"}
    assert result.counts("Account")["rejected"] == 1
    entries = rejected_entries(target_config, "Account")
    assert len(entries) == 1
    entry = entries[0]
    assert entry["external_id"] == "0010002"
    assert entry["record"]["BillingCountry"] == "Atlantis"
    assert entry["attempts"] == 1
    fields = {r["field"]: r for r in entry["reasons"]}
    assert set(fields) == {"display_name", "billing_address.country"}
    assert all(r["fix"] for r in entry["reasons"])
    runs = api.sync_runs()
    assert runs[0]["status"] == "succeeded_with_rejections"
    assert runs[0]["rejections"][0]["external_id"] == "0010002"
    # the next run has no new version of it: it is retried, fails again, attempts counted
    again = run_target(target_config, accounts_only())
    assert again.counts("Account")["retried"] == 1
    assert rejected_entries(target_config, "Account")[0]["attempts"] == 2
    # a fixed version arrives: written, removed from the store
    fixed = run_target(target_config, accounts_only(account(2, BillingCountry="France")))
    assert fixed.counts("Account")["created"] == 1
    assert rejected_entries(target_config, "Account") == []
    assert api.by_external_id("customers")["0010002"]["billing_address"]["country"] == "FR"
    for text in (result.log, json.dumps(result.report), json.dumps(entries)):
        assert company.client_secret not in text


def test_rejected_records_of_an_absent_stream_are_retried(target_config: Config, api: Api) -> None:
    orphan = contact(1, 9)  # its account 0010009 does not exist
    text = singer_lines(
        schema_message("Contact", CONTACT_SCHEMA), record_message("Contact", orphan)
    )
    first = run_target(target_config, text)
    assert first.counts("Contact")["rejected"] == 1
    assert "invalid_reference" in json.dumps(first.report["rejections"])
    run_target(target_config, accounts_only(account(9)))  # no Contact stream this time
    assert api.by_external_id("contacts")["0030001"]["customer"]["external_id"] == "0010009"
    assert rejected_entries(target_config, "Contact") == []


def test_dry_run_writes_nothing_anywhere(target_config: Config, api: Api) -> None:
    target_config["dry_run"] = True
    result = run_target(
        target_config, salesforce_input([account(1), account(2, Name=None)], [contact(1, 1)])
    )
    assert api.records("customers") == []
    assert api.records("contacts") == []
    assert api.sync_runs() == []
    assert result.states == []
    assert not Path(target_config["rejected_store_path"]).exists()
    assert result.report["dry_run"] is True
    assert result.counts("Account")["created"] == 1
    assert result.counts("Account")["rejected"] == 1
    assert result.counts("Contact")["created"] == 1
    assert result.report["api_calls"].get("write", 0) == 0


def test_a_bad_mapping_fails_before_anything_is_written(target_config: Config, api: Api) -> None:
    target_config["mapping"] = {
        "Account": {"entity": "customers", "fields": {"display_name": "Nmae", "phone": "Phone"}},
        "Contact": {"entity": "contacts", "fields": {"email": "Email"}},
    }
    with pytest.raises(MappingError) as caught:
        run_target(target_config, salesforce_input([account(1)], [contact(1, 1)]))
    message = str(caught.value)
    assert "first_name` or `last_name`" in message  # the Contact problem, found up front
    assert api.records("customers") == []


def test_unmapped_streams_fail_or_are_skipped(target_config: Config, api: Api) -> None:
    text = singer_lines(
        schema_message("Lead", {"properties": {"Id": {"type": "string"}}}),
        record_message("Lead", {"Id": "00Q1"}),
    )
    with pytest.raises(MappingError, match="unmapped_streams: skip"):
        run_target(target_config, text)
    target_config["unmapped_streams"] = "skip"
    result = run_target(target_config, text)
    assert result.counts("Lead")["skipped"] == 1


def test_text_is_normalized_before_writing(target_config: Config, api: Api) -> None:
    run_target(target_config, accounts_only(account(1, Name="Cafe\u0301 \u0007Bar: Grill")))
    assert api.by_external_id("customers")["0010001"]["display_name"] == "Café Bar- Grill"


def test_custom_fields_are_created_on_request(target_config: Config, api: Api) -> None:
    target_config["mapping"] = {
        "Account": {
            "entity": "customers",
            "fields": {
                "display_name": "Name",
                "custom_fields.industry": {"source": "Industry"},
                "custom_fields.signed": {"source": "Signed__c"},
            },
            "custom_fields": {
                "industry": {"type": "list", "options": ["Banking", "Energy", "Retail"]},
                "signed": {"type": "date"},
            },
        }
    }
    with pytest.raises(MappingError, match="create_custom_fields: true"):
        run_target(target_config, accounts_only(account(1)))
    target_config["create_custom_fields"] = True
    result = run_target(target_config, accounts_only(account(1, Signed__c="2024-05-01")))
    record = api.by_external_id("customers")["0010001"]
    assert record["custom_fields"] == {"industry": "Banking", "signed": "2024-05-01"}
    assert sorted(result.report["custom_fields_created"]) == [
        "customers.industry",
        "customers.signed",
    ]


def test_an_edit_between_read_and_write_is_re_read_not_overwritten_blindly(
    target_config: Config, api: Api
) -> None:
    run_target(target_config, accounts_only(account(1, Phone="111")))
    record = api.by_external_id("customers")["0010001"]
    target = TargetAkountify(config=target_config)
    client = target.runtime.client
    original_batch = client.batch
    edits: list[dict[str, Any]] = []

    def batch_after_a_human_edit(operations: list[dict[str, Any]] | bytes, **kwargs: Any) -> Any:
        if not edits:  # a person edits the record after the target read it
            edits.append(
                api.edit_by_hand("customers", record["id"], {"legal_name": "Acme Holdings"})
            )
        return original_batch(operations, **kwargs)

    client.batch = batch_after_a_human_edit  # type: ignore[method-assign]
    with contextlib.redirect_stdout(io.StringIO()):
        target.listen(io.StringIO(accounts_only(account(1, Phone="222"))))
    after = api.by_external_id("customers")["0010001"]
    assert after["phone"] == "222"  # written after re-reading (412 on the first attempt)
    assert after["legal_name"] == "Acme Holdings"  # the edit of an unmapped field is kept
    assert after["version"] == edits[0]["version"] + 1


def test_fields_missing_from_the_schema_are_reported_once(
    target_config: Config, api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING"):
        result = run_target(
            target_config,
            accounts_only(account(1, Unknown="x"), account(2, Unknown="y"), account(3, Empty=None)),
        )
    warnings = [r.getMessage() for r in caplog.records if "No schema for record field" in r.message]
    assert warnings == ["No schema for record field 'Unknown'"]
    assert result.counts("Account")["created"] == 3
    assert sorted(api.by_external_id("customers")) == ["0010001", "0010002", "0010003"]
