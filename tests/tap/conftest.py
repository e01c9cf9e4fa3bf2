"""Shared fixtures of the tap tests: a recorded describe shape with every field type."""

from __future__ import annotations

from typing import Any

import pytest

from emulators.salesforce.schema import SOAP_TYPES


def describe_field(name: str, sf_type: str, **extra: Any) -> dict[str, Any]:
    """One describe ``fields`` entry as Salesforce returns it (keys clients read)."""
    soap = SOAP_TYPES.get(sf_type, "xsd:string")
    entry = {
        "name": name,
        "label": extra.pop("label", name),
        "type": sf_type,
        "soapType": soap,
        "nillable": True,
        "createable": True,
        "updateable": True,
        "custom": name.endswith("__c"),
        "calculated": False,
        "calculatedFormula": None,
        "length": 0,
        "byteLength": 0,
        "precision": 0,
        "scale": 0,
        "digits": 0,
        "picklistValues": [],
        "referenceTo": [],
        "relationshipName": None,
        "compoundFieldName": None,
        "filterable": True,
        "sortable": True,
        "externalId": False,
        "unique": False,
        "idLookup": False,
        "defaultValue": None,
        "restrictedPicklist": False,
        "htmlFormatted": False,
    }
    entry.update(extra)
    return entry


def picklist_values(*values: str) -> list[dict[str, Any]]:
    return [
        {"active": True, "defaultValue": False, "label": v, "validFor": None, "value": v}
        for v in values
    ]


ADDRESS_PARTS = ("Street", "City", "State", "PostalCode", "Country", "Latitude", "Longitude")


def billing_address_fields() -> list[dict[str, Any]]:
    fields = [describe_field("BillingAddress", "address", updateable=False, createable=False)]
    for part in ADDRESS_PARTS:
        sf_type = "double" if part in {"Latitude", "Longitude"} else "string"
        extra: dict[str, Any] = {"compoundFieldName": "BillingAddress"}
        if sf_type == "double":
            extra.update(precision=18, scale=15)
        else:
            extra["length"] = 255 if part == "Street" else 80
        fields.append(describe_field(f"Billing{part}", sf_type, **extra))
    fields.append(
        describe_field(
            "BillingGeocodeAccuracy",
            "picklist",
            compoundFieldName="BillingAddress",
            picklistValues=picklist_values("Address", "Street", "Zip"),
            length=40,
        )
    )
    return fields


@pytest.fixture
def account_describe() -> dict[str, Any]:
    """An Account describe with one field of every Salesforce type."""
    fields = [
        describe_field("Id", "id", length=18, nillable=False, updateable=False, label="Account ID"),
        describe_field("IsDeleted", "boolean", nillable=False, updateable=False),
        describe_field("Name", "string", length=255, nillable=False, label="Account Name"),
        describe_field("Description", "textarea", length=32000),
        describe_field(
            "Type", "picklist", length=255, picklistValues=picklist_values("Customer", "Partner")
        ),
        describe_field(
            "Industries_Served__c",
            "multipicklist",
            length=4099,
            picklistValues=picklist_values("Retail", "Energy", "Media"),
        ),
        describe_field("Region__c", "combobox", length=40, picklistValues=picklist_values("EU")),
        describe_field("Email__c", "email", length=80),
        describe_field("Phone", "phone", length=40),
        describe_field("Website", "url", length=255),
        describe_field("Secret__c", "encryptedstring", length=175),
        describe_field(
            "ParentId",
            "reference",
            length=18,
            referenceTo=["Account"],
            relationshipName="Parent",
        ),
        describe_field(
            "OwnerId", "reference", length=18, referenceTo=["User"], relationshipName="Owner"
        ),
        describe_field("NumberOfEmployees", "int", digits=8),
        describe_field("Big_Count__c", "long", digits=18),
        describe_field("Score__c", "double", precision=18, scale=4),
        describe_field("AnnualRevenue", "currency", precision=18, scale=0),
        describe_field("Credit_Limit__c", "currency", precision=16, scale=2),
        describe_field("Discount__c", "percent", precision=5, scale=2),
        describe_field("Customer_Since__c", "date"),
        describe_field("Opens_At__c", "time"),
        describe_field("Logo__c", "base64"),
        describe_field("Last_Value__c", "anyType"),
        describe_field("Is_Active__c", "boolean", nillable=False),
        describe_field(
            "Formula__c", "string", length=1300, calculated=True, calculatedFormula="Name"
        ),
        describe_field("Mystery__c", "datacategorygroupreference", length=40),
        describe_field("Hidden__c", "string", length=10, deprecatedAndHidden=True),
        *billing_address_fields(),
        describe_field("Site__c", "location", updateable=False),
        describe_field(
            "Site__Latitude__s", "double", precision=10, scale=7, compoundFieldName="Site__c"
        ),
        describe_field(
            "Site__Longitude__s", "double", precision=10, scale=7, compoundFieldName="Site__c"
        ),
        describe_field("CreatedDate", "datetime", nillable=False, updateable=False),
        describe_field("LastModifiedDate", "datetime", nillable=False, updateable=False),
        describe_field("SystemModstamp", "datetime", nillable=False, updateable=False),
    ]
    return {
        "name": "Account",
        "label": "Account",
        "labelPlural": "Accounts",
        "keyPrefix": "001",
        "custom": False,
        "queryable": True,
        "replicateable": True,
        "retrieveable": True,
        "fields": fields,
        "childRelationships": [],
        "recordTypeInfos": [],
        "urls": {},
    }
