"""Scenario 5: customers typed into Akountify by hand are linked, not duplicated, on the first
sync."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from .checks import compare

if TYPE_CHECKING:
    from .conftest import Books, Org
    from .harness import MeltanoProject

#: How a bookkeeper might have typed the same names.
VARIANTS = (str.upper, str.lower, lambda name: f"{name}, Inc.", lambda name: f"  {name}.")


def test_first_sync_links_hand_typed_customers_instead_of_creating_twins(
    project: MeltanoProject, org: Org, books: Books
) -> None:
    accounts = org.accounts()
    names = Counter(a["Name"].casefold() for a in accounts.values())
    plain = sorted(
        account_id
        for account_id, account in accounts.items()
        if not account["IsDeleted"]
        and names[account["Name"].casefold()] == 1
        and re.fullmatch(r"[A-Za-z][A-Za-z ]{5,60}[A-Za-z]", account["Name"])
    )
    chosen = plain[: len(VARIANTS)]
    assert len(chosen) == len(VARIANTS), "the seeded org lacks plain account names"
    typed = {
        account_id: books.type_by_hand(
            "customers", {"display_name": variant(accounts[account_id]["Name"]).strip()}
        )
        for account_id, variant in zip(chosen, VARIANTS, strict=True)
    }
    unrelated = books.type_by_hand("customers", {"display_name": "Corner Shop Supplies"})

    result = project.run()

    customers = books.all("customers")
    for account_id, hand_typed in typed.items():
        same = [c for c in customers if c["external_id"] == account_id]
        assert [c["id"] for c in same] == [hand_typed["id"]], (account_id, same)
    assert [c["external_id"] for c in customers if c["id"] == unrelated["id"]] == [None]
    assert result.counts("Account")["linked"] == len(typed)
    verdict = compare(org, books, project)
    verdict.assert_clean()
    # Every customer is either linked/created from Salesforce or the unrelated hand-typed one.
    assert len(customers) == verdict.landed["customers"] + verdict.archived["customers"] + 1
