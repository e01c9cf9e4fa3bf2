from __future__ import annotations

import base64
import sqlite3
import threading
from typing import TYPE_CHECKING, Any

import pytest

from emulators.salesforce import ids
from emulators.salesforce.errors import SalesforceApiError
from emulators.salesforce.store import AUTOMATED_PROCESS_USERNAME, OrgStore

if TYPE_CHECKING:
    from .conftest import FakeClock


def error_of(call: Any, *args: Any, **kwargs: Any) -> SalesforceApiError:
    with pytest.raises(SalesforceApiError) as raised:
        call(*args, **kwargs)
    return raised.value


def test_create_and_get_round_trip(store: OrgStore) -> None:
    account_id = store.create(
        "account",  # object names are case-insensitive
        {
            "Name": 'Café Ñandú, "Ltd"\nSecond line',
            "BillingStreet": "1 Rue de la Paix",
            "BillingCity": "Paris",
            "BillingCountry": "France",
            "AnnualRevenue": 15_000_000,
            "NumberOfEmployees": 42,
            "Industries_Served__c": "Retail;Energy",
            "Customer_Since__c": "2020-02-29",
            "Headquarters__Latitude__s": 48.8686,
            "Headquarters__Longitude__s": 2.3314,
            "attributes": {"type": "Account"},  # ignored, as Salesforce does
        },
    )
    assert ids.is_valid_id(account_id)
    assert account_id.startswith("001")
    record = store.get("Account", account_id)
    assert record["attributes"] == {
        "type": "Account",
        "url": f"/services/data/v62.0/sobjects/Account/{account_id}",
    }
    assert list(record)[:3] == ["attributes", "Id", "IsDeleted"]
    assert record["Name"] == 'Café Ñandú, "Ltd"\nSecond line'
    assert record["IsDeleted"] is False
    assert record["AnnualRevenue"] == 15_000_000.0
    assert record["NumberOfEmployees"] == 42
    assert record["Industries_Served__c"] == "Energy;Retail"
    assert record["BillingAddress"]["city"] == "Paris"
    assert record["BillingAddress"]["street"] == "1 Rue de la Paix"
    assert record["ShippingAddress"] is None
    assert record["Headquarters__c"] == {"latitude": 48.8686, "longitude": 2.3314}
    assert record["Billing_Summary__c"] == "Paris, France"  # formula
    assert record["CreatedDate"] == "2024-01-15T10:20:30.000+0000"
    assert record["CreatedDate"] == record["LastModifiedDate"] == record["SystemModstamp"]
    assert record["OwnerId"] == record["CreatedById"]
    owner = store.get("User", record["OwnerId"], ["Username", "UserType"])
    assert owner["Username"] == AUTOMATED_PROCESS_USERNAME
    # 15-character and lowercased 18-character ids name the same record
    assert store.get("Account", account_id[:15], ["Id"])["Id"] == account_id
    assert store.get("Account", account_id.lower(), ["Id"])["Id"] == account_id
    only = store.get("Account", account_id, ["Name", "BillingAddress"], api_version="59.0")
    assert list(only) == ["attributes", "Name", "BillingAddress"]
    assert only["attributes"]["url"].startswith("/services/data/v59.0/")


