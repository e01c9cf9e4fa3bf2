"""SOQL literals: string escapes, LIKE patterns, numbers, dates and datetimes with offsets."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulators.salesforce.soql import literals

# Salesforce's escape sequences, the inverse of decode_string for plain values.
_ENCODE = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}


def soql_string(value: str) -> str:
    return "'" + "".join(_ENCODE.get(c, c) for c in value) + "'"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("'plain'", "plain"),
        ("''", ""),
        (r"'Bob\'s BBQ'", "Bob's BBQ"),
        (r"'back\\slash'", "back\\slash"),
        (r"'a\nb\Nc'", "a\nb\nc"),
        (r"'a\rb\Rc'", "a\rb\rc"),
        (r"'a\tb\Tc'", "a\tb\tc"),
        (r"'a\bb\Bc'", "a\bb\bc"),
        (r"'a\fb\Fc'", "a\fb\fc"),
        (r"'say \"hi\"'", 'say "hi"'),
        (r"'caf\u00e9'", "café"),
        ("'東京 🌸'", "東京 🌸"),
    ],
)
def test_string_escapes_decode(text: str, value: str) -> None:
    decoded = literals.decode_string(text)
    assert decoded.value == value
    assert decoded.like_only_offset is None


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("'Ter%'", "Ter%"),
        (r"'Ter\%'", "Ter\\%"),
        (r"'Ter\%%'", "Ter\\%%"),
        (r"'a\_b_'", "a\\_b_"),
        (r"'back\\slash%'", "back\\\\slash%"),
        (r"'it\'s%'", "it's%"),
    ],
)
def test_like_patterns_keep_wildcards_and_escape_the_rest(text: str, pattern: str) -> None:
    assert literals.decode_string(text).like_pattern == pattern


def test_like_only_escapes_are_flagged_with_their_offset() -> None:
    decoded = literals.decode_string(r"'50\% off'")
    assert decoded.value == "50% off"
    assert decoded.like_only_offset == 3  # the backslash, counted from the opening quote


@pytest.mark.parametrize(("text", "offset"), [(r"'bad\q'", 4), (r"'x\u12'", 2), ("'end\\'", 4)])
def test_illegal_escapes_are_refused(text: str, offset: int) -> None:
    with pytest.raises(literals.LiteralError) as caught:
        literals.decode_string(text)
    assert caught.value.offset == offset
    assert caught.value.message.startswith(f"Invalid string literal {text}. Illegal character")


@given(st.text())
def test_any_string_round_trips_through_soql_escaping(value: str) -> None:
    assert literals.decode_string(soql_string(value)).value == value


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00")))
def test_a_fully_escaped_like_pattern_matches_exactly_its_text(value: str) -> None:
    escaped = soql_string(value).replace("%", "\\%").replace("_", "\\_")
    pattern = literals.decode_string(escaped).like_pattern
    with sqlite3.connect(":memory:") as connection:
        (matches,) = connection.execute("SELECT ? LIKE ? ESCAPE '\\'", (value, pattern)).fetchone()
        (matches_other,) = connection.execute(
            "SELECT ? LIKE ? ESCAPE '\\'", (value + "x", pattern)
        ).fetchone()
    connection.close()
    assert matches == 1
    assert matches_other == 0


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42", 42),
        ("-7", -7),
        ("+3", 3),
        ("1.5", 1.5),
        ("-0.25", -0.25),
        (".5", 0.5),
        ("10.", 10.0),
        ("9223372036854775807", 9223372036854775807),
        ("9223372036854775808", 9.223372036854775808e18),
    ],
)
def test_numbers(text: str, value: float) -> None:
    parsed = literals.parse_number(text)
    assert parsed == value
    assert type(parsed) is type(value)


def test_dates_are_checked() -> None:
    assert literals.normalize_date("2024-02-29") == "2024-02-29"
    with pytest.raises(literals.LiteralError, match=r"Invalid date: 2023-02-29"):
        literals.normalize_date("2023-02-29")


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("2024-01-15T10:20:30Z", "2024-01-15T10:20:30.000Z"),
        ("2024-01-15T10:20:30.1Z", "2024-01-15T10:20:30.100Z"),
        ("2024-01-15T10:20:30.12Z", "2024-01-15T10:20:30.120Z"),
        ("2024-01-15T10:20:30.123Z", "2024-01-15T10:20:30.123Z"),
        ("2024-01-15T10:20:30.123456789Z", "2024-01-15T10:20:30.123Z"),
        ("2024-01-15T10:20:30+02:00", "2024-01-15T08:20:30.000Z"),
        ("2024-01-15T10:20:30-08:00", "2024-01-15T18:20:30.000Z"),
        ("2024-01-15T01:20:30+0530", "2024-01-14T19:50:30.000Z"),
        ("2023-12-31T22:00:00.5-0800", "2024-01-01T06:00:00.500Z"),
        ("2024-03-01T00:30:00+01:00", "2024-02-29T23:30:00.000Z"),
        ("2024-01-15T10:20:30+00:00", "2024-01-15T10:20:30.000Z"),
    ],
)
def test_datetimes_are_normalized_to_utc_storage_form(text: str, stored: str) -> None:
    assert literals.has_zone(text)
    assert literals.normalize_datetime(text) == stored


@pytest.mark.parametrize(
    "text",
    [
        "2024-02-30T00:00:00Z",
        "2024-01-01T24:00:00Z",
        "2024-01-01T10:60:00Z",
        "2024-01-01T10:00:61Z",
        "2024-13-01T00:00:00Z",
        "2024-01-01T00:00:00+19:00",
        "2024-01-01T00:00:00+05:75",
        "0001-01-01T00:00:00+01:00",
    ],
)
def test_impossible_datetimes_are_refused(text: str) -> None:
    with pytest.raises(literals.LiteralError, match=r"^Invalid datetime: "):
        literals.normalize_datetime(text)


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("10:20:30Z", "10:20:30.000Z"),
        ("00:00:00.5z", "00:00:00.500Z"),
        ("23:59:59.999Z", "23:59:59.999Z"),
    ],
)
def test_times_are_normalized(text: str, stored: str) -> None:
    assert literals.normalize_time(text) == stored


def test_impossible_times_are_refused() -> None:
    with pytest.raises(literals.LiteralError, match=r"^Invalid time: 10:61:00Z$"):
        literals.normalize_time("10:61:00Z")


def test_zone_detection() -> None:
    assert not literals.has_zone("2024-01-15T10:20:30")
    assert not literals.has_zone("2024-01-15T10:20:30.250")
    assert literals.has_zone("2024-01-15T10:20:30.250z")


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 2),  # noqa: DTZ001 - naive bounds are what hypothesis takes
        max_value=datetime(2999, 12, 30),  # noqa: DTZ001
    ),
    st.integers(min_value=-18 * 60, max_value=18 * 60),
    st.booleans(),
)
def test_datetime_literals_round_trip(moment: datetime, offset_minutes: int, colon: bool) -> None:
    zone = timezone(timedelta(minutes=offset_minutes))
    local = moment.replace(tzinfo=zone)
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    separator = ":" if colon else ""
    text = (
        local.strftime("%Y-%m-%dT%H:%M:%S")
        + f".{local.microsecond:06d}{sign}{hours:02d}{separator}{minutes:02d}"
    )
    expected = local.astimezone(UTC).replace(microsecond=local.microsecond // 1000 * 1000)
    assert literals.normalize_datetime(text) == literals.format_storage_datetime(expected)
    assert literals.format_storage_datetime(expected) == (
        expected.strftime("%Y-%m-%dT%H:%M:%S.") + f"{expected.microsecond // 1000:03d}Z"
    )
