"""Fixtures: one emulator per test process (limits off), a fresh company per test."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from emulators.akountify.launcher import (
    CompanyCredentials,
    RunningAkountify,
    start_akountify_emulator,
)

from .akountify_contract import ContractChecker, load_checker
from .akountify_helpers import Api, checked

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(scope="session")
def contract() -> ContractChecker | None:
    return load_checker()


@pytest.fixture(scope="session")
def akountify(
    tmp_path_factory: pytest.TempPathFactory, contract: ContractChecker | None
) -> Iterator[RunningAkountify]:
    data_dir = tmp_path_factory.mktemp("akountify")
    with start_akountify_emulator(data_dir, "--no-rate-limits", "--no-access-log") as emulator:
        yield checked(emulator, contract)


@pytest.fixture
def creds(akountify: RunningAkountify) -> CompanyCredentials:
    return akountify.create_company("Acme Books")


@pytest.fixture
def api(
    akountify: RunningAkountify, creds: CompanyCredentials, contract: ContractChecker | None
) -> Api:
    return Api(akountify, creds, contract)


@pytest.fixture
def user_api(
    akountify: RunningAkountify, creds: CompanyCredentials, contract: ContractChecker | None
) -> Api:
    return Api(akountify, creds, contract, as_user=True)
