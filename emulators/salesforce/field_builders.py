"""Short constructors for the fields of the emulated org, with Salesforce's defaults.

Each builder returns a :class:`~emulators.salesforce.schema.FieldDef` whose metadata matches
what a real org's describe reports for a field of that kind: lengths, precision and scale,
which fields are filterable, which the API may set, and the system fields every object has.
"""

from __future__ import annotations

from typing import Any

from emulators.salesforce.schema import ADDRESS_COMPONENTS, FieldDef, PicklistValue

#: Picklist values of the ``GeocodeAccuracy`` component of every address.
GEOCODE_ACCURACY_VALUES: tuple[str, ...] = (
    "Address",
    "NearAddress",
    "Block",
    "Street",
    "ExtendedZip",
    "Zip",
    "Neighborhood",
    "City",
    "County",
    "State",
    "Unknown",
)

#: Length of long text areas (``Description``); Salesforce cannot filter or sort on them.
LONG_TEXT_LENGTH = 32000
#: Longest text area Salesforce can still filter on.
FILTERABLE_TEXTAREA_LENGTH = 255
#: Length Salesforce reports for picklists and multi-select picklists.
PICKLIST_LENGTH = 255
MULTIPICKLIST_LENGTH = 4099


def is_custom_name(name: str) -> bool:
    """Whether an API name is a custom one (``__c`` fields, ``__s`` location components)."""
    return name.endswith(("__c", "__s"))


def id_field(label: str) -> FieldDef:
    """The ``Id`` field of an object (``label`` like ``Account ID``)."""
    return FieldDef(
        name="Id",
        type="id",
        label=label,
        length=18,
        nillable=False,
        createable=False,
        updateable=False,
        id_lookup=True,
    )


def text(name: str, label: str, length: int = 255, **extra: Any) -> FieldDef:
    """A ``string`` field."""
    return FieldDef(name=name, type="string", label=label, length=length, **_custom(name, extra))


def typed_text(kind: str, name: str, label: str, length: int, **extra: Any) -> FieldDef:
    """A text-like field of type ``kind`` (email, phone, url, encryptedstring, combobox)."""
    return FieldDef(name=name, type=kind, label=label, length=length, **_custom(name, extra))


def textarea(name: str, label: str, length: int = LONG_TEXT_LENGTH, **extra: Any) -> FieldDef:
    """A ``textarea``; long ones (over 255 characters) are neither filterable nor sortable."""
    searchable_only = length > FILTERABLE_TEXTAREA_LENGTH
    options: dict[str, Any] = {"filterable": not searchable_only, "sortable": not searchable_only}
    options.update(extra)
    return FieldDef(
        name=name, type="textarea", label=label, length=length, **_custom(name, options)
    )


def picklist(
    name: str,
    label: str,
    values: tuple[str, ...],
    *,
    multi: bool = False,
    default: str | None = None,
    **extra: Any,
) -> FieldDef:
    """A ``picklist`` (or ``multipicklist`` with ``multi=True``) with the given values."""
    entries = tuple(
        PicklistValue(value=value, label=value, default_value=value == default) for value in values
    )
    options: dict[str, Any] = {"default_value": default}
    if multi:
        options.update(filterable=True, sortable=False)
    options.update(extra)
    return FieldDef(
        name=name,
        type="multipicklist" if multi else "picklist",
        label=label,
        length=MULTIPICKLIST_LENGTH if multi else PICKLIST_LENGTH,
        picklist_values=entries,
        **_custom(name, options),
    )


def number(kind: str, name: str, label: str, precision: int, scale: int, **extra: Any) -> FieldDef:
    """A ``double``, ``currency`` or ``percent`` field with its precision and scale."""
    return FieldDef(
        name=name, type=kind, label=label, precision=precision, scale=scale, **_custom(name, extra)
    )


def integer(kind: str, name: str, label: str, digits: int, **extra: Any) -> FieldDef:
    """An ``int`` or ``long`` field with its number of digits."""
    return FieldDef(name=name, type=kind, label=label, digits=digits, **_custom(name, extra))


def simple(kind: str, name: str, label: str, **extra: Any) -> FieldDef:
    """A field whose type needs no size: boolean, date, datetime, time, anyType."""
    options: dict[str, Any] = {}
    if kind == "boolean":
        options.update(nillable=False, default_value=False)
    options.update(extra)
    return FieldDef(name=name, type=kind, label=label, **_custom(name, options))


def base64(name: str, label: str, length: int, **extra: Any) -> FieldDef:
    """A ``base64`` (binary) field; Salesforce cannot filter, sort or group on it."""
    options: dict[str, Any] = {"filterable": False, "sortable": False}
    options.update(extra)
    return FieldDef(name=name, type="base64", label=label, length=length, **_custom(name, options))


def reference(
    name: str,
    label: str,
    to: str,
    relationship_name: str,
    **extra: Any,
) -> FieldDef:
    """A lookup or master-detail field pointing at object ``to``."""
    return FieldDef(
        name=name,
        type="reference",
        label=label,
        length=18,
        reference_to=(to,),
        relationship_name=relationship_name,
        **_custom(name, extra),
    )


