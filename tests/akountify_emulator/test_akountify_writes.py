"""Single-record writes: create, upsert, sparse and unchanged writes, PATCH and If-Match,
linking a hand-typed record, archive, reads by id and by external id."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .akountify_helpers import Api, detail, error

if TYPE_CHECKING:
    from emulators.akountify.launcher import RunningAkountify


def test_put_creates_then_updates_sparsely(api: Api) -> None:
    created = api.upsert("customers", "001A", {"display_name": "Acme", "email": "ap@acme.example"})
    assert created.status_code == 201
    first = created.json()
    assert first["external_id"] == "001A"
    updated = api.upsert("customers", "001A", {"phone": "555-0100"})
    assert updated.status_code == 200
    second = updated.json()
    assert second["version"] == 2
    assert second["email"] == "ap@acme.example"  # not sent, kept
    assert second["phone"] == "555-0100"
    assert second["id"] == first["id"]
    cleared = api.upsert("customers", "001A", {"email": None}).json()
    assert cleared["email"] is None
    assert cleared["version"] == 3


def test_unchanged_upsert_keeps_version_and_timestamps(api: Api) -> None:
    data = {"display_name": "Acme", "tags": ["a"], "credit_limit": "10"}
    first = api.ok_upsert("customers", "001A", data)
    again = api.upsert("customers", "001A", {**data, "credit_limit": "10.00"})
    assert again.status_code == 200
    assert again.json()["version"] == first["version"] == 1
    assert again.json()["updated_at"] == first["updated_at"]
    results = api.batch(
        [
            {
                "op_id": "1",
                "action": "upsert",
                "entity": "customers",
                "external_id": "001A",
                "data": data,
            }
        ]
    )
    assert results[0]["result"] == "unchanged"
    assert results[0]["record"]["version"] == 1


def test_post_creates_without_external_id_and_rejects_a_taken_one(api: Api) -> None:
    created = api.post("/customers", json={"display_name": "Typed"})
    assert created.status_code == 201
    assert created.json()["external_id"] is None
    api.ok_upsert("customers", "X-1", {"display_name": "Synced"})
    body = error(
        api.post("/customers", json={"display_name": "Other", "external_id": "X-1"}),
        409,
        "duplicate_external_id",
    )
    assert detail(body, "external_id")["code"] == "duplicate_external_id"
    error(api.post("/customers", json=[1]), 422, "validation_failed")
    error(
        api.post("/customers", data=b"{not json", headers={"Content-Type": "application/json"}),
        400,
        "bad_request",
    )
    error(api.post("/customers"), 400, "bad_request")


def test_patch_with_if_match_and_linking(api: Api, user_api: Api) -> None:
    typed = user_api.post("/customers", json={"display_name": "Hand Typed Ltd"}).json()
    assert typed["updated_by"]["type"] == "user"
    stale = api.patch(f"/customers/{typed['id']}", json={"notes": "x"}, headers={"If-Match": "7"})
    body = error(stale, 412, "version_conflict")
    assert detail(body, "if_version")["current_version"] == 1
    linked = api.patch(
        f"/customers/{typed['id']}",
        json={"external_id": "001SF", "external_source": "salesforce"},
        headers={"If-Match": '"1"'},
    )
    assert linked.status_code == 200
    assert linked.json()["external_id"] == "001SF"
    assert linked.json()["version"] == 2
    assert api.upsert("customers", "001SF", {"notes": "synced"}).json()["id"] == typed["id"]
    error(
        api.patch(f"/customers/{typed['id']}", json={}, headers={"If-Match": "abc"}),
        400,
        "bad_request",
    )
    error(api.patch("/customers/cus_aaaaaaaaaaaaaaaaaaaa", json={"notes": "x"}), 404, "not_found")
    other = api.ok_upsert("customers", "002SF", {"display_name": "Other"})
    body = error(
        api.patch(f"/customers/{other['id']}", json={"external_id": "001SF"}),
        409,
        "duplicate_external_id",
    )
    assert detail(body, "external_id")["existing_id"] == typed["id"]
    unlinked = api.patch(f"/customers/{other['id']}", json={"external_id": None}).json()
    assert unlinked["external_id"] is None


def test_put_if_match_and_mismatched_external_id(api: Api) -> None:
    api.ok_upsert("customers", "001A", {"display_name": "Acme"})
    error(
        api.upsert("customers", "001A", {"notes": "x"}, headers={"If-Match": "2"}),
        412,
        "version_conflict",
    )
    assert (
        api.upsert("customers", "001A", {"notes": "x"}, headers={"If-Match": "1"}).json()["version"]
        == 2
    )
    body = error(
        api.upsert("customers", "001A", {"external_id": "other"}), 422, "validation_failed"
    )
    assert detail(body, "external_id")["code"] == "invalid_value"


def test_archive_and_upsert_on_archived(api: Api) -> None:
    record = api.ok_upsert("customers", "001A", {"display_name": "Acme"})
    archived = api.post(f"/customers/{record['id']}/archive")
    assert archived.status_code == 200
    assert archived.json()["status"] == "archived"
    assert archived.json()["version"] == 2
    again = api.post(f"/customers/{record['id']}/archive")
    assert again.json()["version"] == 2
    updated = api.ok_upsert("customers", "001A", {"notes": "still archived"})
    assert updated["status"] == "archived"
    assert updated["version"] == 3
    revived = api.ok_upsert("customers", "001A", {"status": "active"})
    assert revived["status"] == "active"
    error(
        api.post(f"/customers/{record['id']}/archive", headers={"If-Match": "1"}),
        412,
        "version_conflict",
    )
    error(api.post("/customers/cus_aaaaaaaaaaaaaaaaaaaa/archive"), 404, "not_found")
    error(api.post(f"/customers/{record['id']}/archive", json={"reason": "x"}), 400, "bad_request")


def test_reads_by_id_and_external_id(api: Api) -> None:
    record = api.ok_upsert("customers", "a/b c", {"display_name": "Slashy"})
    assert api.get(f"/customers/{record['id']}").json() == record
    by_ext = api.get("/customers/by-external-id/a%2Fb%20c")
    assert by_ext.status_code == 200
    assert by_ext.json()["id"] == record["id"]
    error(api.get("/customers/by-external-id/nope"), 404, "not_found")
    error(api.get("/customers/cus_aaaaaaaaaaaaaaaaaaaa"), 404, "not_found")
    error(api.get(f"/contacts/{record['id']}"), 404, "not_found")
    error(api.get("/widgets"), 404, "not_found")
    error(api.delete(f"/customers/{record['id']}"), 405, "method_not_allowed")


def test_data_of_one_client_is_visible_to_another_client_of_the_company(
    akountify: RunningAkountify, api: Api
) -> None:
    client_id, secret = akountify.add_api_client(api.creds.company_id)
    record = api.ok_upsert("customers", "001A", {"display_name": "Shared"})
    token = akountify.token(
        type(api.creds)(
            api.creds.company_id, client_id, secret, api.creds.username, api.creds.password
        )
    )
    second = Api(akountify, api.creds, api.contract, token=token)
    assert second.get(f"/customers/{record['id']}").json()["display_name"] == "Shared"


def test_external_ids_are_checked_wherever_they_come_from(api: Api) -> None:
    for bad, code in (
        ("a\tb", "forbidden_characters"),
        ("x" * 256, "too_long"),
        (" ", "invalid_format"),
    ):
        body = error(api.upsert("customers", bad, {"display_name": "A"}), 422, "validation_failed")
        assert detail(body, "external_id")["code"] == code
        result = api.batch(
            [
                {
                    "op_id": "1",
                    "action": "upsert",
                    "entity": "customers",
                    "external_id": bad,
                    "data": {"display_name": "A"},
                }
            ]
        )[0]
        assert detail(result["error"], "external_id")["code"] == code
        body = error(
            api.post("/customers", json={"display_name": "A", "external_id": bad}),
            422,
            "validation_failed",
        )
        assert detail(body, "external_id")["code"] == code
    assert api.upsert("customers", "x" * 255, {"display_name": "A"}).status_code == 201


def test_display_names_are_stored_trimmed(api: Api) -> None:
    record = api.ok_upsert("customers", "C-1", {"display_name": "  Acme Corp  "})
    assert record["display_name"] == "Acme Corp"
    again = api.upsert("customers", "C-1", {"display_name": "Acme Corp "})
    assert again.json()["version"] == 1


def test_contacts_and_invoices_through_every_single_record_endpoint(api: Api) -> None:
    acme = api.ok_upsert("customers", "C-1", {"display_name": "Acme"})
    globex = api.post("/customers", json={"display_name": "Globex"}).json()
    contact = api.post("/contacts", json={"first_name": "Ann", "customer": {"id": globex["id"]}})
    assert contact.status_code == 201
    assert contact.json()["customer"] == {"id": globex["id"], "external_id": None}
    patched = api.patch(
        f"/contacts/{contact.json()['id']}",
        json={"customer": {"external_id": "C-1"}, "title": "CFO"},
    )
    assert patched.json()["customer"] == {"id": acme["id"], "external_id": "C-1"}
    line = [{"quantity": "2", "unit_price": "5.00"}]
    invoice = api.ok_upsert(
        "invoices", "I-1", {"customer": {"external_id": "C-1"}, "number": "A-1", "lines": line}
    )
    second = api.ok_upsert("invoices", "I-2", {"customer": {"id": globex["id"]}, "lines": line})
    assert second["number"] is None
    renumbered = api.patch(f"/invoices/{invoice['id']}", json={"number": "A-2", "memo": "thanks"})
    assert (renumbered.json()["number"], renumbered.json()["total"]) == ("A-2", "10.00")
    error(api.patch(f"/invoices/{second['id']}", json={"number": "a-2"}), 409, "duplicate_number")
    assert api.post(f"/invoices/{invoice['id']}/archive").json()["status"] == "archived"
    assert api.post(f"/contacts/{contact.json()['id']}/archive").json()["status"] == "archived"
    invoices = api.get("/invoices").json()["data"]
    assert [i["customer"] for i in invoices] == [
        {"id": acme["id"], "external_id": "C-1"},
        {"id": globex["id"], "external_id": None},
    ]
    # linking the customer later shows in the references of its records
    api.patch(f"/customers/{globex['id']}", json={"external_id": "C-2"})
    assert api.get(f"/invoices/{second['id']}").json()["customer"]["external_id"] == "C-2"
    assert api.get("/invoices/by-external-id/I-2").json()["id"] == second["id"]
    assert api.get("/contacts", params={"status": "archived"}).json()["data"][0]["title"] == "CFO"
