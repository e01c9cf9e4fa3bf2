"""Field validators: each checks one value, records problems, and returns the stored form.

A validator takes the value, the field's path in the request (for error details) and a
:class:`Problems` collector. It returns the normalized value to store, or :data:`INVALID`
after recording why the value was refused. Collecting instead of raising lets one response
name every bad field at once.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import TYPE_CHECKING, Any, Final

import pycountry
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

from emulators.akountify.errors import ErrorDetail

if TYPE_CHECKING:
    from collections.abc import Callable

    Validator = Callable[[Any, str, "Problems"], Any]


class _Invalid:
    """Marker type of :data:`INVALID`."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Final = _Invalid()

_DECIMAL_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CANONICAL_MONEY = re.compile(r"(?:0|[1-9]\d{0,12})\.\d\d")
# Unicode category Cc is exactly U+0000-U+001F and U+007F-U+009F.
_CONTROL = r"\x00-\x1f\x7f-\x9f"
_CONTROL_MULTILINE = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
# The everyday ASCII address (dot-atom local part, LDH labels, alphabetic TLD). Addresses that
# match it skip email-validator's slower full parse: its answer for them is the same, except
# for special-use domains, which are checked here too.
_PLAIN_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,63})$"
)
_LOCAL_PART_MAX = 64
MAX_INTEGER_DIGITS = 13


class Problems:
    """Collects the problems found in one request body (or one batch operation)."""

    def __init__(self) -> None:
        """Start with no problems."""
        self.details: list[ErrorDetail] = []

    def add(
        self, field: str, code: str, message: str, limit: int | None = None, **extra: Any
    ) -> _Invalid:
        """Record a problem and return :data:`INVALID` (so validators can ``return`` it)."""
        self.details.append(ErrorDetail(field, code, message, limit, extra))
        return INVALID

    def __bool__(self) -> bool:
        """True when at least one problem was recorded."""
        return bool(self.details)


def type_name(value: Any) -> str:
    """The JSON type name of a value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


@cache
def _refused(forbidden: str, multiline: bool) -> re.Pattern[str]:
    """One character class of what a text may not hold.

    That is the control characters (line breaks and tabs too, unless ``multiline``) and the
    ``forbidden`` ones.
    """
    return re.compile(f"[{_CONTROL_MULTILINE if multiline else _CONTROL}{re.escape(forbidden)}]")


def text(
    value: Any,
    path: str,
    problems: Problems,
    *,
    max_len: int,
    multiline: bool = False,
    forbidden: str = "",
) -> str | _Invalid:
    """A string of at most ``max_len`` characters.

    Args:
        value: The value sent.
        path: The field's path, for the details.
        problems: Collector.
        max_len: Length limit in characters.
        multiline: Whether line breaks and tabs are allowed (other control characters never).
        forbidden: Further characters that are refused (``:`` in display names).

    Returns:
        The string unchanged, or INVALID.
    """
    if not isinstance(value, str):
        return problems.add(
            path, "invalid_format", f"{path} must be a string, not {type_name(value)}"
        )
    pattern = _refused(forbidden, multiline)
    if len(value) <= max_len and pattern.search(value) is None:
        return value
    bad = pattern.findall(value) if pattern.search(value) else []
    if bad:
        shown = ", ".join(dict.fromkeys(repr(ch) for ch in bad))
        rule = f"{forbidden!r} and control characters" if forbidden else "control characters"
        problems.add(
            path,
            "forbidden_characters",
            f"{path} contains {shown}; {rule} are not allowed there: remove them",
        )
    if len(value) > max_len:
        return problems.add(
            path,
            "too_long",
            f"{path} is {len(value)} characters long; the limit is {max_len}: shorten it",
            limit=max_len,
        )
    return INVALID if bad else value


def text_checker(max_len: int, *, multiline: bool = False, forbidden: str = "") -> Validator:
    """A :func:`text` validator with its rules bound (a good value costs one regex search)."""
    refused = _refused(forbidden, multiline).search

    def check(value: Any, path: str, problems: Problems) -> str | _Invalid:
        if value.__class__ is str and len(value) <= max_len and refused(value) is None:
            return value
        return text(
            value, path, problems, max_len=max_len, multiline=multiline, forbidden=forbidden
        )

    return check


def email(value: Any, path: str, problems: Problems, *, max_len: int = 100) -> str | _Invalid:
    """An email address (syntax only, no DNS look-up), at most ``max_len`` characters."""
    if value.__class__ is str and len(value) <= max_len:
        plain = _PLAIN_EMAIL.match(value)  # no control characters can match
        if (
            plain
            and len(value.partition("@")[0]) <= _LOCAL_PART_MAX
            and plain.group(1).lower() not in SPECIAL_USE_DOMAIN_NAMES
        ):
            return value
    checked = text(value, path, problems, max_len=max_len)
    if isinstance(checked, _Invalid):
        return checked
    plain = _PLAIN_EMAIL.match(checked)
    if (
        plain
        and len(checked.partition("@")[0]) <= _LOCAL_PART_MAX
        and plain.group(1).lower() not in SPECIAL_USE_DOMAIN_NAMES
    ):
        return checked
    try:
        validate_email(checked, check_deliverability=False)
    except EmailNotValidError as error:
        return problems.add(
            path, "invalid_format", f"{path} is not a valid email address ({error}): fix it"
        )
    return checked


def website(value: Any, path: str, problems: Problems, *, max_len: int = 1000) -> str | _Invalid:
    """A web address: ``https://host/…`` or a bare ``host.tld/…``, no spaces."""
    checked = text(value, path, problems, max_len=max_len)
    if isinstance(checked, _Invalid):
        return checked
    host = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", checked).split("/", 1)[0]
    if not checked or any(ch.isspace() for ch in checked) or "." not in host.strip("."):
        return problems.add(
            path,
            "invalid_format",
            f"{path} is not a web address: give one like https://example.com",
        )
    return checked


@cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 country codes."""
    return frozenset(country.alpha_2 for country in pycountry.countries)


@cache
def currency_codes() -> frozenset[str]:
    """ISO 4217 alphabetic currency codes."""
    return frozenset(currency.alpha_3 for currency in pycountry.currencies)


def _code(
    value: Any, path: str, problems: Problems, *, codes: frozenset[str], standard: str, hint: str
) -> str | _Invalid:
    """A code from a standard list (any case accepted, stored upper-case)."""
    if value.__class__ is str:
        upper = value.upper()  # never shorter than value: a hit is within the length limit
        if upper in codes:
            return upper
    checked = text(value, path, problems, max_len=len(next(iter(codes))))
    if isinstance(checked, _Invalid):
        return checked
    if checked.upper() not in codes:
        return problems.add(
            path,
            "invalid_value",
            f"{path} {checked!r} is not an {standard} code: use a code such as {hint}",
        )
    return checked.upper()


def country(value: Any, path: str, problems: Problems) -> str | _Invalid:
    """An ISO 3166-1 alpha-2 country code (any case accepted, stored upper-case)."""
    codes, standard = country_codes(), "ISO 3166-1 alpha-2 country"
    return _code(value, path, problems, codes=codes, standard=standard, hint="US, GB or DE")


def currency(value: Any, path: str, problems: Problems) -> str | _Invalid:
    """An ISO 4217 currency code (any case accepted, stored upper-case)."""
    codes, standard = currency_codes(), "ISO 4217 currency"
    return _code(value, path, problems, codes=codes, standard=standard, hint="USD, EUR or GBP")


def choice(value: Any, path: str, problems: Problems, *, options: tuple[str, ...]) -> Any:
    """One of a fixed set of strings."""
    if value not in options or not isinstance(value, str):
        return problems.add(
            path,
            "invalid_value",
            f"{path} {value!r} is not allowed: use one of {', '.join(options)}",
        )
    return value


def boolean(value: Any, path: str, problems: Problems) -> bool | _Invalid:
    """A JSON boolean."""
    if not isinstance(value, bool):
        return problems.add(
            path, "invalid_format", f"{path} must be true or false, not {type_name(value)}"
        )
    return value


def iso_date(value: Any, path: str, problems: Problems) -> str | _Invalid:
    """A calendar date written ``YYYY-MM-DD``."""
    if isinstance(value, str) and _DATE_TEXT.match(value):
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            pass
        else:
            return value
    return problems.add(
        path, "invalid_format", f"{path} {value!r} is not a date: write it as YYYY-MM-DD"
    )


def to_decimal(value: Any) -> Decimal | None:
    """A JSON number or numeric string as a Decimal, or None when it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str) and _DECIMAL_TEXT.match(value.strip()):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None


