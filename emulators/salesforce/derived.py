"""Fields Salesforce computes itself: formula fields, full names, stage-driven flags.

Each function takes a record's storage values (a dict by field name, after the client's values
were applied) and returns the derived values to store. The store calls :func:`derive` on every
create and update; the seed calls the same small functions per row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from emulators.salesforce.standard_objects import FORECAST_CATEGORY_NAMES, OPPORTUNITY_STAGES

_STAGES = {stage[0]: stage for stage in OPPORTUNITY_STAGES}

Derivation = Callable[[Mapping[str, Any], frozenset[str]], dict[str, Any]]


def full_name(first: str | None, last: str | None) -> str | None:
    """``Name`` of a Contact or User: first and last name joined by a space."""
    parts = [part for part in (first, last) if part]
    return " ".join(parts) if parts else None


def billing_summary(city: str | None, country: str | None) -> str | None:
    """Account ``Billing_Summary__c``: ``City, Country`` (either alone when one is blank)."""
    if city and country:
        return f"{city}, {country}"
    return city or country or None


def budget_remaining(budget: float | None, spent: float | None) -> float | None:
    """Project__c ``Budget_Remaining__c``: Budget minus Spent; blank when either is blank."""
    if budget is None or spent is None:
        return None
    return round(budget - spent, 2)


def stage_fields(stage: str | None) -> dict[str, Any]:
    """IsClosed, IsWon, ForecastCategory and ForecastCategoryName of an opportunity stage."""
    known = _STAGES.get(stage or "")
    if known is None:
        category, closed, won = "Pipeline", False, False
    else:
        _, _, category, closed, won = known
    return {
        "IsClosed": int(closed),
        "IsWon": int(won),
        "ForecastCategory": category,
        "ForecastCategoryName": FORECAST_CATEGORY_NAMES[category],
    }


def stage_probability(stage: str | None) -> int | None:
    """The default probability (percent) of an opportunity stage."""
    known = _STAGES.get(stage or "")
    return None if known is None else known[1]


def expected_revenue(amount: float | None, probability: float | None) -> float | None:
    """Opportunity ``ExpectedRevenue``: Amount * Probability / 100."""
    if amount is None or probability is None:
        return None
    return round(amount * probability / 100, 2)


def fiscal_fields(close_date: str | None) -> dict[str, Any]:
    """FiscalYear, FiscalQuarter and Fiscal (``2024 1``) of a close date (calendar fiscal year)."""
    if close_date is None:
        return {"FiscalYear": None, "FiscalQuarter": None, "Fiscal": None}
    day = date.fromisoformat(close_date)
    quarter = (day.month - 1) // 3 + 1
    return {"FiscalYear": day.year, "FiscalQuarter": quarter, "Fiscal": f"{day.year} {quarter}"}


def line_item_totals(
    quantity: float | None, unit_price: float | None, discount: float | None
) -> dict[str, Any]:
    """OpportunityLineItem Subtotal and TotalPrice from quantity, sales price and discount."""
    if quantity is None or unit_price is None:
        return {"Subtotal": None, "TotalPrice": None}
    subtotal = round(quantity * unit_price, 2)
    total = round(subtotal * (1 - (discount or 0) / 100), 2)
    return {"Subtotal": subtotal, "TotalPrice": total}


def _account(row: Mapping[str, Any], _changed: frozenset[str]) -> dict[str, Any]:
    return {
        "Billing_Summary__c": billing_summary(row.get("BillingCity"), row.get("BillingCountry"))
    }


def _person(row: Mapping[str, Any], _changed: frozenset[str]) -> dict[str, Any]:
    return {"Name": full_name(row.get("FirstName"), row.get("LastName"))}


def _opportunity(row: Mapping[str, Any], changed: frozenset[str]) -> dict[str, Any]:
    values = stage_fields(row.get("StageName"))
    probability = row.get("Probability")
    if "StageName" in changed and "Probability" not in changed:
        probability = stage_probability(row.get("StageName"))
    values["Probability"] = probability
    values["ExpectedRevenue"] = expected_revenue(row.get("Amount"), probability)
    values.update(fiscal_fields(row.get("CloseDate")))
    return values


def _project(row: Mapping[str, Any], _changed: frozenset[str]) -> dict[str, Any]:
    return {"Budget_Remaining__c": budget_remaining(row.get("Budget__c"), row.get("Spent__c"))}


def _line_item(row: Mapping[str, Any], changed: frozenset[str]) -> dict[str, Any]:
    unit_price = row.get("UnitPrice")
    quantity = row.get("Quantity")
    if "TotalPrice" in changed and "UnitPrice" not in changed and quantity:
        unit_price = round(row["TotalPrice"] / quantity, 2)
    values = line_item_totals(quantity, unit_price, row.get("Discount"))
    values["UnitPrice"] = unit_price
    return values


DERIVATIONS: dict[str, Derivation] = {
    "Account": _account,
    "Contact": _person,
    "User": _person,
    "Opportunity": _opportunity,
    "Project__c": _project,
    "OpportunityLineItem": _line_item,
}


def derive(object_name: str, row: Mapping[str, Any], changed: frozenset[str]) -> dict[str, Any]:
    """The derived values of a record after a create or update.

    Args:
        object_name: The object's API name.
        row: Every storage value of the record, client changes applied.
        changed: Names of the fields the client set in this operation.

    Returns:
        Field name → derived storage value (empty for objects with nothing derived).
    """
    derivation = DERIVATIONS.get(object_name)
    return derivation(row, changed) if derivation else {}
