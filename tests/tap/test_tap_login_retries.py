"""The first login's retry budget: short when nobody answers, full when Salesforce fails.

A scripted transport plays the token endpoint, so the number of attempts is exact.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from requests.adapters import BaseAdapter

from tap_salesforce_lite.auth import Authenticator
from tap_salesforce_lite.errors import AuthenticationError
from tap_salesforce_lite.redaction import Redactor
from tap_salesforce_lite.settings import load_settings
from tap_salesforce_lite.transport import RetryPolicy

LOGIN_URL = "https://login.example.test"
TOKEN = {
    "access_token": "00Dxx!token-value",
    "instance_url": "https://org.example.test",
    "issued_at": "1732521600000",
    "token_type": "Bearer",
}


class ScriptedTokenEndpoint(BaseAdapter):
    """Answers each request with the next scripted outcome: a status code or an exception."""

    def __init__(self, script: list[int | type[Exception]]) -> None:
        super().__init__()
        self.script = list(script)
        self.calls = 0

    def send(self, request: requests.PreparedRequest, **_: Any) -> requests.Response:  # type: ignore[override]
        self.calls += 1
        outcome = self.script.pop(0) if self.script else 200
        if not isinstance(outcome, int):
            raise outcome("scripted")
        response = requests.Response()
        response.status_code = outcome
        response.request = request
        response.url = request.url or ""
        response.headers["Content-Type"] = "application/json"
        body = TOKEN if outcome == 200 else [{"errorCode": "SERVER_UNAVAILABLE", "message": "x"}]
        response._content = json.dumps(body).encode()
        return response


def authenticator(
    script: list[int | type[Exception]],
) -> tuple[Authenticator, ScriptedTokenEndpoint]:
    settings = load_settings(
        {"client_id": "3MVG9-key", "client_secret": "s3cr3t-value", "login_url": LOGIN_URL}
    )
    session = requests.Session()
    endpoint = ScriptedTokenEndpoint(script)
    session.mount("https://", endpoint)
    retry = RetryPolicy(max_retries=8, initial_delay=0.001, max_delay=0.002)
    return Authenticator(settings, session, retry, Redactor()), endpoint


def test_nobody_answering_ends_the_first_login_after_three_attempts() -> None:
    auth, endpoint = authenticator([requests.ConnectionError] * 20)
    with pytest.raises(AuthenticationError) as caught:
        auth.login()
    assert endpoint.calls == 3
    message = str(caught.value)
    assert f"cannot reach {LOGIN_URL} (ConnectionError) after 3 attempts" in message
    assert "check login_url" in message


def test_server_errors_at_the_first_login_get_the_full_budget() -> None:
    auth, endpoint = authenticator([503, 503, 503, 503, 500])
    token = auth.login()
    assert token.access_token == TOKEN["access_token"]
    assert endpoint.calls == 6  # five failures, then the answer


def test_a_relogin_mid_run_keeps_the_full_budget_for_connection_errors() -> None:
    auth, endpoint = authenticator([])
    auth.login()
    endpoint.script = [requests.ConnectionError] * 5
    endpoint.calls = 0
    token = auth.login()
    assert token.access_token == TOKEN["access_token"]
    assert endpoint.calls == 6


def test_server_errors_through_every_retry_say_it_is_an_incident() -> None:
    auth, endpoint = authenticator([503] * 50)
    with pytest.raises(AuthenticationError, match="probably a Salesforce incident"):
        auth.login()
    assert endpoint.calls == 3 + 9  # the short budget, then the full one
