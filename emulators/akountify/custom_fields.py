"""Custom field definitions (per company and entity, at most 12) and the values records hold.

Values are stored on a record keyed by the definition's id, so deleting a definition hides its
values for good, even if a field of the same name is defined again later. The API shows and
accepts them keyed by the definition's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from emulators.akountify import validation as v
from emulators.akountify.clock import rfc3339
from emulators.akountify.entities import ENTITIES
from emulators.akountify.errors import ApiError, ErrorDetail, not_found, validation_error
from emulators.akountify.ids import new_id
from emulators.akountify.validation import INVALID, Problems, type_name

if TYPE_CHECKING:
    import sqlite3

    from emulators.akountify.clock import Clock

MAX_DEFINITIONS = 12
MAX_STRING_VALUE = 255
MAX_OPTIONS = 50
MAX_OPTION_LENGTH = 100
FIELD_TYPES = ("string", "number", "date", "boolean", "list")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
_DEFINITION_KEYS = frozenset({"entity", "name", "type", "options"})


@dataclass(frozen=True)
class Definition:
    """One custom field definition."""

    id: str
    entity: str
    name: str
    type: str
    options: tuple[str, ...] | None
    created_at: int

    def to_json(self) -> dict[str, Any]:
        """The API form."""
        return {
            "id": self.id,
            "entity": self.entity,
            "name": self.name,
            "type": self.type,
            "options": list(self.options) if self.options is not None else None,
            "created_at": rfc3339(self.created_at),
        }


class CustomFieldRegistry:
    """Reads and changes definitions, with a per-process cache of each company's lists."""

    def __init__(self, connection: sqlite3.Connection, clock: Clock) -> None:
        """Work on ``connection``; ``clock`` stamps new definitions."""
        self._connection = connection
        self._clock = clock
        self._cache: dict[tuple[str, str], list[Definition]] = {}

    def definitions(self, company_id: str, entity: str) -> list[Definition]:
        """The definitions of one company and entity, oldest first."""
        key = (company_id, entity)
        cached = self._cache.get(key)
        if cached is None:
            rows = self._connection.execute(
                "SELECT id, entity, name, type, options, created_at FROM custom_field_definitions"
                " WHERE company_id = ? AND entity = ? ORDER BY seq",
                key,
            ).fetchall()
            cached = [
                Definition(
                    row[0],
                    row[1],
                    row[2],
                    row[3],
                    tuple(orjson.loads(row[4])) if row[4] is not None else None,
                    row[5],
                )
                for row in rows
            ]
            self._cache[key] = cached
        return cached

    def list_all(self, company_id: str, entity: str | None) -> list[Definition]:
        """Every definition of a company, optionally of one entity."""
        names = [entity] if entity else list(ENTITIES)
        return [item for name in names for item in self.definitions(company_id, name)]

    def create(self, company_id: str, body: Any) -> Definition:
        """Validate and store a new definition (inside the caller's write transaction).

        Raises:
            ApiError: 422 for a bad body or a 13th definition, 409 for a name in use.
        """
        problems = Problems()
        if not isinstance(body, dict):
            raise validation_error(
                [ErrorDetail("body", "invalid_format", "the body must be a JSON object")],
                "custom field definition",
            )
        for key in sorted(set(body) - _DEFINITION_KEYS):
            problems.add(key, "unknown_field", f"{key} is not a field of a definition")
        entity = body.get("entity")
        if entity is None:
            problems.add("entity", "required", f"entity is required: one of {', '.join(ENTITIES)}")
        else:
            v.choice(entity, "entity", problems, options=tuple(ENTITIES))
        name = body.get("name")
        if name is None:
            problems.add("name", "required", "name is required")
        elif not isinstance(name, str) or not _NAME.match(name):
            problems.add(
                "name",
                "invalid_format",
                f"name {name!r} must start with a letter and hold only letters, digits and "
                "underscores (at most 40)",
            )
        field_type = body.get("type")
        if field_type is None:
            problems.add("type", "required", f"type is required: one of {', '.join(FIELD_TYPES)}")
        else:
            v.choice(field_type, "type", problems, options=FIELD_TYPES)
        options = _check_options(body.get("options"), field_type, problems)
        if problems:
            raise validation_error(problems.details, "custom field definition")
        entity, name, field_type = str(entity), str(name), str(field_type)
        existing = self.definitions(company_id, entity)
        clash = next((d for d in existing if d.name.casefold() == name.casefold()), None)
        if clash is not None:
            raise ApiError(
                409,
                "duplicate_name",
                f"{entity} already has a custom field named {clash.name!r}",
                [
                    ErrorDetail(
                        "name",
                        "duplicate_name",
                        "the name is in use",
                        extra={"existing_id": clash.id},
                    )
                ],
            )
        if len(existing) >= MAX_DEFINITIONS:
            detail = ErrorDetail(
                "entity",
                "too_many",
                f"{entity} already has {MAX_DEFINITIONS} custom fields, the limit: delete one "
                "first",
                MAX_DEFINITIONS,
            )
            raise validation_error([detail], "custom field definition")
        definition = Definition(
            new_id("custom_field_definitions"),
            entity,
            name,
            field_type,
            options,
            self._clock.now_us(),
        )
        self._connection.execute(
            "INSERT INTO custom_field_definitions(id, company_id, entity, name, name_key, type,"
            " options, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                definition.id,
                company_id,
                entity,
                name,
                name.casefold(),
                field_type,
                orjson.dumps(list(options)).decode() if options is not None else None,
                definition.created_at,
            ),
        )
        self._cache.pop((company_id, entity), None)
        return definition

    def delete(self, company_id: str, definition_id: str) -> None:
        """Delete a definition (its values disappear from every record).

        Raises:
            ApiError: 404 when the company has no such definition.
        """
        row = self._connection.execute(
            "SELECT entity FROM custom_field_definitions WHERE company_id = ? AND id = ?",
            (company_id, definition_id),
        ).fetchone()
        if row is None:
            raise not_found(f"custom field definition {definition_id} does not exist")
        self._connection.execute(
            "DELETE FROM custom_field_definitions WHERE id = ?", (definition_id,)
        )
        self._cache.pop((company_id, row[0]), None)

    def forget(self) -> None:
        """Drop the cache (after a rolled-back transaction)."""
        self._cache.clear()


