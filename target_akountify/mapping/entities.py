"""What Akountify accepts: the writable fields of each entity, with their kinds and limits.

This catalog is the target's knowledge of the Akountify contract (``docs/akountify-openapi.yaml``).
The mapping validator checks a spec against it, the mapper enforces its limits on each record,
and the cheat sheet prints it. Field paths are dotted: ``billing_address.city``,
``lines.0.unit_price`` (the index stands for one invoice line), ``custom_fields.<name>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

#: The kinds of value an Akountify field holds.
FieldKind = Literal[
    "text",
    "email",
    "enum",
    "decimal",
    "number",
    "date",
    "boolean",
    "country",
    "currency",
    "tags",
    "reference",
]

CUSTOMERS = "customers"
CONTACTS = "contacts"
INVOICES = "invoices"

#: Entities in the order they must be written: a child references its parents by external id.
ENTITY_ORDER: tuple[str, ...] = (CUSTOMERS, CONTACTS, INVOICES)

PAYMENT_TERMS: tuple[str, ...] = ("due_on_receipt", "net_15", "net_30", "net_60")
MAX_INVOICE_LINES = 250
MAX_CUSTOM_FIELDS = 12
CUSTOM_FIELDS_PREFIX = "custom_fields."
CUSTOM_FIELD_TYPES: tuple[str, ...] = ("string", "number", "date", "boolean", "list")


@dataclass(frozen=True)
class FieldSpec:
    """One writable Akountify field.

    Attributes:
        path: Dotted path (``lines.*.unit_price`` for invoice line fields).
        kind: The kind of value.
        description: One line for people (the cheat sheet and errors use it).
        max_length: Longest text accepted (characters).
        required: Akountify refuses a record without it.
        multiline: Line breaks are allowed.
        forbidden: Characters Akountify refuses in this field.
        enum_values: The allowed values of an enum or list field.
        places: Decimal places kept by Akountify (decimal fields).
        reference_to: The entity a reference points to.
        max_items: Most items in a tags field.
    """

    path: str
    kind: FieldKind
    description: str
    max_length: int | None = None
    required: bool = False
    multiline: bool = False
    forbidden: frozenset[str] = frozenset()
    enum_values: tuple[str, ...] = ()
    places: int | None = None
    reference_to: str | None = None
    max_items: int | None = None


@dataclass(frozen=True)
class EntitySpec:
    """One Akountify entity as the target writes it.

    Attributes:
        name: The API name (``customers``).
        id_prefix: Prefix of its ids (``cus_``).
        fields: Writable fields by path.
        one_of_required: Groups of fields of which at least one must be mapped and set.
        search_fields: Fields that ``q=`` searches (documentation only).
    """

    name: str
    id_prefix: str
    fields: dict[str, FieldSpec]
    one_of_required: tuple[tuple[str, ...], ...] = ()
    search_fields: tuple[str, ...] = field(default=())

    def parents(self) -> tuple[str, ...]:
        """Return the entities this one references (written before it)."""
        return tuple(
            sorted({f.reference_to for f in self.fields.values() if f.reference_to is not None})
        )


def _address(prefix: str, label: str) -> list[FieldSpec]:
    return [
        FieldSpec(f"{prefix}.line1", "text", f"{label} address, first line", 500, multiline=False),
        FieldSpec(f"{prefix}.line2", "text", f"{label} address, second line", 500),
        FieldSpec(f"{prefix}.city", "text", f"{label} address, city", 255),
        FieldSpec(f"{prefix}.region", "text", f"{label} address, state or region", 255),
        FieldSpec(f"{prefix}.postal_code", "text", f"{label} address, postal code", 30),
        FieldSpec(f"{prefix}.country", "country", f"{label} address, ISO 3166 alpha-2 country"),
    ]


def _by_path(specs: list[FieldSpec]) -> dict[str, FieldSpec]:
    return {s.path: s for s in specs}


_NO_COLON = frozenset(":")

ENTITIES: dict[str, EntitySpec] = {
    CUSTOMERS: EntitySpec(
        name=CUSTOMERS,
        id_prefix="cus_",
        fields=_by_path(
            [
                FieldSpec(
                    "display_name",
                    "text",
                    "Name shown everywhere in Akountify; unique among active customers",
                    100,
                    required=True,
                    forbidden=_NO_COLON,
                ),
                FieldSpec("legal_name", "text", "Registered legal name", 200),
                FieldSpec("email", "email", "Billing email address", 100),
                FieldSpec("phone", "text", "Phone number", 30),
                FieldSpec("website", "text", "Website URL", 1000),
                FieldSpec("tax_id", "text", "Tax or VAT number", 50),
                *_address("billing_address", "Billing"),
                *_address("shipping_address", "Shipping"),
                FieldSpec("currency", "currency", "Default currency, ISO 4217"),
                FieldSpec(
                    "payment_terms",
                    "enum",
                    "Payment terms",
                    enum_values=PAYMENT_TERMS,
                ),
                FieldSpec("credit_limit", "decimal", "Credit limit", places=2),
                FieldSpec("tags", "tags", "Tags (at most 20, each at most 50)", 50, max_items=20),
                FieldSpec("notes", "text", "Free notes", 4000, multiline=True),
            ]
        ),
        search_fields=("display_name",),
    ),
    CONTACTS: EntitySpec(
        name=CONTACTS,
        id_prefix="con_",
        fields=_by_path(
            [
                FieldSpec(
                    "customer",
                    "reference",
                    "The customer this person works for (its external id)",
                    reference_to=CUSTOMERS,
                ),
                FieldSpec("first_name", "text", "First name", 100),
                FieldSpec("last_name", "text", "Last name", 100),
                FieldSpec("email", "email", "Email address", 100),
                FieldSpec("phone", "text", "Phone number", 30),
                FieldSpec("mobile", "text", "Mobile number", 30),
                FieldSpec("title", "text", "Job title", 100),
                FieldSpec("is_primary", "boolean", "Primary contact of the customer"),
            ]
        ),
        one_of_required=(("first_name", "last_name"),),
        search_fields=("first_name", "last_name", "email"),
    ),
    INVOICES: EntitySpec(
        name=INVOICES,
        id_prefix="inv_",
        fields=_by_path(
            [
                FieldSpec(
                    "customer",
                    "reference",
                    "The customer billed (its external id)",
                    required=True,
                    reference_to=CUSTOMERS,
                ),
                FieldSpec("number", "text", "Invoice number, unique", 21),
                FieldSpec("issue_date", "date", "Issue date"),
                FieldSpec("due_date", "date", "Due date"),
                FieldSpec("currency", "currency", "Currency, ISO 4217"),
                FieldSpec("lines.*.description", "text", "Line description", 4000, multiline=True),
                FieldSpec("lines.*.quantity", "decimal", "Line quantity", required=True, places=4),
                FieldSpec(
                    "lines.*.unit_price", "decimal", "Line unit price", required=True, places=2
                ),
                FieldSpec("memo", "text", "Memo printed on the invoice", 4000, multiline=True),
            ]
        ),
        search_fields=("number",),
    ),
}


def custom_field_spec(name: str, type_: str, options: tuple[str, ...] = ()) -> FieldSpec:
    """Return the field spec of a custom field definition.

    Args:
        name: The definition's name.
        type_: One of ``string``, ``number``, ``date``, ``boolean``, ``list``.
        options: The allowed values of a ``list`` field.

    Returns:
        A spec at ``custom_fields.<name>``.
    """
    path = f"{CUSTOM_FIELDS_PREFIX}{name}"
    description = f"Custom field '{name}' ({type_})"
    if type_ == "string":
        return FieldSpec(path, "text", description, 255)
    if type_ == "number":
        return FieldSpec(path, "number", description)
    if type_ == "date":
        return FieldSpec(path, "date", description)
    if type_ == "boolean":
        return FieldSpec(path, "boolean", description)
    return FieldSpec(path, "enum", description, enum_values=options)


def generic_path(path: str) -> str:
    """Return the catalog key of a concrete path (``lines.0.quantity`` → ``lines.*.quantity``)."""
    parts = path.split(".")
    return ".".join("*" if part.isdigit() else part for part in parts)


def line_index(path: str) -> int | None:
    """Return the line index of an invoice line path, or None for other paths."""
    parts = path.split(".")
    if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit():  # noqa: PLR2004
        return int(parts[1])
    return None
