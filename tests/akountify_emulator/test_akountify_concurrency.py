"""Several clients writing the same records at once: no lost update, versions strictly
increase, idempotent replays never apply twice."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from .akountify_helpers import Api

if TYPE_CHECKING:
    from emulators.akountify.launcher import RunningAkountify

THREADS = 6
WRITES = 15
INCREMENTERS = 4
INCREMENTS = 8


def _client(api: Api) -> Api:
    return Api(api.emulator, api.creds, api.contract)


def test_blind_writes_each_bump_the_version_once(api: Api) -> None:
    api.ok_upsert("customers", "C-1", {"display_name": "Contended"})

    def writer(thread: int) -> list[int]:
        client = _client(api)
        versions = []
        for index in range(WRITES):
            response = client.upsert("customers", "C-1", {"notes": f"t{thread}-{index}"})
            assert response.status_code == 200, response.text
            versions.append(response.json()["version"])
        return versions

    with ThreadPoolExecutor(THREADS) as pool:
        per_thread = list(pool.map(writer, range(THREADS)))
    for versions in per_thread:
        assert versions == sorted(versions)
        assert len(set(versions)) == len(versions)
    every = sorted(v for versions in per_thread for v in versions)
    assert every == list(range(2, 2 + THREADS * WRITES))
    assert api.get("/customers/by-external-id/C-1").json()["version"] == 1 + THREADS * WRITES


def test_optimistic_increments_lose_nothing(api: Api) -> None:
    api.post(
        "/custom-field-definitions",
        json={"entity": "customers", "name": "counter", "type": "number"},
    )
    record = api.ok_upsert(
        "customers", "C-1", {"display_name": "Counter", "custom_fields": {"counter": 0}}
    )

    def incrementer(_: int) -> int:
        client = _client(api)
        conflicts = 0
        for _ in range(INCREMENTS):
            while True:
                current = client.get(f"/customers/{record['id']}").json()
                response = client.batch(
                    [
                        {
                            "op_id": "inc",
                            "action": "upsert",
                            "entity": "customers",
                            "id": record["id"],
                            "if_version": current["version"],
                            "data": {
                                "custom_fields": {
                                    "counter": current["custom_fields"]["counter"] + 1
                                }
                            },
                        }
                    ]
                )[0]
                if response["status"] == 200:
                    break
                assert response["status"] == 412, response
                conflicts += 1
        return conflicts

    with ThreadPoolExecutor(INCREMENTERS) as pool:
        list(pool.map(incrementer, range(INCREMENTERS)))
    final = api.get(f"/customers/{record['id']}").json()
    assert final["custom_fields"]["counter"] == INCREMENTERS * INCREMENTS
    assert final["version"] == 1 + INCREMENTERS * INCREMENTS


def test_concurrent_replays_apply_once(akountify: RunningAkountify, api: Api) -> None:
    key = {"Idempotency-Key": "same-request"}
    ops = {
        "operations": [
            {
                "op_id": "a",
                "action": "upsert",
                "entity": "customers",
                "external_id": "C-9",
                "data": {"display_name": "Once only"},
            },
        ]
    }

    def send(_: int) -> tuple[int, dict, str | None]:
        response = _client(api).post("/batch", json=ops, headers=key)
        return response.status_code, response.json(), response.headers.get("Idempotent-Replayed")

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, range(16)))
    assert {status for status, _, _ in answers} == {200}
    assert all(body == answers[0][1] for _, body, _ in answers)
    assert sum(1 for _, _, replayed in answers if replayed is None) == 1
    assert answers[0][1]["results"][0]["result"] == "created"
    listed = api.get("/customers").json()["data"]
    assert [(c["external_id"], c["version"]) for c in listed] == [("C-9", 1)]
