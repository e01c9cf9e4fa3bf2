"""Scenario 6: a test sync on a handful of records writes nothing; a full refresh re-reads
everything and changes nothing that did not change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .checks import changed_ids, compare, snapshot
from .harness import JOB

if TYPE_CHECKING:
    from .conftest import Books, Org
    from .harness import MeltanoProject

STREAMS = ("Account", "Contact", "Opportunity")


def test_dry_run_test_sync_then_full_refresh_changes_nothing(
    project: MeltanoProject, org: Org, books: Books
) -> None:
    dry = project.run(
        env={"TAP_SALESFORCE_LITE_MAX_RECORDS_PER_STREAM": "5", "TARGET_AKOUNTIFY_DRY_RUN": "true"}
    )
    assert dry.report is not None
    assert (dry.report["dry_run"], dry.report["status"]) == (True, "dry_run")
    for stream in STREAMS:
        counts = dry.counts(stream)
        assert counts["received"] == 5, (stream, counts)
    # The report says what would happen; nothing was written anywhere.
    assert dry.report["totals"]["created"] + dry.report["totals"]["linked"] > 0
    for entity in ("customers", "contacts", "invoices", "sync-runs"):
        assert books.all(entity) == [], entity
    assert not project.rejected_dir.exists() or not any(project.rejected_dir.iterdir())
    states = project.meltano("state", "list").stdout
    assert "tap-salesforce-lite-to-target-akountify" not in states, states

    # Nothing was bookmarked, so the first real run reads the whole org.
    full = project.run()
    accounts = org.accounts()
    assert full.counts("Account")["received"] == len(accounts)
    compare(org, books, project).assert_clean()
    before = snapshot(books)

    refresh = project.run("--full-refresh", JOB)
    assert snapshot(books) == before, changed_ids(before, snapshot(books))
    for stream in STREAMS:
        counts = refresh.counts(stream)
        assert counts["received"] == full.counts(stream)["received"], stream
        assert counts["created"] == counts["updated"] == counts["archived"] == 0, counts
        assert counts["conflicts"] == counts["linked"] == 0, counts
    assert refresh.counts("Account")["unchanged"] == full.counts("Account")["created"]
