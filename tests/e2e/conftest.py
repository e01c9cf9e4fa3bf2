"""Fixtures of the end-to-end tests: both emulators, an installed Meltano project, API clients.

Expensive things happen once per test session, shared between pytest-xdist workers through a
file lock: ``meltano install`` of the plugins and the seeding of a realistic Salesforce org
(200 accounts with their contacts and opportunities, edge cases included). Each test then gets
a copy of that org in its own Salesforce emulator, its own Akountify company and its own Meltano
project (so its own state).
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from filelock import FileLock
from simple_salesforce import Salesforce

from emulators.akountify.launcher import (
    CompanyCredentials,
    RunningAkountify,
    start_akountify_emulator,
)
from emulators.salesforce.launcher import (
    RunningSalesforce,
    run_cli,
    seed_data_dir,
    start_salesforce_emulator,
)

from .harness import MeltanoProject, copy_tree, install_plugins

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    import requests

E2E_ACCOUNTS = 200
E2E_SEED = 11


def _once(shared: Path, name: str, build: Callable[[Path], None]) -> Path:
    """Build ``shared/name`` once for the whole session, whichever worker gets there first."""
    folder = shared / name
    done = shared / f"{name}.done"
    with FileLock(str(shared / f"{name}.lock")):
        if not done.exists():
            build(folder)
            done.write_text("ok")
    return folder


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every xdist worker of this session sees (the base temp's parent under xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def installed_plugins(shared_dir: Path) -> Path:
    """A project folder where ``meltano install`` has installed every plugin once."""
    return _once(shared_dir, "e2e-meltano-plugins", install_plugins)


def _seed_org(folder: Path) -> None:
    seed_data_dir(folder, accounts=E2E_ACCOUNTS, seed=E2E_SEED)
    run_cli("create-app", "--data-dir", str(folder), "--json")


@pytest.fixture(scope="session")
def seeded_org(shared_dir: Path) -> Path:
    """A seeded Salesforce data folder with its connected app (never served: tests copy it)."""
    return _once(shared_dir, "e2e-salesforce-org", _seed_org)


@pytest.fixture(scope="session")
def akountify(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAkountify]:
    """One Akountify emulator per worker; every test has its own company (limits off)."""
    with start_akountify_emulator(tmp_path_factory.mktemp("akountify"), "--no-rate-limits") as ak:
        yield ak


@pytest.fixture
def salesforce(seeded_org: Path, tmp_path: Path) -> Iterator[RunningSalesforce]:
    """A Salesforce emulator serving this test's own copy of the seeded org."""
    data_dir = copy_tree(seeded_org, tmp_path / "salesforce")
    with start_salesforce_emulator(data_dir) as running:
        yield running


@pytest.fixture
def company(akountify: RunningAkountify) -> CompanyCredentials:
    """A fresh Akountify company for this test."""
    return akountify.create_company("E2E Books")


@pytest.fixture
def project(
    installed_plugins: Path,
    tmp_path: Path,
    salesforce: RunningSalesforce,
    akountify: RunningAkountify,
    company: CompanyCredentials,
) -> MeltanoProject:
    """The repository's Meltano project, its `local` environment pointed at this test's emulators.

    Exactly the variables ``python3 scripts/dev.py demo`` writes into ``.env``.
    """
    project = MeltanoProject.create(tmp_path / "project", installed_plugins)
    project.env = {
        "SALESFORCE_EMULATOR_URL": salesforce.instance_url,
        "SALESFORCE_EMULATOR_CA_FILE": str(salesforce.ca_file),
        "AKOUNTIFY_EMULATOR_URL": akountify.base_url,
        "TAP_SALESFORCE_LITE_CLIENT_ID": salesforce.client_id,
        "TAP_SALESFORCE_LITE_CLIENT_SECRET": salesforce.client_secret,
        "TARGET_AKOUNTIFY_CLIENT_ID": company.client_id,
        "TARGET_AKOUNTIFY_CLIENT_SECRET": company.client_secret,
    }
    return project


