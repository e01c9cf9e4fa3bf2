"""Records retried from the rejected store: exact counters, and dry runs that predict them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from target_akountify.report import COUNTERS

from .conftest import Api, RunResult, run_target
from .test_behaviours import accounts_only, rejected_entries
from .test_sync import account, contact, salesforce_input

Config = dict[str, Any]


def counters(result: RunResult, stream: str) -> dict[str, int]:
    row = result.counts(stream)
    return {name: row[name] for name in COUNTERS}


def expected(**given: int) -> dict[str, int]:
    return {name: given.get(name, 0) for name in COUNTERS}


def store_bytes(config: Config) -> dict[str, bytes]:
    folder = Path(config["rejected_store_path"])
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def test_a_record_retried_and_rejected_again_counts_once(target_config: Config, api: Api) -> None:
    bad = [account(n, Name=None) for n in range(1, 13)]  # 12 records without a name
    first = run_target(target_config, accounts_only(*bad))
    assert counters(first, "Account") == expected(received=12, rejected=12)
    # next run: one of them arrives again, still bad; the eleven others are retried as stored
    again = run_target(target_config, accounts_only(account(5, Name=None, Phone="1")))
    assert counters(again, "Account") == expected(received=1, retried=12, rejected=12)
    row = again.counts("Account")
    assert row["retried_outcomes"] == {"rejected": 11, "superseded": 1}
    assert sorted(r["external_id"] for r in again.report["rejections"]) == sorted(
        r["Id"] for r in bad
    )  # each record listed once
    entries = {e["external_id"]: e for e in rejected_entries(target_config, "Account")}
    assert len(entries) == 12
    assert entries["0010005"]["record"]["Phone"] == "1"  # the newer version is kept
    assert {e["attempts"] for e in entries.values()} == {2}  # one attempt per run
    assert again.report["retried_summary"] == [
        (
            "Account → customers: 12 retried from earlier runs: 11 rejected again, "
            "1 replaced by a newer version from the source"
        )
    ]
    assert api.records("customers") == []
    assert api.sync_runs()[0]["counts"]["customers"]["rejected"] == 12


def test_every_counter_of_a_run_with_retried_records(target_config: Config, api: Api) -> None:
    target_config["duplicate_name_suffix"] = None
    first = run_target(
        target_config,
        salesforce_input(
            [account(1), account(2, Name=None), account(3, Name="Twin"), account(4, Name="twin")],
            [contact(1, 2), contact(2, 9), contact(3, 1)],
        ),
    )
    assert counters(first, "Account") == expected(received=4, created=2, rejected=2)
    assert counters(first, "Contact") == expected(received=3, created=1, rejected=2)
    # the next run: account 2 fixed (so contact 1 can follow), account 4 renamed at the source;
    # contact 2's account 0010009 is still missing; one new account and one changed account
    second = run_target(
        target_config,
        salesforce_input(
            [account(2), account(4, Name="Twin Two"), account(5), account(1, Phone="7")],
            [],
        ),
    )
    assert counters(second, "Account") == expected(received=4, created=3, updated=1, retried=2)
    assert second.counts("Account")["retried_outcomes"] == {"superseded": 2}
    assert counters(second, "Contact") == expected(created=1, rejected=1, retried=2)
    assert second.counts("Contact")["retried_outcomes"] == {"created": 1, "rejected": 1}
    assert [r["external_id"] for r in second.report["rejections"]] == ["0030002"]
    assert second.report["totals"]["rejected"] == 1
    assert sorted(api.by_external_id("customers")) == [f"001{n:04d}" for n in range(1, 6)]
    assert sorted(api.by_external_id("contacts")) == ["0030001", "0030003"]


@pytest.mark.parametrize("policy", ["source_wins", "reject"])
def test_a_dry_run_counts_exactly_what_the_real_run_then_does(
    target_config: Config, api: Api, policy: str
) -> None:
    target_config["conflict_policy"] = policy
    run_target(target_config, accounts_only(account(5, Phone="1")))
    api.edit_by_hand("customers", api.by_external_id("customers")["0010005"]["id"], {"phone": "2"})
    api.create_by_hand("customers", {"display_name": "Typed By Hand"})
    first = run_target(
        target_config,
        salesforce_input(
            [
                account(1, Name="Same"),
                account(2, Name="same"),  # duplicate name: rejected
                account(5, Phone="1"),  # conflict
                account(6, Name=None),  # mapping: rejected
            ],
            [contact(1, 9), contact(2, 1), contact(3, 6)],  # 9 missing, 6 rejected
        ),
    )
    assert first.report["totals"]["rejected"] >= 4
    before = store_bytes(target_config)
    next_input = salesforce_input(
        [account(7, Name="Typed by hand"), account(8, Name="SAME"), account(1, Phone="3")],
        [contact(4, 7), contact(5, 8)],
    )
    target_config["dry_run"] = True
    dry = run_target(target_config, next_input)
    assert store_bytes(target_config) == before  # the dry run removed and added nothing
    assert dry.report["api_calls"].get("write", 0) == 0
    target_config["dry_run"] = False
    real = run_target(target_config, next_input)
    for stream in ("Account", "Contact"):
        assert counters(dry, stream) == counters(real, stream), stream
        assert dry.counts(stream)["retried_outcomes"] == real.counts(stream)["retried_outcomes"]
    assert sorted((r["external_id"], r["code"]) for r in dry.report["rejections"]) == sorted(
        (r["external_id"], r["code"]) for r in real.report["rejections"]
    )
    # "Typed by hand" links under source_wins; its name's case is a conflict under reject
    assert real.counts("Account")["linked"] == (1 if policy == "source_wins" else 0)
    assert real.counts("Account")["rejected"] >= 2
