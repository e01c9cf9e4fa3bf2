"""POST /batch: envelope limits, independent operations, addressing, if_version."""

from __future__ import annotations

from typing import Any

from .akountify_helpers import Api, detail, error


def op(
    op_id: str, entity: str = "customers", action: str = "upsert", **members: Any
) -> dict[str, Any]:
    return {"op_id": op_id, "action": action, "entity": entity, **members}


def test_operations_succeed_or_fail_on_their_own_in_order(api: Api) -> None:
    results = api.batch(
        [
            op("1", external_id="C-1", data={"display_name": "One"}),
            op("2", external_id="C-2", data={"display_name": "One"}),  # duplicate name
            op("3", external_id="C-3", data={"display_name": "Bad:Name"}),
            op(
                "4",
                "invoices",
                external_id="I-1",
                data={
                    "customer": {"external_id": "C-1"},
                    "lines": [{"quantity": 1, "unit_price": "9.99"}],
                },
            ),
            op(
                "5",
                "contacts",
                external_id="K-1",
                data={"last_name": "Doe", "customer": {"external_id": "C-2"}},
            ),
            op("6", external_id="C-1", data={"notes": "second write"}),
        ]
    )
    assert [r["op_id"] for r in results] == ["1", "2", "3", "4", "5", "6"]
    assert [r["status"] for r in results] == [201, 409, 422, 201, 422, 200]
    assert [r["result"] for r in results] == ["created", None, None, "created", None, "updated"]
    assert results[1]["error"]["code"] == "duplicate_name"
    assert results[1]["error"]["details"][0]["existing_id"] == results[0]["record"]["id"]
    assert results[2]["error"]["details"][0]["code"] == "forbidden_characters"
    assert results[4]["error"]["code"] == "invalid_reference"
    assert results[3]["record"]["total"] == "9.99"
    assert results[5]["record"]["version"] == 2
    for failed in (results[1], results[2], results[4]):
        assert failed["record"] is None
        assert "request_id" not in failed["error"]
    listed = api.get("/customers").json()["data"]
    assert [c["external_id"] for c in listed] == ["C-1"]


def test_envelope_limits(api: Api) -> None:
    too_many = [op(str(i), external_id=f"C-{i}", data={"display_name": f"N{i}"}) for i in range(51)]
    body = error(api.post("/batch", json={"operations": too_many}), 422, "validation_failed")
    found = detail(body, "operations")
    assert (found["code"], found["limit"]) == ("too_many", 50)
    body = error(api.post("/batch", json={"operations": []}), 422, "validation_failed")
    assert detail(body, "operations")["code"] == "required"
    body = error(
        api.post(
            "/batch",
            json={
                "operations": [op("a", external_id="1", data={}), op("a", external_id="2", data={})]
            },
        ),
        422,
        "validation_failed",
    )
    assert detail(body, "operations[1].op_id")["code"] == "invalid_value"
    body = error(
        api.post("/batch", json={"operations": [{"action": "upsert"}], "dry_run": True}),
        422,
        "validation_failed",
    )
    assert detail(body, "operations[0].op_id")["code"] == "required"
    assert detail(body, "dry_run")["code"] == "unknown_field"
    error(api.post("/batch", json={"ops": []}), 422, "validation_failed")
    error(api.post("/batch", json=[]), 422, "validation_failed")
    assert api.get("/customers").json()["data"] == []
    fifty = [op(str(i), external_id=f"C-{i}", data={"display_name": f"N{i}"}) for i in range(50)]
    assert {r["status"] for r in api.batch(fifty)} == {201}


def test_bad_operations_fail_alone(api: Api) -> None:
    results = api.batch(
        [
            op("1", action="delete", external_id="C-1", data={}),
            op("2", entity="vendors", external_id="C-1", data={}),
            op("3", data={"display_name": "No address"}),
            op("4", external_id="C-1", id="cus_x", data={}),
            op("5", action="archive", external_id="C-1", data={"x": 1}),
            op("6", external_id="C-1"),
            op("7", external_id="C-1", data={"display_name": "x"}, if_version="1"),
            op("8", external_id="C-1", data={"display_name": "ok"}, extra=True),
            op("9", id="cus_aaaaaaaaaaaaaaaaaaaa", data={"notes": "x"}),
            op("10", action="archive", external_id="missing"),
            op("11", external_id="C-1", data={"display_name": "Fine"}),
        ]
    )
    expected = [
        ("action", "invalid_value"),
        ("entity", "invalid_value"),
        ("external_id", "required"),
        ("id", "invalid_value"),
        ("data", "invalid_value"),
        ("data", "required"),
        ("if_version", "invalid_format"),
        ("extra", "unknown_field"),
    ]
    for result, (field, code) in zip(results, expected, strict=False):
        assert result["status"] == 422, result
        assert detail(result["error"], field)["code"] == code
    assert results[8]["status"] == 404
    assert results[8]["error"]["code"] == "not_found"
    assert results[9]["status"] == 404
    assert results[10]["status"] == 201


def test_if_version_and_create_only(api: Api) -> None:
    results = api.batch(
        [
            op("1", external_id="C-1", data={"display_name": "One"}, if_version=0),
            op("2", external_id="C-1", data={"display_name": "Uno"}, if_version=0),
            op("3", external_id="C-1", data={"display_name": "Uno"}, if_version=1),
            op("4", external_id="C-1", data={"display_name": "Eins"}, if_version=1),
            op("5", external_id="C-2", data={"display_name": "Two"}, if_version=4),
        ]
    )
    assert [r["status"] for r in results] == [201, 412, 200, 412, 412]
    assert results[1]["error"]["code"] == "version_conflict"
    assert detail(results[3]["error"], "if_version")["current_version"] == 2
    assert detail(results[4]["error"], "if_version")["current_version"] == 0


def test_link_by_id_and_archive_ops(api: Api, user_api: Api) -> None:
    typed = user_api.post("/customers", json={"display_name": "Pyramid Construction Inc."}).json()
    results = api.batch(
        [
            op(
                "link",
                id=typed["id"],
                data={
                    "external_id": "001P",
                    "external_source": "salesforce",
                    "email": "ap@pyramid.example",
                },
                if_version=1,
            ),
            op("sparse", external_id="001P", data={"phone": "1"}),
            op("arch", action="archive", external_id="001P", if_version=3),
            op("arch-again", action="archive", id=typed["id"]),
        ]
    )
    assert [r["status"] for r in results] == [200, 200, 200, 200]
    assert [r["result"] for r in results] == ["updated", "updated", "archived", "unchanged"]
    final = results[-1]["record"]
    assert final["external_id"] == "001P"
    assert final["email"] == "ap@pyramid.example"
    assert final["phone"] == "1"
    assert final["status"] == "archived"
    assert final["version"] == 4
    assert final["updated_by"]["type"] == "api_client"