class Org:
    """The emulated Salesforce org through simple-salesforce, as any Salesforce client sees it."""

    def __init__(self, running: RunningSalesforce) -> None:
        """Log in with the connected app (client credentials flow)."""
        session = running.session()
        token = session.post(
            f"{running.instance_url}/services/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": running.client_id,
                "client_secret": running.client_secret,
            },
            timeout=30,
        )
        token.raise_for_status()
        self.api = Salesforce(
            instance_url=running.instance_url,
            session_id=token.json()["access_token"],
            session=session,
            version="62.0",
            parse_float=Decimal,
            object_pairs_hook=dict,
        )

    def records(self, sobject: str, fields: str, where: str = "") -> list[dict[str, Any]]:
        """Every record of an object, deleted ones included (queryAll)."""
        soql = f"SELECT {fields} FROM {sobject} {where}".strip()  # noqa: S608 - test-made
        records = self.api.query_all(soql, include_deleted=True)["records"]
        for record in records:
            record.pop("attributes", None)
        return list(records)

    def accounts(self) -> dict[str, dict[str, Any]]:
        """Accounts by id, with every field the default mapping reads."""
        fields = (
            "Id, Name, Phone, Website, BillingStreet, BillingCity, BillingState, "
            "BillingPostalCode, BillingCountry, ShippingStreet, ShippingCity, ShippingState, "
            "ShippingPostalCode, ShippingCountry, Industry, Description, IsDeleted"
        )
        return {r["Id"]: r for r in self.records("Account", fields)}

    def contacts(self) -> dict[str, dict[str, Any]]:
        """Contacts by id, with every field the default mapping reads."""
        fields = "Id, AccountId, FirstName, LastName, Email, Phone, MobilePhone, Title, IsDeleted"
        return {r["Id"]: r for r in self.records("Contact", fields)}

    def opportunities(self) -> dict[str, dict[str, Any]]:
        """Opportunities by id, with every field the default mapping reads."""
        fields = "Id, AccountId, Name, Amount, CloseDate, IsWon, Description, IsDeleted"
        return {r["Id"]: r for r in self.records("Opportunity", fields)}

    def update(self, sobject: str, record_id: str, values: dict[str, Any]) -> None:
        """Edit a record (as the integration user)."""
        getattr(self.api, sobject).update(record_id, values)

    def create(self, sobject: str, values: dict[str, Any]) -> str:
        """Create a record; return its id."""
        return str(getattr(self.api, sobject).create(values)["id"])

    def delete(self, sobject: str, record_id: str) -> None:
        """Delete a record (it stays visible to queryAll with IsDeleted = true)."""
        getattr(self.api, sobject).delete(record_id)


class Books:
    """One Akountify company through its API: what the sync wrote, and a bookkeeper's edits."""

    def __init__(self, running: RunningAkountify, creds: CompanyCredentials) -> None:
        """Remember the emulator and the company."""
        self.running = running
        self.creds = creds

    def session(self, *, as_person: bool = False) -> requests.Session:
        """A session of the API client, or of the company's bookkeeper."""
        return self.running.client_session(self.creds, as_user=as_person)

    def url(self, suffix: str) -> str:
        """The URL of a path under the company."""
        return f"{self.running.company_url(self.creds)}{suffix}"

    def all(self, entity: str) -> list[dict[str, Any]]:
        """Every record of an entity (or every sync run), following the cursor."""
        session = self.session()
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 200}
            if cursor:
                params["cursor"] = cursor
            response = session.get(self.url(f"/{entity}"), params=params, timeout=30)
            assert response.status_code == 200, response.text
            body = response.json()
            found.extend(body["data"])
            cursor = body["next_cursor"]
            if not body["has_more"]:
                return found

    def by_external_id(self, entity: str) -> dict[str, dict[str, Any]]:
        """Records that carry an external id, by it; fails on a duplicated external id."""
        records = [r for r in self.all(entity) if r["external_id"]]
        index = {r["external_id"]: r for r in records}
        assert len(index) == len(records), f"duplicated external ids among {entity}"
        return index

    def type_by_hand(self, entity: str, data: dict[str, Any]) -> dict[str, Any]:
        """Create a record as the bookkeeper types it (no external id)."""
        response = self.session(as_person=True).post(self.url(f"/{entity}"), json=data, timeout=30)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def edit_by_hand(self, entity: str, record_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Edit a record as the bookkeeper."""
        response = self.session(as_person=True).patch(
            self.url(f"/{entity}/{record_id}"), json=data, timeout=30
        )
        assert response.status_code == 200, response.text
        return dict(response.json())


@pytest.fixture
def org(salesforce: RunningSalesforce) -> Org:
    """The test's Salesforce org, through simple-salesforce."""
    return Org(salesforce)


@pytest.fixture
def books(akountify: RunningAkountify, company: CompanyCredentials) -> Books:
    """The test's Akountify company, through its API."""
    return Books(akountify, company)


def dump(value: Any) -> str:
    """JSON text of a value, for assertion messages."""
    return json.dumps(value, default=str, ensure_ascii=False)[:4000]
