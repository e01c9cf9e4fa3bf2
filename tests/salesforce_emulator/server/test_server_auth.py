"""Every auth flow simple-salesforce supports, the token endpoint's bodies, TLS trust, expiry."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from simple_salesforce import Salesforce, SalesforceAuthenticationFailed

from emulators.salesforce.transport import trusted_session

if TYPE_CHECKING:
    from emulators.salesforce.launcher import RunningSalesforce

VERSION = "59.0"
TOKEN_KEYS = {"access_token", "instance_url", "id", "token_type", "issued_at", "signature", "scope"}


def _count(sf: Any) -> int:
    return int(sf.query("SELECT COUNT() FROM Account")["totalSize"])


def _token(
    emulator: RunningSalesforce, data: dict[str, str], headers: dict[str, str] | None = None
) -> requests.Response:
    with emulator.session() as session:
        return session.post(
            f"{emulator.login_url}/services/oauth2/token", data=data, headers=headers, timeout=30
        )


def test_tls_is_verified_against_the_emulator_ca_despite_the_environment(
    emulator: RunningSalesforce,
) -> None:
    # The environment points requests at the public bundle: a plain session fails the handshake.
    with requests.Session() as plain, pytest.raises(requests.exceptions.SSLError):
        plain.get(f"{emulator.instance_url}/services/data/", timeout=10)
    # Session.verify alone is overridden by REQUESTS_CA_BUNDLE: still a failure.
    with requests.Session() as naive:
        naive.verify = str(emulator.ca_file)
        with pytest.raises(requests.exceptions.SSLError):
            naive.get(f"{emulator.instance_url}/services/data/", timeout=10)
    with trusted_session(emulator.ca_file) as trusted:
        response = trusted.get(f"{emulator.instance_url}/services/data/", timeout=10)
    assert response.status_code == 200
    assert {"label": "Winter '24", "url": "/services/data/v59.0", "version": "59.0"} in (
        response.json()
    )
    assert (emulator.data_dir / "ca.pem").read_bytes() == emulator.ca_file.read_bytes()


def test_password_soap_login(emulator: RunningSalesforce) -> None:
    sf = Salesforce(
        username=emulator.username,
        password=emulator.password,
        security_token=emulator.security_token,
        session=emulator.session(),
        version=VERSION,
    )
    assert sf.sf_instance == emulator.netloc
    assert _count(sf) > 0


def test_soap_login_with_a_wrong_password_is_invalid_login(emulator: RunningSalesforce) -> None:
    with pytest.raises(SalesforceAuthenticationFailed) as failure:
        Salesforce(
            username=emulator.username,
            password="wrong",
            security_token=emulator.security_token,
            session=emulator.session(),
            version=VERSION,
        )
    assert failure.value.code == "INVALID_LOGIN"
    assert "Invalid username, password, security token; or user locked out." in str(failure.value)


def test_client_credentials_login(emulator: RunningSalesforce) -> None:
    sf = Salesforce(
        consumer_key=emulator.client_id,
        consumer_secret=emulator.client_secret,
        domain="emulator.my",
        session=emulator.session(),
        version=VERSION,
    )
    assert _count(sf) > 0


def test_oauth_password_grant_login(emulator: RunningSalesforce) -> None:
    sf = Salesforce(
        username=emulator.username,
        password=emulator.password + emulator.security_token,
        consumer_key=emulator.client_id,
        consumer_secret=emulator.client_secret,
        session=emulator.session(),
        version=VERSION,
    )
    assert _count(sf) > 0


def test_jwt_bearer_login(emulator: RunningSalesforce) -> None:
    sf = Salesforce(
        username=emulator.username,
        consumer_key=emulator.client_id,
        privatekey_file=str(emulator.private_key_path),
        session=emulator.session(),
        version=VERSION,
    )
    assert _count(sf) > 0


def test_session_id_and_instance_url(emulator: RunningSalesforce) -> None:
    token = _token(
        emulator,
        {
            "grant_type": "client_credentials",
            "client_id": emulator.client_id,
            "client_secret": emulator.client_secret,
        },
    ).json()
    sf = Salesforce(
        session_id=token["access_token"],
        instance_url=token["instance_url"],
        session=emulator.session(),
        version=VERSION,
    )
    assert _count(sf) > 0


def test_token_success_body(emulator: RunningSalesforce) -> None:
    basic = base64.b64encode(f"{emulator.client_id}:{emulator.client_secret}".encode()).decode()
    response = _token(
        emulator, {"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"}
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == TOKEN_KEYS
    assert body["token_type"] == "Bearer"
    assert body["instance_url"] == emulator.instance_url
    assert body["id"].endswith(f"/{emulator.user_id}")
    assert body["issued_at"].isdigit()
    assert "refresh_token" not in body
    assert response.headers["cache-control"] == "no-store"


def test_refresh_token_grant(emulator: RunningSalesforce) -> None:
    response = _token(
        emulator,
        {
            "grant_type": "refresh_token",
            "client_id": emulator.client_id,
            "client_secret": emulator.client_secret,
            "refresh_token": emulator.refresh_token,
        },
    )
    assert response.status_code == 200
    assert set(response.json()) == TOKEN_KEYS


@pytest.mark.parametrize(
    ("form", "error", "description"),
    [
        ({"grant_type": "client_credentials", "client_id": "nope", "client_secret": "x"},
         "invalid_client_id", "client identifier invalid"),
        ({"grant_type": "client_credentials", "client_secret": "wrong"},
         "invalid_client", "invalid client credentials"),
        ({"grant_type": "refresh_token", "refresh_token": "5Aepunknown"},
         "invalid_grant", "expired access/refresh token"),
        ({"grant_type": "password", "username": "nobody@example.com", "password": "x"},
         "invalid_grant", "authentication failure"),
        ({"grant_type": "authorization_code", "code": "x"},
         "unsupported_grant_type", "grant type not supported"),
    ],
)  # fmt: skip
def test_token_error_bodies(
    emulator: RunningSalesforce, form: dict[str, str], error: str, description: str
) -> None:
    data = {"client_id": emulator.client_id, "client_secret": emulator.client_secret, **form}
    response = _token(emulator, data)
    assert response.status_code == 400
    assert response.json() == {"error": error, "error_description": description}


def _assertion(emulator: RunningSalesforce, key: bytes | None = None, **claims: object) -> str:
    payload: dict[str, object] = {
        "iss": emulator.client_id,
        "sub": emulator.username,
        "aud": emulator.login_url,
        "exp": int(time.time()) + 180,
        **claims,
    }
    return jwt.encode(payload, key or emulator.private_key_path.read_bytes(), algorithm="RS256")


def _other_key() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def test_jwt_bearer_errors(emulator: RunningSalesforce) -> None:
    grant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

    def post(assertion: str, status: int = 400) -> dict[str, str]:
        response = _token(emulator, {"grant_type": grant, "assertion": assertion})
        assert response.status_code == status
        body: dict[str, str] = response.json()
        return body

    assert set(post(_assertion(emulator), 200)) == TOKEN_KEYS
    assert set(post(_assertion(emulator, aud="https://login.salesforce.com"), 200)) == TOKEN_KEYS
    assert post(_assertion(emulator, key=_other_key())) == {
        "error": "invalid_grant",
        "error_description": "invalid assertion",
    }
    wrong_audience = post(_assertion(emulator, aud="https://elsewhere.example.com"))
    assert wrong_audience == {"error": "invalid_grant", "error_description": "audience is invalid"}
    expired = post(_assertion(emulator, exp=int(time.time()) - 3600))
    assert expired == {"error": "invalid_grant", "error_description": "expired authorization code"}
    assert post(_assertion(emulator, iss="3MVG9unknown")) == {
        "error": "invalid_client_id",
        "error_description": "client identifier invalid",
    }
    stranger = post(_assertion(emulator, sub="someone@example.com"))
    assert stranger["error_description"] == "user hasn't approved this consumer"
    assert post("not-a-jwt")["error_description"] == "invalid assertion"


def test_expired_token_is_invalid_session_id_exactly(
    emulator: RunningSalesforce, rest_base: str
) -> None:
    emulator.set_clock(datetime.now(UTC))
    token = _token(
        emulator,
        {
            "grant_type": "client_credentials",
            "client_id": emulator.client_id,
            "client_secret": emulator.client_secret,
        },
    ).json()["access_token"]
    with emulator.session() as session:
        session.headers["Authorization"] = f"Bearer {token}"
        assert session.get(f"{rest_base}/limits", timeout=30).status_code == 200
        emulator.advance_clock(timedelta(hours=2).total_seconds())
        expired = session.get(f"{rest_base}/limits", timeout=30)
        unknown = session.get(
            f"{rest_base}/limits", headers={"Authorization": "Bearer 00Dnothing"}, timeout=30
        )
        missing = session.get(f"{rest_base}/limits", headers={"Authorization": ""}, timeout=30)
    expected = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    for response in (expired, unknown, missing):
        assert response.status_code == 401
        assert response.json() == expected


def test_simple_salesforce_logs_in_again_on_invalid_session_id(
    emulator: RunningSalesforce, sf: Any
) -> None:
    emulator.set_faults(session_max_requests=2)
    issued_before = emulator.stats()["requests"].get("tokens_issued", 0)
    counts = [_count(sf) for _ in range(5)]
    assert len(set(counts)) == 1
    issued_after = emulator.stats()["requests"]["tokens_issued"]
    assert issued_after - issued_before >= 2
    assert emulator.stats()["requests"]["rejected_INVALID_SESSION_ID"] >= 2
