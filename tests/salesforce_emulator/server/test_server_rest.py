"""REST resources: versions, limits, describes, composite batch, CRUD, errors, quota, 414."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from simple_salesforce import (
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

if TYPE_CHECKING:
    import requests

    from emulators.salesforce.launcher import RunningSalesforce

NOT_FOUND = [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}]


def test_versions_need_no_token(emulator: RunningSalesforce) -> None:
    with emulator.session() as session:
        for path in ("/services/data", "/services/data/"):
            versions = session.get(emulator.instance_url + path, timeout=30).json()
            assert versions[0] == {
                "label": "Winter '11",
                "url": "/services/data/v20.0",
                "version": "20.0",
            }
            assert {
                "label": "Winter '24",
                "url": "/services/data/v59.0",
                "version": "59.0",
            } in versions


def test_every_data_response_reports_api_usage(api: requests.Session, rest_base: str) -> None:
    first = api.get(f"{rest_base}/limits", timeout=30)
    second = api.get(f"{rest_base}/sobjects/Nope/describe", timeout=30)
    used_first = int(first.headers["Sforce-Limit-Info"].removeprefix("api-usage=").split("/")[0])
    assert first.headers["Sforce-Limit-Info"] == f"api-usage={used_first}/15000"
    assert second.headers["Sforce-Limit-Info"] == f"api-usage={used_first + 1}/15000"
    body = first.json()
    assert body["DailyApiRequests"] == {"Max": 15000, "Remaining": 15000 - used_first}
    assert {"DailyBulkApiBatches", "DailyBulkV2QueryJobs", "DailyBulkV2QueryFileStorageMB"} <= set(
        body
    )


def test_daily_quota_really_runs_out(
    emulator: RunningSalesforce, api: requests.Session, rest_base: str, sf: Any
) -> None:
    emulator.set_limits(daily_quota=50, used=48)
    assert api.get(f"{rest_base}/limits", timeout=30).json()["DailyApiRequests"] == {
        "Max": 50,
        "Remaining": 1,
    }
    assert api.get(f"{rest_base}/sobjects", timeout=30).status_code == 200
    refused = api.get(f"{rest_base}/sobjects", timeout=30)
    assert refused.status_code == 403
    assert refused.json() == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]
    with pytest.raises(SalesforceRefusedRequest):
        sf.query("SELECT Id FROM Account LIMIT 1")


def test_api_disabled_for_org(
    emulator: RunningSalesforce, api: requests.Session, rest_base: str
) -> None:
    emulator.set_api_enabled(False)
    response = api.get(f"{rest_base}/limits", timeout=30)
    assert response.status_code == 403
    assert response.json()[0]["errorCode"] == "API_DISABLED_FOR_ORG"


def test_global_and_object_describe(sf: Any) -> None:
    everything = sf.describe()
    assert everything["encoding"] == "UTF-8"
    assert everything["maxBatchSize"] == 200
    names = {o["name"] for o in everything["sobjects"]}
    assert {
        "Account",
        "Contact",
        "Opportunity",
        "Product2",
        "OpportunityLineItem",
        "User",
        "Project__c",
    } <= names
    account = sf.Account.describe()
    fields = {f["name"]: f for f in account["fields"]}
    assert fields["Id"]["type"] == "id"
    assert fields["BillingAddress"]["type"] == "address"
    assert fields["BillingStreet"]["compoundFieldName"] == "BillingAddress"
    assert fields["Tax_Id__c"]["length"] == 50
    with pytest.raises(SalesforceResourceNotFound) as missing:
        sf.Nope__c.describe()
    assert missing.value.content == NOT_FOUND


def test_composite_batch_of_describes(api: requests.Session, rest_base: str) -> None:
    names = ["Account", "Contact", "Opportunity", "User", "Project__c"] * 5
    batch = [{"method": "GET", "url": f"/services/data/v59.0/sobjects/{n}/describe"} for n in names]
    response = api.post(f"{rest_base}/composite/batch", json={"batchRequests": batch}, timeout=60)
    assert response.status_code == 200
    body = response.json()
    assert body["hasErrors"] is False
    assert [r["result"]["name"] for r in body["results"]] == names
    assert all(r["statusCode"] == 200 for r in body["results"])
    with_error = [*batch[:2], {"method": "GET", "url": "v59.0/sobjects/Nope/describe"}]
    mixed = api.post(f"{rest_base}/composite/batch", json={"batchRequests": with_error}, timeout=60)
    assert mixed.json()["hasErrors"] is True
    assert mixed.json()["results"][2] == {"statusCode": 404, "result": NOT_FOUND}
    too_many = api.post(
        f"{rest_base}/composite/batch", json={"batchRequests": [*batch, batch[0]]}, timeout=60
    )
    assert too_many.status_code == 400
    assert too_many.json()[0]["errorCode"] == "INVALID_BATCH_REQUEST"


def test_sobject_crud(sf: Any) -> None:
    created = sf.Account.create({"Name": "Crud Test Ltd", "Tax_Id__c": "TAX-1"})
    assert set(created) == {"id", "success", "errors"}
    assert created["success"] is True
    assert created["errors"] == []
    account_id = created["id"]
    assert len(account_id) == 18
    assert account_id.startswith("001")
    record = sf.Account.get(account_id)
    assert record["Name"] == "Crud Test Ltd"
    assert record["attributes"] == {
        "type": "Account",
        "url": f"/services/data/v59.0/sobjects/Account/{account_id}",
    }
    assert sf.Account.update(account_id, {"Name": "Crud Test Renamed"}) == 204
    renamed = sf.Account.get(account_id)
    assert renamed["Name"] == "Crud Test Renamed"
    assert renamed["SystemModstamp"] >= record["SystemModstamp"]
    assert sf.Account.delete(account_id) == 204
    soql = f"SELECT Id, IsDeleted FROM Account WHERE Id = '{account_id}'"  # noqa: S608
    assert sf.query(soql)["totalSize"] == 0
    assert sf.query_all(soql, include_deleted=True)["records"][0]["IsDeleted"] is True


def test_dml_errors_are_json_lists(sf: Any) -> None:
    with pytest.raises(SalesforceMalformedRequest) as missing_name:
        sf.Account.create({"Tax_Id__c": "TAX-2"})
    content: Any = missing_name.value.content
    error = content[0]
    assert error["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert error["fields"] == ["Name"]
    with pytest.raises(SalesforceMalformedRequest) as too_long:
        sf.Account.create({"Name": "x", "Tax_Id__c": "9" * 51})
    too_long_content: Any = too_long.value.content
    assert too_long_content[0]["errorCode"] == "STRING_TOO_LONG"


def test_query_errors_are_salesforce_errors(api: requests.Session, rest_base: str) -> None:
    bad_field = api.get(f"{rest_base}/query", params={"q": "SELECT Nme FROM Account"}, timeout=30)
    assert bad_field.status_code == 400
    assert bad_field.json()[0]["errorCode"] == "INVALID_FIELD"
    assert "No such column 'Nme' on entity 'Account'" in bad_field.json()[0]["message"]
    assert bad_field.json()[0]["message"].startswith("\nSELECT Nme FROM Account\n") or (
        "ERROR at Row:1:Column:8" in bad_field.json()[0]["message"]
    )
    malformed = api.get(f"{rest_base}/query", params={"q": "SELECT Id FRM Account"}, timeout=30)
    assert malformed.json()[0]["errorCode"] == "MALFORMED_QUERY"
    bad_type = api.get(f"{rest_base}/query", params={"q": "SELECT Id FROM Foo"}, timeout=30)
    assert bad_type.json()[0]["errorCode"] == "INVALID_TYPE"
    no_q = api.get(f"{rest_base}/query", timeout=30)
    assert no_q.status_code == 400
    assert no_q.json()[0]["errorCode"] == "MALFORMED_QUERY"


def _names_query(count: int) -> str:
    names = ", ".join(f"'Name {i:05d}'" for i in range(count))
    return f"SELECT Id FROM Account WHERE Name IN ({names})"  # noqa: S608


def test_uri_over_16384_bytes_is_414(api: requests.Session, rest_base: str) -> None:
    response = api.get(f"{rest_base}/query", params={"q": _names_query(1200)}, timeout=30)
    assert len(response.request.path_url) > 16384
    assert response.status_code == 414
    assert response.json()[0]["errorCode"] == "URI_TOO_LONG"
    fits = api.get(f"{rest_base}/query", params={"q": _names_query(500)}, timeout=30)
    assert len(fits.request.path_url) < 16384
    assert fits.status_code == 200


def test_unknown_version_and_resource_are_not_found(
    api: requests.Session, emulator: RunningSalesforce
) -> None:
    for path in ("/services/data/v99.0/limits", "/services/data/v59.0/nothing/here"):
        response = api.get(emulator.instance_url + path, timeout=30)
        assert response.status_code == 404
        assert response.json() == NOT_FOUND


def test_writes_are_made_by_the_session_user(sf: Any, emulator: RunningSalesforce) -> None:
    assert emulator.user_id, "create-app registered the integration user as a User record"
    created = sf.Account.create({"Name": "Audited"})["id"]
    sf.Account.update(created, {"Phone": "555"})
    record = sf.Account.get(created)
    assert record["CreatedById"] == emulator.user_id
    assert record["LastModifiedById"] == emulator.user_id
    assert record["OwnerId"] == emulator.user_id
    sf.Account.delete(created)
    soql = f"SELECT LastModifiedById FROM Account WHERE Id = '{created}'"  # noqa: S608
    deleted = sf.query_all(soql, include_deleted=True)
    assert deleted["records"][0]["LastModifiedById"] == emulator.user_id
