"""List endpoints: cursor pagination and every filter."""

from __future__ import annotations

from .akountify_helpers import Api, detail, error


def _seed(api: Api) -> list[dict]:
    records = [
        api.ok_upsert("customers", f"C-{i}", {"display_name": f"Customer {i}"}) for i in range(7)
    ]
    records.append(api.post("/customers", json={"display_name": "Hand Typed Garage"}).json())
    return records


def test_cursor_pagination_walks_every_record_once_in_creation_order(api: Api) -> None:
    records = _seed(api)
    seen: list[str] = []
    cursor, pages = None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api.get("/customers", params=params).json()
        pages += 1
        seen.extend(item["id"] for item in page["data"])
        assert page["has_more"] == (page["next_cursor"] is not None)
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    assert seen == [record["id"] for record in records]
    assert pages == 3
    default = api.get("/customers").json()
    assert len(default["data"]) == 8
    assert default["next_cursor"] is None


def test_filters(api: Api) -> None:
    records = _seed(api)
    api.post(f"/customers/{records[1]['id']}/archive")
    by_ext = api.get("/customers", params={"external_id": "C-2,C-4,missing"}).json()["data"]
    assert [r["external_id"] for r in by_ext] == ["C-2", "C-4"]
    repeated = api.get("/customers?external_id=C-5&external_id=C-6,C-0").json()["data"]
    assert [r["external_id"] for r in repeated] == ["C-0", "C-5", "C-6"]
    archived = api.get("/customers", params={"status": "archived"}).json()["data"]
    assert [r["id"] for r in archived] == [records[1]["id"]]
    assert len(api.get("/customers", params={"status": "active"}).json()["data"]) == 7
    hand = api.get("/customers", params={"has_external_id": "false"}).json()["data"]
    assert [r["display_name"] for r in hand] == ["Hand Typed Garage"]
    assert len(api.get("/customers", params={"has_external_id": "true"}).json()["data"]) == 7
    found = api.get("/customers", params={"q": "TYPED gar"}).json()["data"]
    assert [r["display_name"] for r in found] == ["Hand Typed Garage"]
    assert api.get("/customers", params={"q": "100%"}).json()["data"] == []
    since = records[5]["updated_at"]
    changed = api.get("/customers", params={"updated_since": since}).json()["data"]
    assert [r["external_id"] for r in changed][:2] == ["C-1", "C-5"]  # C-1 was archived later
    assert {r["external_id"] for r in changed} == {"C-1", "C-5", "C-6", None}
    offset = since.replace("Z", "+00:00")
    assert api.get("/customers", params={"updated_since": offset}).json()["data"] == changed


def test_search_covers_contact_names_and_email_and_invoice_numbers(api: Api) -> None:
    api.ok_upsert("customers", "C-1", {"display_name": "Acme"})
    api.ok_upsert(
        "contacts", "K-1", {"first_name": "Zoë", "last_name": "Quill", "email": "zq@acme.example"}
    )
    api.ok_upsert("contacts", "K-2", {"first_name": "Bob", "last_name": "Smith"})
    assert [c["external_id"] for c in api.get("/contacts?q=quill").json()["data"]] == ["K-1"]
    assert [c["external_id"] for c in api.get("/contacts?q=ZQ@ACME").json()["data"]] == ["K-1"]
    assert [c["external_id"] for c in api.get("/contacts?q=zoë").json()["data"]] == ["K-1"]
    line = [{"quantity": 1, "unit_price": 1}]
    api.ok_upsert(
        "invoices",
        "I-1",
        {"customer": {"external_id": "C-1"}, "number": "INV-2026-001", "lines": line},
    )
    api.ok_upsert(
        "invoices",
        "I-2",
        {"customer": {"external_id": "C-1"}, "number": "INV-2026-002", "lines": line},
    )
    assert [i["external_id"] for i in api.get("/invoices?q=inv-2026-002").json()["data"]] == ["I-2"]


def test_bad_parameters_are_400(api: Api) -> None:
    cases = [
        ({"limit": "0"}, "limit", "invalid_value"),
        ({"limit": "201"}, "limit", "invalid_value"),
        ({"limit": "ten"}, "limit", "invalid_value"),
        ({"cursor": "garbage!"}, "cursor", "invalid_format"),
        ({"updated_since": "yesterday"}, "updated_since", "invalid_format"),
        ({"updated_since": "2026-01-01"}, "updated_since", "invalid_format"),
        ({"status": "deleted"}, "status", "invalid_value"),
        ({"has_external_id": "yes"}, "has_external_id", "invalid_value"),
        ({"external_id": ",".join(f"E{i}" for i in range(101))}, "external_id", "too_many"),
        ({"q": "x" * 201}, "q", "too_long"),
        ({"sort": "name"}, "sort", "unknown_field"),
    ]
    for params, field, code in cases:
        body = error(api.get("/customers", params=params), 400, "bad_request")
        assert detail(body, field)["code"] == code, params
    assert api.get("/customers", params={"limit": "200"}).status_code == 200
    ids = ",".join(f"E{i}" for i in range(100))
    assert api.get("/customers", params={"external_id": ids}).status_code == 200
