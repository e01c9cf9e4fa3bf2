"""The contract hook really checks: the spec is present, and a wrong answer fails it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
import requests

from .akountify_contract import SPEC_PATH, ContractChecker

if TYPE_CHECKING:
    from .akountify_contract import ContractChecker as Checker
    from .akountify_helpers import Api


def _response(
    status: int, body: object, headers: dict[str, str] | None = None
) -> requests.Response:
    url = "http://127.0.0.1:8765/v1/companies/cmp_x/customers/cus_aaaaaaaaaaaaaaaaaaaa"
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    response.headers.update(
        {
            "Content-Type": "application/json",
            "X-Request-Id": "req_1",
            "X-RateLimit-Limit": "60",
            "X-RateLimit-Remaining": "59",
            "X-RateLimit-Reset": "60",
            **(headers or {}),
        }
    )
    response.request = requests.Request("GET", url).prepare()
    response.url = url
    return response


def test_the_contract_is_checked(contract: Checker | None, api: Api) -> None:
    assert SPEC_PATH.exists()
    assert contract is not None  # mandatory once docs/akountify-openapi.yaml exists
    before = contract.checked
    api.get("/customers")
    assert contract.checked == before + 1


def test_a_wrong_answer_fails_the_check() -> None:
    checker = ContractChecker()
    with pytest.raises(AssertionError, match="does not match the OpenAPI document"):
        checker.check(_response(200, {"id": "cus_aaaaaaaaaaaaaaaaaaaa"}))
    with pytest.raises(AssertionError, match="does not match the OpenAPI document"):
        checker.check(_response(404, {"error": {"code": "not_found"}}))
    good_error = {
        "error": {"code": "not_found", "message": "m", "request_id": "req_1", "details": []}
    }
    checker.check(_response(404, good_error))
