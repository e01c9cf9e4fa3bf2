"""Salesforce field types to JSON Schema, and back from a catalog's schema.

The mapping (also in ``docs/tap-salesforce-lite.md``):

==========================================  ===================================================
Salesforce type                             JSON Schema (``type`` always includes ``"null"``)
==========================================  ===================================================
id, reference                               string, ``maxLength`` 18
string, textarea, picklist, combobox,       string, ``maxLength`` = field length
email, phone, url, encryptedstring
multipicklist                               string (``"A;B"``), ``maxLength``
boolean                                     boolean
int, long                                   integer
double, currency, percent                   number (exact decimals; precision/scale in
                                            ``x-salesforce``)
date / datetime / time                      string with format date / date-time / time
base64                                      string, ``contentEncoding`` base64
anyType                                     string, number or boolean
address                                     object: street, city, state, stateCode,
                                            postalCode, country, countryCode, latitude,
                                            longitude, geocodeAccuracy
location                                    object: latitude, longitude
anything else                               string (logged once; never fails discovery)
==========================================  ===================================================

Every property also carries ``x-salesforce`` with the Salesforce type, label, precision and
scale, length, picklist values, referenced objects, calculated, compound field name, nillable
and updateable, which a target may use and must not require.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Final

from tap_salesforce_lite.objects import (
    DELETED_AT,
    INTEGER_TYPES,
    NUMBER_TYPES,
    PICKLIST_TYPES,
    TEXT_TYPES,
    FieldInfo,
    ObjectInfo,
)

if TYPE_CHECKING:
    from collections.abc import Callable

LOGGER = logging.getLogger(__name__)

VENDOR_KEY: Final = "x-salesforce"
ID_LENGTH: Final = 18

#: Keys of an address compound value, as Salesforce REST returns them.
ADDRESS_KEYS: Final = (
    "street",
    "city",
    "state",
    "stateCode",
    "postalCode",
    "country",
    "countryCode",
    "latitude",
    "longitude",
    "geocodeAccuracy",
)
LOCATION_KEYS: Final = ("latitude", "longitude")
_NUMERIC_KEYS: Final = frozenset({"latitude", "longitude"})


def nullable(*types: str) -> list[str]:
    """A JSON Schema ``type`` list with ``"null"`` last."""
    return [*types, "null"]


def _compound_schema(keys: tuple[str, ...]) -> dict[str, Any]:
    return {
        "type": nullable("object"),
        "properties": {
            key: {"type": nullable("number" if key in _NUMERIC_KEYS else "string")} for key in keys
        },
    }


def _text_schema(info: FieldInfo) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": nullable("string")}
    if info.length > 0:
        schema["maxLength"] = info.length
    return schema


def _id_schema(info: FieldInfo) -> dict[str, Any]:
    return {"type": nullable("string"), "maxLength": info.length or ID_LENGTH}


def _fixed(schema: dict[str, Any]) -> Callable[[FieldInfo], dict[str, Any]]:
    return lambda _info: dict(schema)


#: JSON Schema builders by Salesforce type.
_SCHEMAS: Final[dict[str, Callable[[FieldInfo], dict[str, Any]]]] = {
    **dict.fromkeys(("id", "reference"), _id_schema),
    **dict.fromkeys(TEXT_TYPES - {"id", "reference"}, _text_schema),
    "boolean": _fixed({"type": nullable("boolean")}),
    **dict.fromkeys(INTEGER_TYPES, _fixed({"type": nullable("integer")})),
    **dict.fromkeys(NUMBER_TYPES, _fixed({"type": nullable("number")})),
    "date": _fixed({"type": nullable("string"), "format": "date"}),
    "datetime": _fixed({"type": nullable("string"), "format": "date-time"}),
    "time": _fixed({"type": nullable("string"), "format": "time"}),
    "base64": _fixed({"type": nullable("string"), "contentEncoding": "base64"}),
    "anyType": _fixed({"type": nullable("string", "number", "boolean")}),
    "address": lambda _info: _compound_schema(ADDRESS_KEYS),
    "location": lambda _info: _compound_schema(LOCATION_KEYS),
}


def base_schema(info: FieldInfo) -> dict[str, Any]:
    """The standard JSON Schema keywords for one field (no vendor keyword).

    Unknown types never fail discovery: they are replicated as text, with a warning.
    """
    builder = _SCHEMAS.get(info.sf_type)
    if builder is not None:
        return builder(info)
    LOGGER.warning(
        "Field %s has the Salesforce type '%s', which the tap does not know; it is "
        "replicated as text",
        info.name,
        info.sf_type,
    )
    return {"type": nullable("string")}


def vendor_metadata(info: FieldInfo) -> dict[str, Any]:
    """The ``x-salesforce`` keyword of one field."""
    meta: dict[str, Any] = {"type": info.sf_type, "label": info.label}
    if info.sf_type in NUMBER_TYPES:
        meta["precision"] = info.precision
        meta["scale"] = info.scale
    if info.length > 0:
        meta["length"] = info.length
    if info.sf_type in PICKLIST_TYPES:
        meta["picklist_values"] = list(info.picklist_values)
    if info.reference_to:
        meta["reference_to"] = list(info.reference_to)
    meta["calculated"] = info.calculated
    if info.compound_field_name:
        meta["compound_field_name"] = info.compound_field_name
    meta["nillable"] = info.nillable
    meta["updateable"] = info.updateable
    return meta


def property_schema(info: FieldInfo) -> dict[str, Any]:
    """The full JSON Schema of one field's property."""
    return {**base_schema(info), VENDOR_KEY: vendor_metadata(info)}