def formula(kind: str, name: str, label: str, expression: str, **extra: Any) -> FieldDef:
    """A formula field: calculated, never set through the API."""
    options: dict[str, Any] = {
        "calculated": True,
        "calculated_formula": expression,
        "createable": False,
        "updateable": False,
    }
    if kind == "string":
        options["length"] = 1300
    options.update(extra)
    return FieldDef(name=name, type=kind, label=label, **_custom(name, options))


def address(prefix: str, label: str) -> tuple[FieldDef, ...]:
    """The components of a compound address then the compound field itself.

    Args:
        prefix: ``Billing``, ``Shipping``, ``Mailing``, ``Other`` or empty (``User.Address``).
        label: Label prefix (``Billing``).

    Returns:
        ``{prefix}Street`` … ``{prefix}GeocodeAccuracy`` then ``{prefix}Address``.
    """
    compound = f"{prefix}Address"
    spaced = f"{label} " if label else ""
    sizes = {"Street": 255, "City": 40, "State": 80, "PostalCode": 20, "Country": 80}
    components: list[FieldDef] = []
    for suffix in ADDRESS_COMPONENTS:
        name = f"{prefix}{suffix}"
        nice = {"PostalCode": "Zip/Postal Code", "GeocodeAccuracy": "Geocode Accuracy"}.get(
            suffix, suffix
        )
        component_label = f"{spaced}{nice}"
        if suffix == "Street":
            components.append(
                FieldDef(
                    name, "textarea", component_label, length=255, compound_field_name=compound
                )
            )
        elif suffix in sizes:
            components.append(
                FieldDef(
                    name,
                    "string",
                    component_label,
                    length=sizes[suffix],
                    compound_field_name=compound,
                )
            )
        elif suffix in {"Latitude", "Longitude"}:
            components.append(
                FieldDef(
                    name,
                    "double",
                    component_label,
                    precision=18,
                    scale=15,
                    compound_field_name=compound,
                )
            )
        else:
            components.append(
                picklist(
                    name,
                    component_label,
                    GEOCODE_ACCURACY_VALUES,
                    restricted_picklist=True,
                    compound_field_name=compound,
                )
            )
    whole = FieldDef(
        compound,
        "address",
        f"{spaced}Address",
        createable=False,
        updateable=False,
        filterable=False,
        sortable=False,
    )
    return (*components, whole)


def location(name: str, label: str, scale: int = 6) -> tuple[FieldDef, ...]:
    """A custom geolocation field: its ``__Latitude__s``/``__Longitude__s`` components first.

    Args:
        name: The compound field's API name (``Headquarters__c``).
        label: Its label.
        scale: Decimal places of the components.

    Returns:
        The latitude and longitude components, then the compound location field.
    """
    stem = name.removesuffix("__c")
    parts = tuple(
        FieldDef(
            f"{stem}__{axis}__s",
            "double",
            f"{label} ({axis})",
            precision=scale + 3,
            scale=scale,
            custom=True,
            compound_field_name=name,
        )
        for axis in ("Latitude", "Longitude")
    )
    whole = FieldDef(
        name,
        "location",
        label,
        custom=True,
        createable=False,
        updateable=False,
        filterable=False,
        sortable=False,
    )
    return (*parts, whole)


def system_fields(*, with_modstamps: bool = True) -> tuple[FieldDef, ...]:
    """CreatedDate, CreatedById, LastModifiedDate, LastModifiedById and SystemModstamp.

    Args:
        with_modstamps: False for objects that are never modified (history objects have only
            CreatedDate and CreatedById).

    Returns:
        The audit fields in describe order.
    """
    read_only: dict[str, Any] = {"nillable": False, "createable": False, "updateable": False}
    created = (
        simple("datetime", "CreatedDate", "Created Date", **read_only),
        reference("CreatedById", "Created By ID", "User", "CreatedBy", **read_only),
    )
    if not with_modstamps:
        return created
    return (
        *created,
        simple("datetime", "LastModifiedDate", "Last Modified Date", **read_only),
        reference("LastModifiedById", "Last Modified By ID", "User", "LastModifiedBy", **read_only),
        simple("datetime", "SystemModstamp", "System Modstamp", **read_only),
    )


def is_deleted() -> FieldDef:
    """The ``IsDeleted`` flag (set by deletes, read only through the API)."""
    return simple("boolean", "IsDeleted", "Deleted", createable=False, updateable=False)


def owner_id() -> FieldDef:
    """The ``OwnerId`` lookup to User that most objects have."""
    return reference("OwnerId", "Owner ID", "User", "Owner", nillable=False)


def viewed_fields() -> tuple[FieldDef, ...]:
    """LastViewedDate and LastReferencedDate (set by the UI, read only through the API)."""
    read_only: dict[str, Any] = {"createable": False, "updateable": False}
    return (
        simple("datetime", "LastViewedDate", "Last Viewed Date", **read_only),
        simple("datetime", "LastReferencedDate", "Last Referenced Date", **read_only),
    )


def _custom(name: str, options: dict[str, Any]) -> dict[str, Any]:
    """Add ``custom=True`` for custom names unless the caller said otherwise."""
    if "custom" not in options and is_custom_name(name):
        return {**options, "custom": True}
    return options
