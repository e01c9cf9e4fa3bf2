"""Scenario 1: the first `meltano run` of the main job against a fresh Akountify company."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .checks import compare

if TYPE_CHECKING:
    from .conftest import Books, Org
    from .harness import MeltanoProject


def test_initial_sync_lands_every_selected_record_once_with_the_mapped_values(
    project: MeltanoProject, org: Org, books: Books
) -> None:
    result = project.run()

    verdict = compare(org, books, project)
    verdict.assert_clean()
    # The seeded org carries every sync-breaking case: most records land, some are rejected
    # (duplicate names, invalid emails, missing required data, won deals of rejected accounts)
    # and deleted ones are left out.
    assert verdict.landed["customers"] > 150, verdict
    assert verdict.landed["contacts"] > 200, verdict
    assert verdict.landed["invoices"] > 20, verdict
    assert verdict.rejected["customers"] > 0, verdict
    assert verdict.rejected["contacts"] > 0, verdict
    assert verdict.rejected["invoices"] > 0, verdict

    report = result.report
    assert report is not None
    assert report["status"] == "succeeded_with_rejections"
    for stream, entity in (("Account", "customers"), ("Contact", "contacts")):
        counts = result.counts(stream)
        assert counts["created"] == verdict.landed[entity], (stream, counts)
        assert counts["rejected"] == verdict.rejected[entity], (stream, counts)
        assert counts["updated"] == counts["archived"] == counts["conflicts"] == 0
    invoices = result.counts("Opportunity")
    assert invoices["created"] == verdict.landed["invoices"]
    assert invoices["rejected"] == verdict.rejected["invoices"]
    # Open and lost opportunities, and deleted records, are skipped, not rejected.
    assert invoices["skipped"] > 0

    # Every rejection in the report names the record, the field, the reason and the fix.
    assert len(report["rejections"]) == min(100, report["totals"]["rejected"])
    for rejection in report["rejections"]:
        assert rejection["external_id"], rejection
        assert rejection["code"], rejection
        assert rejection["message"], rejection
        assert rejection["fix"], rejection
    codes = {r["code"] for r in report["rejections"]}
    assert {"duplicate_name", "invalid_reference", "invalid_format", "required"} <= codes, codes
    # Country names in any language and script (대한민국, ایران, Россия ...) are resolved.
    assert not any("country" in r["field"] for r in report["rejections"]), report["rejections"]

    # The run is in Akountify's sync log with the same counts.
    (sync_run,) = books.all("sync-runs")
    assert sync_run["status"] == "succeeded_with_rejections"
    assert sync_run["source"] == "salesforce-emulator"
    assert sync_run["counts"]["customers"]["created"] == verdict.landed["customers"]
    assert sync_run["counts"]["invoices"]["rejected"] == verdict.rejected["invoices"]
    # Secrets of either side never reach the run's output.
    for secret in (
        project.env["TAP_SALESFORCE_LITE_CLIENT_SECRET"],
        project.env["TARGET_AKOUNTIFY_CLIENT_SECRET"],
    ):
        assert secret not in result.log
