"""Make one value fit one Akountify field, or say exactly why it cannot.

:func:`finalize` takes a value after the mapping's transforms and value map, and returns the
canonical form Akountify stores (the same form the target compares against what it reads back)
or a :class:`~target_akountify.problems.Problem` naming the field and the fix. Text goes through
:func:`target_akountify.text.clean_text`; too-long values are truncated (with a warning) or
rejected, by the ``too_long`` setting.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from target_akountify.mapping.codes import is_country_code, is_currency_code
from target_akountify.mapping.transforms import TransformError, to_decimal
from target_akountify.problems import Problem
from target_akountify.text import clean_text, is_clean, truncate

if TYPE_CHECKING:
    from target_akountify.mapping.entities import FieldSpec

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


@dataclass(frozen=True)
class ValuePolicy:
    """The settings that decide what happens to values that do not fit.

    Attributes:
        too_long: ``truncate`` (with a warning) or ``reject`` the record.
        forbidden_characters: ``replace`` them with ``replacement`` (with a warning) or
            ``reject`` the record.
        replacement: What replaces a forbidden character.
    """

    too_long: Literal["truncate", "reject"] = "truncate"
    forbidden_characters: Literal["replace", "reject"] = "replace"
    replacement: str = "-"


@dataclass(slots=True)
class Finalized:
    """The outcome of :func:`finalize`.

    Attributes:
        value: The canonical value (None when unset), meaningful when ``problem`` is None.
        problem: Why the value cannot be written, if it cannot.
        warnings: What was changed on the way (truncation, removed characters).
    """

    value: Any = None
    problem: Problem | None = None
    warnings: list[Problem] = field(default_factory=list)


def finalize(spec: FieldSpec, value: Any, policy: ValuePolicy, origin: str) -> Finalized:
    """Turn a mapped value into the canonical value Akountify stores for ``spec``.

    Args:
        spec: The Akountify field.
        value: The value after transforms and value map (None means unset).
        policy: What to do with values that do not fit.
        origin: Where the value came from, for messages ("field `Name`").

    Returns:
        The canonical value, or the problem that prevents writing it.
    """
    if value is None:
        return Finalized([] if spec.kind == "tags" else None)
    try:
        handler = _HANDLERS[spec.kind]
        return handler(spec, value, policy, origin)
    except TransformError as exc:
        return Finalized(
            problem=Problem(
                spec.path,
                "invalid_format",
                f"{origin} gives {_show(value)}: {exc}",
                f"correct the value at the source, or change how `{spec.path}` is mapped",
            )
        )


def _show(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise TransformError("a boolean cannot be written as text; map it with a value_map")
    if isinstance(value, (int, Decimal, float)):
        return str(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    raise TransformError(f"a {type(value).__name__} cannot be written as text")


def _text(spec: FieldSpec, value: Any, policy: ValuePolicy, origin: str) -> Finalized:
    if type(value) is str and is_clean(value, spec.forbidden):  # the common case, shortly
        text = value if spec.multiline else value.strip()
        if spec.max_length is None or len(text) <= spec.max_length:
            return Finalized(text or None)
    replacement = policy.replacement if policy.forbidden_characters == "replace" else None
    cleaned = clean_text(
        _as_text(value),
        multiline=spec.multiline,
        forbidden=spec.forbidden,
        replacement=replacement,
    )
    result = Finalized()
    if cleaned.forbidden_found:
        chars = " ".join(repr(c) for c in cleaned.forbidden_found)
        if replacement is None:
            result.problem = Problem(
                spec.path,
                "forbidden_characters",
                f"{origin} contains {chars}, which Akountify refuses in `{spec.path}`",
                "remove the character at the source, or set forbidden_characters: replace",
            )
            return result
        result.warnings.append(
            Problem(
                spec.path,
                "forbidden_characters",
                f"{chars} replaced by {replacement!r}",
                "remove the character at the source to silence this warning",
            )
        )
    text = cleaned.value
    if not spec.multiline:
        text = text.strip()
    if spec.max_length is not None and len(text) > spec.max_length:
        if policy.too_long == "reject":
            result.problem = Problem(
                spec.path,
                "too_long",
                f"{origin} is {len(text)} characters; Akountify keeps at most "
                f"{spec.max_length} in `{spec.path}`",
                "shorten it at the source, or set too_long: truncate",
            )
            return result
        text = truncate(text, spec.max_length)
        result.warnings.append(
            Problem(
                spec.path,
                "truncated",
                f"{origin} cut to {spec.max_length} characters",
                "shorten it at the source to keep the whole text",
            )
        )
    result.value = text or None
    return result


def _email(spec: FieldSpec, value: Any, policy: ValuePolicy, origin: str) -> Finalized:
    text = clean_text(_as_text(value)).value.strip()
    if not text:
        return Finalized(None)
    if not _EMAIL.match(text):
        return Finalized(
            problem=Problem(
                spec.path,
                "invalid_format",
                f"{origin} gives {_show(text)}, which is not an email address",
                "correct the email address at the source",
            )
        )
    if spec.max_length is not None and len(text) > spec.max_length:
        return Finalized(
            problem=Problem(
                spec.path,
                "too_long",
                f"{origin} is {len(text)} characters; Akountify keeps at most "
                f"{spec.max_length} (an email cannot be cut)",
                "use a shorter address at the source",
            )
        )
    _ = policy
    return Finalized(text)


def _enum(spec: FieldSpec, value: Any, policy: ValuePolicy, origin: str) -> Finalized:
    _ = policy
    text = _as_text(value).strip()
    if not text:
        return Finalized(None)
    if text not in spec.enum_values:
        allowed = ", ".join(spec.enum_values)
        return Finalized(
            problem=Problem(
                spec.path,
                "invalid_value",
                f"{origin} gives {_show(text)}, which is not one of: {allowed}",
                f"add {_show(text)} to the value_map of `{spec.path}` in the mapping, "
                "or correct the value at the source",
            )
        )
    return Finalized(text)


def _decimal(spec: FieldSpec, value: Any, policy: ValuePolicy, origin: str) -> Finalized:
    _ = policy
    number = to_decimal(value)
    places = spec.places if spec.places is not None else 2
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        return Finalized(
            problem=Problem(
                spec.path,
                "invalid_format",
                f"{origin} gives {number}, with more than the {places} decimal places "
                f"Akountify keeps in `{spec.path}`",
                f"add the transform {{decimal: {{places: {places}}}}} to round it, "
                "or correct the value at the source",
            )
        )
    return Finalized(canonical_decimal(number, places))


def canonical_decimal(number: Decimal | str, places: int) -> str:
    """Return ``number`` as text with exactly ``places`` decimals (no rounding needed)."""
    return str(Decimal(number).quantize(Decimal(1).scaleb(-places)))


def _number(spec: FieldSpec, value: Any, policy: ValuePolicy, origin: str) -> Finalized:
    _ = (spec, policy, origin)
    return Finalized(to_decimal(value).normalize())


def _date(spec: FieldSpec, value: Any, policy: ValuePolicy, origin: str) -> Finalized:
    _ = policy
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return Finalized(value.isoformat())
    text = _as_text(value).strip()
    try:
        return Finalized(dt.date.fromisoformat(text).isoformat())
    except ValueError:
        return Finalized(
            problem=Problem(
                spec.path,
                "invalid_format",
                f"{origin} gives {_show(text)}, which is not a date (YYYY-MM-DD)",
                "add the transform `date` to the mapping if it is a date-time, "
                "or correct the value at the source",
            )
        )


def _boolean(spec: FieldSpec, value: Any, policy: ValuePolicy, origin: str) -> Finalized:
    _ = policy
    if isinstance(value, bool):
        return Finalized(value)
    return Finalized(
        problem=Problem(
            spec.path,
            "invalid_format",
            f"{origin} gives {_show(value)}, which is not true or false",
            "map a boolean field, or use a value_map to true/false",
        )
    )


def _code(
    spec: FieldSpec, value: Any, origin: str, *, check: Any, transform: str, what: str
) -> Finalized:
    text = _as_text(value).strip().upper()
    if not text:
        return Finalized(None)
    if not check(text):
        return Finalized(
            problem=Problem(
                spec.path,
                "invalid_format",
                f"{origin} gives {_show(value)}, which is not {what}",
                f"add the transform `{transform}` to the mapping of `{spec.path}`, "
                "or correct the value at the source",
            )
        )
    return Finalized(text)


_CODES = {
    "country": (is_country_code, "country_code", "an ISO 3166 alpha-2 country code"),
    "currency": (is_currency_code, "currency_code", "an ISO 4217 code"),
}


def _iso_code(spec: FieldSpec, value: Any, policy: ValuePolicy, origin: str) -> Finalized:
    _ = policy
    check, transform, what = _CODES[spec.kind]
    return _code(spec, value, origin, check=check, transform=transform, what=what)


def _tags(spec: FieldSpec, value: Any, policy: ValuePolicy, origin: str) -> Finalized:
    items = value if isinstance(value, list) else [value]
    result = Finalized()
    tags: list[str] = []
    for item in items:
        if item is None:
            continue
        one = _text(spec, item, policy, origin)
        if one.problem is not None:
            result.problem = one.problem
            return result
        result.warnings.extend(one.warnings)
        if one.value is not None and one.value not in tags:
            tags.append(one.value)
    limit = spec.max_items
    if limit is not None and len(tags) > limit:
        if policy.too_long == "reject":
            result.problem = Problem(
                spec.path,
                "too_many",
                f"{origin} gives {len(tags)} tags; Akountify keeps at most {limit}",
                "remove values at the source, or set too_long: truncate",
            )
            return result
        result.warnings.append(
            Problem(
                spec.path,
                "truncated",
                f"{len(tags) - limit} tags beyond the first {limit} dropped",
                "remove values at the source to keep them all",
            )
        )
        tags = tags[:limit]
    result.value = tags
    return result


def _reference(spec: FieldSpec, value: Any, policy: ValuePolicy, origin: str) -> Finalized:
    _ = (spec, policy, origin)
    text = _as_text(value).strip()
    return Finalized(text or None)


_HANDLERS = {
    "text": _text,
    "email": _email,
    "enum": _enum,
    "decimal": _decimal,
    "number": _number,
    "date": _date,
    "boolean": _boolean,
    "country": _iso_code,
    "currency": _iso_code,
    "tags": _tags,
    "reference": _reference,
}


def _reference_key(value: Any) -> str:
    if isinstance(value, dict):
        external = value.get("external_id")
        return str(external) if external is not None else f"id:{value.get('id')}"
    return str(value)


_READ_BACK = {
    "reference": lambda _spec, value: _reference_key(value),
    "decimal": lambda spec, value: canonical_decimal(
        to_decimal(value), spec.places if spec.places is not None else 2
    ),
    "number": lambda _spec, value: to_decimal(value).normalize(),
    "tags": lambda _spec, value: list(value) if value else [],
}


def canonical_from_akountify(spec: FieldSpec, value: Any) -> Any:
    """Return the canonical form of a value read from Akountify, comparable to :func:`finalize`.

    Args:
        spec: The Akountify field.
        value: The value as read (references are ``{"id", "external_id"}`` objects).

    Returns:
        The comparable canonical value (None when unset).
    """
    if value is None:
        return [] if spec.kind == "tags" else None
    convert = _READ_BACK.get(spec.kind)
    if convert is not None:
        return convert(spec, value)
    return None if value == "" else value
