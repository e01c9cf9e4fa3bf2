"""Typed values from REST JSON and from Bulk CSV cells, identical whichever API read them.

* Datetimes become ISO 8601 UTC with microseconds, ``2024-01-15T10:20:30.000000+00:00``:
  one fixed width, so text order is time order (bookmarks compare as text).
* Numbers with a fraction are exact :class:`~decimal.Decimal` (REST JSON is decoded with a
  Decimal float hook; CSV cells are parsed with ``Decimal``), never floats.
* CSV: an empty cell is null (Bulk API 2.0 writes null as empty); every other text is kept as
  is, so "NA", "None" and "null" stay text and multi-line text stays intact.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from tap_salesforce_lite.objects import INTEGER_TYPES, NUMBER_TYPES

_SF_LENGTH: Final = 28  # 2024-01-15T10:20:30.000+0000
_ISO_Z_LENGTH: Final = 24  # 2024-01-15T10:20:30.000Z
_MILLIS_END: Final = 23

Converter = Callable[[str], Any]


class BadValueError(ValueError):
    """A value Salesforce sent that does not fit its declared type."""


def normalize_datetime(value: str) -> str:
    """Return an ISO 8601 datetime as ``YYYY-MM-DDTHH:MM:SS.ffffff+00:00`` in UTC.

    Args:
        value: A Salesforce datetime (``…000+0000``, ``…000Z``) or any ISO 8601 datetime.

    Returns:
        The normalized text.

    Raises:
        ValueError: If the text is not a datetime.
    """
    if value[19:20] == ".":
        if len(value) == _SF_LENGTH and value.endswith("+0000"):
            return value[:_MILLIS_END] + "000+00:00"
        if len(value) == _ISO_Z_LENGTH and value[-1] == "Z":
            return value[:_MILLIS_END] + "000+00:00"
    return format_datetime(parse_datetime(value))


def parse_datetime(value: str) -> datetime:
    """Parse an ISO 8601 datetime (``Z``, ``±hh:mm`` or ``±hhmm``); naive means UTC."""
    parsed = datetime.fromisoformat(value.strip())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_datetime(moment: datetime) -> str:
    """Format an aware datetime the way the tap emits datetimes."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _csv_boolean(cell: str) -> bool:
    lowered = cell.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise BadValueError(f"'{cell}' is not a boolean")


def _csv_decimal(cell: str) -> Decimal:
    try:
        return Decimal(cell)
    except InvalidOperation:
        raise BadValueError(f"'{cell}' is not a number") from None


def _csv_integer(cell: str) -> int | Decimal:
    try:
        return int(cell)
    except ValueError:
        # Some orgs write integral values of int fields as "5.0".
        number = _csv_decimal(cell)
        return int(number) if number == number.to_integral_value() else number


def csv_converter(sf_type: str) -> Converter | None:
    """The converter of a CSV cell of this Salesforce type (None: keep the text).

    Empty cells are handled by the caller (they are null).
    """
    if sf_type == "boolean":
        return _csv_boolean
    if sf_type in INTEGER_TYPES:
        return _csv_integer
    if sf_type in NUMBER_TYPES:
        return _csv_decimal
    if sf_type == "datetime":
        return normalize_datetime
    return None
