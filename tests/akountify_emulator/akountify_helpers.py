"""A small client for the tests: a company's API over real HTTP, responses contract-checked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import requests

if TYPE_CHECKING:
    from emulators.akountify.launcher import CompanyCredentials, RunningAkountify

    from .akountify_contract import ContractChecker


class Api:
    """One company's API as its API client (or its user) sees it."""

    def __init__(
        self,
        emulator: RunningAkountify,
        creds: CompanyCredentials,
        contract: ContractChecker | None,
        *,
        as_user: bool = False,
        token: str | None = None,
    ) -> None:
        self.emulator = emulator
        self.creds = creds
        self.contract = contract
        self.base = emulator.company_url(creds)
        self.session = new_session(contract)
        self.session.headers["Authorization"] = (
            f"Bearer {token or emulator.token(creds, as_user=as_user)}"
        )

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base + path

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, self.url(path), **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def upsert(
        self, entity: str, external_id: str, data: dict[str, Any], **kwargs: Any
    ) -> requests.Response:
        return self.put(
            f"/{entity}/by-external-id/{quote(external_id, safe='')}", json=data, **kwargs
        )

    def ok_upsert(self, entity: str, external_id: str, data: dict[str, Any]) -> dict[str, Any]:
        response = self.upsert(entity, external_id, data)
        assert response.status_code in {200, 201}, response.text
        return response.json()

    def batch(self, operations: list[dict[str, Any]], **kwargs: Any) -> list[dict[str, Any]]:
        response = self.post("/batch", json={"operations": operations}, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()["results"]


def checked(emulator: RunningAkountify, contract: ContractChecker | None) -> RunningAkountify:
    """The emulator, with every response of its helper sessions checked against the spec."""
    if contract is not None and contract.hook not in emulator.response_hooks:
        emulator.response_hooks.append(contract.hook)
    return emulator


def new_session(contract: ContractChecker | None) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    if contract is not None:
        session.hooks["response"].append(contract.hook)
    return session


def error(response: requests.Response, status: int, code: str) -> dict[str, Any]:
    """Assert an error response and return its ``error`` object."""
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == code, body
    assert body["request_id"] == response.headers["X-Request-Id"]
    assert isinstance(body["details"], list)
    assert body["message"]
    return body


def detail(body: dict[str, Any], field: str) -> dict[str, Any]:
    """The one detail about ``field`` in an error object."""
    found = [item for item in body["details"] if item["field"] == field]
    assert len(found) == 1, body
    assert found[0]["message"]
    return found[0]


def customer(name: str = "Acme Corporation", **fields: Any) -> dict[str, Any]:
    return {"display_name": name, **fields}


def invoice(customer_ref: dict[str, str], **fields: Any) -> dict[str, Any]:
    return {"customer": customer_ref, "lines": [{"quantity": "1", "unit_price": "10.00"}], **fields}
