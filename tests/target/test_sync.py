"""End-to-end runs of the target against the Akountify emulator, over real HTTP."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .conftest import (
    Api,
    record_message,
    run_target,
    schema_message,
    singer_lines,
    state_message,
)
from .schemas import ACCOUNT_SCHEMA, CONTACT_SCHEMA, OPPORTUNITY_SCHEMA

if TYPE_CHECKING:
    from collections.abc import Sequence

BOOKMARK = {"bookmarks": {"Account": {"replication_key_value": "x"}}}


def account(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "Id": f"001{n:04d}",
        "Name": f"Account {n}",
        "BillingStreet": "1 Main St\nSuite 2",
        "BillingCity": "Springfield",
        "BillingCountry": "United States",
        "Industry": "Banking",
        "SystemModstamp": "2024-01-01T00:00:00.000000Z",
        **extra,
    }


def contact(n: int, account_n: int, **extra: Any) -> dict[str, Any]:
    return {
        "Id": f"003{n:04d}",
        "AccountId": f"001{account_n:04d}",
        "FirstName": "Ada",
        "LastName": f"Person {n}",
        "Email": f"ada{n}@example.com",
        **extra,
    }


def opportunity(n: int, account_n: int, **extra: Any) -> dict[str, Any]:
    return {
        "Id": f"006{n:04d}",
        "AccountId": f"001{account_n:04d}",
        "Name": f"Deal {n}",
        "Amount": 1000.5,
        "CloseDate": "2024-02-29",
        "IsWon": True,
        **extra,
    }


def salesforce_input(
    accounts: list[dict[str, Any]],
    contacts: Sequence[dict[str, Any]] = (),
    opportunities: Sequence[dict[str, Any]] = (),
    state: dict[str, Any] | None = None,
) -> str:
    messages = [schema_message("Account", ACCOUNT_SCHEMA)]
    messages += [record_message("Account", a) for a in accounts]
    messages.append(schema_message("Contact", CONTACT_SCHEMA))
    messages += [record_message("Contact", c) for c in contacts]
    messages.append(schema_message("Opportunity", OPPORTUNITY_SCHEMA))
    messages += [record_message("Opportunity", o) for o in opportunities]
    messages.append(
        state_message(state or {"bookmarks": {"Account": {"replication_key_value": "x"}}})
    )
    return singer_lines(*messages)


def test_first_sync_creates_records(target_config: dict[str, Any], api: Api) -> None:
    text = salesforce_input(
        [account(1), account(2, BillingCountry="Deutschland")],
        [contact(1, 1), contact(2, 2)],
        [opportunity(1, 1), opportunity(2, 2, IsWon=False)],
    )
    result = run_target(target_config, text)
    customers = api.by_external_id("customers")
    assert set(customers) == {"0010001", "0010002"}
    first = customers["0010001"]
    assert first["display_name"] == "Account 1"
    assert first["billing_address"]["line1"] == "1 Main St"
    assert first["billing_address"]["line2"] == "Suite 2"
    assert first["billing_address"]["country"] == "US"
    assert customers["0010002"]["billing_address"]["country"] == "DE"
    assert first["external_source"] == "salesforce"
    assert first["tags"] == ["Banking"]
    contacts = api.by_external_id("contacts")
    assert contacts["0030001"]["customer"]["external_id"] == "0010001"
    invoices = api.by_external_id("invoices")
    assert set(invoices) == {"0060001"}
    assert invoices["0060001"]["lines"][0]["unit_price"] == "1000.50"
    assert invoices["0060001"]["total"] == "1000.50"
    assert result.counts("Account")["created"] == 2
    assert result.counts("Contact")["created"] == 2
    assert result.counts("Opportunity")["created"] == 1
    assert result.counts("Opportunity")["skipped"] == 1
    assert result.states == [{"bookmarks": {"Account": {"replication_key_value": "x"}}}]
    runs = api.sync_runs()
    assert runs[0]["status"] == "succeeded"
    assert runs[0]["counts"]["customers"]["created"] == 2


def test_second_identical_sync_writes_nothing(target_config: dict[str, Any], api: Api) -> None:
    text = salesforce_input([account(1), account(2)], [contact(1, 1)], [opportunity(1, 1)])
    run_target(target_config, text)
    versions = {k: v["version"] for k, v in api.by_external_id("customers").items()}
    result = run_target(target_config, text)
    assert result.totals()["unchanged"] == 4
    assert result.totals()["created"] == result.totals()["updated"] == 0
    assert {k: v["version"] for k, v in api.by_external_id("customers").items()} == versions
    assert result.report["api_calls"].get("write", 0) == 0
