"""SOQL literal values: quoted strings with backslash escapes, numbers, dates and datetimes.

Each function takes the literal's text as the lexer matched it and returns the value in the
form the store keeps (see :mod:`emulators.salesforce.schema`): datetimes as UTC
``YYYY-MM-DDTHH:MM:SS.fffZ`` text, dates as ``YYYY-MM-DD``. Problems raise
:class:`LiteralError` with the offset (inside the literal) of the offending character; the
parser turns that into Salesforce's positioned error message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

#: The plain escapes of a quoted string (``\n`` or ``\N`` …), by the letter after the backslash.
_SIMPLE_ESCAPES = {
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "b": "\b",
    "f": "\f",
    '"': '"',
    "'": "'",
    "\\": "\\",
}
#: Escapes that only mean something inside a LIKE pattern.
_LIKE_ONLY_ESCAPES = frozenset("%_")
_LIKE_WILDCARDS = frozenset("%_")
_LIKE_ESCAPE = "\\"
_UNICODE_ESCAPE_DIGITS = 4
_MAX_FRACTION_DIGITS = 9
_MILLISECOND_DIGITS = 3
#: SQLite's integer range: larger literals are compared as floats.
_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1


class LiteralError(ValueError):
    """A literal that Salesforce would refuse.

    Attributes:
        offset: Offset of the offending character from the start of the literal text (the
            opening quote of a string).
        message: Salesforce's message text.
    """

    def __init__(self, offset: int, message: str) -> None:
        """Keep the offset and message; see the class attributes."""
        super().__init__(message)
        self.offset = offset
        self.message = message


@dataclass(frozen=True)
class StringLiteral:
    r"""A decoded quoted string.

    Attributes:
        value: The string's value, every escape resolved (what ``=`` compares with).
        like_pattern: The same text as a SQLite ``LIKE … ESCAPE '\'`` pattern: unescaped
            ``%``/``_`` stay wildcards, escaped ones and backslashes are escaped.
        like_only_offset: Offset (from the opening quote) of the backslash of the first ``\%``
            or ``\_`` escape, which Salesforce only accepts in a LIKE pattern; None if none.
    """

    value: str
    like_pattern: str
    like_only_offset: int | None


def decode_string(text: str) -> StringLiteral:
    r"""Decode a quoted SOQL string literal (quotes included in ``text``).

    Args:
        text: The literal as written, e.g. ``'Bob\'s BBQ'``.

    Returns:
        The decoded value and its LIKE pattern form.

    Raises:
        LiteralError: For a backslash followed by anything but a SOQL escape.
    """
    body = text[1:-1]
    value: list[str] = []
    pattern: list[str] = []
    like_only_offset: int | None = None
    index = 0
    while index < len(body):
        char = body[index]
        if char != "\\":
            value.append(char)
            pattern.append(char if char in _LIKE_WILDCARDS else _like_escaped(char))
            index += 1
            continue
        escape = body[index + 1] if index + 1 < len(body) else ""
        if escape in _LIKE_ONLY_ESCAPES:
            if like_only_offset is None:
                like_only_offset = index + 1
            value.append(escape)
            pattern.append(_LIKE_ESCAPE + escape)
            index += 2
        elif escape.lower() in _SIMPLE_ESCAPES:
            decoded = _SIMPLE_ESCAPES[escape.lower()]
            value.append(decoded)
            pattern.append(_like_escaped(decoded))
            index += 2
        elif escape == "u":
            decoded = _unicode_escape(body, index, text)
            value.append(decoded)
            pattern.append(_like_escaped(decoded))
            index += 2 + _UNICODE_ESCAPE_DIGITS
        else:
            raise _illegal_escape(text, index)
    return StringLiteral("".join(value), "".join(pattern), like_only_offset)


def _like_escaped(char: str) -> str:
    """``char`` as a literal character of a LIKE pattern."""
    if char in _LIKE_WILDCARDS or char == _LIKE_ESCAPE:
        return _LIKE_ESCAPE + char
    return char


def _unicode_escape(body: str, index: int, text: str) -> str:
    r"""Decode the ``\uXXXX`` escape starting at ``body[index]``."""
    digits = body[index + 2 : index + 2 + _UNICODE_ESCAPE_DIGITS]
    if len(digits) != _UNICODE_ESCAPE_DIGITS or any(
        d not in "0123456789abcdefABCDEF" for d in digits
    ):
        raise _illegal_escape(text, index)
    return chr(int(digits, 16))


def _illegal_escape(text: str, index: int) -> LiteralError:
    """The error for a backslash at ``body[index]`` that starts no valid escape."""
    sequence = text[index + 1 : index + 3]
    return LiteralError(
        index + 1,
        f"Invalid string literal {text}. Illegal character sequence '{sequence}' in string "
        "literal.",
    )


def parse_number(text: str) -> int | float:
    """Parse a SOQL number literal (``42``, ``-1.5``, ``.5``) to an int or a float.

    Args:
        text: The literal as written.

    Returns:
        An int when the literal has no fractional part and fits SQLite's 64-bit integers, else
        a float.

    Raises:
        LiteralError: If ``text`` is not a number (the grammar prevents this).
    """
    try:
        number = Decimal(text)
    except InvalidOperation as error:
        raise LiteralError(0, f"invalid number: {text}") from error
    if "." not in text and _INT64_MIN <= number <= _INT64_MAX:
        return int(number)
    return float(number)


def normalize_date(text: str) -> str:
    """Check a ``YYYY-MM-DD`` literal and return it in storage form.

    Args:
        text: The literal as written.

    Returns:
        The same date, ``YYYY-MM-DD``.

    Raises:
        LiteralError: If the date does not exist (``2024-02-30``).
    """
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError as error:
        raise LiteralError(0, f"Invalid date: {text}") from error


def normalize_time(text: str) -> str:
    """Check a ``hh:mm:ss[.fff]Z`` time literal and return it in storage form ``HH:MM:SS.fffZ``.

    Args:
        text: The literal as written.

    Returns:
        The time, with milliseconds.

    Raises:
        LiteralError: If the time does not exist (``25:00:00Z``).
    """
    clock, _, fraction = text[:-1].partition(".")
    try:
        hour, minute, second = (int(part) for part in clock.split(":"))
        moment = time(hour, minute, second)
    except ValueError as error:
        raise LiteralError(0, f"Invalid time: {text}") from error
    millis = (fraction + "000")[:_MILLISECOND_DIGITS]
    return f"{moment.isoformat()}.{millis}Z"


def has_zone(text: str) -> bool:
    """Whether a datetime literal ends with ``Z`` or a ``±hh:mm``/``±hhmm`` offset."""
    time_part = text[11:]
    return time_part.upper().endswith("Z") or "+" in time_part or "-" in time_part


def normalize_datetime(text: str) -> str:
    """Convert a SOQL datetime literal to the UTC storage form ``YYYY-MM-DDTHH:MM:SS.fffZ``.

    Accepted forms: ``YYYY-MM-DDThh:mm:ss[.f{1,9}](Z|±hh:mm|±hhmm)``. Fractions beyond
    milliseconds are truncated (Salesforce keeps milliseconds).

    Args:
        text: The literal as written (with its zone; see :func:`has_zone`).

    Returns:
        The instant in UTC, storage form.

    Raises:
        LiteralError: For an impossible date or time, an out-of-range offset or more than nine
            fraction digits.
    """
    date_part, time_part = text[:10], text[11:]
    clock, zone = _split_zone(time_part)
    seconds_text, _, fraction = clock.partition(".")
    if len(fraction) > _MAX_FRACTION_DIGITS:
        raise LiteralError(0, f"Invalid datetime: {text}")
    millis = int((fraction + "000")[:_MILLISECOND_DIGITS])
    try:
        hour, minute, second = (int(part) for part in seconds_text.split(":"))
        local = datetime.combine(
            date.fromisoformat(date_part), time(hour, minute, second, millis * 1000)
        )
        instant = local - _offset(zone)
    except (ValueError, OverflowError) as error:
        raise LiteralError(0, f"Invalid datetime: {text}") from error
    return format_storage_datetime(instant.replace(tzinfo=UTC))


def format_storage_datetime(instant: datetime) -> str:
    """Format an aware or UTC-naive datetime in the storage form ``YYYY-MM-DDTHH:MM:SS.fffZ``.

    Args:
        instant: The instant; naive values are taken as UTC.

    Returns:
        The storage text.
    """
    if instant.tzinfo is not None:
        instant = instant.astimezone(UTC)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"


def _split_zone(time_part: str) -> tuple[str, str]:
    """Split ``hh:mm:ss[.f](zone)`` into the clock and the zone text."""
    if time_part.upper().endswith("Z"):
        return time_part[:-1], "Z"
    for sign in "+-":
        where = time_part.rfind(sign)
        if where > 0:
            return time_part[:where], time_part[where:]
    return time_part, ""


def _offset(zone: str) -> timedelta:
    """The UTC offset written as ``Z``, ``±hh:mm`` or ``±hhmm``."""
    if zone in {"", "Z"}:
        return timedelta(0)
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    max_hours, max_minutes = 18, 59
    if hours > max_hours or minutes > max_minutes:
        msg = f"offset out of range: {zone}"
        raise ValueError(msg)
    sign = -1 if zone[0] == "-" else 1
    return sign * timedelta(hours=hours, minutes=minutes)
