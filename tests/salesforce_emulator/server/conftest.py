"""One emulator per test module's worker, with every fault, clock and limit reset between tests.

``REQUESTS_CA_BUNDLE`` and ``CURL_CA_BUNDLE`` are pointed at the public CA bundle for the whole
run, so every test proves that the emulator's CA is trusted through the session adapter and
not through the environment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import certifi
import pytest
from simple_salesforce import Salesforce

from emulators.salesforce.launcher import RunningSalesforce, start_salesforce_emulator

if TYPE_CHECKING:
    from collections.abc import Iterator

    import requests

ACCOUNTS = 400
API_VERSION = "59.0"


@pytest.fixture(scope="session", autouse=True)
def _public_ca_bundle_in_environment() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
        patch.setenv("CURL_CA_BUNDLE", certifi.where())
        yield


@pytest.fixture(scope="session")
def emulator(
    tmp_path_factory: pytest.TempPathFactory, _public_ca_bundle_in_environment: None
) -> Iterator[RunningSalesforce]:
    data_dir = tmp_path_factory.mktemp("salesforce-org")
    with start_salesforce_emulator(data_dir, accounts=ACCOUNTS, seed=7) as running:
        yield running


@pytest.fixture(autouse=True)
def _reset_emulator(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "emulator" not in request.fixturenames:
        return
    running: RunningSalesforce = request.getfixturevalue("emulator")
    running.set_faults(reset=True)
    running.set_clock(None)
    running.set_api_enabled(True)
    running.set_limits(daily_quota=15_000, used=0)
    running.set_settings(query_page_size=2000, bulk_page_size=100_000, bulk_polls_in_progress=0)


@pytest.fixture
def sf(emulator: RunningSalesforce) -> Salesforce:
    """simple-salesforce logged in with client credentials (re-login capable)."""
    return Salesforce(
        consumer_key=emulator.client_id,
        consumer_secret=emulator.client_secret,
        domain="emulator.my",
        session=emulator.session(),
        version=API_VERSION,
    )


@pytest.fixture
def rest_base(emulator: RunningSalesforce) -> str:
    """The REST base URL of the tests' API version."""
    return f"{emulator.instance_url}/services/data/v{API_VERSION}"


@pytest.fixture
def api(emulator: RunningSalesforce) -> Iterator[requests.Session]:
    """A trusted session carrying a fresh bearer token."""
    with emulator.session() as session:
        session.headers["Authorization"] = f"Bearer {emulator.access_token()}"
        yield session
