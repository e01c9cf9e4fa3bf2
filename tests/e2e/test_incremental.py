"""Scenario 2: after the first run, edits, creations and deletions in Salesforce, and only they,
move on the next run; deletions archive."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .checks import changed_ids, compare, snapshot

if TYPE_CHECKING:
    from .conftest import Books, Org
    from .harness import MeltanoProject


def test_next_run_moves_only_the_edited_created_and_deleted_records(
    project: MeltanoProject, org: Org, books: Books
) -> None:
    project.run()
    customers = books.by_external_id("customers")
    contacts = books.by_external_id("contacts")
    invoices = books.by_external_id("invoices")
    sf_contacts = org.contacts()
    sf_opportunities = org.opportunities()
    synced = sorted(customers)
    contacts_of = {
        account: [c for c, r in sf_contacts.items() if r["AccountId"] == account and c in contacts]
        for account in synced
    }
    invoices_of = {
        account: [
            o for o, r in sf_opportunities.items() if r["AccountId"] == account and o in invoices
        ]
        for account in synced
    }
    # The account to delete has synced contacts and invoices; the others are plain.
    deleted = next(a for a in synced if contacts_of[a] and invoices_of[a])
    edited, renamed = [a for a in synced if a != deleted and not contacts_of[a]][:2]
    lone_contact = next(
        c for a in synced if a not in {deleted, edited, renamed} for c in contacts_of[a]
    )
    before = snapshot(books)

    org.update("Account", edited, {"Phone": "+1 212 555 0147", "Website": "www.edited.example"})
    org.update("Account", renamed, {"Name": "Renamed Holdings Ltd"})
    new_account = org.create(
        "Account",
        {"Name": "Brand New Customer Ltd", "BillingCity": "Leeds", "BillingCountry": "UK"},
    )
    new_contact = org.create(
        "Contact",
        {"FirstName": "Nora", "LastName": "Newman", "AccountId": new_account,
         "Email": "nora.newman@new.example"},
    )  # fmt: skip
    org.delete("Account", deleted)
    org.delete("Contact", lone_contact)

    result = project.run()

    after = books.by_external_id("customers")
    assert after[renamed]["display_name"] == "Renamed Holdings Ltd"
    assert after[edited]["phone"] == "+1 212 555 0147"
    assert after[deleted]["status"] == "archived"
    assert (
        books.by_external_id("contacts")[new_contact]["customer"]["id"]
        == (after[new_account]["id"])
    )
    compare(org, books, project).assert_clean()

    # Exactly these records were written; everything else kept its version.
    changed = changed_ids(before, snapshot(books))
    assert changed["customers"] == {
        customers[edited]["id"],
        customers[renamed]["id"],
        customers[deleted]["id"],
        after[new_account]["id"],
    }
    new_contact_id = books.by_external_id("contacts")[new_contact]["id"]
    assert changed["contacts"] == {
        new_contact_id,
        contacts[lone_contact]["id"],
        *(contacts[c]["id"] for c in contacts_of[deleted]),
    }
    assert changed["invoices"] == {invoices[o]["id"] for o in invoices_of[deleted]}
    assert all(books.by_external_id("contacts")[c]["status"] == "archived"
               for c in [lone_contact, *contacts_of[deleted]])  # fmt: skip

    account = result.counts("Account")
    assert (account["created"], account["updated"], account["archived"]) == (1, 2, 1)
    contact = result.counts("Contact")
    assert (contact["created"], contact["updated"]) == (1, 0)
    assert contact["archived"] == 1 + len(contacts_of[deleted])
    assert result.counts("Opportunity")["archived"] == len(invoices_of[deleted])
    # Records re-read inside the lookback window arrive again but are not written.
    for stream in ("Account", "Contact", "Opportunity"):
        counts = result.counts(stream)
        assert counts["conflicts"] == 0
        moved = counts["created"] + counts["updated"] + counts["archived"]
        assert counts["received"] == moved + counts["unchanged"] + counts["skipped"] + (
            counts["rejected"] - counts["retried"]
        ), (stream, counts)
