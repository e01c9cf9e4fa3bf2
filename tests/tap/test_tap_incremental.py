"""Full and incremental syncs against the emulator: edits, ties, late commits, deletes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from emulators.salesforce.launcher import start_salesforce_emulator
from tap_salesforce_lite.errors import TapSalesforceError

from .tap_harness import Org, client_credentials_config, discover, run_tap

if TYPE_CHECKING:
    from collections.abc import Iterator

    from emulators.salesforce.launcher import RunningSalesforce

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def sf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSalesforce]:
    with start_salesforce_emulator(tmp_path_factory.mktemp("sf-incremental")) as running:
        yield running


@pytest.fixture
def org(sf: RunningSalesforce) -> Org:
    sf.set_faults(reset=True)
    return Org(sf)


def test_full_then_incremental_sync_with_edits_ties_and_deletes(
    sf: RunningSalesforce, org: Org
) -> None:
    sf.set_clock(T0)
    tied = [
        org.create("Account", Name=f"Tied {i}", Opening_Balance__c=1234.567891) for i in range(3)
    ]
    sf.advance_clock(60)
    later = org.create("Account", Name="Later")
    config = client_credentials_config(sf, objects=["Account"], lookback_window=600)

    catalog = discover(config)
    first = run_tap(config, catalog=catalog)
    assert first.ids("Account") == [*sorted(tied), later]
    budgets = {r["Id"]: r.get("Opening_Balance__c") for r in first.records("Account")}
    assert budgets[tied[0]] == Decimal("1234.567891")
    bookmark = first.bookmark("Account")
    assert bookmark == (T0 + timedelta(seconds=60)).isoformat(timespec="microseconds")
    # No change since: one query call, and only the lookback window is read again.
    sf.advance_clock(3600)
    again = run_tap(config, state=first.final_state, catalog=catalog)
    assert again.calls == {"query": 1}
    assert again.bookmark("Account") == bookmark

    # An edit and a delete between runs.
    org.update("Account", tied[1], Name="Tied 1 edited")
    sf.advance_clock(1)
    org.delete("Account", tied[2])
    third = run_tap(config, state=again.final_state, catalog=catalog)
    changed = {r["Id"]: r for r in third.records("Account")}
    assert changed[tied[1]]["Name"] == "Tied 1 edited"
    assert changed[tied[2]]["IsDeleted"] is True
    assert changed[tied[2]]["_sdc_deleted_at"] == changed[tied[2]]["SystemModstamp"]
    assert changed[tied[1]]["_sdc_deleted_at"] is None
    assert third.bookmark("Account") == changed[tied[2]]["SystemModstamp"]


def test_records_sharing_the_bookmark_timestamp_survive_an_interrupted_run(
    sf: RunningSalesforce, org: Org
) -> None:
    start = T0 + timedelta(days=1)
    sf.set_clock(start)
    tied = sorted(org.create("Contact", LastName=f"Tie {i}") for i in range(4))
    sf.advance_clock(3600)  # the run happens an hour later: these rows are settled
    config = client_credentials_config(
        sf, objects=["Contact"], start_date=start.isoformat(), max_records_per_stream=2
    )
    catalog = discover(config)
    limited = run_tap(config, catalog=catalog)
    assert limited.ids("Contact") == tied[:2]
    # The bookmark moved only as far as the records emitted, and no further.
    stamp = start.isoformat(timespec="microseconds")
    assert limited.bookmark("Contact") == stamp
    rest = run_tap(
        {**config, "max_records_per_stream": None}, state=limited.final_state, catalog=catalog
    )
    assert set(tied) <= set(rest.ids("Contact"))
    assert rest.bookmark("Contact") == stamp


@pytest.mark.parametrize(("day", "lookback", "caught"), [(2, 600, True), (3, 0, False)])
def test_late_commits_inside_the_lookback_window_are_read_next_run(
    sf: RunningSalesforce, org: Org, day: int, lookback: int, caught: bool
) -> None:
    start = T0 + timedelta(days=day)
    sf.set_clock(start)
    ids = []
    for i in range(260):
        ids.append(
            org.create(
                "Opportunity", Name=f"Deal {i}", StageName="Prospecting", CloseDate="2024-06-30"
            )
        )
        sf.advance_clock(1)
    config = client_credentials_config(
        sf,
        objects=["Opportunity"],
        start_date=start.isoformat(),
        rest_page_size=200,
        lookback_window=lookback,
    )
    catalog = discover(config)
    # While the tap reads the second page, five rows it already read are modified by
    # transactions that commit with a SystemModstamp two minutes in the past.
    sf.set_faults(
        modify_during_paging_after_page=1,
        modify_during_paging_rows=5,
        modify_during_paging_lag_seconds=120,
    )
    first = run_tap(config, catalog=catalog)
    sf.set_faults(reset=True)
    assert sorted(first.ids("Opportunity")) == sorted(ids)
    last = (start + timedelta(seconds=259)).isoformat(timespec="microseconds")
    assert first.bookmark("Opportunity") == last
    since = start.strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = org.query_all(
        f"SELECT Id, Description FROM Opportunity WHERE CreatedDate >= {since}"  # noqa: S608
    )
    edited = {
        r["Id"]
        for r in rows
        if str(r.get("Description") or "").startswith("Edited by a late commit")
    }
    assert len(edited) == 5
    second = run_tap(config, state=first.final_state, catalog=catalog)
    seen = {
        r["Id"]
        for r in second.records("Opportunity")
        if str(r.get("Description") or "").startswith("Edited by a late commit")
    }
    # With the lookback window they are read again; without it they would be lost.
    assert (seen == edited) is caught
    assert (not seen) is not caught


def test_catalog_can_choose_full_table_or_another_replication_key(
    sf: RunningSalesforce, org: Org
) -> None:
    sf.set_clock(T0 + timedelta(days=5))
    for index in range(3):
        org.create("Product2", Name=f"Widget {index}")
    config = client_credentials_config(sf, objects=["Product2"])
    catalog = discover(config)
    entry = catalog["streams"][0]
    root = next(m for m in entry["metadata"] if m["breadcrumb"] == [])

    entry["replication_method"] = "FULL_TABLE"
    entry["replication_key"] = None
    root["metadata"]["forced-replication-method"] = "FULL_TABLE"
    root["metadata"].pop("replication-key", None)
    full = run_tap(config, catalog=catalog)
    ids = full.ids("Product2")
    assert ids == sorted(ids)  # full table reads are ordered by Id
    assert len(ids) >= 3
    assert not full.bookmark("Product2")

    entry["replication_method"] = "INCREMENTAL"
    entry["replication_key"] = "LastModifiedDate"
    root["metadata"]["forced-replication-method"] = "INCREMENTAL"
    root["metadata"]["replication-key"] = "LastModifiedDate"
    by_modified = run_tap(config, catalog=catalog)
    assert by_modified.final_state["bookmarks"]["Product2"]["replication_key"] == (
        "LastModifiedDate"
    )
    assert by_modified.bookmark("Product2") == max(
        r["LastModifiedDate"] for r in by_modified.records("Product2")
    )

    entry["replication_key"] = "Name"
    root["metadata"]["replication-key"] = "Name"
    with pytest.raises(TapSalesforceError, match="replication key Name is not a datetime field"):
        run_tap(config, catalog=catalog)
