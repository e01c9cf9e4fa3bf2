"""Schemathesis over every operation of the OpenAPI document, against a started emulator.

Every generated request must get a documented status, content type, headers and body, and
never a 5xx. Path parameters are either generated or point at records that exist (so reads,
updates and archives succeed too, not only 404). The run is bounded (a few examples per
operation, derandomized), so it stays well under a minute and sends the same requests on
every run.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .spec import SPEC_PATH

if TYPE_CHECKING:
    from collections.abc import Callable

    from schemathesis import Case
    from schemathesis.schemas import APIOperation, BaseSchema

    from emulators.akountify.launcher import CompanyCredentials, RunningAkountify

EXAMPLES_PER_OPERATION = 12
KNOWN_EXTERNAL_ID = "CONTRACT-1"
CHECKS: list[Callable[..., Any]] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# These change the emulator for every later request (faults, throttling, time): the emulator's
# own suite covers them; here they would only make the other operations fail at random.
MUTATING_ADMIN = {("PUT", "/_admin/faults"), ("PUT", "/_admin/limits"), ("PUT", "/_admin/clock")}


def _load_schema() -> BaseSchema:
    loaded = schemathesis.openapi.from_path(SPEC_PATH)
    loaded.config.generation.update(deterministic=True, database="none")
    return loaded


def _operations(schema: BaseSchema) -> list[APIOperation]:
    found = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        found.append(result.ok())
    return found


SCHEMA = _load_schema()
SAFE_SCHEMA = SCHEMA.exclude(method="PUT", path=[path for _method, path in sorted(MUTATING_ADMIN)])
OPERATIONS = _operations(SAFE_SCHEMA)


@pytest.fixture(scope="module")
def company(akountify: RunningAkountify) -> CompanyCredentials:
    return akountify.create_company("Schemathesis Books")


@pytest.fixture(scope="module")
def bearer(akountify: RunningAkountify, company: CompanyCredentials) -> str:
    return akountify.token(company)


@pytest.fixture(scope="module")
def http() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    return session


@pytest.fixture(scope="module")
def known_ids(
    akountify: RunningAkountify, company: CompanyCredentials, bearer: str, http: requests.Session
) -> dict[str, str]:
    """Records that exist, one of each kind, keyed by the path parameter that names them."""
    base = akountify.company_url(company)
    auth = {"Authorization": f"Bearer {bearer}"}

    def write(method: str, path: str, body: dict[str, Any]) -> str:
        response = http.request(method, f"{base}/{path}", json=body, headers=auth, timeout=30)
        assert response.status_code in {200, 201}, response.text
        return str(response.json()["id"])

    customer = write(
        "PUT", f"customers/by-external-id/{KNOWN_EXTERNAL_ID}", {"display_name": "Known customer"}
    )
    reference = {"external_id": KNOWN_EXTERNAL_ID}
    contact = write(
        "PUT",
        f"contacts/by-external-id/{KNOWN_EXTERNAL_ID}",
        {"first_name": "Known", "customer": reference},
    )
    lines = [{"quantity": "1", "unit_price": "10.00"}]
    invoice = write(
        "PUT",
        f"invoices/by-external-id/{KNOWN_EXTERNAL_ID}",
        {"customer": reference, "lines": lines},
    )
    definition = write(
        "POST", "custom-field-definitions", {"entity": "customers", "name": "known", "type": "date"}
    )
    run = write(
        "POST",
        "sync-runs",
        {"source": "contract", "started_at": "2026-01-01T00:00:00Z", "status": "succeeded"},
    )
    return {
        "company_id": company.company_id,
        "customer_id": customer,
        "contact_id": contact,
        "invoice_id": invoice,
        "definition_id": definition,
        "run_id": run,
        "external_id": KNOWN_EXTERNAL_ID,
    }


def _cases(operation: APIOperation, known: dict[str, str]) -> st.SearchStrategy[Case]:
    """Cases of the operation: generated paths, or paths naming records that exist."""
    names = {param.name for param in operation.path_parameters}
    company = {name: known[name] for name in names & {"company_id"}}
    existing = {name: known[name] for name in names if name in known}
    generated = operation.as_strategy(path_parameters=company or None)
    if existing == company:
        return generated
    return st.one_of(operation.as_strategy(path_parameters=existing), generated)


def _credentials(operation: APIOperation, bearer: str, admin_token: str) -> dict[str, str]:
    if operation.path.startswith("/_admin/"):
        return {"Authorization": f"Bearer {admin_token}"}
    if operation.path in {"/health", "/oauth/token"}:
        return {}
    return {"Authorization": f"Bearer {bearer}"}


def test_every_documented_operation_is_exercised() -> None:
    documented = sum(
        1 for item in SCHEMA.raw_schema["paths"].values() for key in item if key != "parameters"
    )
    assert len(OPERATIONS) == documented - len(MUTATING_ADMIN)
    assert len(OPERATIONS) >= 30


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_every_operation_conforms_to_the_contract(
    operation: APIOperation,
    akountify: RunningAkountify,
    bearer: str,
    known_ids: dict[str, str],
    http: requests.Session,
) -> None:
    statuses: Counter[int] = Counter()
    headers = _credentials(operation, bearer, akountify.admin_token)

    @given(case=_cases(operation, known_ids))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def conforms(case: Case) -> None:
        response = case.call_and_validate(
            base_url=akountify.base_url, session=http, headers=headers, checks=CHECKS
        )
        statuses[response.status_code] += 1

    conforms()
    assert sum(statuses.values()) >= EXAMPLES_PER_OPERATION // 2, statuses
    if operation.method.upper() == "GET":
        # Reads of records that exist, and lists with valid filters, must succeed sometimes.
        assert statuses[200], f"{operation.label} never answered 200: {dict(statuses)}"
