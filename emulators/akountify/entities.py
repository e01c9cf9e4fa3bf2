"""The three entities of the API (customers, contacts, invoices): their fields and rules.

Each :class:`EntitySpec` lists the entity's own fields with a validator per field, what is
required, what is read-only, which field is unique, how the ``q`` search text is built and the
cross-field rules. Fields common to every entity (``external_id``, ``status``,
``custom_fields``, ``sync_metadata`` …) are handled by the record store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from emulators.akountify import validation as v
from emulators.akountify.validation import INVALID, Problems, type_name

if TYPE_CHECKING:
    from collections.abc import Callable

    Validator = Callable[[Any, str, Problems], Any]

PAYMENT_TERMS = ("due_on_receipt", "net_15", "net_30", "net_60")
MAX_TAGS = 20
MAX_TAG_LENGTH = 50
MAX_LINES = 250
ADDRESS_LIMITS = {"line1": 500, "line2": 500, "city": 255, "region": 255, "postal_code": 30}
ADDRESS_PARTS = (*ADDRESS_LIMITS, "country")
_ADDRESS_CHECKS: dict[str, Validator] = {
    **{part: v.text_checker(limit) for part, limit in ADDRESS_LIMITS.items()},
    "country": v.country,
}
LINE_FIELDS = ("description", "quantity", "unit_price")
REFERENCE_MAX = 255


@dataclass(frozen=True)
class Reference:
    """A reference as sent: ``{"id": …}`` and/or ``{"external_id": …}`` (resolved later)."""

    id: str | None
    external_id: str | None


def reference(value: Any, path: str, problems: Problems) -> Reference | v._Invalid:
    """A reference to a customer: an object with ``id`` or ``external_id`` (or both)."""
    if not isinstance(value, dict):
        return problems.add(
            path,
            "invalid_format",
            f'{path} must be an object like {{"id": "cus_…"}} or {{"external_id": "…"}}, '
            f"not {type_name(value)}",
        )
    unknown = sorted(set(value) - {"id", "external_id"})
    for key in unknown:
        problems.add(
            f"{path}.{key}", "unknown_field", f"{path}.{key} is not a field of a reference"
        )
    ref_id, ext = value.get("id"), value.get("external_id")
    if ref_id is None and ext is None:
        return problems.add(path, "required", f"{path} needs an id or an external_id")
    for key, item in (("id", ref_id), ("external_id", ext)):
        if item is not None and (
            not isinstance(item, str) or not item or len(item) > REFERENCE_MAX
        ):
            problems.add(
                f"{path}.{key}", "invalid_format", f"{path}.{key} must be a non-empty string"
            )
            return INVALID
    if unknown:
        return INVALID
    return Reference(ref_id, ext)


def address(value: Any, path: str, problems: Problems) -> dict[str, Any] | v._Invalid:
    """A postal address object; the whole address is replaced when one is sent."""
    if not isinstance(value, dict):
        return problems.add(
            path, "invalid_format", f"{path} must be an object, not {type_name(value)}"
        )
    before = len(problems.details)
    stored = dict.fromkeys(ADDRESS_PARTS)
    for key, item in value.items():
        check = _ADDRESS_CHECKS.get(key)
        if check is None:
            sub = f"{path}.{key}"
            known = ", ".join(ADDRESS_PARTS)
            problems.add(sub, "unknown_field", f"{sub} is not an address field: use {known}")
        elif item is not None:
            stored[key] = check(item, f"{path}.{key}", problems)
    if len(problems.details) > before:
        return INVALID
    return stored


def invoice_lines(value: Any, path: str, problems: Problems) -> list[dict[str, Any]] | v._Invalid:
    """Invoice lines: 1 to 250 of ``{description?, quantity, unit_price}``; ``amount`` computed."""
    if not isinstance(value, list):
        return problems.add(
            path, "invalid_format", f"{path} must be an array of lines, not {type_name(value)}"
        )
    if not value:
        return problems.add(path, "required", f"{path} needs at least one line")
    if len(value) > MAX_LINES:
        return problems.add(
            path,
            "too_many",
            f"{path} has {len(value)} lines; the limit is {MAX_LINES}: split the invoice",
            limit=MAX_LINES,
        )
    before = len(problems.details)
    lines = [_line(line, f"{path}[{index}]", problems) for index, line in enumerate(value)]
    if len(problems.details) > before:
        return INVALID
    return [line for line in lines if line is not None]


def _line(line: Any, lpath: str, problems: Problems) -> dict[str, Any] | None:
    """One invoice line, with its amount computed (None when invalid)."""
    if not isinstance(line, dict):
        problems.add(lpath, "invalid_format", f"{lpath} must be an object")
        return None
    for key in line:
        if key == "amount":
            problems.add(
                f"{lpath}.amount",
                "read_only",
                f"{lpath}.amount is computed by Akountify (quantity times unit_price): omit it",
            )
        elif key not in LINE_FIELDS:
            problems.add(
                f"{lpath}.{key}",
                "unknown_field",
                f"{lpath}.{key} is not a line field: use {', '.join(LINE_FIELDS)}",
            )
    description = line.get("description")
    if description is not None:
        description = v.text(
            description, f"{lpath}.description", problems, max_len=4000, multiline=True
        )
    quantity = _required_decimal(line, "quantity", lpath, problems, places=4, fixed=False)
    unit_price = _required_decimal(line, "unit_price", lpath, problems, places=2, fixed=True)
    if not (isinstance(quantity, str) and isinstance(unit_price, str)):
        return None
    amount = (Decimal(quantity) * Decimal(unit_price)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return {
        "description": description,
        "quantity": quantity,
        "unit_price": unit_price,
        "amount": f"{amount:f}",
    }


def _required_decimal(
    line: dict[str, Any], key: str, lpath: str, problems: Problems, *, places: int, fixed: bool
) -> Any:
    if line.get(key) is None:
        return problems.add(f"{lpath}.{key}", "required", f"{lpath}.{key} is required")
    return v.decimal(line[key], f"{lpath}.{key}", problems, places=places, fixed=fixed)


def _text(max_len: int, *, multiline: bool = False, forbidden: str = "") -> Validator:
    return v.text_checker(max_len, multiline=multiline, forbidden=forbidden)


def _trimmed(validator: Validator) -> Validator:
    """The same validator, storing the value without leading and trailing spaces (like QBO)."""

    def check(value: Any, path: str, problems: Problems) -> Any:
        checked = validator(value, path, problems)
        return checked.strip() if isinstance(checked, str) else checked

    return check


def _name_key(name: str | None) -> str | None:
    """How names and numbers are compared for uniqueness: trimmed, case-insensitive."""
    if name is None or not name.strip():
        return None
    return name.strip().casefold()


def _check_customer(fields: dict[str, Any], problems: Problems) -> None:
    name = fields.get("display_name")
    if isinstance(name, str) and not name.strip():
        problems.add("display_name", "required", "display_name is blank: give the customer a name")


def _check_contact(fields: dict[str, Any], problems: Problems) -> None:
    if not (fields.get("first_name") or "").strip() and not (fields.get("last_name") or "").strip():
        problems.add(
            "last_name",
            "required",
            "a contact needs a first_name or a last_name (at least one of them)",
        )


def _check_invoice(fields: dict[str, Any], problems: Problems) -> None:
    issue, due = fields.get("issue_date"), fields.get("due_date")
    if issue and due and due < issue:
        problems.add(
            "due_date",
            "invalid_value",
            f"due_date {due} is before issue_date {issue}: fix one of them",
        )


def _invoice_total(fields: dict[str, Any]) -> dict[str, Any]:
    lines = fields.get("lines") or []
    total = sum((Decimal(line["amount"]) for line in lines), Decimal("0.00"))
    return {"total": f"{total.quantize(Decimal('0.01')):f}"}


def _no_derived(_fields: dict[str, Any]) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class EntitySpec:
    """What one entity holds and the rules its records obey.

    Attributes:
        name: The entity's path name (``customers``).
        singular: For messages (``customer``).
        fields: The entity's own writable fields and their validators, in rendering order.
        required: Fields needed on create that may never be cleared.
        derived: Read-only fields computed by Akountify (rendered after ``fields``).
        unique_field: The field whose value is unique per company, if any.
        unique_code: The 409 code of a clash on ``unique_field``.
        unique_among_active: Whether only active records take part in the uniqueness.
        search_fields: The fields searched by ``q``.
        check: Cross-field rules, run on the merged record.
        derive: Computes the derived fields from the stored fields.
    """

    name: str
    singular: str
    fields: dict[str, Validator]
    required: tuple[str, ...] = ()
    derived: tuple[str, ...] = ()
    unique_field: str | None = None
    unique_code: str = ""
    unique_among_active: bool = True
    search_fields: tuple[str, ...] = ()
    check: Callable[[dict[str, Any], Problems], None] = lambda _fields, _problems: None
    derive: Callable[[dict[str, Any]], dict[str, Any]] = _no_derived
    reference_fields: tuple[str, ...] = field(default=())

    def unique_key(self, fields: dict[str, Any]) -> str | None:
        """The normalized unique value of a record (None when it has none)."""
        return _name_key(fields.get(self.unique_field)) if self.unique_field else None

    def search_text(self, fields: dict[str, Any]) -> str:
        """The case-folded text that ``q`` searches."""
        if len(self.search_fields) == 1:  # customers, invoices
            value = fields.get(self.search_fields[0])
            return str(value).casefold() if value else ""
        return " ".join([str(v) for n in self.search_fields if (v := fields.get(n))]).casefold()


CUSTOMERS = EntitySpec(
    name="customers",
    singular="customer",
    fields={
        "display_name": _trimmed(_text(100, forbidden=":")),
        "legal_name": _text(200),
        "email": v.email,
        "phone": _text(30),
        "website": v.website,
        "tax_id": _text(50),
        "billing_address": address,
        "shipping_address": address,
        "currency": v.currency,
        "payment_terms": partial(v.choice, options=PAYMENT_TERMS),
        "credit_limit": partial(v.money, minimum=Decimal(0)),
        "tags": partial(v.string_list, max_items=MAX_TAGS, max_len=MAX_TAG_LENGTH),
        "notes": _text(4000, multiline=True),
    },
    required=("display_name",),
    unique_field="display_name",
    unique_code="duplicate_name",
    unique_among_active=True,
    search_fields=("display_name",),
    check=_check_customer,
)

CONTACTS = EntitySpec(
    name="contacts",
    singular="contact",
    fields={
        "customer": reference,
        "first_name": _text(100),
        "last_name": _text(100),
        "email": v.email,
        "phone": _text(30),
        "mobile": _text(30),
        "title": _text(100),
        "is_primary": v.boolean,
    },
    search_fields=("first_name", "last_name", "email"),
    check=_check_contact,
    reference_fields=("customer",),
)

INVOICES = EntitySpec(
    name="invoices",
    singular="invoice",
    fields={
        "customer": reference,
        "number": _text(21),
        "issue_date": v.iso_date,
        "due_date": v.iso_date,
        "currency": v.currency,
        "lines": invoice_lines,
        "memo": _text(4000, multiline=True),
    },
    required=("customer", "lines"),
    derived=("total",),
    unique_field="number",
    unique_code="duplicate_number",
    unique_among_active=False,
    search_fields=("number",),
    check=_check_invoice,
    derive=_invoice_total,
    reference_fields=("customer",),
)

ENTITIES: dict[str, EntitySpec] = {spec.name: spec for spec in (CUSTOMERS, CONTACTS, INVOICES)}
