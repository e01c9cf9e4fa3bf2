"""Named transforms a mapping may apply to a value, in a registry.

Each transform is a small function with declared input and output kinds, so that the mapping
validator can tell, before any record is read, that e.g. a text cannot feed a date field
without the ``date`` transform. At run time a transform raises :class:`TransformError` with a
message for people when a value does not fit; the record is then rejected with that message.

Kinds: ``text``, ``multipicklist`` (a ``;``-separated text), ``number``, ``integer``,
``decimal`` (a decimal string), ``boolean``, ``date``, ``datetime``, ``time``, ``list``,
``object``, ``any``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import MISSING, dataclass, fields
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from target_akountify.mapping.codes import country_label, resolve_country, resolve_currency

if TYPE_CHECKING:
    from collections.abc import Callable

TEXT_KINDS = frozenset({"text", "multipicklist"})
NUMERIC_KINDS = frozenset({"number", "integer", "decimal"})


class TransformError(ValueError):
    """A value that a transform cannot convert; the message says why, for people.

    Args:
        message: What is wrong with the value.
        fix: What to do about it, when the transform knows better than the generic advice.
    """

    def __init__(self, message: str, fix: str | None = None) -> None:
        """Keep the message and the optional fix."""
        super().__init__(message)
        self.fix = fix


def _is_zone(value: Any) -> bool:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return False
    return True


def _is_text(value: Any) -> bool:
    return type(value) is str


@dataclass(frozen=True)
class NoParams:
    """Transforms without parameters.

    ``CHECKS`` (on every parameter class) tells, per parameter, which values the light reader
    takes as they are; any other value is left to the pydantic models of
    ``transform_params.py``, which explain what is wrong (or coerce it).
    """

    CHECKS: ClassVar[dict[str, Callable[[Any], bool]]] = {}


@dataclass(frozen=True)
class CaseParams:
    """Parameters of ``case``: ``to`` is ``upper``, ``lower`` or ``title``."""

    to: str
    CHECKS: ClassVar[dict[str, Callable[[Any], bool]]] = {
        "to": lambda v: _is_text(v) and v in {"upper", "lower", "title"},
    }


@dataclass(frozen=True)
class TruncateParams:
    """Parameters of ``truncate``: the maximum ``length`` in characters."""

    length: int
    CHECKS: ClassVar[dict[str, Callable[[Any], bool]]] = {
        "length": lambda v: type(v) is int and v > 0,
    }


@dataclass(frozen=True)
class LineParams:
    """Parameters of ``line``: ``number`` 1 is the first line, 2 the rest joined by ``, ``."""

    number: int = 1
    CHECKS: ClassVar[dict[str, Callable[[Any], bool]]] = {
        "number": lambda v: type(v) is int and v in {1, 2},
    }


@dataclass(frozen=True)
class DateParams:
    """Parameters of ``date``: the ``timezone`` a datetime is read in before its date is taken."""

    timezone: str = "UTC"
    CHECKS: ClassVar[dict[str, Callable[[Any], bool]]] = {
        "timezone": lambda v: _is_text(v) and _is_zone(v),
    }


@dataclass(frozen=True)
class DecimalParams:
    """Parameters of ``decimal``: ``places`` kept and the ``rounding`` rule."""

    places: int
    rounding: str = "half_up"
    CHECKS: ClassVar[dict[str, Callable[[Any], bool]]] = {
        "places": lambda v: type(v) is int and 0 <= v <= 10,  # noqa: PLR2004
        "rounding": lambda v: _is_text(v) and v in {"half_up", "half_even"},
    }


@dataclass(frozen=True)
class SplitParams:
    """Parameters of ``split``: the ``separator`` of a multi-select value."""

    separator: str = ";"
    CHECKS: ClassVar[dict[str, Callable[[Any], bool]]] = {"separator": _is_text}


@dataclass(frozen=True)
class JoinParams:
    """Parameters of ``join``: the ``separator`` placed between list items."""

    separator: str = ", "
    CHECKS: ClassVar[dict[str, Callable[[Any], bool]]] = {"separator": _is_text}


Params = (
    NoParams
    | CaseParams
    | TruncateParams
    | LineParams
    | DateParams
    | DecimalParams
    | SplitParams
    | JoinParams
)


@dataclass(frozen=True)
class Transform:
    """A named transform.

    Attributes:
        name: The name used in a mapping spec.
        function: ``function(value, params)``; never called with None (None passes through).
        accepts: The input kinds it takes.
        returns: The kind it produces.
        params: The class of its parameters.
        single_param: The parameter a scalar argument sets (``{truncate: 40}``).
        description: One line for the docs and the cheat sheet.
    """

    name: str
    function: Callable[[Any, Any], Any]
    accepts: frozenset[str]
    returns: str
    params: type[Params]
    single_param: str | None
    description: str


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal, float, dt.date, dt.time)):
        return value.isoformat() if isinstance(value, (dt.date, dt.time)) else str(value)
    raise TransformError(f"expected text, got {type(value).__name__}")


def _trim(value: Any, _: NoParams) -> str:
    text = _text(value)
    if text.isprintable():  # one line, no tab: only spaces to collapse
        return " ".join(text.split())
    lines = [" ".join(line.split()) for line in text.strip().splitlines()]
    return "\n".join(lines)


def _case(value: Any, params: CaseParams) -> str:
    text = _text(value)
    if params.to == "upper":
        return text.upper()
    if params.to == "lower":
        return text.lower()
    return text.title()


def _truncate(value: Any, params: TruncateParams) -> str:
    text = _text(value)
    return text[: params.length].rstrip() if len(text) > params.length else text


def _line(value: Any, params: LineParams) -> str | None:
    text = _text(value)
    if text.isprintable():  # one line: no line break of any kind is printable
        return (text.strip() or None) if params.number == 1 else None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if params.number == 1:
        return lines[0] if lines else None
    rest = ", ".join(lines[1:])
    return rest or None


def parse_datetime(value: Any) -> dt.datetime:
    """Parse an RFC 3339 / ISO 8601 datetime (``Z`` or an offset; naive means UTC).

    Raises:
        TransformError: When the value is not a datetime.
    """
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        text = _text(value).strip()
        try:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError as exc:
            raise TransformError(f"{text!r} is not an ISO 8601 date-time") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def _date(value: Any, params: DateParams) -> str:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    text = value if isinstance(value, dt.datetime) else _text(value).strip()
    if isinstance(text, str) and len(text) == 10:  # noqa: PLR2004 - YYYY-MM-DD
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError as exc:
            raise TransformError(f"{text!r} is not an ISO date (YYYY-MM-DD)") from exc
    moment = parse_datetime(text)
    return moment.astimezone(ZoneInfo(params.timezone)).date().isoformat()


def _datetime(value: Any, _: NoParams) -> str:
    moment = parse_datetime(value).astimezone(dt.UTC)
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def to_decimal(value: Any) -> Decimal:
    """Return ``value`` as an exact Decimal (numbers, numeric text).

    Raises:
        TransformError: When the value is not a finite number.
    """
    if isinstance(value, bool):
        raise TransformError("expected a number, got a boolean")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = _text(value).strip().replace(",", "")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise TransformError(f"{text!r} is not a number") from exc
    if not number.is_finite():
        raise TransformError(f"{value!r} is not a finite number")
    return number


def _decimal(value: Any, params: DecimalParams) -> str:
    number = to_decimal(value)
    rounding = ROUND_HALF_UP if params.rounding == "half_up" else ROUND_HALF_EVEN
    quantum = Decimal(1).scaleb(-params.places)
    return str(number.quantize(quantum, rounding=rounding))


def _country(value: Any, _: NoParams) -> str | None:
    text = _text(value).strip()
    if not text:
        return None
    found = resolve_country(text)
    if found.code is not None:
        return found.code
    if found.ambiguous:
        options = ", ".join(f"{c} ({country_label(c)})" for c in found.candidates)
        raise TransformError(
            f"{text!r} is ambiguous: it names more than one country ({options})",
            f"write the country's full name or its ISO 3166 code at the source (one of "
            f"{', '.join(found.candidates)})",
        )
    raise TransformError(
        f"{text!r} is not a country name (in any language) or ISO 3166 code that the target "
        "recognises",
        "correct the country at the source: its name in any language ('Germany', "
        "'Deutschland', '독일') or its ISO 3166 code ('DE', 'DEU')",
    )


def _currency(value: Any, _: NoParams) -> str | None:
    text = _text(value).strip()
    if not text:
        return None
    found = resolve_currency(text)
    if found.code is not None:
        return found.code
    if found.ambiguous:
        raise TransformError(
            f"{text!r} is ambiguous: several currencies go by it ({', '.join(found.candidates)})",
            "write the ISO 4217 code at the source (for example 'USD' rather than '$')",
        )
    raise TransformError(
        f"{text!r} is not an ISO 4217 currency code, a currency name (in any language) or a "
        "symbol that the target recognises",
        "correct the currency at the source: its ISO 4217 code ('EUR') or its name ('Euro')",
    )


def _split(value: Any, params: SplitParams) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in _text(value).split(params.separator) if part.strip()]


def _join(value: Any, params: JoinParams) -> str:
    if isinstance(value, list):
        return params.separator.join(_text(v) for v in value if v is not None)
    return _text(value)


_ANY_SCALAR = frozenset({"text", "multipicklist", "number", "integer", "decimal", "date"})
_DATELIKE = frozenset({"date", "datetime", "text"})

REGISTRY: dict[str, Transform] = {
    t.name: t
    for t in (
        Transform(
            "trim",
            _trim,
            _ANY_SCALAR,
            "text",
            NoParams,
            None,
            "Remove leading/trailing spaces and collapse runs of spaces (line breaks are kept)",
        ),
        Transform(
            "case",
            _case,
            TEXT_KINDS,
            "text",
            CaseParams,
            "to",
            "Change letter case: `{case: upper}`, `lower` or `title`",
        ),
        Transform(
            "truncate",
            _truncate,
            TEXT_KINDS,
            "text",
            TruncateParams,
            "length",
            "Cut to a length: `{truncate: 40}`",
        ),
        Transform(
            "line",
            _line,
            TEXT_KINDS,
            "text",
            LineParams,
            "number",
            "Line 1 of a multi-line text, or (`{line: 2}`) the other lines joined by `, `",
        ),
        Transform(
            "date",
            _date,
            _DATELIKE,
            "date",
            DateParams,
            "timezone",
            "ISO date (YYYY-MM-DD) from a date, a date-time (read in `timezone`, default UTC) "
            "or ISO text",
        ),
        Transform(
            "datetime",
            _datetime,
            _DATELIKE,
            "datetime",
            NoParams,
            None,
            "RFC 3339 UTC date-time from a date-time or ISO text",
        ),
        Transform(
            "decimal",
            _decimal,
            frozenset({"number", "integer", "decimal", "text"}),
            "decimal",
            DecimalParams,
            "places",
            "Decimal text with a fixed number of places: `{decimal: {places: 2}}` "
            "(rounding half_up, or `rounding: half_even`)",
        ),
        Transform(
            "country_code",
            _country,
            TEXT_KINDS,
            "text",
            NoParams,
            None,
            "ISO 3166 alpha-2 code from a country name or code in many languages "
            "('United States', 'USA', 'U.S.', 'Deutschland' → US, US, US, DE)",
        ),
        Transform(
            "currency_code",
            _currency,
            TEXT_KINDS,
            "text",
            NoParams,
            None,
            "ISO 4217 code from a currency code, name or symbol ('usd', 'Euro', '€')",
        ),
        Transform(
            "split",
            _split,
            frozenset({"text", "multipicklist", "list"}),
            "list",
            SplitParams,
            "separator",
            "Split a multi-select value 'A;B' into a list ['A', 'B'] (for tags)",
        ),
        Transform(
            "join",
            _join,
            frozenset({"list", "text", "multipicklist"}),
            "text",
            JoinParams,
            "separator",
            "Join a list into one text: `{join: ' / '}` (default separator ', ')",
        ),
    )
}


@dataclass(frozen=True)
class BoundTransform:
    """A transform with its parameters parsed, ready to apply.

    Attributes:
        transform: The registry entry.
        params: Its validated parameters.
    """

    transform: Transform
    params: Params

    def apply(self, value: Any) -> Any:
        """Apply to one value (None passes through untouched)."""
        if value is None:
            return None
        return self.transform.function(value, self.params)


class TransformSpecError(ValueError):
    """A transform call in the spec is unknown or has bad parameters."""


def bind(call: str | dict[str, Any]) -> BoundTransform:
    """Parse one transform call from a spec (``"trim"``, ``{"decimal": {"places": 2}}``).

    Args:
        call: The call as written in the spec.

    Returns:
        The bound transform.

    Raises:
        TransformSpecError: Unknown name or bad parameters (the message holds the fix).
    """
    if isinstance(call, str):
        name, raw_params = call, None
    elif len(call) == 1:
        name, raw_params = next(iter(call.items()))
    else:
        raise TransformSpecError(
            f"a transform is a name or a one-key mapping {{name: params}}, got {call!r}"
        )
    transform = REGISTRY.get(name)
    if transform is None:
        known = ", ".join(sorted(REGISTRY))
        raise TransformSpecError(f"unknown transform {name!r}; known transforms: {known}")
    if raw_params is None:
        params_dict: dict[str, Any] = {}
    elif isinstance(raw_params, dict):
        params_dict = raw_params
    elif transform.single_param is not None:
        params_dict = {transform.single_param: raw_params}
    else:
        raise TransformSpecError(f"transform {name!r} takes no parameters, got {raw_params!r}")
    params = read_params(transform.params, params_dict)
    if params is None:
        from target_akountify.mapping.transform_params import (  # noqa: PLC0415 - pydantic: slow
            explain_params,
        )

        params = explain_params(name, transform.params, params_dict)
    return BoundTransform(transform, params)


def read_params(kind: type[Params], given: dict[str, Any]) -> Params | None:
    """Return the parameters ``given`` when each is known and valid as it is, else None.

    Args:
        kind: The transform's parameter class.
        given: The parameters as written in the spec.
    """
    required = {
        f.name for f in fields(kind) if f.default is MISSING and f.default_factory is MISSING
    }
    checks = kind.CHECKS
    if not required <= given.keys() or any(
        key not in checks or not checks[key](value) for key, value in given.items()
    ):
        return None
    return kind(**given)
