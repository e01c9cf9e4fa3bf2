from __future__ import annotations

import json

import pytest

from emulators.salesforce import ids
from emulators.salesforce.catalog import default_catalog
from emulators.salesforce.describe import describe_global, describe_object
from emulators.salesforce.schema import SOAP_TYPES, Catalog

CATALOG = default_catalog()
VERSION = "62.0"

FIELD_KEYS_CLIENTS_READ = {
    "name", "label", "type", "soapType", "nillable", "createable", "updateable", "custom",
    "calculated", "calculatedFormula", "length", "byteLength", "precision", "scale", "digits",
    "picklistValues", "referenceTo", "relationshipName", "compoundFieldName", "filterable",
    "sortable", "externalId", "unique", "idLookup", "defaultValue", "restrictedPicklist",
    "htmlFormatted",
}  # fmt: skip
OBJECT_KEYS = {
    "name", "label", "labelPlural", "keyPrefix", "custom", "customSetting", "queryable",
    "retrieveable", "replicateable", "searchable", "createable", "updateable", "deletable",
    "urls", "fields", "childRelationships", "recordTypeInfos",
}  # fmt: skip


def test_required_objects_and_key_prefixes() -> None:
    prefixes = {o.name: o.key_prefix for o in CATALOG.objects}
    assert prefixes["Account"] == "001"
    assert prefixes["Contact"] == "003"
    assert prefixes["User"] == "005"
    assert prefixes["Opportunity"] == "006"
    assert prefixes["Product2"] == "01t"
    assert prefixes["OpportunityLineItem"] == "00k"
    assert prefixes["Project__c"].startswith("a")
    assert len(set(prefixes.values())) == len(prefixes), "key prefixes must be unique"


def test_every_field_type_appears_somewhere() -> None:
    used = {f.type for o in CATALOG.objects for f in o.fields}
    assert used == set(SOAP_TYPES)


def test_account_custom_fields_as_specified() -> None:
    account = CATALOG.get("account")
    assert account is not None
    tax = account.field("Tax_Id__c")
    assert tax is not None
    assert tax.type == "string"
    assert tax.length == 50
    assert tax.custom
    terms = account.field("Payment_Terms__c")
    assert terms is not None
    assert terms.type == "picklist"
    assert [v.value for v in terms.picklist_values] == [
        "Due on Receipt", "Net 15", "Net 30", "Net 60"
    ]  # fmt: skip
    served = account.field("Industries_Served__c")
    assert served is not None
    assert served.type == "multipicklist"
    credit = account.field("Credit_Limit__c")
    assert credit is not None
    assert (credit.type, credit.precision, credit.scale) == ("currency", 16, 2)
    since = account.field("Customer_Since__c")
    assert since is not None
    assert since.type == "date"
    summary = account.field("Billing_Summary__c")
    assert summary is not None
    assert summary.calculated
    assert summary.calculated_formula
    assert not summary.createable
    assert not summary.updateable
    erp = account.field("ERP_Customer_Number__c")
    assert erp is not None
    assert erp.external_id
    assert erp.unique
    assert erp.id_lookup


def test_bulk_refused_object_and_wide_object() -> None:
    feed = CATALOG.get("AccountFeed")
    assert feed is not None
    assert not feed.bulk_queryable
    wide = CATALOG.get("Wide_Object__c")
    assert wide is not None
    assert len(wide.fields) > 600
    names = ", ".join(f.name for f in wide.stored_fields())
    select = f"SELECT {names} FROM Wide_Object__c"  # noqa: S608 - SOQL text, not SQL
    assert len(f"/services/data/v{VERSION}/query?q={select}".encode()) > 16_384
    smaller = default_catalog(wide_fields=10).get("Wide_Object__c")
    assert smaller is not None
    assert len(smaller.fields) < 30


def test_global_describe_shape() -> None:
    body = describe_global(CATALOG, VERSION)
    assert body["encoding"] == "UTF-8"
    assert body["maxBatchSize"] == 200
    names = [s["name"] for s in body["sobjects"]]
    assert names == CATALOG.names()
    account = next(s for s in body["sobjects"] if s["name"] == "Account")
    for key in OBJECT_KEYS - {"fields", "childRelationships", "recordTypeInfos"}:
        assert key in account, key
    assert account["urls"]["sobject"] == "/services/data/v62.0/sobjects/Account"
    assert account["urls"]["describe"] == "/services/data/v62.0/sobjects/Account/describe"
    assert account["urls"]["rowTemplate"] == "/services/data/v62.0/sobjects/Account/{ID}"
    assert account["keyPrefix"] == "001"
    assert account["queryable"]
    assert not account["custom"]
    json.dumps(body)  # plain JSON


