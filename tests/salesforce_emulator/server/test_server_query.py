"""REST query paging: locators over snapshots, batchSize, query vs queryAll, simple-salesforce."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from emulators.salesforce.query import batch_size_of

if TYPE_CHECKING:
    import requests

    from emulators.salesforce.launcher import RunningSalesforce

LOCATOR_URL = re.compile(r"^/services/data/v59\.0/query/01g[0-9A-Za-z]{15}-(\d+)$")
ACCOUNT_IDS = "SELECT Id FROM Account ORDER BY Id"


def _pages(
    api: requests.Session, emulator: RunningSalesforce, first: requests.Response
) -> list[dict]:
    pages = [first.json()]
    while not pages[-1]["done"]:
        url = emulator.instance_url + pages[-1]["nextRecordsUrl"]
        pages.append(api.get(url, params={"q": "SELECT Name FROM Contact"}, timeout=30).json())
    return pages


def test_paging_with_batch_size(
    api: requests.Session, emulator: RunningSalesforce, rest_base: str
) -> None:
    first = api.get(
        f"{rest_base}/query",
        params={"q": ACCOUNT_IDS},
        headers={"Sforce-Query-Options": "batchSize=200"},
        timeout=30,
    )
    assert first.status_code == 200
    total = first.json()["totalSize"]
    assert total > 200
    assert list(first.json()) == ["totalSize", "done", "nextRecordsUrl", "records"]
    match = LOCATOR_URL.match(first.json()["nextRecordsUrl"])
    assert match is not None
    assert match.group(1) == "200"
    pages = _pages(api, emulator, first)
    assert [len(p["records"]) for p in pages[:-1]] == [200] * (len(pages) - 1)
    ids = [r["Id"] for p in pages for r in p["records"]]
    assert len(ids) == total == len(set(ids))
    assert ids == sorted(ids)
    assert "nextRecordsUrl" not in pages[-1]
    assert all(p["totalSize"] == total for p in pages)


def test_batch_size_is_clamped(api: requests.Session, rest_base: str) -> None:
    def page_size(option: str) -> int:
        response = api.get(
            f"{rest_base}/query/",
            params={"q": "SELECT Id FROM Contact"},
            headers={"Sforce-Query-Options": option},
            timeout=30,
        )
        return len(response.json()["records"])

    assert page_size("batchSize=10") == 200
    assert page_size("batchSize=450") == 450
    assert batch_size_of("batchSize=5000", 2000) == 2000
    assert batch_size_of("foo=1, batchSize=999", 2000) == 999
    assert batch_size_of("batchSize=lots", 1500) == 1500
    assert batch_size_of(None, 1500) == 1500


def test_unknown_and_expired_locators(
    emulator: RunningSalesforce, api: requests.Session, rest_base: str
) -> None:
    expected = [{"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}]
    unknown = api.get(f"{rest_base}/query/01gAAAAAAAAAAAAAAA-2000", timeout=30)
    assert unknown.status_code == 400
    assert unknown.json() == expected
    first = api.get(
        f"{rest_base}/query",
        params={"q": ACCOUNT_IDS},
        headers={"Sforce-Query-Options": "batchSize=200"},
        timeout=30,
    ).json()
    emulator.advance_clock(16 * 60)
    expired = api.get(emulator.instance_url + first["nextRecordsUrl"], timeout=30)
    assert expired.status_code == 400
    assert expired.json() == expected


def test_a_locator_pages_its_snapshot(
    sf: Any, api: requests.Session, emulator: RunningSalesforce, rest_base: str
) -> None:
    first = api.get(
        f"{rest_base}/query",
        params={"q": ACCOUNT_IDS},
        headers={"Sforce-Query-Options": "batchSize=200"},
        timeout=30,
    ).json()
    created = sf.Account.create({"Name": "After The Snapshot"})["id"]
    try:
        pages = _pages(
            api, emulator, api.get(emulator.instance_url + first["nextRecordsUrl"], timeout=30)
        )
        ids = {r["Id"] for p in pages for r in p["records"]}
        assert created not in ids
        assert len(ids) + len(first["records"]) == first["totalSize"]
    finally:
        sf.Account.delete(created)


def test_query_versus_query_all(sf: Any) -> None:
    created = sf.Contact.create({"LastName": "Deleted Later"})["id"]
    sf.Contact.delete(created)
    live = sf.query_all("SELECT Id, IsDeleted FROM Contact")
    everything = sf.query_all("SELECT Id, IsDeleted FROM Contact", include_deleted=True)
    assert created not in {r["Id"] for r in live["records"]}
    deleted = [r for r in everything["records"] if r["IsDeleted"]]
    assert created in {r["Id"] for r in deleted}
    assert everything["totalSize"] == live["totalSize"] + len(deleted)


def test_simple_salesforce_query_all_iter_and_query_all(
    sf: Any, emulator: RunningSalesforce
) -> None:
    emulator.set_settings(query_page_size=200)
    soql = "SELECT Id, Name, Account.Name FROM Contact ORDER BY Id"
    iterated = list(sf.query_all_iter(soql))
    everything = sf.query_all(soql)
    assert len(iterated) == everything["totalSize"] > 200
    assert [r["Id"] for r in iterated] == [r["Id"] for r in everything["records"]]
    with_account = next(r for r in iterated if r["Account"] is not None)
    assert set(with_account["Account"]) == {"attributes", "Name"}
    assert with_account["Account"]["attributes"]["type"] == "Account"
    assert sf.query(soql)["nextRecordsUrl"].endswith("-200")


def test_count_query(sf: Any) -> None:
    result = sf.query("SELECT COUNT() FROM Account")
    assert result["records"] == []
    assert result["done"] is True
    assert result["totalSize"] == len(sf.query_all("SELECT Id FROM Account")["records"])
