from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from emulators.salesforce.catalog import OrgCatalog, default_catalog
from emulators.salesforce.store import OrgStore

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


class FakeClock:
    """A clock the tests move by hand."""

    def __init__(self) -> None:
        self.now = datetime(2024, 1, 15, 10, 20, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(scope="session")
def catalog() -> OrgCatalog:
    return default_catalog(wide_fields=20)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Path, catalog: OrgCatalog, clock: FakeClock) -> Iterator[OrgStore]:
    opened = OrgStore(tmp_path / "org.sqlite3", catalog, clock=clock)
    yield opened
    opened.close()
