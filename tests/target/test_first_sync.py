"""First syncs: when no record of an entity has an external id, upserts are created unread.

The check is one call per entity and run, made once the run has enough upserts of the entity
(:data:`writer.FIRST_SYNC_CHECK_AFTER`, lowered here so that the tests stay small). A create
carries ``if_version: 0``, so a record that appears meanwhile is refused, read and planned again:
never duplicated.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pytest

from target_akountify import writer
from target_akountify.client import AkountifyClient

from .conftest import run_target
from .test_behaviours import accounts_only
from .test_sync import account

if TYPE_CHECKING:
    from .conftest import Api

Config = dict[str, Any]

UNREAD_LOG = "a first sync, so new records are created without reading them first"


@pytest.fixture
def small_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run checks for a first sync from its fourth upsert of an entity."""
    monkeypatch.setattr(writer, "FIRST_SYNC_CHECK_AFTER", 4)


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """The target's log from INFO up (where the first-sync line is written)."""
    caplog.set_level(logging.INFO, logger="target_akountify")
    return caplog


def calls(report: dict[str, Any]) -> tuple[int, int]:
    return report["api_calls"]["read"], report["api_calls"]["write"]


@pytest.mark.usefixtures("small_check")
def test_a_first_sync_creates_every_record_without_reading_it(
    target_config: Config, api: Api, logged: pytest.LogCaptureFixture
) -> None:
    result = run_target(target_config, accounts_only(*(account(n) for n in range(1, 251))))
    assert result.counts("Account")["created"] == 250
    assert len(api.by_external_id("customers")) == 250
    # one check and one page of records typed by hand, instead of three reads by external id
    assert calls(result.report) == (2, 5)
    assert UNREAD_LOG in logged.text


def test_without_the_check_the_same_sync_reads_every_record(
    target_config: Config,
    api: Api,
    monkeypatch: pytest.MonkeyPatch,
    logged: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(writer, "FIRST_SYNC_CHECK_AFTER", 10**9)
    result = run_target(target_config, accounts_only(*(account(n) for n in range(1, 251))))
    assert result.counts("Account")["created"] == 250
    assert len(api.by_external_id("customers")) == 250
    assert calls(result.report) == (4, 5)
    assert "Writing to Akountify company" in logged.text  # INFO lines are captured
    assert UNREAD_LOG not in logged.text


@pytest.mark.usefixtures("small_check")
def test_the_next_sync_finds_linked_records_and_reads_as_always(
    target_config: Config, api: Api, logged: pytest.LogCaptureFixture
) -> None:
    run_target(target_config, accounts_only(*(account(n) for n in range(1, 251))))
    assert UNREAD_LOG in logged.text
    logged.clear()
    edited = [account(n, Phone="+1 555 0100") if n <= 10 else account(n) for n in range(1, 251)]
    result = run_target(target_config, accounts_only(*edited))
    counts = result.counts("Account")
    assert (counts["updated"], counts["unchanged"], counts["created"]) == (10, 240, 0)
    assert "Writing to Akountify company" in logged.text
    assert UNREAD_LOG not in logged.text
    # the check (records are linked now), then 3 reads by external id; one batch of 10 updates
    assert calls(result.report) == (4, 1)
    assert api.by_external_id("customers")["0010001"]["phone"] == "+1 555 0100"


@pytest.mark.usefixtures("small_check")
def test_a_record_created_by_someone_else_after_the_check_is_updated_not_duplicated(
    target_config: Config, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    any_linked = AkountifyClient.any_linked

    def check_then_someone_writes(self: AkountifyClient, entity: str) -> bool:
        answer = any_linked(self, entity)
        response = api.session().put(
            api.url("/customers/by-external-id/0010003"),
            json={"display_name": "Typed meanwhile", "external_source": "salesforce"},
            timeout=30,
        )
        assert response.status_code == 201, response.text
        return answer

    monkeypatch.setattr(AkountifyClient, "any_linked", check_then_someone_writes)
    result = run_target(target_config, accounts_only(*(account(n) for n in range(1, 11))))
    counts = result.counts("Account")
    assert counts["rejected"] == 0
    assert counts["created"] == 9
    customers = api.records("customers")
    assert [c["external_id"] for c in customers].count("0010003") == 1
    assert len(customers) == 10
    # the refused create was read and planned again: its display name was typed meanwhile, so
    # the two names are a conflict, which the source wins by default
    record = api.by_external_id("customers")["0010003"]
    assert record["display_name"] == "Account 3"
    assert counts["conflicts"] == 1


@pytest.mark.usefixtures("small_check")
def test_a_record_sent_twice_in_a_first_sync_ends_with_its_latest_values(
    target_config: Config, api: Api
) -> None:
    config = {**target_config, "batch_size_rows": 3}
    records = [account(1), account(2), account(3), account(1, Phone="999"), account(4), account(5)]
    result = run_target(config, accounts_only(*records))
    counts = result.counts("Account")
    assert (counts["created"], counts["updated"], counts["rejected"]) == (5, 1, 0)
    assert api.by_external_id("customers")["0010001"]["phone"] == "999"
    assert len(api.records("customers")) == 5


@pytest.mark.usefixtures("small_check")
def test_a_deletion_in_a_first_sync_archives_the_record_the_run_created(
    target_config: Config, api: Api
) -> None:
    config = {**target_config, "batch_size_rows": 4}
    records = [*(account(n) for n in range(1, 6)), account(2, IsDeleted=True)]
    result = run_target(config, accounts_only(*records))
    counts = result.counts("Account")
    assert (counts["created"], counts["archived"], counts["rejected"]) == (5, 1, 0)
    assert api.by_external_id("customers")["0010002"]["status"] == "archived"


@pytest.mark.usefixtures("small_check")
def test_a_record_typed_by_hand_is_still_linked(target_config: Config, api: Api) -> None:
    typed = api.create_by_hand("customers", {"display_name": "Account 7"})
    result = run_target(target_config, accounts_only(*(account(n) for n in range(1, 11))))
    counts = result.counts("Account")
    assert (counts["created"], counts["linked"], counts["rejected"]) == (9, 1, 0)
    customers = api.records("customers")
    assert len(customers) == 10
    assert api.by_external_id("customers")["0010007"]["id"] == typed["id"]


@pytest.mark.usefixtures("small_check")
def test_a_dry_run_of_a_first_sync_counts_what_the_real_run_does(
    target_config: Config, api: Api, logged: pytest.LogCaptureFixture
) -> None:
    text = accounts_only(*(account(n) for n in range(1, 21)))
    dry = run_target({**target_config, "dry_run": True}, text)
    assert UNREAD_LOG in logged.text
    assert api.records("customers") == []
    real = run_target(target_config, text)
    for counter in ("created", "updated", "linked", "rejected"):
        assert dry.counts("Account")[counter] == real.counts("Account")[counter]
    assert real.counts("Account")["created"] == 20
