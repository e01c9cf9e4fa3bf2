"""Seed rows that every org has before its accounts: users, products, the price book."""

# ruff: noqa: PLR2004 - the probabilities and sizes of the seeded data are its specification
from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from emulators.salesforce.seed_pools import EMAIL_DOMAINS, ascii_slug
from emulators.salesforce.standard_objects import LANGUAGES, LOCALES, TIME_ZONES

if TYPE_CHECKING:
    from emulators.salesforce.seed_context import SeedContext

#: Share of seeded users that are inactive (they own old records but cannot log in).
INACTIVE_USER_RATE = 0.1
PRODUCT_FAMILIES = ("Hardware", "Software", "Services", "Support")
PRODUCT_KINDS = {
    "Hardware": ("Router", "Sensor", "Gateway", "Terminal", "Scanner", "Printer"),
    "Software": ("License", "Subscription", "Add-on", "Suite", "Connector"),
    "Services": ("Installation", "Training Day", "Consulting Hour", "Audit", "Migration"),
    "Support": ("Premium Support", "Standard Support", "Extended Warranty", "On-site Visit"),
}


def user_count(accounts: int) -> int:
    """Users seeded for ``accounts`` accounts: one per 1,000, at least 5, at most 200."""
    return min(200, max(5, accounts // 1000))


def product_count(accounts: int) -> int:
    """Products seeded for ``accounts`` accounts: one per 500, at least 10, at most 500."""
    return min(500, max(10, accounts // 500))


def seed_users(ctx: SeedContext, count: int) -> None:
    """Users with realistic names; the first ones are active, about 10% are not."""
    layout = ctx.layout("User")
    first_sequence, user_ids = ctx.reserve("User", count)
    english = ctx.pools.locales["en_US"]
    created_ms = ctx.start_ms - 30 * 86_400_000
    rows = []
    for offset, user_id in enumerate(user_ids):
        first_name = ctx.pick(english.first_names)
        last_name = ctx.pick(english.last_names)
        slug = f"{ascii_slug(first_name)}.{ascii_slug(last_name)}{first_sequence + offset}"
        active = offset < 2 or ctx.rng.random() >= INACTIVE_USER_RATE
        stamp = ctx.stamps.datetime(created_ms + offset * 60_000)
        values = {
            "Id": user_id,
            "Username": f"{slug}@acme-org.example",
            "LastName": last_name,
            "FirstName": first_name,
            "Name": f"{first_name} {last_name}",
            "CompanyName": "Acme Org",
            "Department": ctx.pick(("Sales", "Finance", "Support", "Operations")),
            "Title": ctx.pick(("Account Executive", "Sales Manager", "Finance Analyst")),
            "Email": f"{slug}@acme-org.example",
            "Phone": ctx.pick(english.phones),
            "Alias": slug[:8],
            "CommunityNickname": slug[:40],
            "IsActive": int(active),
            "TimeZoneSidKey": ctx.pick(TIME_ZONES),
            "LocaleSidKey": ctx.pick(LOCALES),
            "EmailEncodingKey": "UTF-8",
            "UserType": "Standard",
            "LanguageLocaleKey": ctx.pick(LANGUAGES),
            "CreatedDate": stamp,
            "CreatedById": user_ids[0],
            "LastModifiedDate": stamp,
            "LastModifiedById": user_ids[0],
            "SystemModstamp": stamp,
        }
        rows.append(layout.row(first_sequence + offset, values))
        if active:
            ctx.active_user_ids.append(user_id)
    ctx.write("User", rows)


def seed_products(ctx: SeedContext, count: int) -> None:
    """Products, the standard price book and one entry per product in it."""
    stamp = ctx.stamps.datetime(ctx.start_ms - 20 * 86_400_000)
    admin = ctx.active_user_ids[0]
    audit = {
        "CreatedDate": stamp,
        "CreatedById": admin,
        "LastModifiedDate": stamp,
        "LastModifiedById": admin,
        "SystemModstamp": stamp,
    }
    book_layout = ctx.layout("Pricebook2")
    if not ctx.standard_pricebook_id:
        book_sequence, (book_id,) = ctx.reserve("Pricebook2", 1)
        book = {"Id": book_id, "Name": "Standard Price Book", "IsActive": 1, "IsStandard": 1}
        ctx.write("Pricebook2", [book_layout.row(book_sequence, {**book, **audit})])
        ctx.standard_pricebook_id = book_id
    book_id = ctx.standard_pricebook_id
    product_layout = ctx.layout("Product2")
    entry_layout = ctx.layout("PricebookEntry")
    first_product, product_ids = ctx.reserve("Product2", count)
    first_entry, entry_ids = ctx.reserve("PricebookEntry", count)
    products, entries = [], []
    for offset, (product_id, entry_id) in enumerate(zip(product_ids, entry_ids, strict=True)):
        family = PRODUCT_FAMILIES[offset % len(PRODUCT_FAMILIES)]
        name = f"{ctx.pick(ctx.pools.product_words)} {ctx.pick(PRODUCT_KINDS[family])}"
        code = f"{family[:2].upper()}-{first_product + offset:05d}"
        price = round(ctx.rng.choice((9.99, 49.0, 120.0, 499.5, 1_250.0)) * (1 + offset % 7), 2)
        product = {
            "Id": product_id,
            "Name": name,
            "ProductCode": code,
            "Description": ctx.pick(ctx.pools.sentences),
            "IsActive": int(ctx.rng.random() < 0.9),
            "Family": family,
            "QuantityUnitOfMeasure": "Hour" if family == "Services" else "Each",
            "StockKeepingUnit": f"SKU-{first_product + offset:06d}",
            **audit,
        }
        products.append(product_layout.row(first_product + offset, product))
        entry = {
            "Id": entry_id,
            "Name": name,
            "Pricebook2Id": book_id,
            "Product2Id": product_id,
            "UnitPrice": price,
            "IsActive": 1,
            "ProductCode": code,
            **audit,
        }
        entries.append(entry_layout.row(first_entry + offset, entry))
        ctx.price_entries.append((entry_id, product_id, code, name, price))
    ctx.write("Product2", products)
    ctx.write("PricebookEntry", entries)


def email_domain(ctx: SeedContext, company_name: str) -> str:
    """A plausible email domain: ASCII letters of the name's first two words, or a stock one."""
    words = company_name.split(" ", 2)
    key = words[0] if len(words) < 2 else f"{words[0]} {words[1]}"
    slug = _domain_slug(key)
    return f"{slug}.example" if slug else ctx.pick(EMAIL_DOMAINS)


@functools.lru_cache(maxsize=262_144)
def _domain_slug(words: str) -> str:
    """The ASCII slug of one or two words (empty when too short to make a domain)."""
    slug = "".join(ascii_slug(word) for word in words.split(" "))[:24]
    return slug if len(slug) >= 3 else ""