def _check_options(options: Any, field_type: Any, problems: Problems) -> tuple[str, ...] | None:
    if field_type != "list":
        if options is not None:
            problems.add(
                "options", "invalid_value", "options are only for fields of type list: omit them"
            )
        return None
    if not isinstance(options, list) or not options:
        problems.add("options", "required", "a list field needs options: a non-empty array")
        return None
    if len(options) > MAX_OPTIONS:
        problems.add("options", "too_many", f"at most {MAX_OPTIONS} options", limit=MAX_OPTIONS)
        return None
    checked = [
        v.text(item, f"options[{index}]", problems, max_len=MAX_OPTION_LENGTH)
        for index, item in enumerate(options)
    ]
    if len(set(options)) != len(options) or any(o == "" for o in options):
        problems.add("options", "invalid_value", "options must be distinct non-empty strings")
    return tuple(item for item in checked if isinstance(item, str))


def _number(value: Any, path: str, problems: Problems) -> Any:
    number = v.to_decimal(value)
    if number is None or not number.is_finite():
        return problems.add(
            path, "invalid_format", f"{path} must be a number, not {type_name(value)}"
        )
    return int(number) if number == number.to_integral_value() else float(number)


def _value(definition: Definition, value: Any, path: str, problems: Problems) -> Any:
    kind = definition.type
    if kind == "string":
        return v.text(value, path, problems, max_len=MAX_STRING_VALUE)
    if kind == "list":
        options = definition.options or ()
        if not isinstance(value, str) or value not in options:
            return problems.add(
                path,
                "invalid_value",
                f"{path} {value!r} is not an option: use one of {', '.join(options)}",
            )
        return value
    checker = {"boolean": v.boolean, "date": v.iso_date, "number": _number}[kind]
    return checker(value, path, problems)


def parse_values(
    values: Any, definitions: list[Definition], problems: Problems
) -> dict[str, Any] | None:
    """Validate ``data.custom_fields`` against the definitions.

    Returns:
        Changes keyed by definition id (None clears a value), or None if invalid.
    """
    checked = v.json_object(values, "custom_fields", problems)
    if checked is INVALID or not isinstance(checked, dict):
        return None
    by_name = {definition.name: definition for definition in definitions}
    before = len(problems.details)
    changes: dict[str, Any] = {}
    for name, value in checked.items():
        path = f"custom_fields.{name}"
        definition = by_name.get(name)
        if definition is None:
            defined = ", ".join(by_name) or "none yet"
            problems.add(
                path,
                "unknown_field",
                f"{path} is not defined for this entity (defined: {defined}): define it at "
                "/custom-field-definitions first",
            )
        elif value is None:
            changes[definition.id] = None
        else:
            parsed = _value(definition, value, path, problems)
            if parsed is not INVALID:
                changes[definition.id] = parsed
    return None if len(problems.details) > before else changes


def render_values(stored: dict[str, Any], definitions: list[Definition]) -> dict[str, Any]:
    """The API form of a record's values: every defined field by name, null when unset."""
    return {definition.name: stored.get(definition.id) for definition in definitions}