@pytest.mark.parametrize("object_name", CATALOG.names())
def test_object_describe_has_every_key_and_valid_fields(object_name: str) -> None:
    obj = CATALOG.get(object_name)
    assert obj is not None
    body = describe_object(obj, CATALOG, VERSION, instance_url="https://127.0.0.1:8443")
    assert set(body) >= OBJECT_KEYS
    assert body["name"] == object_name
    assert body["urls"]["describe"].startswith("/services/data/v62.0/sobjects/")
    for field in body["fields"]:
        assert set(field) >= FIELD_KEYS_CLIENTS_READ, field["name"]
        assert field["soapType"] == SOAP_TYPES[field["type"]]
        if field["type"] in {"picklist", "multipicklist"}:
            assert field["picklistValues"], field["name"]
            for entry in field["picklistValues"]:
                assert set(entry) == {"active", "defaultValue", "label", "validFor", "value"}
        if field["type"] == "reference":
            assert field["referenceTo"]
            assert field["relationshipName"]
        if field["type"] in {"id", "reference"}:
            assert field["length"] == 18
            assert field["byteLength"] == 18
    assert body["fields"][0]["name"] == "Id"
    json.dumps(body)


def test_account_describe_details() -> None:
    obj = CATALOG.get("Account")
    assert obj is not None
    body = describe_object(obj, CATALOG, VERSION)
    fields = {f["name"]: f for f in body["fields"]}
    assert fields["Name"]["nameField"]
    assert not fields["Name"]["nillable"]
    assert fields["BillingAddress"]["type"] == "address"
    assert fields["BillingAddress"]["soapType"] == "urn:address"
    for component in ("BillingStreet", "BillingCity", "BillingState", "BillingPostalCode",
                      "BillingCountry", "BillingLatitude", "BillingLongitude",
                      "BillingGeocodeAccuracy"):  # fmt: skip
        assert fields[component]["compoundFieldName"] == "BillingAddress"
    assert fields["Headquarters__c"]["type"] == "location"
    assert fields["Headquarters__c"]["soapType"] == "urn:location"
    assert fields["Headquarters__Latitude__s"]["compoundFieldName"] == "Headquarters__c"
    assert fields["Description"]["type"] == "textarea"
    assert fields["Description"]["length"] == 32000
    assert not fields["Description"]["filterable"]
    assert fields["AnnualRevenue"]["type"] == "currency"
    assert fields["NumberOfEmployees"]["soapType"] == "xsd:int"
    assert fields["Credit_Limit__c"]["precision"] == 16
    assert fields["Credit_Limit__c"]["scale"] == 2
    assert fields["Name"]["byteLength"] == 765
    assert fields["OwnerId"]["referenceTo"] == ["User"]
    assert fields["OwnerId"]["relationshipName"] == "Owner"
    assert fields["IsDeleted"]["defaultValue"] is False
    assert fields["Billing_Summary__c"]["calculated"]
    assert fields["Payment_Terms__c"]["restrictedPicklist"]
    assert fields["Bank_Account__c"]["encrypted"]
    children = {(c["childSObject"], c["field"]): c for c in body["childRelationships"]}
    assert children[("Contact", "AccountId")]["relationshipName"] == "Contacts"
    assert children[("Contact", "AccountId")]["cascadeDelete"]
    assert children[("Opportunity", "AccountId")]["relationshipName"] == "Opportunities"
    assert children[("Project__c", "Account__c")]["relationshipName"] == "Projects__r"
    assert not children[("Project__c", "Account__c")]["cascadeDelete"]
    master = body["recordTypeInfos"][0]
    assert master["master"]
    assert master["recordTypeId"] == ids.to_18("012000000000000")
    assert "uiDetailTemplate" not in body["urls"], "no instance URL was given"
    with_host = describe_object(obj, CATALOG, VERSION, instance_url="https://127.0.0.1:8443/")
    assert with_host["urls"]["uiDetailTemplate"] == "https://127.0.0.1:8443/{ID}"


def test_master_detail_and_history_describes() -> None:
    line_item = CATALOG.get("OpportunityLineItem")
    assert line_item is not None
    fields = {f["name"]: f for f in describe_object(line_item, CATALOG, VERSION)["fields"]}
    assert fields["OpportunityId"]["cascadeDelete"]
    assert not fields["PricebookEntryId"]["cascadeDelete"]
    history = CATALOG.get("AccountHistory")
    assert history is not None
    body = describe_object(history, CATALOG, VERSION)
    names = {f["name"] for f in body["fields"]}
    assert "CreatedDate" in names
    assert "SystemModstamp" not in names
    assert body["recordTypeInfos"] == []
    assert {f["type"] for f in body["fields"] if f["name"] in {"OldValue", "NewValue"}} == {
        "anyType"
    }


def test_describe_of_plain_catalog_has_unnamed_children() -> None:
    plain = Catalog(CATALOG.objects)
    account = CATALOG.get("Account")
    assert account is not None
    body = describe_object(account, plain, VERSION)
    assert body["childRelationships"]
    assert all(c["relationshipName"] is None for c in body["childRelationships"])
