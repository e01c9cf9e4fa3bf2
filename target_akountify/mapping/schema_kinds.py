"""Read a stream's JSON Schema: what kind of value each source field holds.

Only standard JSON Schema keywords are required; the tap-salesforce-lite vendor keyword
``x-salesforce`` is used when present (to tell a multi-select picklist from plain text and to
know picklist values), never required.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_FORMAT_KINDS = {"date": "date", "date-time": "datetime", "time": "time"}


@dataclass(frozen=True)
class SourceField:
    """What the SCHEMA says about one source field.

    Attributes:
        name: The (possibly dotted) field name.
        kind: ``text``, ``multipicklist``, ``number``, ``integer``, ``boolean``, ``date``,
            ``datetime``, ``time``, ``object``, ``list`` or ``any``.
        picklist_values: Allowed values, when the schema tells them (``enum`` or
            ``x-salesforce.picklist_values``).
        label: A human label, when the schema tells it.
    """

    name: str
    kind: str
    picklist_values: tuple[str, ...] = ()
    label: str | None = None


def _non_null_types(prop: dict[str, Any]) -> list[str]:
    declared = prop.get("type")
    if isinstance(declared, str):
        return [declared] if declared != "null" else []
    if isinstance(declared, list):
        return [t for t in declared if t != "null"]
    return []


def _branch(prop: dict[str, Any]) -> dict[str, Any]:
    """Return the most specific non-null branch of an ``anyOf`` (a formatted string first)."""
    branches = [b for b in prop.get("anyOf", []) if isinstance(b, dict) and _non_null_types(b)]
    for branch in branches:
        if branch.get("format") in _FORMAT_KINDS:
            return branch
    return branches[0] if branches else prop


def property_kind(prop: dict[str, Any]) -> str:
    """Return the kind of value a JSON Schema property holds."""
    vendor = prop.get("x-salesforce")
    if isinstance(vendor, dict) and vendor.get("type") == "multipicklist":
        return "multipicklist"
    if "anyOf" in prop:
        prop = _branch(prop)
    types = _non_null_types(prop)
    if "string" in types:
        return _FORMAT_KINDS.get(str(prop.get("format")), "text")
    for json_type, kind in (
        ("integer", "integer"),
        ("number", "number"),
        ("boolean", "boolean"),
        ("object", "object"),
        ("array", "list"),
    ):
        if json_type in types:
            return kind
    return "any"


def lookup(schema: dict[str, Any], name: str) -> SourceField | None:
    """Find a source field in a stream schema; dotted names reach into object properties.

    Args:
        schema: The stream's JSON Schema.
        name: ``Name`` or ``BillingAddress.city``.

    Returns:
        What the schema says about it, or None when it is not there.
    """
    prop: dict[str, Any] | None = None
    properties: dict[str, Any] = schema.get("properties") or {}
    parts = [name] if name in properties else name.split(".")
    for part in parts:
        if not isinstance(properties, dict) or part not in properties:
            return None
        prop = properties[part]
        if not isinstance(prop, dict):
            return None
        inner = _branch(prop) if "anyOf" in prop else prop
        properties = inner.get("properties") or {}
    if prop is None:
        return None
    raw_vendor = prop.get("x-salesforce")
    vendor: dict[str, Any] = raw_vendor if isinstance(raw_vendor, dict) else {}
    picklist = vendor.get("picklist_values") or prop.get("enum") or ()
    values = tuple(str(v) for v in picklist if v is not None)
    label = vendor.get("label")
    return SourceField(name, property_kind(prop), values, str(label) if label else None)


def field_names(schema: dict[str, Any]) -> list[str]:
    """Return the top-level property names of a schema, sorted."""
    return sorted((schema.get("properties") or {}).keys())


def get_value(record: dict[str, Any], name: str) -> Any:
    """Read a possibly dotted field from a record (None when any step is missing)."""
    if "." not in name or name in record:
        return record.get(name)
    value: Any = record
    for part in name.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value
