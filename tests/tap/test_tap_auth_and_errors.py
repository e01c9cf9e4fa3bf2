"""Every auth flow, the CA bundle that wins over the environment, and every error message.

Error messages are checked through the real command line: one line, exit status 1, no
traceback, and no secret anywhere in the output.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from emulators.common.process import free_port
from emulators.salesforce.launcher import start_salesforce_emulator
from tap_salesforce_lite.errors import AuthenticationError

from .tap_harness import Org, client_credentials_config, discover, run_cli, run_tap

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from emulators.salesforce.launcher import RunningSalesforce


@pytest.fixture(scope="module")
def sf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSalesforce]:
    with start_salesforce_emulator(tmp_path_factory.mktemp("sf-auth")) as running:
        org = Org(running)
        org.create("Account", Name="Acme", Opening_Balance__c=10.5)
        yield running


@pytest.fixture(autouse=True)
def clean(sf: RunningSalesforce) -> None:
    sf.set_faults(reset=True)
    sf.set_api_enabled(True)


def flow_config(sf: RunningSalesforce, flow: str) -> dict[str, Any]:
    common = {"login_url": sf.login_url, "ca_bundle": str(sf.ca_file), "objects": ["Account"]}
    if flow == "client_credentials":
        return {**common, "client_id": sf.client_id, "client_secret": sf.client_secret}
    if flow == "jwt_bearer":
        return {
            **common,
            "client_id": sf.client_id,
            "username": sf.username,
            "private_key_path": str(sf.private_key_path),
        }
    if flow == "refresh_token":
        return {
            **common,
            "client_id": sf.client_id,
            "client_secret": sf.client_secret,
            "refresh_token": sf.refresh_token,
        }
    if flow == "password":
        return {
            **common,
            "client_id": sf.client_id,
            "client_secret": sf.client_secret,
            "username": sf.username,
            "password": sf.password,
            "security_token": sf.security_token,
        }
    return {
        **common,
        "username": sf.username,
        "password": sf.password,
        "security_token": sf.security_token,
    }


FLOWS = ["client_credentials", "jwt_bearer", "refresh_token", "password", "soap"]


@pytest.mark.parametrize("flow", FLOWS)
def test_every_flow_logs_in_and_syncs(sf: RunningSalesforce, flow: str) -> None:
    run = run_tap(flow_config(sf, flow))
    assert run.tap.settings.auth_flow == flow
    assert "Acme" in [r["Name"] for r in run.records("Account")]


def secrets_of(sf: RunningSalesforce) -> list[str]:
    return [
        sf.client_secret,
        sf.password,
        sf.security_token,
        sf.refresh_token,
        sf.private_key_path.read_text().splitlines()[1],
    ]


BAD = {
    "client_credentials": ("client_secret", "wrong-secret-123"),
    "jwt_bearer": ("username", "nobody@example.com"),
    "refresh_token": ("refresh_token", "5Aep861-not-a-token"),
    "password": ("password", "wrong-password-123"),
    "soap": ("password", "wrong-password-123"),
}


@pytest.mark.parametrize("flow", FLOWS)
def test_bad_credentials_name_the_flow_and_what_to_check(
    sf: RunningSalesforce, flow: str, tmp_path: Path
) -> None:
    setting, value = BAD[flow]
    result = run_cli(tmp_path, {**flow_config(sf, flow), setting: value}, "--discover")
    assert result.returncode == 1
    assert result.stdout == ""
    (line,) = [ln for ln in result.stderr.splitlines() if "ERROR" in ln]
    assert f"{flow} login to {sf.login_url} refused" in line
    assert "check " in line
    assert "Traceback" not in result.stderr
    for secret in [*secrets_of(sf), value]:
        assert secret not in result.stderr


def test_configured_ca_bundle_wins_over_the_environment(
    sf: RunningSalesforce, monkeypatch: pytest.MonkeyPatch
) -> None:
    import certifi  # noqa: PLC0415 - the system bundle, which does not know the emulator's CA

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    monkeypatch.setenv("CURL_CA_BUNDLE", certifi.where())
    run = run_tap(flow_config(sf, "client_credentials"))
    assert run.records("Account")
    without = {k: v for k, v in flow_config(sf, "client_credentials").items() if k != "ca_bundle"}
    with pytest.raises(AuthenticationError, match="is not trusted; set ca_bundle"):
        run_tap(without)


def one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    (line,) = [ln for ln in stderr.splitlines() if "| ERROR" in ln]
    return line


def test_unknown_object_suggests_the_closest_names(sf: RunningSalesforce, tmp_path: Path) -> None:
    config = client_credentials_config(sf, objects=["Acount", "Project_c"])
    result = run_cli(tmp_path, config, "--discover")
    assert result.returncode == 1
    line = one_error_line(result.stderr)
    assert "Salesforce has no object 'Acount' (did you mean Account" in line
    assert "'Project_c' (did you mean Project__c" in line
    assert "custom objects end in __c" in line


def test_unknown_field_names_the_field_and_the_fix(sf: RunningSalesforce, tmp_path: Path) -> None:
    config = client_credentials_config(sf)
    catalog = discover(config)
    properties = catalog["streams"][0]["schema"]["properties"]
    properties["Shoe_Size__c"] = {"type": ["number", "null"]}
    catalog_path = tmp_path / "catalog.json"
    catalog_path.write_text(json.dumps(catalog))
    result = run_cli(tmp_path, config, "--catalog", str(catalog_path))
    assert result.returncode == 1
    line = one_error_line(result.stderr)
    assert "Field 'Shoe_Size__c' does not exist on Account" in line
    assert "run discovery again" in line


def test_api_disabled_says_which_edition_and_permission(
    sf: RunningSalesforce, tmp_path: Path
) -> None:
    sf.set_api_enabled(False)
    result = run_cli(tmp_path, client_credentials_config(sf), "--discover")
    assert result.returncode == 1
    line = one_error_line(result.stderr)
    assert "The Salesforce API is not enabled for this org (API_DISABLED_FOR_ORG" in line
    assert "'API Enabled'" in line


def test_star_discovers_every_replicable_object_parents_first(sf: RunningSalesforce) -> None:
    # AccountFeed exists but is not replicable: '*' leaves it out (naming it works, via REST).
    config = client_credentials_config(sf, objects=["*"])
    names = [s["stream"] for s in discover(config)["streams"]]
    assert "AccountFeed" not in names
    assert {"Account", "Contact", "Opportunity", "Project__c"} <= set(names)
    # Parents first in discovery order too.
    assert names.index("Account") < names.index("Contact")
    assert names.index("Opportunity") < names.index("OpportunityLineItem")


def test_secrets_never_reach_output(sf: RunningSalesforce, tmp_path: Path) -> None:
    config = {**flow_config(sf, "password"), "objects": ["Account", "Contact"]}
    result = run_cli(tmp_path, config)
    assert result.returncode == 0, result.stderr
    for secret in secrets_of(sf):
        assert secret not in result.stdout
        assert secret not in result.stderr
    # Decimal values are exact JSON numbers in the Singer output.
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert any('"Opening_Balance__c":10.5' in line for line in result.stdout.splitlines())
    assert records[-1]["type"] == "STATE"


def test_unreachable_login_url_fails_after_a_short_retry_budget(
    sf: RunningSalesforce, tmp_path: Path
) -> None:
    """A login_url nobody answers on is a configuration error: three attempts, then one line."""
    closed = f"https://127.0.0.1:{free_port()}"
    config = {
        **client_credentials_config(sf),
        "login_url": closed,
        "retry_initial_delay": 0.01,
        "retry_max_delay": 0.02,
    }
    result = run_cli(tmp_path, config, "--discover")
    assert result.returncode == 1
    assert result.stdout == ""
    (line,) = [ln for ln in result.stderr.splitlines() if "ERROR" in ln]
    assert f"cannot reach {closed} (ConnectionError) after 3 attempts" in line
    assert "check login_url" in line
    assert result.stderr.count("retry ") == 2  # two retries logged, then the error
    assert "Traceback" not in result.stderr
    for secret in secrets_of(sf):
        assert secret not in result.stderr
