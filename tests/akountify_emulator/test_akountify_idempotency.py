"""Idempotency-Key: replays return the first response and write nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .akountify_helpers import Api, error

if TYPE_CHECKING:
    from emulators.akountify.launcher import RunningAkountify


def test_replay_returns_the_stored_response_and_writes_nothing(api: Api) -> None:
    key = {"Idempotency-Key": "k-1"}
    first = api.post("/customers", json={"display_name": "Once"}, headers=key)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    again = api.post("/customers", json={"display_name": "Once"}, headers=key)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["X-Request-Id"] != first.headers["X-Request-Id"]
    assert len(api.get("/customers").json()["data"]) == 1
    ops = {
        "operations": [
            {
                "op_id": "1",
                "action": "upsert",
                "entity": "customers",
                "external_id": "C-1",
                "data": {"display_name": "Batch", "notes": "v1"},
            }
        ]
    }
    batch_key = {"Idempotency-Key": "batch-1"}
    first_batch = api.post("/batch", json=ops, headers=batch_key).json()
    api.upsert("customers", "C-1", {"notes": "edited since"})
    replay = api.post("/batch", json=ops, headers=batch_key)
    assert replay.json() == first_batch
    assert api.get("/customers/by-external-id/C-1").json()["notes"] == "edited since"


def test_key_reuse_for_another_request_is_refused(api: Api) -> None:
    key = {"Idempotency-Key": "k-2"}
    assert api.upsert("customers", "C-1", {"display_name": "A"}, headers=key).status_code == 201
    error(
        api.upsert("customers", "C-1", {"display_name": "B"}, headers=key),
        422,
        "idempotency_key_reused",
    )
    error(
        api.upsert("customers", "C-2", {"display_name": "A"}, headers=key),
        422,
        "idempotency_key_reused",
    )
    error(
        api.patch("/customers/cus_aaaaaaaaaaaaaaaaaaaa", json={"display_name": "A"}, headers=key),
        422,
        "idempotency_key_reused",
    )
    # key order in the body does not make a request different
    same = api.upsert("customers", "C-1", {"display_name": "A"}, headers=key)
    assert same.headers["Idempotent-Replayed"] == "true"
    assert api.get("/customers/by-external-id/C-1").json()["display_name"] == "A"


def test_errors_are_replayed_too_and_keys_are_validated(api: Api) -> None:
    key = {"Idempotency-Key": "k-3"}
    first = error(
        api.upsert("customers", "C-1", {"display_name": "A:B"}, headers=key),
        422,
        "validation_failed",
    )
    again = api.upsert("customers", "C-1", {"display_name": "A:B"}, headers=key)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["error"] == first
    error(
        api.upsert(
            "customers", "C-1", {"display_name": "A"}, headers={"Idempotency-Key": "k" * 129}
        ),
        400,
        "bad_request",
    )
    assert (
        api.upsert(
            "customers", "C-1", {"display_name": "A"}, headers={"Idempotency-Key": "k" * 128}
        ).status_code
        == 201
    )


def test_keys_are_per_company(akountify: RunningAkountify, api: Api) -> None:
    other = Api(akountify, akountify.create_company("Other"), api.contract)
    key = {"Idempotency-Key": "shared-key"}
    assert api.post("/customers", json={"display_name": "Mine"}, headers=key).status_code == 201
    theirs = other.post("/customers", json={"display_name": "Theirs"}, headers=key)
    assert theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs.headers
