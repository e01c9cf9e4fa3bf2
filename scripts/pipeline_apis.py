"""Small clients of the two emulated APIs, as a person or another program would use them.

The main job uses them to make a change in Salesforce (``edit``), to type a few customers into
Akountify by hand before the first sync (so that it shows linking instead of duplicating), and
to show what landed in Akountify (``show``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import requests

from emulators.salesforce.transport import trusted_session

if TYPE_CHECKING:
    from pathlib import Path

    from emulators.akountify.launcher import CompanyCredentials, RunningAkountify

SALESFORCE_API_VERSION = "62.0"
TIMEOUT_SECONDS = 30


class ApiCallError(RuntimeError):
    """An API answered with an error: the message names the call and the answer."""


def _checked(response: requests.Response, what: str) -> requests.Response:
    if response.status_code >= 400:
        raise ApiCallError(f"{what} failed with HTTP {response.status_code}: {response.text[:500]}")
    return response


@dataclass
class SalesforceApi:
    """The Salesforce REST API of the emulator, logged in with the connected app.

    Attributes:
        instance_url: ``https://127.0.0.1:PORT``.
        ca_file: The emulator's CA certificate.
        client_id: Consumer key (client credentials flow).
        client_secret: Consumer secret.
    """

    instance_url: str
    ca_file: Path
    client_id: str
    client_secret: str
    _session: requests.Session | None = None

    def session(self) -> requests.Session:
        """A session with a fresh access token (logged in on first use)."""
        if self._session is None:
            session = trusted_session(self.ca_file)
            response = _checked(
                session.post(
                    f"{self.instance_url}/services/oauth2/token",
                    data={
                        "grant_type": "client_credentials",
                        "client_id": self.client_id,
                        "client_secret": self.client_secret,
                    },
                    timeout=TIMEOUT_SECONDS,
                ),
                "Salesforce login",
            )
            session.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
            self._session = session
        return self._session

    def _url(self, suffix: str) -> str:
        return f"{self.instance_url}/services/data/v{SALESFORCE_API_VERSION}{suffix}"

    def query(self, soql: str, *, include_deleted: bool = False) -> list[dict[str, Any]]:
        """Run a SOQL query (every page); records keep Salesforce's own value formats."""
        session = self.session()
        url: str | None = self._url("/queryAll" if include_deleted else "/query")
        params: dict[str, str] | None = {"q": soql}
        records: list[dict[str, Any]] = []
        while url:
            body = _checked(
                session.get(url, params=params, timeout=TIMEOUT_SECONDS), f"SOQL {soql!r}"
            ).json()
            records.extend(body["records"])
            next_url = body.get("nextRecordsUrl")
            url, params = (f"{self.instance_url}{next_url}", None) if next_url else (None, None)
        return records

    def update(self, sobject: str, record_id: str, values: dict[str, Any]) -> None:
        """``PATCH`` one record's fields."""
        _checked(
            self.session().patch(
                self._url(f"/sobjects/{sobject}/{record_id}"),
                json=values,
                timeout=TIMEOUT_SECONDS,
            ),
            f"update of {sobject} {record_id}",
        )

    def create(self, sobject: str, values: dict[str, Any]) -> str:
        """Create a record; return its id."""
        response = _checked(
            self.session().post(
                self._url(f"/sobjects/{sobject}"), json=values, timeout=TIMEOUT_SECONDS
            ),
            f"creation of a {sobject}",
        )
        return str(response.json()["id"])

    def delete(self, sobject: str, record_id: str) -> None:
        """Delete a record (it goes to the recycle bin: ``queryAll`` still sees it)."""
        _checked(
            self.session().delete(
                self._url(f"/sobjects/{sobject}/{record_id}"), timeout=TIMEOUT_SECONDS
            ),
            f"deletion of {sobject} {record_id}",
        )


@dataclass
class AkountifyApi:
    """The Akountify API of one company, as its API client or as its bookkeeper (a person).

    Attributes:
        emulator: The running emulator (base URL, admin token, data folder).
        company: The company's API client and bookkeeper credentials.
    """

    emulator: RunningAkountify
    company: CompanyCredentials

    def session(self, *, as_person: bool = False) -> requests.Session:
        """A session with an access token of the API client (or of the bookkeeper)."""
        try:
            return self.emulator.client_session(self.company, as_user=as_person)
        except requests.HTTPError as exc:
            raise ApiCallError(f"Akountify login failed: {exc}") from exc

    def url(self, suffix: str) -> str:
        """The URL of a path under the company."""
        return f"{self.emulator.company_url(self.company)}{suffix}"

    def list(self, entity: str, *, limit: int | None = None, **params: Any) -> list[dict[str, Any]]:
        """Records of an entity (or sync runs) in the API's order, every page unless ``limit``."""
        session = self.session()
        records: list[dict[str, Any]] = []
        cursor = None
        while True:
            page_size = min(200, limit - len(records)) if limit else 200
            query = {"limit": page_size, **params, **({"cursor": cursor} if cursor else {})}
            body = _checked(
                session.get(self.url(f"/{entity}"), params=query, timeout=TIMEOUT_SECONDS),
                f"listing {entity}",
            ).json()
            records.extend(body["data"])
            cursor = body.get("next_cursor")
            if not body.get("has_more") or (limit and len(records) >= limit):
                return records[:limit] if limit else records

    def create_by_hand(self, entity: str, data: dict[str, Any]) -> dict[str, Any]:
        """Create a record as the bookkeeper would type it (no external id)."""
        response = _checked(
            self.session(as_person=True).post(
                self.url(f"/{entity}"), json=data, timeout=TIMEOUT_SECONDS
            ),
            f"creating a {entity[:-1]} by hand",
        )
        record: dict[str, Any] = response.json()
        return record
