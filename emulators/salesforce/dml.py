"""Checks and conversions of create/update bodies, with Salesforce's DML error codes and texts.

These checks need only the object's metadata; the store adds those that need the data
(references that must exist, unique values).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emulators.salesforce import formats, ids
from emulators.salesforce.errors import SalesforceApiError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from emulators.salesforce.schema import Catalog, FieldDef, ObjectDef

#: Fields Salesforce fills on create when the client leaves them out.
DEFAULTED_ON_CREATE = frozenset({"OwnerId", "Name"})

NOT_FOUND_MESSAGE = "The requested resource does not exist"


def not_found() -> SalesforceApiError:
    """404 NOT_FOUND, as for an unknown record or object."""
    return SalesforceApiError(404, "NOT_FOUND", NOT_FOUND_MESSAGE)


def entity_is_deleted(fields: list[str] | None = None) -> SalesforceApiError:
    """ENTITY_IS_DELETED: the record is in the recycle bin."""
    status = 400 if fields else 404
    return SalesforceApiError(status, "ENTITY_IS_DELETED", "entity is deleted", fields or [])


def object_for(catalog: Catalog, object_name: str) -> ObjectDef:
    """The object called ``object_name`` (case-insensitive).

    Raises:
        SalesforceApiError: 404 NOT_FOUND for an object the org does not have.
    """
    obj = catalog.get(object_name)
    if obj is None:
        raise not_found()
    return obj


def record_id_for(obj: ObjectDef, record_id: str) -> str:
    """The canonical 18-character id of a record of ``obj`` named in a URL.

    Raises:
        SalesforceApiError: 404 NOT_FOUND naming the value when it is not an id of ``obj``
            (Salesforce then tries it as an external id and reports that).
    """
    canonical = ids.normalize_id(record_id)
    if canonical is None or canonical[:3] != obj.key_prefix:
        raise SalesforceApiError(
            404,
            "NOT_FOUND",
            f"Provided external ID field does not exist or is not accessible: {record_id}",
        )
    return canonical


def no_such_column(obj: ObjectDef, name: str) -> SalesforceApiError:
    """INVALID_FIELD for a body naming a field the object does not have."""
    return SalesforceApiError(
        400, "INVALID_FIELD", f"No such column '{name}' on sobject of type {obj.name}", [name]
    )


def read_only_fields(names: list[str]) -> SalesforceApiError:
    """INVALID_FIELD_FOR_INSERT_UPDATE for fields the API may not set."""
    return SalesforceApiError(
        400,
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        f"Unable to create/update fields: {', '.join(names)}. Please check the security "
        "settings of this field and verify that it is read/write for your profile or "
        "permission set.",
        names,
    )


def required_missing(names: list[str]) -> SalesforceApiError:
    """REQUIRED_FIELD_MISSING listing every missing field."""
    return SalesforceApiError(
        400, "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(names)}]", names
    )


def clean_values(
    obj: ObjectDef,
    values: Mapping[str, Any],
    prefixes: Mapping[str, str],
    *,
    creating: bool,
    record_id: str | None = None,
) -> dict[str, Any]:
    """Check a create or update body and convert it to storage values.

    Args:
        obj: The object written.
        values: The JSON body (``attributes`` is ignored, as Salesforce does).
        prefixes: Key prefix of every object (to check reference ids).
        creating: True for a create, False for an update.
        record_id: The record updated (an ``Id`` key equal to it is allowed).

    Returns:
        Canonical field name → storage value.

    Raises:
        SalesforceApiError: INVALID_FIELD, INVALID_FIELD_FOR_INSERT_UPDATE or the value errors
            of :func:`~emulators.salesforce.formats.parse_input`.
    """
    fields: list[tuple[FieldDef, Any]] = []
    read_only: list[str] = []
    for key, value in values.items():
        if key == "attributes":
            continue
        field = obj.field(key)
        if field is None:
            raise no_such_column(obj, key)
        if (
            field.name == "Id"
            and record_id is not None
            and ids.normalize_id(str(value)) == record_id
        ):
            continue
        allowed = field.createable if creating else field.updateable
        if not allowed:
            read_only.append(field.name)
            continue
        fields.append((field, value))
    if read_only:
        raise read_only_fields(read_only)
    cleaned: dict[str, Any] = {}
    for field, value in fields:
        if field.type == "reference":
            cleaned[field.name] = formats.parse_reference(field, value, prefixes)
        else:
            cleaned[field.name] = formats.parse_input(field, value)
    return cleaned


def missing_required(obj: ObjectDef, row: Mapping[str, Any], names: Iterable[str]) -> list[str]:
    """The fields among ``names`` that are required but null in ``row``.

    A field is required when it is not nillable, the API may set it, and it is not a boolean
    (booleans are never null) nor filled by Salesforce on create.
    """
    missing = []
    for name in names:
        field = obj.field(name)
        if field is None or field.nillable or field.type == "boolean":
            continue
        if not (field.createable or field.updateable):
            continue
        if row.get(field.name) is None:
            missing.append(field.name)
    return missing
