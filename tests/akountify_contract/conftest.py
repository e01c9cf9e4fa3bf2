"""Fixtures of the contract checks: one Akountify emulator per test module."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from emulators.akountify.launcher import RunningAkountify, start_akountify_emulator

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(scope="module")
def akountify(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAkountify]:
    """A started emulator with the rate limits lifted (the checks send many requests)."""
    with start_akountify_emulator(
        tmp_path_factory.mktemp("akountify"), "--no-rate-limits", "--no-access-log"
    ) as running:
        yield running
