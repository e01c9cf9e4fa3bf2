"""Seed data: customers that a person typed into Akountify by hand, before any sync.

They have no external id and were last updated by the company's user. Their names differ
from the accounts of a standard Salesforce developer org only by case, spacing, punctuation
or accents, so that a first sync can be tested on linking to them instead of creating twins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from emulators.akountify import accounts, database
from emulators.akountify.accounts import Caller
from emulators.akountify.custom_fields import CustomFieldRegistry
from emulators.akountify.entities import CUSTOMERS
from emulators.akountify.records import RecordStore, Target

if TYPE_CHECKING:
    import sqlite3

    from emulators.akountify.clock import Clock

HAND_TYPED_CUSTOMERS: Final[tuple[dict[str, Any], ...]] = (
    {
        "display_name": "EDGE COMMUNICATIONS",
        "email": "ap@edgecomm.example",
        "phone": "(512) 757-6000",
        "tax_id": "74-1234567",
        "billing_address": {
            "line1": "312 Constitution Place",
            "city": "Austin",
            "region": "TX",
            "postal_code": "78767",
            "country": "US",
        },
        "currency": "USD",
        "payment_terms": "net_30",
    },
    {
        "display_name": "Burlington Textiles Corp. of America",
        "email": "accounts@burlington.example",
        "phone": "(336) 222-7000",
        "tax_id": "56-7654321",
        "currency": "USD",
        "payment_terms": "net_60",
    },
    {
        "display_name": "Pyramid Construction, Inc",
        "email": "finance@pyramid.example",
        "tax_id": "FR40303265045",
        "billing_address": {
            "line1": "2 Place Jussieu",
            "city": "Paris",
            "postal_code": "75251",
            "country": "FR",
        },
        "currency": "EUR",
    },
    {
        "display_name": "dickenson  plc",
        "email": "billing@dickenson.example",
        "tax_id": "GB123456789",
        "currency": "GBP",
        "credit_limit": "50000.00",
    },
    {
        "display_name": "Grand Hotels and Resorts Ltd",
        "email": "payables@grandhotels.example",
        "currency": "USD",
        "tags": ["hospitality"],
    },
    {
        "display_name": "Génépoint",
        "email": "ap@genepoint.example",
        "tax_id": "94-0000001",
        "currency": "USD",
        "notes": "Typed in by hand from a paper invoice.",
    },
    {
        "display_name": "United Oil & Gas Corp",
        "email": "ap@uog.example",
        "currency": "USD",
    },
    {
        "display_name": "Express Logistics & Transport",
        "email": "invoices@expresslogistics.example",
        "phone": "(503) 421-7800",
        "currency": "USD",
    },
)


def seed_company(
    connection: sqlite3.Connection, company_id: str, clock: Clock
) -> list[dict[str, Any]]:
    """Add the hand-typed customers to a company (skipping names it already has).

    Args:
        connection: The database.
        company_id: The company to seed.
        clock: Time source.

    Returns:
        The customers created (already present ones are not repeated).

    Raises:
        ApiError: 404 when the company does not exist.
    """
    registry = CustomFieldRegistry(connection, clock)
    store = RecordStore(connection, clock, registry)
    created = []
    with database.write(connection):
        caller = Caller(company_id, accounts.user_actor(connection, company_id))
        for data in HAND_TYPED_CUSTOMERS:
            key = CUSTOMERS.unique_key(data)
            clash = connection.execute(
                "SELECT 1 FROM records WHERE company_id = ? AND entity = 'customers' AND "
                "unique_key = ? AND status = 'active'",
                (company_id, key),
            ).fetchone()
            if clash is None:
                created.append(store.write(caller, CUSTOMERS, Target(), dict(data)).record)
    return created