def stream_schema(obj: ObjectInfo, *, include_deleted: bool) -> dict[str, Any]:
    """The JSON Schema of an object's stream.

    Args:
        obj: The object.
        include_deleted: Whether deleted rows are read (adds ``_sdc_deleted_at``).

    Returns:
        ``{"type": "object", "properties": …}`` in describe order.
    """
    properties = {info.name: property_schema(info) for info in obj.fields}
    if include_deleted and obj.has_is_deleted:
        properties[DELETED_AT] = {"type": nullable("string"), "format": "date-time"}
    return {"type": "object", "properties": properties}


def field_from_property(name: str, schema: dict[str, Any]) -> FieldInfo:
    """Rebuild a field from its catalog property (``x-salesforce`` first, else the types)."""
    meta = schema.get(VENDOR_KEY)
    if isinstance(meta, dict) and meta.get("type"):
        return FieldInfo(
            name=name,
            sf_type=str(meta["type"]),
            label=str(meta.get("label") or name),
            nillable=bool(meta.get("nillable", True)),
            updateable=bool(meta.get("updateable", False)),
            calculated=bool(meta.get("calculated", False)),
            length=int(meta.get("length") or 0),
            precision=int(meta.get("precision") or 0),
            scale=int(meta.get("scale") or 0),
            picklist_values=tuple(str(v) for v in meta.get("picklist_values") or ()),
            reference_to=tuple(str(v) for v in meta.get("reference_to") or ()),
            compound_field_name=meta.get("compound_field_name") or None,
        )
    return FieldInfo(name=name, sf_type=_infer_type(name, schema))


def _infer_type(name: str, schema: dict[str, Any]) -> str:
    declared = schema.get("type") or []
    types = {declared} if isinstance(declared, str) else set(declared)
    text_format = schema.get("format")
    if "object" in types:
        properties = schema.get("properties") or {}
        return "address" if "street" in properties or "city" in properties else "location"
    if text_format in _FORMAT_TYPES:
        return _FORMAT_TYPES[str(text_format)]
    for json_type, sf_type in (("integer", "int"), ("number", "double"), ("boolean", "boolean")):
        if json_type in types:
            return sf_type
    return "id" if name == "Id" else "string"


_FORMAT_TYPES: Final = {"date-time": "datetime", "date": "date", "time": "time"}


def object_from_schema(name: str, schema: dict[str, Any]) -> ObjectInfo:
    """Rebuild an object from a catalog stream's schema (for runs given a catalog)."""
    properties = schema.get("properties") or {}
    fields = tuple(
        field_from_property(prop, prop_schema)
        for prop, prop_schema in properties.items()
        if prop != DELETED_AT and isinstance(prop_schema, dict)
    )
    return ObjectInfo(name=name, label=name, fields=fields)
