"""What Salesforce does to related records when one is written.

* PricebookEntry takes its Name and ProductCode from its product.
* OpportunityLineItem takes product, code and list price from its price book entry, defaults its
  sales price to the list price, and rolls its total up into the opportunity's Amount.
* Account changes of tracked fields are written to AccountHistory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emulators.salesforce import derived, formats
from emulators.salesforce.errors import SalesforceApiError
from emulators.salesforce.standard_objects import TRACKED_ACCOUNT_FIELDS

if TYPE_CHECKING:
    from emulators.salesforce.schema import ObjectDef
    from emulators.salesforce.transaction import Transaction

_HISTORY_DATA_TYPES = {"currency": "Currency", "reference": "EntityId", "picklist": "DynamicEnum"}


def _parent(tx: Transaction, object_name: str, record_id: str | None, field: str) -> dict[str, Any]:
    row = tx.row(tx.object(object_name), record_id) if record_id else None
    if row is None:
        raise SalesforceApiError(
            400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [field]
        )
    return row


def prepare(tx: Transaction, obj: ObjectDef, row: dict[str, Any], changed: frozenset[str]) -> None:
    """Fill the values a create takes from related records (in place).

    Args:
        tx: The write transaction.
        obj: The object being created or updated.
        row: The record's storage values, client changes applied.
        changed: Fields the client set.

    Raises:
        SalesforceApiError: FIELD_INTEGRITY_EXCEPTION when a line item names both prices.
    """
    if obj.name == "PricebookEntry" and "Product2Id" in changed:
        product = _parent(tx, "Product2", row.get("Product2Id"), "Product2Id")
        row["Name"] = product["Name"]
        row["ProductCode"] = product["ProductCode"]
    elif obj.name == "OpportunityLineItem":
        _prepare_line_item(tx, row, changed)


def _prepare_line_item(tx: Transaction, row: dict[str, Any], changed: frozenset[str]) -> None:
    if {"UnitPrice", "TotalPrice"} <= changed and row.get("TotalPrice") is not None:
        raise SalesforceApiError(
            400,
            "FIELD_INTEGRITY_EXCEPTION",
            "field integrity exception: TotalPrice (only one of unit price or total price may "
            "be specified)",
            ["TotalPrice"],
        )
    if "PricebookEntryId" not in changed:
        return
    entry = _parent(tx, "PricebookEntry", row.get("PricebookEntryId"), "PricebookEntryId")
    opportunity = _parent(tx, "Opportunity", row.get("OpportunityId"), "OpportunityId")
    row["Product2Id"] = entry["Product2Id"]
    row["ProductCode"] = entry["ProductCode"]
    row["ListPrice"] = entry["UnitPrice"]
    row["Name"] = f"{opportunity['Name']} {entry['Name']}"
    if row.get("UnitPrice") is None and row.get("TotalPrice") is None:
        row["UnitPrice"] = entry["UnitPrice"]


def after_write(
    tx: Transaction,
    obj: ObjectDef,
    record_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any],
) -> None:
    """Write the effects of a create (``before`` None) or update on related records."""
    if obj.name == "Account":
        _account_history(tx, record_id, before, after)
    elif obj.name == "OpportunityLineItem":
        roll_up_line_items(tx, after["OpportunityId"])


def after_delete(tx: Transaction, obj: ObjectDef, row: dict[str, Any]) -> None:
    """Write the effects of a delete on related records."""
    if obj.name == "OpportunityLineItem":
        roll_up_line_items(tx, row["OpportunityId"])


def roll_up_line_items(tx: Transaction, opportunity_id: str) -> None:
    """Recompute an opportunity's Amount and HasOpportunityLineItem from its line items."""
    opportunity_object = tx.object("Opportunity")
    opportunity = tx.row(opportunity_object, opportunity_id)
    if opportunity is None or opportunity["IsDeleted"]:
        return
    items = tx.rows_where(tx.object("OpportunityLineItem"), "OpportunityId", opportunity_id)
    values: dict[str, Any] = {"HasOpportunityLineItem": int(bool(items))}
    if items:
        amount = round(sum(item["TotalPrice"] or 0 for item in items), 2)
        values["Amount"] = amount
        values["ExpectedRevenue"] = derived.expected_revenue(amount, opportunity["Probability"])
    tx.update(opportunity_object, opportunity_id, values)


def _history_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return formats.plain_number(value)
    return str(value)


def _account_history(
    tx: Transaction, account_id: str, before: dict[str, Any] | None, after: dict[str, Any]
) -> None:
    history = tx.object("AccountHistory")
    account = tx.object("Account")
    if before is None:
        tx.insert(history, {"AccountId": account_id, "Field": "created"})
        return
    for name in TRACKED_ACCOUNT_FIELDS:
        if before.get(name) == after.get(name):
            continue
        field = account.field(name)
        kind = field.type if field is not None else "string"
        tx.insert(
            history,
            {
                "AccountId": account_id,
                "Field": name,
                "DataType": _HISTORY_DATA_TYPES.get(kind, "Text"),
                "OldValue": _history_text(before.get(name)),
                "NewValue": _history_text(after.get(name)),
            },
        )
