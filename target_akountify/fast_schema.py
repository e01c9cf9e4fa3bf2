"""A compiled yes/no check of records against a stream's SCHEMA, for the common case.

Checking every record with ``jsonschema`` (the SDK's validator) costs about 100 µs a record,
half again the target's whole per-record cost. Nearly every record is valid, so the sink first
asks a validator compiled to Python code by ``fastjsonschema`` (a few µs), and runs
``jsonschema`` only on the records it refuses, for the full list of errors with their paths.

``fastjsonschema`` implements drafts 4 to 7 while the SDK validates with draft 2020-12. The two
agree on the keywords in :data:`COMMON_KEYWORDS`; a schema using any other keyword (``$ref``,
``prefixItems``, ``unevaluatedProperties``…) gets no fast check, so the fast path can only ever
say "valid" where ``jsonschema`` would too. Formats are not checked (the mapping checks values)
and defaults are never filled in (the record is not modified).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import fastjsonschema

if TYPE_CHECKING:
    from collections.abc import Callable

LOGGER = logging.getLogger("target_akountify.fast_schema")

#: Keywords with the same meaning in draft 7 and draft 2020-12 (annotations included).
COMMON_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "patternProperties",
        "additionalProperties",
        "required",
        "items",
        "minItems",
        "maxItems",
        "uniqueItems",
        "enum",
        "const",
        "minLength",
        "maxLength",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minProperties",
        "maxProperties",
        "anyOf",
        "oneOf",
        "allOf",
        "not",
        "format",
        "title",
        "description",
        "default",
        "examples",
        "readOnly",
        "writeOnly",
        "deprecated",
        "$schema",
        "$comment",
    }
)
#: Keywords whose value is a map of names to subschemas.
_SCHEMA_MAPS = frozenset({"properties", "patternProperties"})
#: Keywords whose value is a list of subschemas.
_SCHEMA_LISTS = frozenset({"anyOf", "oneOf", "allOf"})
#: Keywords whose value is one subschema.
_SCHEMA_VALUES = frozenset({"items", "additionalProperties", "not"})
#: Keywords whose value is data, not a schema.
_DATA = frozenset({"enum", "const", "default", "examples"})


def uses_common_keywords_only(schema: Any) -> bool:
    """Return True when every (sub)schema uses only :data:`COMMON_KEYWORDS` (or ``x-`` ones).

    ``items`` must be one schema (a list means tuple validation, which changed in 2020-12).
    """
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, dict):
        return False
    return all(_keyword_is_common(key, value) for key, value in schema.items())


def _keyword_is_common(key: str, value: Any) -> bool:
    if key.startswith("x-") or key in _DATA:
        return True
    if key not in COMMON_KEYWORDS:
        return False
    if key in _SCHEMA_MAPS:
        return isinstance(value, dict) and all(map(uses_common_keywords_only, value.values()))
    if key in _SCHEMA_LISTS:
        return isinstance(value, list) and all(map(uses_common_keywords_only, value))
    if key in _SCHEMA_VALUES:
        return uses_common_keywords_only(value)
    return True


def compile_fast_check(schema: dict[str, Any]) -> Callable[[Any], bool] | None:
    """Return a function telling whether a record surely matches ``schema``, or None.

    None when the schema uses a keyword outside :data:`COMMON_KEYWORDS` or does not compile;
    the caller then validates every record the slow way.
    """
    if not uses_common_keywords_only(schema):
        LOGGER.debug("SCHEMA uses keywords beyond draft 7: no fast check")
        return None
    draft7 = {k: v for k, v in schema.items() if k != "$schema"}
    try:
        validate = fastjsonschema.compile(draft7, use_default=False, use_formats=False)
    except fastjsonschema.JsonSchemaDefinitionException as exc:
        LOGGER.debug("SCHEMA does not compile to a fast check (%s)", exc)
        return None

    def matches(record: Any) -> bool:
        try:
            validate(record)
        except fastjsonschema.JsonSchemaValueException:
            return False
        return True

    return matches