def test_update_moves_timestamps_and_derives(store: OrgStore, clock: FakeClock) -> None:
    opportunity_id = store.create(
        "Opportunity",
        {"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2024-05-20", "Amount": 1000},
    )
    first = store.get("Opportunity", opportunity_id)
    assert first["Probability"] == 10.0
    assert first["IsClosed"] is False
    assert first["ExpectedRevenue"] == 100.0
    assert (first["FiscalYear"], first["FiscalQuarter"], first["Fiscal"]) == (2024, 2, "2024 2")
    clock.advance(minutes=5)
    store.update("Opportunity", opportunity_id, {"StageName": "Closed Won"})
    after = store.get("Opportunity", opportunity_id)
    assert after["IsWon"] is True
    assert after["IsClosed"] is True
    assert after["Probability"] == 100.0
    assert after["ForecastCategory"] == "Closed"
    assert after["ForecastCategoryName"] == "Closed"
    assert after["CreatedDate"] == "2024-01-15T10:20:30.000+0000"
    assert after["LastModifiedDate"] == "2024-01-15T10:25:30.000+0000"
    assert after["SystemModstamp"] == "2024-01-15T10:25:30.000+0000"
    # a change that commits late carries an older SystemModstamp
    clock.advance(minutes=5)
    late = clock.now.replace(minute=27)
    store.update("Opportunity", opportunity_id, {"NextStep": "Invoice"}, system_modstamp=late)
    stamped = store.get("Opportunity", opportunity_id, ["LastModifiedDate", "SystemModstamp"])
    assert stamped["LastModifiedDate"] == "2024-01-15T10:30:30.000+0000"
    assert stamped["SystemModstamp"] == "2024-01-15T10:27:30.000+0000"


def test_validation_errors(store: OrgStore) -> None:
    missing = error_of(store.create, "Opportunity", {"Name": "x"})
    assert missing.error_code == "REQUIRED_FIELD_MISSING"
    assert missing.message == "Required fields are missing: [StageName, CloseDate]"
    assert missing.fields == ["StageName", "CloseDate"]
    assert missing.body() == [
        {
            "message": "Required fields are missing: [StageName, CloseDate]",
            "errorCode": "REQUIRED_FIELD_MISSING",
            "fields": ["StageName", "CloseDate"],
        }
    ]
    too_long = error_of(store.create, "Account", {"Name": "n" * 256})
    assert too_long.error_code == "STRING_TOO_LONG"
    read_only = error_of(store.create, "Opportunity", {"IsWon": True, "IsClosed": True})
    assert read_only.error_code == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert read_only.message.startswith("Unable to create/update fields: IsWon, IsClosed.")
    unknown = error_of(store.create, "Account", {"Name": "x", "Foo__c": 1})
    assert unknown.error_code == "INVALID_FIELD"
    assert unknown.message == "No such column 'Foo__c' on sobject of type Account"
    restricted = error_of(store.create, "Account", {"Name": "x", "Payment_Terms__c": "Net 45"})
    assert restricted.error_code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    email = error_of(store.create, "Contact", {"LastName": "x", "Email": "nope"})
    assert email.error_code == "INVALID_EMAIL_ADDRESS"
    bad_ref = error_of(store.create, "Contact", {"LastName": "x", "AccountId": "001xx"})
    assert bad_ref.error_code == "MALFORMED_ID"
    ghost = ids.make_id("001", 999)
    no_parent = error_of(store.create, "Contact", {"LastName": "x", "AccountId": ghost})
    assert no_parent.error_code == "INVALID_CROSS_REFERENCE_KEY"
    assert no_parent.fields == ["AccountId"]
    unknown_object = error_of(store.create, "Foo__c", {"Name": "x"})
    assert (unknown_object.status, unknown_object.error_code) == (404, "NOT_FOUND")
    feed = error_of(store.create, "AccountFeed", {"Body": "x"})
    assert feed.error_code == "INVALID_TYPE_FOR_OPERATION"
    assert store.counts()["Account"] == 0, "failed creates leave nothing behind"
    account_id = store.create("Account", {"Name": "Kept"})
    blank = error_of(store.update, "Account", account_id, {"Name": None})
    assert blank.error_code == "REQUIRED_FIELD_MISSING"
    assert blank.fields == ["Name"]


def test_unique_external_id(store: OrgStore) -> None:
    first = store.create("Account", {"Name": "A", "ERP_Customer_Number__c": "ERP-1"})
    duplicate = error_of(store.create, "Account", {"Name": "B", "ERP_Customer_Number__c": "erp-1"})
    assert duplicate.error_code == "DUPLICATE_VALUE"
    assert duplicate.message == (
        f"duplicate value found: ERP_Customer_Number__c duplicates value on record with id: {first}"
    )
    store.update("Account", first, {"ERP_Customer_Number__c": "ERP-1", "Name": "A2"})


