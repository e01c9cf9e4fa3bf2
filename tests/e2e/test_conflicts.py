"""Scenario 4: the same mapped field edited in both systems; each policy does what it says."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .conftest import Books, Org
    from .harness import MeltanoProject, RunResult

SALESFORCE_PHONE = "+1 212 555 0199"
AKOUNTIFY_PHONE = "+44 20 7946 0018"


def _conflicts_of(result: RunResult, external_id: str) -> list[dict[str, object]]:
    assert result.report is not None
    return [c for c in result.report["conflicts"] if c["external_id"] == external_id]


def test_each_conflict_policy_resolves_and_reports_a_field_edited_on_both_sides(
    project: MeltanoProject, org: Org, books: Books
) -> None:
    project.run()
    customers = books.by_external_id("customers")
    first, second, third = sorted(customers)[:3]

    def edit_both(external_id: str) -> None:
        books.edit_by_hand("customers", customers[external_id]["id"], {"phone": AKOUNTIFY_PHONE})
        org.update("Account", external_id, {"Phone": SALESFORCE_PHONE})

    # source_wins (the default): Salesforce's value overwrites, the conflict is reported.
    edit_both(first)
    org.update("Account", first, {"Website": "www.first.example"})
    result = project.run()
    record = books.by_external_id("customers")[first]
    assert (record["phone"], record["website"]) == (SALESFORCE_PHONE, "www.first.example")
    (conflict,) = _conflicts_of(result, first)
    assert conflict["field"] == "phone"
    assert conflict["resolution"] == "overwritten"
    assert result.counts("Account")["conflicts"] == 1
    (latest, *_) = books.all("sync-runs")
    assert latest["counts"]["customers"]["conflicts"] == 1

    # destination_wins: Akountify keeps its value; other fields still follow Salesforce.
    edit_both(second)
    org.update("Account", second, {"Website": "www.second.example"})
    result = project.run(env={"TARGET_AKOUNTIFY_CONFLICT_POLICY": "destination_wins"})
    record = books.by_external_id("customers")[second]
    assert (record["phone"], record["website"]) == (AKOUNTIFY_PHONE, "www.second.example")
    (conflict,) = _conflicts_of(result, second)
    assert (conflict["field"], conflict["resolution"]) == ("phone", "kept")

    # reject: nothing is written; the record waits in the rejected store for a person.
    edit_both(third)
    before = books.by_external_id("customers")[third]
    result = project.run(env={"TARGET_AKOUNTIFY_CONFLICT_POLICY": "reject"})
    after = books.by_external_id("customers")[third]
    assert (after["version"], after["phone"]) == (before["version"], AKOUNTIFY_PHONE)
    (conflict,) = _conflicts_of(result, third)
    assert (conflict["field"], conflict["resolution"]) == ("phone", "rejected")
    entry = project.rejected("Account")[third]
    assert [r["code"] for r in entry["reasons"]] == ["conflict"]
    assert result.counts("Account")["rejected"] >= 1
