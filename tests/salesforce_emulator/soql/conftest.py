"""Fixtures of the SOQL engine tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .soql_test_org import Org

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def org() -> Iterator[Org]:
    """A fresh in-memory org database."""
    database = Org()
    yield database
    database.connection.close()
