"""Tokens, 401 versus 403, tenancy isolation and the admin token."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from .akountify_helpers import Api, error, new_session

if TYPE_CHECKING:
    from emulators.akountify.launcher import CompanyCredentials, RunningAkountify

    from .akountify_contract import ContractChecker


def test_client_credentials_form_and_basic(
    akountify: RunningAkountify, creds: CompanyCredentials, contract: ContractChecker | None
) -> None:
    session = new_session(contract)
    url = f"{akountify.base_url}/oauth/token"
    response = session.post(
        url,
        data={
            "grant_type": "client_credentials",
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
        },
        timeout=10,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["company_id"] == creds.company_id
    assert body["access_token"]
    assert response.headers["X-Request-Id"].startswith("req_")
    basic = base64.b64encode(f"{creds.client_id}:{creds.client_secret}".encode()).decode()
    response = session.post(
        url,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.json()["company_id"] == creds.company_id


def test_bad_credentials_are_401_and_never_echo_the_secret(
    akountify: RunningAkountify, creds: CompanyCredentials, contract: ContractChecker | None
) -> None:
    session = new_session(contract)
    url = f"{akountify.base_url}/oauth/token"
    cases = [
        {"grant_type": "client_credentials", "client_id": creds.client_id, "client_secret": "nope"},
        {"grant_type": "client_credentials", "client_id": "cli_unknown", "client_secret": "x"},
        {"grant_type": "password", "username": creds.username, "password": "wrong-password"},
    ]
    for form in cases:
        response = session.post(url, data=form, timeout=10)
        error(response, 401, "unauthorized")
        assert "nope" not in response.text
        assert "wrong-password" not in response.text
    error(session.post(url, data={"client_id": creds.client_id}, timeout=10), 400, "bad_request")
    body = error(session.post(url, data={"grant_type": "implicit"}, timeout=10), 400, "bad_request")
    assert body["details"][0]["field"] == "grant_type"
    body = error(
        session.post(url, data={"grant_type": "client_credentials"}, timeout=10), 400, "bad_request"
    )
    assert {item["field"] for item in body["details"]} == {"client_id", "client_secret"}


def test_user_token_writes_are_hand_edits(api: Api, user_api: Api) -> None:
    created = user_api.post("/customers", json={"display_name": "Typed by hand"})
    assert created.status_code == 201
    assert created.json()["updated_by"]["type"] == "user"
    assert created.json()["external_id"] is None
    by_client = api.patch(f"/customers/{created.json()['id']}", json={"notes": "synced"})
    assert by_client.json()["updated_by"]["type"] == "api_client"
    assert by_client.json()["updated_by"]["id"] == api.creds.client_id


def test_missing_unknown_and_malformed_tokens_are_401(
    akountify: RunningAkountify, creds: CompanyCredentials, contract: ContractChecker | None
) -> None:
    session = new_session(contract)
    url = f"{akountify.company_url(creds)}/customers"
    for headers in ({}, {"Authorization": "Bearer akt_unknown"}, {"Authorization": "Token abc"}):
        response = session.get(url, headers=headers, timeout=10)
        error(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_token_of_another_company_is_403_and_records_are_isolated(
    akountify: RunningAkountify, api: Api, contract: ContractChecker | None
) -> None:
    other = Api(akountify, akountify.create_company("Other Ltd"), contract)
    record = api.ok_upsert("customers", "A-1", {"display_name": "Only in A"})
    response = other.get(f"{api.base}/customers")
    error(response, 403, "forbidden")
    error(
        other.get(f"{akountify.base_url}/companies/cmp_doesnotexist0000000/customers"),
        403,
        "forbidden",
    )
    error(other.get(f"/customers/{record['id']}"), 404, "not_found")
    assert other.get("/customers?external_id=A-1").json()["data"] == []
    # the same external id lives independently in each company
    mine = other.ok_upsert("customers", "A-1", {"display_name": "Only in A"})
    assert mine["id"] != record["id"]


def test_admin_endpoints_need_the_admin_token(akountify: RunningAkountify) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        response = akountify.session().get(
            f"{akountify.base_url}/_admin/faults", headers=headers, timeout=10
        )
        error(response, 401, "unauthorized")
        response = akountify.session().post(
            f"{akountify.base_url}/_admin/companies",
            json={"name": "x"},
            headers=headers,
            timeout=10,
        )
        error(response, 401, "unauthorized")


def test_admin_company_creation_validates_the_name(
    akountify: RunningAkountify, contract: ContractChecker | None
) -> None:
    session = new_session(contract)
    session.headers["Authorization"] = f"Bearer {akountify.admin_token}"
    url = f"{akountify.base_url}/_admin/companies"
    error(session.post(url, json={}, timeout=10), 422, "validation_failed")
    error(session.post(url, json={"name": "x" * 201}, timeout=10), 422, "validation_failed")
    created = session.post(url, json={"name": "  Trimmed Co  "}, timeout=10)
    assert created.status_code == 201
    assert created.json()["name"] == "Trimmed Co"
    assert set(created.json()["user"]) == {"username", "password"}


def test_every_response_has_request_id_and_rate_headers(
    akountify: RunningAkountify, api: Api
) -> None:
    echoed = api.get("/customers", headers={"X-Request-Id": "my-trace-42"})
    assert echoed.headers["X-Request-Id"] == "my-trace-42"
    for response in (
        api.get("/customers"),
        akountify.session().get(f"{akountify.base_url}/health", timeout=5),
    ):
        assert response.headers["X-Request-Id"].startswith(("req_", "my-"))
        for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
            assert response.headers[name].isdigit()
    assert akountify.session().get(f"{akountify.base_url}/health", timeout=5).json() == {
        "status": "ok"
    }
