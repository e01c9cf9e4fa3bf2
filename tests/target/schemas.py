"""SCHEMA messages shaped like tap-salesforce-lite's, for mapping tests."""

from __future__ import annotations

from typing import Any


def _text(length: int = 255, sf_type: str = "string", **extra: Any) -> dict[str, Any]:
    return {
        "type": ["string", "null"],
        "maxLength": length,
        "x-salesforce": {"type": sf_type, "nillable": True, **extra},
    }


def _picklist(*values: str, multi: bool = False) -> dict[str, Any]:
    return _text(255, "multipicklist" if multi else "picklist", picklist_values=list(values))


STAMP = {"type": ["string", "null"], "format": "date-time"}

ACCOUNT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "Id": {"type": ["string"]},
        "Name": _text(255),
        "Phone": _text(40, "phone"),
        "Website": _text(255, "url"),
        "Industry": _picklist("Banking", "Energy", "Retail"),
        "Type": _picklist("Customer", "Partner"),
        "BillingStreet": _text(255, "textarea"),
        "BillingCity": _text(40),
        "BillingState": _text(80),
        "BillingPostalCode": _text(20),
        "BillingCountry": _text(80),
        "ShippingStreet": _text(255, "textarea"),
        "ShippingCity": _text(40),
        "ShippingState": _text(80),
        "ShippingPostalCode": _text(20),
        "ShippingCountry": _text(80),
        "Description": _text(32000, "textarea"),
        "AnnualRevenue": {"type": ["number", "null"]},
        "Regions__c": _picklist("EMEA", "AMER", "APAC", multi=True),
        "Terms__c": _picklist("Net 30", "Net 60", "On receipt"),
        "Signed__c": {"type": ["string", "null"], "format": "date"},
        "IsDeleted": {"type": ["boolean", "null"]},
        "SystemModstamp": STAMP,
    },
}

CONTACT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "Id": {"type": ["string"]},
        "AccountId": _text(18, "reference"),
        "FirstName": _text(40),
        "LastName": _text(80),
        "Email": _text(80, "email"),
        "Phone": _text(40, "phone"),
        "MobilePhone": _text(40, "phone"),
        "Title": _text(128),
        "IsDeleted": {"type": ["boolean", "null"]},
        "SystemModstamp": STAMP,
    },
}

OPPORTUNITY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "Id": {"type": ["string"]},
        "AccountId": _text(18, "reference"),
        "Name": _text(120),
        "Amount": {"type": ["number", "null"]},
        "CloseDate": {"type": ["string", "null"], "format": "date"},
        "IsWon": {"type": ["boolean", "null"]},
        "StageName": _picklist("Prospecting", "Closed Won", "Closed Lost"),
        "Description": _text(32000, "textarea"),
        "IsDeleted": {"type": ["boolean", "null"]},
        "SystemModstamp": STAMP,
    },
}