def test_record_lookup_errors(store: OrgStore) -> None:
    account_id = store.create("Account", {"Name": "A"})
    wrong_prefix = error_of(store.get, "Contact", account_id)
    assert (wrong_prefix.status, wrong_prefix.error_code) == (404, "NOT_FOUND")
    assert wrong_prefix.message.endswith(account_id)
    missing = error_of(store.get, "Account", ids.make_id("001", 77))
    assert missing.message == "The requested resource does not exist"
    bad_field = error_of(store.get, "Account", account_id, ["Name", "Nope"])
    assert bad_field.error_code == "INVALID_FIELD"
    assert bad_field.message.startswith("No such column 'Nope' on entity 'Account'.")
    assert error_of(store.update, "Account", ids.make_id("001", 77), {}).status == 404
    other_id = error_of(store.update, "Account", account_id, {"Id": ids.make_id("001", 2)})
    assert other_id.error_code == "INVALID_FIELD_FOR_INSERT_UPDATE"
    store.update("Account", account_id, {"Id": account_id, "Phone": "1"})  # own id is fine
    user = store.get("Account", account_id, ["OwnerId"])["OwnerId"]
    assert error_of(store.delete, "User", user).error_code == "INVALID_TYPE_FOR_OPERATION"


def test_soft_delete_cascades_and_clears_lookups(store: OrgStore, clock: FakeClock) -> None:
    parent = store.create("Account", {"Name": "Parent"})
    child_account = store.create("Account", {"Name": "Child", "ParentId": parent})
    contact = store.create("Contact", {"LastName": "Doe", "AccountId": parent})
    opportunity = store.create(
        "Opportunity",
        {
            "Name": "Deal",
            "StageName": "Prospecting",
            "CloseDate": "2024-02-01",
            "AccountId": parent,
        },
    )
    project = store.create("Project__c", {"Account__c": parent})
    assert store.get("Project__c", project, ["Name"])["Name"] == project  # Name defaults to Id
    clock.advance(hours=1)
    store.delete("Account", parent)
    for object_name, record_id in (
        ("Account", parent),
        ("Contact", contact),
        ("Opportunity", opportunity),
    ):
        gone = error_of(store.get, object_name, record_id)
        assert (gone.status, gone.error_code, gone.message) == (
            404,
            "ENTITY_IS_DELETED",
            "entity is deleted",
        )
    kept = store.get("Account", child_account, ["ParentId", "SystemModstamp"])
    assert kept["ParentId"] is None
    assert kept["SystemModstamp"] == "2024-01-15T11:20:30.000+0000"
    assert store.get("Project__c", project, ["Account__c"])["Account__c"] is None
    assert error_of(store.delete, "Account", parent).error_code == "ENTITY_IS_DELETED"
    assert error_of(store.update, "Contact", contact, {"LastName": "x"}).error_code == (
        "ENTITY_IS_DELETED"
    )
    deleted_parent = error_of(store.create, "Contact", {"LastName": "y", "AccountId": parent})
    assert (deleted_parent.error_code, deleted_parent.fields) == (
        "ENTITY_IS_DELETED",
        ["AccountId"],
    )
    assert store.counts()["Contact"] == 0
    assert store.counts(include_deleted=True)["Contact"] == 1
    connection = sqlite3.connect(store.db_path)
    row = connection.execute(
        'SELECT IsDeleted, SystemModstamp FROM "Contact" WHERE Id = ?', (contact,)
    ).fetchone()
    connection.close()
    assert row == (1, "2024-01-15T11:20:30.000Z")


