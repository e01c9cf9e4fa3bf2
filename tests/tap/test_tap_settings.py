"""Settings validation and auth-flow resolution (no server needed)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from singer_sdk.exceptions import ConfigValidationError

from tap_salesforce_lite.settings import (
    DEFAULT_OBJECTS,
    ApiType,
    AuthFlow,
    load_settings,
)

if TYPE_CHECKING:
    from pathlib import Path

CLIENT = {"client_id": "3MVG9-consumer-key", "client_secret": "s3cr3t-consumer"}


def errors_of(config: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigValidationError) as caught:
        load_settings(config)
    return caught.value.errors


@pytest.mark.parametrize(
    ("config", "flow"),
    [
        (CLIENT, AuthFlow.CLIENT_CREDENTIALS),
        ({**CLIENT, "refresh_token": "5Aep-refresh"}, AuthFlow.REFRESH_TOKEN),
        ({"client_id": "3MVG9", "refresh_token": "5Aep-refresh"}, AuthFlow.REFRESH_TOKEN),
        ({**CLIENT, "username": "u@example.com", "password": "pw"}, AuthFlow.PASSWORD),
        ({"username": "u@example.com", "password": "pw", "security_token": "tok"}, AuthFlow.SOAP),
        (
            {"client_id": "3MVG9", "username": "u@example.com", "private_key": "PEM"},
            AuthFlow.JWT_BEARER,
        ),
        (
            {**CLIENT, "username": "u@example.com", "password": "pw", "private_key": "PEM"},
            AuthFlow.JWT_BEARER,
        ),
    ],
)
def test_auto_flow_follows_what_is_given(config: dict[str, Any], flow: AuthFlow) -> None:
    assert load_settings(config).auth_flow is flow


def test_explicit_flow_names_what_is_missing() -> None:
    errors = errors_of({"auth_flow": "jwt_bearer", "client_id": "3MVG9"})
    assert errors == [
        (
            "auth_flow 'jwt_bearer' needs username, private_key or private_key_path: set them, "
            "or set auth_flow to another flow"
        )
    ]


def test_no_credentials_lists_every_flow() -> None:
    (message,) = errors_of({})
    assert "client_credentials, recommended" in message
    assert "jwt_bearer, recommended" in message
    assert "soap" in message


def test_private_key_path_is_read(tmp_path: Path) -> None:
    key = tmp_path / "server.key"
    key.write_text("-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n")
    settings = load_settings(
        {"client_id": "3MVG9", "username": "u@example.com", "private_key_path": str(key)}
    )
    assert settings.auth_flow is AuthFlow.JWT_BEARER
    assert settings.private_key is not None
    assert settings.private_key.startswith("-----BEGIN")


def test_unreadable_private_key_path_is_a_config_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.key"
    errors = errors_of({"client_id": "3MVG9", "username": "u", "private_key_path": str(missing)})
    assert any(e.startswith(f"private_key_path: cannot read {missing}") for e in errors)


def test_defaults() -> None:
    settings = load_settings(CLIENT)
    assert settings.login_url == "https://login.salesforce.com"
    assert settings.api_version == "62.0"
    assert settings.objects == DEFAULT_OBJECTS
    assert settings.lookback_seconds == 600
    assert settings.api_type is ApiType.AUTO
    assert settings.include_deleted is True
    assert settings.max_records_per_stream is None
    assert settings.max_api_usage_percent == 80
    assert settings.start_date is None


def test_values_are_normalized(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("x")
    settings = load_settings(
        {
            **CLIENT,
            "login_url": "https://acme.my.salesforce.com/",
            "api_version": "v61.0",
            "ca_bundle": str(bundle),
            "objects": ["Account", "account", " Project__c "],
            "start_date": "2024-01-15T11:20:30+01:00",
        }
    )
    assert settings.login_url == "https://acme.my.salesforce.com"
    assert settings.api_version == "61.0"
    assert settings.ca_bundle == bundle
    assert settings.objects == ("Account", "Project__c")
    assert settings.start_date == datetime(2024, 1, 15, 10, 20, 30, tzinfo=UTC)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    errors = errors_of(
        {
            **CLIENT,
            "login_url": "http://login.salesforce.com",
            "api_version": "latest",
            "ca_bundle": str(tmp_path / "missing.pem"),
            "objects": ["Account; DROP"],
            "start_date": "yesterday",
        }
    )
    assert len(errors) == 5
    assert errors[0].startswith("login_url: 'http://login.salesforce.com' is not an https URL")
    assert "api_version: 'latest' is not a Salesforce API version" in errors[1]
    assert "ca_bundle:" in errors[2]
    assert "objects: 'Account; DROP' is not an object API name" in errors[3]
    assert "start_date: 'yesterday' is not an ISO 8601 date-time" in errors[4]


def test_star_means_every_object() -> None:
    assert load_settings({**CLIENT, "objects": ["*"]}).all_objects


def test_secret_values_are_known() -> None:
    settings = load_settings({**CLIENT, "username": "u", "password": "pw-123"})
    assert set(settings.secret_values()) == {"3MVG9-consumer-key", "s3cr3t-consumer", "pw-123"}