def decimal(
    value: Any,
    path: str,
    problems: Problems,
    *,
    places: int,
    fixed: bool,
    minimum: Decimal | None = None,
) -> str | _Invalid:
    """A decimal amount given as a string (or a JSON number), with at most ``places`` decimals.

    Args:
        value: The value sent.
        path: The field's path.
        problems: Collector.
        places: Decimal places allowed; more non-zero places are refused, never rounded.
        fixed: Render with exactly ``places`` decimals (money) or as few as needed (quantity).
        minimum: Smallest value allowed, if any.

    Returns:
        The canonical decimal string, or INVALID.
    """
    number = to_decimal(value)
    if number is None or not number.is_finite():
        return problems.add(
            path,
            "invalid_format",
            f'{path} {value!r} is not a decimal number: send a string such as "1250.00"',
        )
    step = Decimal(1).scaleb(-places)
    quantized = number.quantize(step)
    if quantized != number:
        return problems.add(
            path,
            "invalid_format",
            f"{path} {value!r} has more than {places} decimal places: round it first",
        )
    if abs(quantized) >= Decimal(10) ** MAX_INTEGER_DIGITS:
        return problems.add(
            path,
            "invalid_value",
            f"{path} {value!r} is too large: at most {MAX_INTEGER_DIGITS} digits before the point",
        )
    if minimum is not None and quantized < minimum:
        return problems.add(path, "invalid_value", f"{path} {value!r} must be at least {minimum}")
    if fixed:
        return f"{quantized:f}"
    rendered = f"{quantized.normalize():f}"
    return "0" if rendered in {"-0", "0"} else rendered


def money(value: Any, path: str, problems: Problems, *, minimum: Decimal | None = None) -> Any:
    """A money amount: a decimal string with exactly 2 places once stored."""
    if (
        value.__class__ is str
        and (minimum is None or minimum <= 0)
        and _CANONICAL_MONEY.fullmatch(value) is not None
    ):
        return value  # already the stored form: no sign, no leading zero, two places
    return decimal(value, path, problems, places=2, fixed=True, minimum=minimum)


def string_list(
    value: Any, path: str, problems: Problems, *, max_items: int, max_len: int
) -> list[str] | _Invalid:
    """A list of short strings (tags): at most ``max_items``, each at most ``max_len``."""
    if value.__class__ is list and len(value) <= max_items:
        refused = _refused("", False).search
        if all(
            item.__class__ is str and len(item) <= max_len and item.strip() and not refused(item)
            for item in value
        ):
            return list(value)
    if not isinstance(value, list):
        return problems.add(
            path, "invalid_format", f"{path} must be an array of strings, not {type_name(value)}"
        )
    if len(value) > max_items:
        return problems.add(
            path,
            "too_many",
            f"{path} has {len(value)} items; the limit is {max_items}: drop some",
            limit=max_items,
        )
    before = len(problems.details)
    items = [
        text(item, f"{path}[{index}]", problems, max_len=max_len)
        for index, item in enumerate(value)
    ]
    for index, item in enumerate(items):
        if isinstance(item, str) and not item.strip():
            problems.add(f"{path}[{index}]", "required", f"{path}[{index}] is empty: remove it")
    if len(problems.details) > before:
        return INVALID
    return [item for item in items if isinstance(item, str)]


def json_object(value: Any, path: str, problems: Problems) -> dict[str, Any] | _Invalid:
    """A JSON object."""
    if not isinstance(value, dict):
        return problems.add(
            path, "invalid_format", f"{path} must be an object, not {type_name(value)}"
        )
    return value
