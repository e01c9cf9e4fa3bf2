# ruff: noqa: PLR2004 - the probabilities and sizes of the seeded data are its specification
"""Seed rows around accounts: projects, field history, feed posts, and wide records."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from emulators.salesforce import derived
from emulators.salesforce.custom_objects import PROJECT_PHASES, PROJECT_STATUSES
from emulators.salesforce.seed_support import MS_PER_DAY
from emulators.salesforce.standard_objects import PAYMENT_TERMS

if TYPE_CHECKING:
    from emulators.salesforce.seed_accounts import AccountInfo
    from emulators.salesforce.seed_context import SeedContext

#: Shares of accounts with a project, with field history, with a feed post.
PROJECT_RATE = 0.05
HISTORY_RATE = 0.05
FEED_RATE = 0.03
#: Wide_Object__c records seeded (at most one per account).
WIDE_RECORDS = 200
#: Most records of each object one account gets here: the id sequences reserved per account.
EXTRAS_PER_ACCOUNT = {"Project__c": 1, "AccountHistory": 2, "AccountFeed": 1}


def _audit(ctx: SeedContext, owner: str, created_ms: int, modified_ms: int) -> dict[str, Any]:
    return {
        "OwnerId": owner,
        "CreatedDate": ctx.stamps.datetime(created_ms),
        "CreatedById": owner,
        "LastModifiedDate": ctx.stamps.datetime(modified_ms),
        "LastModifiedById": owner,
        "SystemModstamp": ctx.stamps.datetime(modified_ms),
    }


def seed_projects(ctx: SeedContext, accounts: list[AccountInfo]) -> None:
    """Project__c records for about 5% of the accounts (time, long, combobox, base64 values)."""
    random = ctx.rng.random
    chosen = [account for account in accounts if random() < PROJECT_RATE]
    first, project_ids = ctx.reserve("Project__c", len(chosen))
    layout = ctx.layout("Project__c")
    rows = []
    for offset, account in enumerate(chosen):
        created = account.created_ms + int(random() * 30 * MS_PER_DAY)
        modified = max(created + int(random() * 60 * MS_PER_DAY), account.deleted_ms or 0)
        modified = min(modified, ctx.now_ms)
        created = min(created, modified)
        budget = round(int(random() * 50_000_000) / 100, 2)
        spent = round(budget * random(), 2)
        contract = None
        if random() < 0.1:
            contract = base64.b64encode(f"Contract for {account.name}".encode()).decode()
        values = {
            "Id": project_ids[offset],
            "IsDeleted": int(account.deleted_ms is not None),
            "Name": f"{account.name[:60]} rollout",
            "Account__c": account.account_id,
            "Status__c": ctx.pick(PROJECT_STATUSES),
            "Start_Date__c": ctx.stamps.date(created),
            "End_Date__c": ctx.stamps.date(created + int(random() * 300 + 30) * MS_PER_DAY),
            "Budget__c": budget,
            "Spent__c": spent,
            "Budget_Remaining__c": derived.budget_remaining(budget, spent),
            "Completion__c": round(random() * 100, 2),
            "Estimated_Hours__c": round(random() * 2_000, 2),
            "Billable_Seconds__c": int(random() * 3_000_000_000_000),
            "Daily_Standup__c": ctx.pick(("09:00:00.000Z", "09:30:00.000Z", "16:45:00.000Z")),
            "Phase__c": ctx.pick((*PROJECT_PHASES, "Hypercare")),
            "Signed_Contract__c": contract,
            "Notes__c": ctx.pick(ctx.pools.paragraphs) if random() < 0.3 else None,
            "Repository_Url__c": f"https://git.example/{project_ids[offset]}",
            **_audit(ctx, account.owner_id, created, modified),
        }
        rows.append(layout.row(first + offset, values))
    ctx.write("Project__c", rows)


def seed_history(ctx: SeedContext, accounts: list[AccountInfo]) -> None:
    """AccountHistory rows (creation and a Payment Terms change) for about 5% of accounts."""
    random = ctx.rng.random
    layout = ctx.layout("AccountHistory")
    entries: list[dict[str, Any]] = []
    for account in accounts:
        if random() >= HISTORY_RATE:
            continue
        base = {"AccountId": account.account_id, "CreatedById": account.owner_id}
        deleted = int(account.deleted_ms is not None)
        entries.append(
            {
                **base,
                "Field": "created",
                "DataType": None,
                "OldValue": None,
                "NewValue": None,
                "CreatedDate": ctx.stamps.datetime(account.created_ms),
                "IsDeleted": deleted,
            }
        )
        old, new = ctx.rng.sample(PAYMENT_TERMS, 2)
        changed = account.created_ms + int(random() * (ctx.now_ms - account.created_ms))
        entries.append(
            {
                **base,
                "Field": "Payment_Terms__c",
                "DataType": "DynamicEnum",
                "OldValue": old,
                "NewValue": new,
                "CreatedDate": ctx.stamps.datetime(changed),
                "IsDeleted": deleted,
            }
        )
    first, history_ids = ctx.reserve("AccountHistory", len(entries))
    rows = []
    for offset, values in enumerate(entries):
        rows.append(layout.row(first + offset, {"Id": history_ids[offset], **values}))
    ctx.write("AccountHistory", rows)


def seed_feed(ctx: SeedContext, accounts: list[AccountInfo]) -> None:
    """AccountFeed posts (the object the Bulk API refuses) for about 3% of accounts."""
    random = ctx.rng.random
    chosen = [account for account in accounts if random() < FEED_RATE]
    first, feed_ids = ctx.reserve("AccountFeed", len(chosen))
    layout = ctx.layout("AccountFeed")
    rows = []
    for offset, account in enumerate(chosen):
        created = account.created_ms + int(random() * (ctx.now_ms - account.created_ms))
        stamp = ctx.stamps.datetime(max(created, account.deleted_ms or 0))
        link = random() < 0.3
        values = {
            "Id": feed_ids[offset],
            "ParentId": account.account_id,
            "Type": "LinkPost" if link else "TextPost",
            "CreatedById": account.owner_id,
            "InsertedById": account.owner_id,
            "CreatedDate": ctx.stamps.datetime(created),
            "IsDeleted": int(account.deleted_ms is not None),
            "LastModifiedDate": stamp,
            "SystemModstamp": stamp,
            "CommentCount": int(random() * 5),
            "LikeCount": int(random() * 12),
            "Title": "Case study" if link else None,
            "Body": ctx.pick(ctx.pools.paragraphs),
            "LinkUrl": f"https://news.example/{feed_ids[offset]}" if link else None,
        }
        rows.append(layout.row(first + offset, values))
    ctx.write("AccountFeed", rows)


def seed_wide(ctx: SeedContext, accounts: int) -> None:
    """Wide_Object__c records with every custom field filled (at most :data:`WIDE_RECORDS`)."""
    count = min(accounts, WIDE_RECORDS)
    if not count:
        return
    layout = ctx.layout("Wide_Object__c")
    obj = layout.obj
    random = ctx.rng.random
    first, wide_ids = ctx.reserve("Wide_Object__c", count)
    owner = ctx.active_user_ids[0]
    rows = []
    for offset, record_id in enumerate(wide_ids):
        created = ctx.start_ms + int(random() * (ctx.now_ms - ctx.start_ms))
        values: dict[str, Any] = {
            "Id": record_id,
            "Name": f"Wide record {first + offset}",
            **_audit(ctx, owner, created, created),
        }
        for field in obj.fields:
            if not field.custom:
                continue
            values[field.name] = _wide_value(ctx, field.type, created)
        rows.append(layout.row(first + offset, values))
    ctx.write("Wide_Object__c", rows)


def _wide_value(ctx: SeedContext, kind: str, created_ms: int) -> Any:
    value: Any
    if kind == "string":
        value = ctx.pick(ctx.pools.words)
    elif kind == "double":
        value = round(ctx.rng.random() * 10_000, 4)
    elif kind == "date":
        value = ctx.stamps.date(created_ms)
    elif kind == "datetime":
        value = ctx.stamps.datetime(created_ms)
    elif kind == "boolean":
        value = int(ctx.rng.random() < 0.5)
    else:
        value = ctx.pick(("Alpha", "Beta", "Gamma"))
    return value
