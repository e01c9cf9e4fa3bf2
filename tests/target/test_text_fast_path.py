"""The shortcuts of the record path give exactly what the general path gives."""

from __future__ import annotations

import unicodedata

import pytest

from target_akountify.mapping.entities import FieldSpec
from target_akountify.mapping.values import ValuePolicy, finalize
from target_akountify.text import CleanResult, clean_text, is_clean

SAMPLES = [
    "Acme",
    "  Acme  Corp ",
    "",
    "Café",
    unicodedata.normalize("NFD", "Café"),  # not NFC: normalized by the general path
    "line one\nline two",
    "tab\there",
    "bell\x07",
    "colon: here",
    "x" * 120,
    "sep\u2028arator",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_is_clean_means_clean_text_changes_nothing(text: str) -> None:
    forbidden = frozenset(":")
    assert is_clean(text, forbidden) == (clean_text(text, forbidden=forbidden) == CleanResult(text))


class _Text(str):
    """A str subclass: :func:`finalize` takes its general path for it (the shortcut is for str)."""

    __slots__ = ()


@pytest.mark.parametrize("reject", [False, True])
@pytest.mark.parametrize("multiline", [False, True])
@pytest.mark.parametrize("text", SAMPLES)
def test_text_finalize_matches_the_general_path(
    text: str, *, multiline: bool, reject: bool
) -> None:
    spec = FieldSpec(
        "display_name", "text", "", max_length=100, multiline=multiline, forbidden=frozenset(":")
    )
    policy = ValuePolicy(
        too_long="reject" if reject else "truncate",
        forbidden_characters="reject" if reject else "replace",
    )
    fast = finalize(spec, text, policy, "field `Name`")
    general = finalize(spec, _Text(text), policy, "field `Name`")
    assert (fast.value, fast.problem, fast.warnings) == (
        general.value,
        general.problem,
        general.warnings,
    )
    assert type(fast.value) in {str, type(None)}
