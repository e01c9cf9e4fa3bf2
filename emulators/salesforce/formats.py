"""Value formats: storage ⇄ REST JSON, storage → Bulk CSV cell.

Storage (see :mod:`emulators.salesforce.schema`): datetimes ``YYYY-MM-DDTHH:MM:SS.fffZ`` (UTC),
dates ``YYYY-MM-DD``, times ``HH:MM:SS.fffZ``, booleans 0/1, numbers as SQLite numbers,
multi-select picklists ``A;B``, text as is. Salesforce never stores empty strings: ``""`` is
null.

REST JSON (what ``/query`` and record GETs return): datetimes ``2024-01-15T10:20:30.000+0000``,
dates and times as stored, numbers as JSON numbers, booleans ``true``/``false``, compound
address and location fields as objects, base64 fields as the URL of the blob.

Bulk API 2.0 CSV cells: empty for null, ``true``/``false``, datetimes
``2024-01-15T10:20:30.000Z``, numbers in plain decimal notation (never an exponent).

REST input (create and update bodies) is converted by :func:`parse_input`, which raises the
:class:`~emulators.salesforce.errors.SalesforceApiError` Salesforce raises for a bad value.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from emulators.salesforce import ids
from emulators.salesforce.errors import SalesforceApiError
from emulators.salesforce.schema import ADDRESS_COMPONENTS, ADDRESS_JSON_KEYS, FieldDef, ObjectDef

#: API version used when a caller does not say which one (in record URLs).
DEFAULT_API_VERSION: Final[str] = "62.0"

#: Salesforce's (lenient) email check: it accepts some addresses strict validators refuse,
#: such as consecutive dots in the local part or underscores in the domain.
EMAIL_PATTERN: Final[re.Pattern[str]] = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$"
)
_TIME_PATTERN = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?Z?$")
_DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_JAVA_TYPES = {
    "boolean": "boolean",
    "int": "int",
    "long": "long",
    "double": "double",
    "currency": "double",
    "percent": "double",
    "date": "date",
    "datetime": "datetime",
    "time": "time",
}
_MAX_INT32 = 2**31 - 1
_MAX_INT64 = 2**63 - 1
_SHOWN_VALUE_LIMIT = 300

RestConverter = Callable[[Any], Any]
CsvConverter = Callable[[Any], str]


# ---------------------------------------------------------------------------------------------
# datetimes


def datetime_to_storage(moment: datetime) -> str:
    """Storage form of a datetime: UTC, millisecond precision, ``Z`` suffix.

    Args:
        moment: An aware datetime (a naive one is taken as UTC).

    Returns:
        ``YYYY-MM-DDTHH:MM:SS.fffZ``.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    utc = moment.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def storage_to_datetime(stored: str) -> datetime:
    """Parse a stored datetime back to an aware UTC datetime."""
    return datetime.strptime(stored, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def rest_datetime(stored: str | None) -> str | None:
    """REST form of a stored datetime: ``2024-01-15T10:20:30.000+0000``."""
    return None if stored is None else stored[:-1] + "+0000"


# ---------------------------------------------------------------------------------------------
# storage → REST JSON


def _rest_boolean(value: Any) -> Any:
    return None if value is None else bool(value)


def _rest_int(value: Any) -> Any:
    return None if value is None else int(value)


def _rest_float(value: Any) -> Any:
    return None if value is None else float(value)


def rest_converter(field: FieldDef) -> RestConverter | None:
    """The function turning a stored value of ``field`` into its REST JSON value.

    Args:
        field: A stored (non-compound, non-base64) field.

    Returns:
        The converter, or None when the stored value is already the JSON value (text, dates,
        times, picklists, ids), so callers can skip the call.
    """
    kind = field.type
    if kind == "datetime":
        return rest_datetime
    if kind == "boolean":
        return _rest_boolean
    if kind in {"int", "long"}:
        return _rest_int
    if kind in {"double", "currency", "percent"}:
        return _rest_float
    return None


def blob_url(api_version: str, object_name: str, record_id: str, field_name: str) -> str:
    """The URL REST returns in place of a base64 field's content."""
    return f"/services/data/v{api_version}/sobjects/{object_name}/{record_id}/{field_name}"


def record_url(api_version: str, object_name: str, record_id: str) -> str:
    """The ``attributes.url`` of a record."""
    return f"/services/data/v{api_version}/sobjects/{object_name}/{record_id}"


def rest_address(values: tuple[Any, ...]) -> dict[str, Any] | None:
    """REST value of an address from its stored components.

    Args:
        values: Stored components in :data:`~emulators.salesforce.schema.ADDRESS_COMPONENTS`
            order (street, city, state, postal code, country, latitude, longitude, accuracy).

    Returns:
        The address object with keys in Salesforce's order, or None when every component is
        null.
    """
    if all(value is None for value in values):
        return None
    by_suffix = dict(zip(ADDRESS_COMPONENTS, values, strict=True))
    return {key: by_suffix[key[0].upper() + key[1:]] for key in ADDRESS_JSON_KEYS}


def rest_location(values: tuple[Any, ...]) -> dict[str, Any] | None:
    """REST value of a geolocation from its stored (latitude, longitude), or None."""
    latitude, longitude = values
    if latitude is None and longitude is None:
        return None
    return {"latitude": latitude, "longitude": longitude}


def rest_compound(field: FieldDef, values: tuple[Any, ...]) -> dict[str, Any] | None:
    """REST value of a compound field from its stored components (in describe order)."""
    if field.type == "address":
        return rest_address(values)
    return rest_location(values)


# ---------------------------------------------------------------------------------------------
# storage → Bulk CSV cell


def _csv_text(value: Any) -> str:
    return "" if value is None else str(value)


def _csv_boolean(value: Any) -> str:
    if value is None:
        return ""
    return "true" if value else "false"


def plain_number(value: float) -> str:
    """A number in plain decimal notation, as short as exact (``1500000.0`` never ``1.5e6``)."""
    if isinstance(value, int):
        return str(value)
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
        if "." not in text:
            text += ".0"
    return text


def _csv_number(value: Any) -> str:
    return "" if value is None else plain_number(value)


def csv_converter(field: FieldDef) -> CsvConverter:
    """The function turning a stored value of ``field`` into a Bulk 2.0 CSV cell."""
    kind = field.type
    if kind == "boolean":
        return _csv_boolean
    if kind in {"int", "long", "double", "currency", "percent"}:
        return _csv_number
    return _csv_text


# ---------------------------------------------------------------------------------------------
# REST input → storage


def utf16_length(text: str) -> int:
    """Length as Salesforce counts it (UTF-16 code units: an emoji counts as two)."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)  # noqa: PLR2004


def _shown(value: Any) -> str:
    text = str(value)
    if len(text) > _SHOWN_VALUE_LIMIT:
        return text[:_SHOWN_VALUE_LIMIT] + "..."
    return text


def _parser_error(
    field: FieldDef,
    value: Any,
    token: str = "VALUE_STRING",  # noqa: S107 - a JSON token name, not a secret
) -> SalesforceApiError:
    java_type = _JAVA_TYPES.get(field.type, "String")
    return SalesforceApiError(
        400,
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {java_type} from {token} value {_shown(value)} "
        "or request may be missing a required field",
        [field.name],
    )


def _token_of(value: Any) -> str:
    if isinstance(value, bool):
        return "VALUE_TRUE" if value else "VALUE_FALSE"
    if isinstance(value, dict):
        return "START_OBJECT"
    if isinstance(value, list):
        return "START_ARRAY"
    if isinstance(value, int):
        return "VALUE_NUMBER_INT"
    if isinstance(value, float):
        return "VALUE_NUMBER_FLOAT"
    return "VALUE_STRING"


def _as_text(field: FieldDef, value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return plain_number(float(value)) if isinstance(value, Decimal) else plain_number(value)
    raise _parser_error(field, value, _token_of(value))


def _check_length(field: FieldDef, text: str) -> str:
    if field.length and utf16_length(text) > field.length:
        raise SalesforceApiError(
            400,
            "STRING_TOO_LONG",
            f"{field.label}: data value too large: {_shown(text)} (max length={field.length})",
            [field.name],
        )
    return text


def _parse_text(field: FieldDef, value: Any) -> str | None:
    text = _as_text(field, value)
    if text == "":
        return None
    return _check_length(field, text)


def _parse_email(field: FieldDef, value: Any) -> str | None:
    text = _parse_text(field, value)
    if text is not None and not EMAIL_PATTERN.match(text.strip()):
        raise SalesforceApiError(
            400,
            "INVALID_EMAIL_ADDRESS",
            f"{field.label}: invalid email address: {_shown(text)}",
            [field.name],
        )
    return None if text is None else text.strip()


def _restricted_error(field: FieldDef, value: str) -> SalesforceApiError:
    return SalesforceApiError(
        400,
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        f"{field.label}: bad value for restricted picklist field: {_shown(value)}",
        [field.name],
    )


def _parse_picklist(field: FieldDef, value: Any) -> str | None:
    text = _parse_text(field, value)
    if text is not None and field.restricted_picklist:
        allowed = {entry.value for entry in field.picklist_values}
        if text not in allowed:
            raise _restricted_error(field, text)
    return text


def _parse_multipicklist(field: FieldDef, value: Any) -> str | None:
    if isinstance(value, list):
        value = ";".join(_as_text(field, item) for item in value)
    text = _as_text(field, value)
    chosen: list[str] = []
    for part in text.split(";"):
        item = part.strip()
        if item and item not in chosen:
            chosen.append(item)
    if not chosen:
        return None
    order = {entry.value: index for index, entry in enumerate(field.picklist_values)}
    if field.restricted_picklist:
        for item in chosen:
            if item not in order:
                raise _restricted_error(field, item)
    chosen.sort(key=lambda item: order.get(item, len(order)))
    return _check_length(field, ";".join(chosen))


def _parse_boolean(field: FieldDef, value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return int(value.lower() == "true")
    raise _parser_error(field, value, _token_of(value))


def _range_error(field: FieldDef, value: Any) -> SalesforceApiError:
    return SalesforceApiError(
        400,
        "NUMBER_OUTSIDE_VALID_RANGE",
        f"{field.label}: value outside of valid range on numeric field: {_shown(value)}",
        [field.name],
    )


def _as_number(field: FieldDef, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise _parser_error(field, value, _token_of(value))
    try:
        if isinstance(value, str):
            number = Decimal(value.strip())
        elif isinstance(value, float):
            number = Decimal(repr(value))  # the JSON text the client sent, not the binary float
        else:
            number = Decimal(value)
    except ArithmeticError as error:
        raise _parser_error(field, value) from error
    if not number.is_finite():
        raise _parser_error(field, value)
    return number


def _parse_integer(field: FieldDef, value: Any) -> int:
    number = _as_number(field, value)
    if number != number.to_integral_value():
        raise _parser_error(field, value, _token_of(value))
    limit = _MAX_INT32 if field.type == "int" else _MAX_INT64
    if field.digits:
        limit = min(limit, 10**field.digits - 1)
    if abs(number) > limit:
        raise _range_error(field, value)
    return int(number)


def _parse_decimal(field: FieldDef, value: Any) -> float:
    number = _as_number(field, value)
    rounded = number.quantize(Decimal(1).scaleb(-field.scale), rounding=ROUND_HALF_UP)
    integer_digits = field.precision - field.scale
    if field.precision and abs(rounded) >= Decimal(10) ** integer_digits:
        raise _range_error(field, value)
    return float(rounded)


def _parse_date(field: FieldDef, value: Any) -> str:
    if not isinstance(value, str) or not _DATE_PATTERN.match(value):
        raise _parser_error(field, value, _token_of(value))
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as error:
        raise _parser_error(field, value) from error


def parse_datetime(text: str) -> datetime:
    """Parse an ISO 8601 datetime as Salesforce accepts it; no offset means UTC.

    Accepts ``2024-01-15T10:20:30Z``, ``…30.123+0000``, ``…30+01:00`` and a space instead of
    the ``T``.

    Args:
        text: The datetime text.

    Returns:
        An aware datetime.

    Raises:
        ValueError: If the text is not such a datetime.
    """
    candidate = text.strip().replace(" ", "T", 1)
    if candidate.endswith(("Z", "z")):
        candidate = candidate[:-1] + "+00:00"
    match = re.search(r"([+-])(\d{2})(\d{2})$", candidate)
    if match and "T" in candidate and candidate[-5] in "+-":
        candidate = f"{candidate[:-5]}{match.group(1)}{match.group(2)}:{match.group(3)}"
    if "T" not in candidate:
        raise ValueError(f"{text!r} has no time part")
    parsed = datetime.fromisoformat(candidate)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _parse_datetime(field: FieldDef, value: Any) -> str:
    if not isinstance(value, str):
        raise _parser_error(field, value, _token_of(value))
    try:
        return datetime_to_storage(parse_datetime(value))
    except ValueError as error:
        raise _parser_error(field, value) from error


def parse_time(text: str) -> str:
    """Normalize a time (``10:20``, ``10:20:30``, ``10:20:30.5Z``) to ``HH:MM:SS.fffZ``.

    Raises:
        ValueError: If the text is not a valid time of day.
    """
    match = _TIME_PATTERN.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a time")
    hours, minutes, seconds, fraction = match.groups()
    moment = time(int(hours), int(minutes), int(seconds or 0))
    millis = (fraction or "0").ljust(3, "0")[:3]
    return f"{moment:%H:%M:%S}.{millis}Z"


def _parse_time(field: FieldDef, value: Any) -> str:
    if not isinstance(value, str):
        raise _parser_error(field, value, _token_of(value))
    try:
        return parse_time(value)
    except ValueError as error:
        raise _parser_error(field, value) from error


def _parse_base64(field: FieldDef, value: Any) -> str | None:
    if not isinstance(value, str):
        raise _parser_error(field, value, _token_of(value))
    if value == "":
        return None
    try:
        base64.b64decode(value, validate=True)
    except binascii.Error as error:
        raise SalesforceApiError(
            400,
            "JSON_PARSER_ERROR",
            f"Cannot deserialize instance of base64 from VALUE_STRING value {_shown(value)}: "
            "not valid base64",
            [field.name],
        ) from error
    return _check_length(field, value)


def _parse_any(field: FieldDef, value: Any) -> str | None:
    return None if value is None else _parse_text(field, value)


def parse_reference(field: FieldDef, value: Any, catalog_prefixes: Mapping[str, str]) -> str | None:
    """Check an id given for a reference field and return its 18-character form.

    Args:
        field: The reference field.
        value: The id the client sent.
        catalog_prefixes: Key prefix of each object name of the org.

    Returns:
        The 18-character id, or None for null/empty.

    Raises:
        SalesforceApiError: MALFORMED_ID for a malformed id, FIELD_INTEGRITY_EXCEPTION for an
            id of an object the field cannot point at.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not ids.is_valid_id(value):
        raise SalesforceApiError(
            400,
            "MALFORMED_ID",
            f"{field.label}: id value of incorrect type: {_shown(value)}",
            [field.name],
        )
    full = ids.to_18(value)
    allowed = {catalog_prefixes.get(target) for target in field.reference_to}
    if full[:3] not in allowed:
        raise SalesforceApiError(
            400,
            "FIELD_INTEGRITY_EXCEPTION",
            f"{field.label}: id value of incorrect type: {full}",
            [field.name],
        )
    return full


_PARSERS: dict[str, Callable[[FieldDef, Any], Any]] = {
    "string": _parse_text,
    "textarea": _parse_text,
    "phone": _parse_text,
    "url": _parse_text,
    "encryptedstring": _parse_text,
    "combobox": _parse_text,
    "email": _parse_email,
    "picklist": _parse_picklist,
    "multipicklist": _parse_multipicklist,
    "boolean": _parse_boolean,
    "int": _parse_integer,
    "long": _parse_integer,
    "double": _parse_decimal,
    "currency": _parse_decimal,
    "percent": _parse_decimal,
    "date": _parse_date,
    "datetime": _parse_datetime,
    "time": _parse_time,
    "base64": _parse_base64,
    "anyType": _parse_any,
}


def parse_input(field: FieldDef, value: Any) -> Any:
    """Convert one REST input value of a non-reference field to its storage form.

    Args:
        field: The field being written.
        value: The JSON value the client sent.

    Returns:
        The storage value (None for null; booleans become 0/1, never null).

    Raises:
        SalesforceApiError: With Salesforce's error code and message for a bad value.
    """
    if value is None and field.type != "boolean":
        return None
    parser = _PARSERS.get(field.type)
    if parser is None:
        raise SalesforceApiError(
            400,
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            f"Unable to create/update fields: {field.name}. Please check the security settings "
            "of this field and verify that it is read/write for your profile or permission set.",
            [field.name],
        )
    return parser(field, value)


def key_prefixes(objects: tuple[ObjectDef, ...]) -> dict[str, str]:
    """Key prefix of each object, by API name."""
    return {obj.name: obj.key_prefix for obj in objects}
