"""The shortcuts of the record path give exactly what the general path gives."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from target_akountify.mapping.entities import FieldSpec
from target_akountify.mapping.transforms import REGISTRY, LineParams
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


# Property checks over arbitrary text: every character class the shortcuts rely on (ASCII,
# printable, line breaks of every kind, controls, separators, combining marks) is drawn.
_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list(" \t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x00\x07\x7f:é\u0301")),
        st.characters(),
    ),
    max_size=30,
)


def _clean_by_scanning(text: str, forbidden: frozenset[str]) -> bool:
    """What :func:`is_clean` promises, checked character by character (no shortcut)."""
    return (
        unicodedata.normalize("NFC", text) == text
        and not any(unicodedata.category(c) == "Cc" or c in "\u2028\u2029" for c in text)
        and not any(c in forbidden for c in text)
    )


@given(text=_TEXT)
def test_is_clean_agrees_with_a_scan_of_every_character(text: str) -> None:
    forbidden = frozenset(":")
    assert is_clean(text, forbidden) == _clean_by_scanning(text, forbidden)


def _line_by_splitting(text: str, number: int) -> str | None:
    """The general path of the ``line`` transform: split every kind of line break."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if number == 1:
        return lines[0] if lines else None
    return ", ".join(lines[1:]) or None


@given(text=_TEXT, number=st.sampled_from([1, 2]))
def test_the_line_transform_agrees_with_splitting_on_any_text(text: str, number: int) -> None:
    line = REGISTRY["line"]
    assert line.function(text, LineParams(number=number)) == _line_by_splitting(text, number)