def test_line_items_roll_up_and_restrict_deletes(store: OrgStore) -> None:
    product = store.create("Product2", {"Name": "Widget", "ProductCode": "W-1"})
    book = store.create("Pricebook2", {"Name": "Standard Price Book", "IsActive": True})
    entry = store.create(
        "PricebookEntry", {"Pricebook2Id": book, "Product2Id": product, "UnitPrice": 12.5}
    )
    assert store.get("PricebookEntry", entry, ["Name", "ProductCode"]) | {"attributes": None} == {
        "attributes": None,
        "Name": "Widget",
        "ProductCode": "W-1",
    }
    opportunity = store.create(
        "Opportunity", {"Name": "Big", "StageName": "Closed Won", "CloseDate": "2024-02-01"}
    )
    line = store.create(
        "OpportunityLineItem",
        {"OpportunityId": opportunity, "PricebookEntryId": entry, "Quantity": 4, "Discount": 10},
    )
    item = store.get("OpportunityLineItem", line)
    assert item["Name"] == "Big Widget"
    assert (item["UnitPrice"], item["ListPrice"], item["Subtotal"], item["TotalPrice"]) == (
        12.5, 12.5, 50.0, 45.0
    )  # fmt: skip
    assert item["Product2Id"] == product
    rolled = store.get("Opportunity", opportunity, ["Amount", "HasOpportunityLineItem"])
    assert (rolled["Amount"], rolled["HasOpportunityLineItem"]) == (45.0, True)
    both = error_of(
        store.create,
        "OpportunityLineItem",
        {"OpportunityId": opportunity, "PricebookEntryId": entry, "Quantity": 1,
         "UnitPrice": 1, "TotalPrice": 1},
    )  # fmt: skip
    assert both.error_code == "FIELD_INTEGRITY_EXCEPTION"
    restricted = error_of(store.delete, "PricebookEntry", entry)
    assert restricted.error_code == "DELETE_FAILED"
    store.delete("OpportunityLineItem", line)
    after = store.get("Opportunity", opportunity, ["HasOpportunityLineItem"])
    assert after["HasOpportunityLineItem"] is False
    store.delete("PricebookEntry", entry)


def test_account_history_tracks_changes(store: OrgStore) -> None:
    account_id = store.create("Account", {"Name": "Before", "Credit_Limit__c": 10})
    store.update("Account", account_id, {"Name": "After", "Credit_Limit__c": 20.5, "Phone": "1"})
    result = store.query(
        "SELECT Field, DataType, OldValue, NewValue FROM AccountHistory ORDER BY Field",
        include_deleted=False,
    )
    assert result.fetch_csv_rows(0, 10) == [  # SOQL sorts text case-insensitively
        ["created", "", "", ""],
        ["Credit_Limit__c", "Currency", "10.0", "20.5"],
        ["Name", "Text", "Before", "After"],
    ]


def test_base64_fields_are_urls_in_rest_and_blobs(store: OrgStore) -> None:
    content = base64.b64encode(b"%PDF-1.4 contract").decode()
    project = store.create("Project__c", {"Name": "P", "Signed_Contract__c": content})
    record = store.get("Project__c", project, ["Signed_Contract__c"])
    assert record["Signed_Contract__c"] == (
        f"/services/data/v62.0/sobjects/Project__c/{project}/Signed_Contract__c"
    )
    assert store.get_blob("Project__c", project, "Signed_Contract__c") == b"%PDF-1.4 contract"
    assert error_of(store.get_blob, "Project__c", project, "Name").status == 404


def test_data_survives_reopen_and_threads_share_the_store(
    store: OrgStore, catalog: Any, clock: FakeClock
) -> None:
    account_id = store.create("Account", {"Name": "Persistent"})
    errors: list[BaseException] = []

    def writer(index: int) -> None:
        try:
            for step in range(10):
                store.create("Contact", {"LastName": f"T{index}-{step}", "AccountId": account_id})
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    store.close()
    reopened = OrgStore(store.db_path, catalog, clock=clock)
    try:
        assert reopened.get("Account", account_id, ["Name"])["Name"] == "Persistent"
        counts = reopened.counts()
        assert counts["Contact"] == 40
        contact_ids = {
            r["Id"]
            for r in reopened.query("SELECT Id FROM Contact", include_deleted=False).fetch_rest(
                0, 100
            )
        }
        assert len(contact_ids) == 40
        assert reopened.create("Account", {"Name": "Next"}) == ids.make_id("001", 2)
    finally:
        reopened.close()
