"""sync_metadata per API client, and sync runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .akountify_helpers import Api, detail, error

if TYPE_CHECKING:
    from emulators.akountify.launcher import RunningAkountify


def test_sync_metadata_is_per_client_and_a_write_of_its_own(
    akountify: RunningAkountify, api: Api
) -> None:
    first = api.ok_upsert(
        "customers", "C-1", {"display_name": "Acme", "sync_metadata": {"hash": "abc"}}
    )
    assert first["sync_metadata"] == {"hash": "abc"}
    client_id, secret = akountify.add_api_client(api.creds.company_id, "Other integration")
    creds = type(api.creds)(
        api.creds.company_id, client_id, secret, api.creds.username, api.creds.password
    )
    other = Api(akountify, creds, api.contract)
    seen = other.get(f"/customers/{first['id']}").json()
    assert seen["sync_metadata"] == {}
    mine = other.ok_upsert("customers", "C-1", {"sync_metadata": {"cursor": 7}})
    assert mine["sync_metadata"] == {"cursor": 7}
    assert mine["version"] == 2
    assert mine["updated_at"] == first["updated_at"]  # metadata is not a change of fields
    assert mine["updated_by"] == first["updated_by"]
    assert api.get(f"/customers/{first['id']}").json()["sync_metadata"] == {"hash": "abc"}
    same = api.upsert("customers", "C-1", {"sync_metadata": {"hash": "abc"}}).json()
    assert same["version"] == 2
    listed = api.get("/customers").json()["data"][0]
    assert listed["sync_metadata"] == {"hash": "abc"}
    cleared = api.ok_upsert("customers", "C-1", {"sync_metadata": None})
    assert cleared["sync_metadata"] == {}
    assert cleared["version"] == 3


def test_sync_metadata_limit(api: Api) -> None:
    big = {"blob": "x" * (16 * 1024)}
    body = error(
        api.upsert("customers", "C-1", {"display_name": "A", "sync_metadata": big}),
        422,
        "validation_failed",
    )
    found = detail(body, "sync_metadata")
    assert (found["code"], found["limit"]) == ("too_long", 16384)
    fits = {"blob": "x" * (16 * 1024 - 20)}
    assert (
        api.upsert("customers", "C-1", {"display_name": "A", "sync_metadata": fits}).status_code
        == 201
    )


RUN: dict[str, Any] = {
    "source": "tap-salesforce-lite → target-akountify",
    "started_at": "2026-03-01T01:00:00Z",
    "finished_at": "2026-03-01T02:03:10.5+01:00",
    "status": "succeeded_with_rejections",
    "counts": {
        "customers": {"created": 3, "updated": 1, "rejected": 1},
        "invoices": {"unchanged": 9},
    },
    "rejections": [
        {
            "external_id": "001X",
            "entity": "customers",
            "code": "too_long",
            "message": "display_name is 120 characters",
        }
    ],
}


def test_sync_runs_newest_first_with_paging(api: Api) -> None:
    created = []
    for index in range(3):
        response = api.post("/sync-runs", json={**RUN, "source": f"run {index}"})
        assert response.status_code == 201
        created.append(response.json())
    run = created[0]
    assert run["id"].startswith("run_")
    assert run["finished_at"] == "2026-03-01T01:03:10.500000Z"
    assert run["counts"]["customers"] == {
        "created": 3,
        "updated": 1,
        "unchanged": 0,
        "archived": 0,
        "conflicts": 0,
        "rejected": 1,
    }
    assert api.get(f"/sync-runs/{run['id']}").json() == run
    page = api.get("/sync-runs", params={"limit": 2}).json()
    assert [r["source"] for r in page["data"]] == ["run 2", "run 1"]
    rest = api.get("/sync-runs", params={"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [r["source"] for r in rest["data"]] == ["run 0"]
    assert rest["has_more"] is False
    error(api.get("/sync-runs/run_aaaaaaaaaaaaaaaaaaaa"), 404, "not_found")


def test_sync_run_validation(api: Api) -> None:
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"source": None}, "source", "required"),
        ({"status": "ok"}, "status", "invalid_value"),
        ({"started_at": "yesterday"}, "started_at", "invalid_format"),
        ({"finished_at": "2026-03-01T00:59:00Z"}, "finished_at", "invalid_value"),
        ({"counts": {"vendors": {}}}, "counts.vendors", "unknown_field"),
        ({"counts": {"customers": {"created": -1}}}, "counts.customers.created", "invalid_format"),
        ({"counts": {"customers": {"deleted": 1}}}, "counts.customers.deleted", "unknown_field"),
        ({"rejections": [RUN["rejections"][0]] * 101}, "rejections", "too_many"),
        (
            {"rejections": [{"entity": "customers", "code": "x"}]},
            "rejections[0].message",
            "required",
        ),
        ({"notes": "x"}, "notes", "unknown_field"),
    ]
    for changes, field, code in cases:
        body = error(api.post("/sync-runs", json={**RUN, **changes}), 422, "validation_failed")
        assert detail(body, field)["code"] == code, changes
    assert api.get("/sync-runs").json()["data"] == []
