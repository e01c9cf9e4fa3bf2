"""Check a mapping spec, then compile it against a stream's SCHEMA.

Two stages, each returning *every* problem at once (never the first only):

* :func:`check_spec` needs only the spec and the custom field definitions: unknown entities
  and Akountify fields, bad transforms, value maps into values an enum does not allow, missing
  required fields. The target runs it before it reads any record.
* :func:`compile_stream` adds the stream's SCHEMA: unknown source fields, type mismatches (text
  into a date, a multi-select into a single choice), picklist values that the value map misses,
  the external id. The target runs it when the stream's SCHEMA arrives, before any record of
  the stream is written.

Every problem names the place in the spec to edit (``mapping.streams.Account.fields.email``)
and the fix.
"""

from __future__ import annotations

import difflib
import string
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from target_akountify.mapping.entities import (
    CUSTOM_FIELDS_PREFIX,
    ENTITIES,
    MAX_CUSTOM_FIELDS,
    MAX_INVOICE_LINES,
    EntitySpec,
    FieldSpec,
    custom_field_spec,
    generic_path,
    line_index,
)
from target_akountify.mapping.schema_kinds import SourceField, field_names, get_value, lookup
from target_akountify.mapping.transforms import (
    BoundTransform,
    TransformError,
    TransformSpecError,
    bind,
)
from target_akountify.mapping.values import ValuePolicy, finalize
from target_akountify.problems import Problem

if TYPE_CHECKING:
    from collections.abc import Callable

    from target_akountify.mapping.spec import (
        Condition,
        CustomFieldDefinition,
        FieldSource,
        MappingSpec,
        StreamMapping,
    )

#: Input kinds each Akountify field kind takes without a transform.
ACCEPTS: dict[str, frozenset[str]] = {
    "text": frozenset(
        {"text", "multipicklist", "number", "integer", "decimal", "date", "datetime", "time"}
    ),
    "email": frozenset({"text"}),
    "enum": frozenset({"text"}),
    "decimal": frozenset({"number", "integer", "decimal", "text"}),
    "number": frozenset({"number", "integer", "decimal", "text"}),
    "date": frozenset({"date"}),
    "boolean": frozenset({"boolean"}),
    "country": frozenset({"text"}),
    "currency": frozenset({"text"}),
    "tags": frozenset({"list", "text"}),
    "reference": frozenset({"text", "integer", "number"}),
}

#: Specific fixes for the common mismatches.
_MISMATCH_FIXES: dict[tuple[str, str], str] = {
    ("date", "datetime"): "add the transform `date` (takes the date of the date-time)",
    ("date", "text"): "map a date field, or add the transform `date` if the text holds ISO dates",
    ("enum", "multipicklist"): (
        "a multi-select cannot feed a single choice: map it to `tags` with the transform "
        "`split`, or to a text field"
    ),
    ("tags", "multipicklist"): "add the transform `split` to turn 'A;B' into tags",
    ("boolean", "text"): "map a boolean field, or use a value_map to true/false",
}


def _where(stream: str, path: str | None = None) -> str:
    base = f"mapping.streams.{stream}"
    return f"{base}.fields.{path}" if path else base


def _suggest(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=3, cutoff=0.6)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


def resolve_field(entity: EntitySpec, path: str, custom: dict[str, FieldSpec]) -> FieldSpec | None:
    """Return the Akountify field a spec path writes, or None when there is no such field.

    Args:
        entity: The entity written.
        path: The spec path (``lines.0.unit_price``, ``custom_fields.region``).
        custom: The entity's custom fields by name.
    """
    if path.startswith(CUSTOM_FIELDS_PREFIX):
        found = custom.get(path.removeprefix(CUSTOM_FIELDS_PREFIX))
        return None if found is None else _at(found, path)
    generic = entity.fields.get(generic_path(path))
    return None if generic is None else _at(generic, path)


def _at(spec: FieldSpec, path: str) -> FieldSpec:
    if spec.path == path:
        return spec
    return FieldSpec(
        path,
        spec.kind,
        spec.description,
        spec.max_length,
        spec.required,
        spec.multiline,
        spec.forbidden,
        spec.enum_values,
        spec.places,
        spec.reference_to,
        spec.max_items,
    )


def declared_custom_fields(
    spec: MappingSpec,
) -> tuple[dict[str, dict[str, CustomFieldDefinition]], list[Problem]]:
    """Collect the custom field definitions the spec declares, per entity.

    Returns:
        The definitions per entity and name, and problems (two streams declaring one name with
        different types, more than Akountify allows).
    """
    found: dict[str, dict[str, CustomFieldDefinition]] = {}
    problems: list[Problem] = []
    for stream, mapping in spec.streams.items():
        for name, definition in mapping.custom_fields.items():
            previous = found.setdefault(mapping.entity, {}).get(name)
            if previous is not None and previous != definition:
                problems.append(
                    Problem(
                        f"{_where(stream)}.custom_fields.{name}",
                        "invalid_value",
                        f"custom field '{name}' of {mapping.entity} is declared twice "
                        "with different types or options",
                        "declare it the same way in every stream that writes it",
                    )
                )
            found[mapping.entity][name] = definition
    for entity, definitions in found.items():
        if len(definitions) > MAX_CUSTOM_FIELDS:
            problems.append(
                Problem(
                    "mapping",
                    "too_many",
                    f"{len(definitions)} custom fields declared for {entity}; Akountify allows "
                    f"{MAX_CUSTOM_FIELDS}",
                    "remove some custom field declarations",
                )
            )
    return found, problems


def definition_specs(
    definitions: dict[str, CustomFieldDefinition],
) -> dict[str, FieldSpec]:
    """Return field specs for declared custom field definitions."""
    return {
        name: custom_field_spec(name, d.type, tuple(d.options)) for name, d in definitions.items()
    }


def check_spec(
    spec: MappingSpec,
    custom: dict[str, dict[str, FieldSpec]],
    policy: ValuePolicy | None = None,
) -> list[Problem]:
    """Check what can be checked without any SCHEMA.

    Args:
        spec: The mapping.
        custom: Known custom fields per entity (Akountify's definitions and the declared ones).
        policy: Value policy used to check constants and value maps.

    Returns:
        Every problem found (empty when the spec is sound).
    """
    policy = policy or ValuePolicy()
    problems: list[Problem] = []
    if not spec.streams:
        problems.append(
            Problem("mapping.streams", "required", "the mapping maps no stream", "add a stream")
        )
    for stream, mapping in spec.streams.items():
        entity = ENTITIES.get(mapping.entity)
        if entity is None:
            problems.append(
                Problem(
                    f"{_where(stream)}.entity",
                    "invalid_value",
                    f"unknown Akountify entity {mapping.entity!r}"
                    + _suggest(mapping.entity, list(ENTITIES)),
                    f"use one of: {', '.join(ENTITIES)}",
                )
            )
            continue
        problems.extend(_check_fields(stream, mapping, entity, custom.get(entity.name, {}), policy))
    return problems


def _check_fields(
    stream: str,
    mapping: StreamMapping,
    entity: EntitySpec,
    custom: dict[str, FieldSpec],
    policy: ValuePolicy,
) -> list[Problem]:
    problems: list[Problem] = []
    known_paths = sorted(p.replace("*", "0") for p in entity.fields) + [
        f"{CUSTOM_FIELDS_PREFIX}{n}" for n in custom
    ]
    line_indices: set[int] = set()
    for path, source in mapping.fields.items():
        where = _where(stream, path)
        target = resolve_field(entity, path, custom)
        if target is None:
            if path.startswith(CUSTOM_FIELDS_PREFIX):
                name = path.removeprefix(CUSTOM_FIELDS_PREFIX)
                problems.append(
                    Problem(
                        where,
                        "unknown_field",
                        f"custom field '{name}' is neither defined in Akountify for "
                        f"{entity.name} nor declared in the mapping",
                        f"declare it under {_where(stream)}.custom_fields.{name} "
                        "(type, options) and set create_custom_fields: true, or create it in "
                        "Akountify",
                    )
                )
            else:
                problems.append(
                    Problem(
                        where,
                        "unknown_field",
                        f"{entity.name} has no writable field {path!r}"
                        + _suggest(path, known_paths),
                        "use a field listed in docs/target-akountify.md (or run the cheat "
                        "sheet command)",
                    )
                )
            continue
        index = line_index(path)
        if index is not None:
            line_indices.add(index)
            if index >= MAX_INVOICE_LINES:
                problems.append(
                    Problem(
                        where,
                        "too_many",
                        f"line index {index} is beyond Akountify's {MAX_INVOICE_LINES} lines",
                        f"use indices 0..{MAX_INVOICE_LINES - 1}",
                    )
                )
        problems.extend(_check_source(where, target, source, policy))
    if line_indices and sorted(line_indices) != list(range(len(line_indices))):
        problems.append(
            Problem(
                f"{_where(stream)}.fields",
                "invalid_value",
                f"invoice lines are numbered {sorted(line_indices)}; they must start at 0 "
                "without gaps",
                "renumber the `lines.N.…` paths 0, 1, 2…",
            )
        )
    problems.extend(_check_required(stream, mapping, entity, line_indices))
    return problems


def _check_source(
    where: str, target: FieldSpec, source: FieldSource, policy: ValuePolicy
) -> list[Problem]:
    return [
        *_check_syntax(where, source),
        *_check_value_map(where, target, source, policy),
        *_check_constants(where, target, source, policy),
    ]


def _check_syntax(where: str, source: FieldSource) -> list[Problem]:
    problems: list[Problem] = []
    for call in source.transforms:
        try:
            bind(call)
        except TransformSpecError as exc:
            problems.append(Problem(where, "invalid_value", str(exc), "fix the transform"))
    if source.template is not None:
        try:
            list(string.Formatter().parse(source.template))
        except ValueError as exc:
            problems.append(
                Problem(
                    where,
                    "invalid_format",
                    f"template {source.template!r} does not parse: {exc}",
                    "write placeholders as {FieldName}; double braces {{ }} for literal braces",
                )
            )
    return problems


def _check_value_map(
    where: str, target: FieldSpec, source: FieldSource, policy: ValuePolicy
) -> list[Problem]:
    problems: list[Problem] = []
    if source.value_map is not None and target.kind in {"enum", "boolean", "country", "currency"}:
        for key, mapped in source.value_map.items():
            checked = finalize(target, mapped, policy, f"value_map[{key!r}]")
            if checked.problem is not None:
                problems.append(
                    Problem(
                        where,
                        checked.problem.code,
                        checked.problem.message,
                        f"map {key!r} to an allowed value"
                        + (f" ({', '.join(target.enum_values)})" if target.enum_values else ""),
                    )
                )
    return problems


def _check_constants(
    where: str, target: FieldSpec, source: FieldSource, policy: ValuePolicy
) -> list[Problem]:
    problems: list[Problem] = []
    for label, constant in (("constant", source.constant), ("default", source.default)):
        if constant is None or source.transforms:
            continue
        checked = finalize(target, constant, policy, f"the {label} {constant!r}")
        if checked.problem is not None:
            problems.append(
                Problem(where, checked.problem.code, checked.problem.message, checked.problem.fix)
            )
    return problems


def _check_required(
    stream: str, mapping: StreamMapping, entity: EntitySpec, line_indices: set[int]
) -> list[Problem]:
    problems: list[Problem] = []
    mapped = set(mapping.fields)
    for spec in entity.fields.values():
        if not spec.required:
            continue
        if spec.path.startswith("lines.*."):
            leaf = spec.path.removeprefix("lines.*.")
            indices = line_indices or {0}
            wanted = [f"lines.{i}.{leaf}" for i in sorted(indices)]
            missing = [path for path in wanted if path not in mapped]
        else:
            missing = [spec.path] if spec.path not in mapped else []
        problems.extend(
            Problem(
                _where(stream, path),
                "required",
                f"{entity.name} requires `{path}` ({spec.description}) but the mapping does "
                "not set it",
                f"add `{path}` under {_where(stream)}.fields",
            )
            for path in missing
        )
    for group in entity.one_of_required:
        if not mapped.intersection(group):
            names = " or ".join(f"`{g}`" for g in group)
            problems.append(
                Problem(
                    f"{_where(stream)}.fields",
                    "required",
                    f"{entity.name} requires {names} but the mapping sets neither",
                    f"map at least one of {names}",
                )
            )
    return problems


@dataclass(frozen=True)
class CompiledField:
    """One Akountify field of a compiled stream mapping.

    Attributes:
        spec: The Akountify field written.
        source: The spec entry it comes from.
        read: Reads the raw value from a record (source field, constant or template).
        transforms: The bound transforms, in order.
    """

    spec: FieldSpec
    source: FieldSource
    read: Callable[[dict[str, Any]], Any]
    transforms: tuple[BoundTransform, ...]
    _steps: tuple[tuple[Callable[[Any, Any], Any], Any], ...] = field(
        init=False, repr=False, compare=False
    )
    _value_map: dict[str, Any] | None = field(init=False, repr=False, compare=False)
    _default: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Keep what :meth:`raw_value` needs for every record in plain attributes."""
        steps = tuple((t.transform.function, t.params) for t in self.transforms)
        object.__setattr__(self, "_steps", steps)
        object.__setattr__(self, "_value_map", self.source.value_map)
        object.__setattr__(self, "_default", self.source.default)

    @property
    def path(self) -> str:
        """The Akountify field path."""
        return self.spec.path

    @cached_property
    def origin(self) -> str:
        """Where the value comes from, for messages (``field `Name```)."""
        return self.source.origin

    def raw_value(self, record: dict[str, Any]) -> Any:
        """Return the value after transforms, value map and default (before finalizing).

        Raises:
            TransformError: When a transform or the value map refuses the value.
        """
        value = self.read(record)
        if value is not None:
            for function, params in self._steps:  # a None passes the later ones untouched
                value = function(value, params)
                if value is None:
                    break
        if self._value_map is not None and value is not None:
            value = (
                [self._map_one(v) for v in value]
                if isinstance(value, list)
                else self._map_one(value)
            )
        if value is None or value in ("", []):
            value = self._default if self._default is not None else value
        return value

    def _map_one(self, value: Any) -> Any:
        value_map = self.source.value_map or {}
        key = value if isinstance(value, str) else str(value)
        if key in value_map:
            return value_map[key]
        if self.source.unmapped == "keep":
            return value
        if self.source.unmapped == "null":
            return None
        known = ", ".join(repr(k) for k in value_map)
        raise TransformError(f"{key!r} is not in the value_map (which maps {known})")


@dataclass(frozen=True)
class CompiledStream:
    """A stream mapping checked against the stream's SCHEMA, ready to map records.

    Attributes:
        stream: The stream name.
        mapping: The spec entry.
        entity: The Akountify entity written.
        external_id_fields: Source fields joined (``:``) into the external id.
        conditions: The filter (all must hold).
        on_delete: ``archive`` or ``ignore``.
        fields: The compiled fields.
        skipped: ``if_present`` fields left out because the SCHEMA lacks their source.
    """

    stream: str
    mapping: StreamMapping
    entity: EntitySpec
    external_id_fields: tuple[str, ...]
    conditions: tuple[Condition, ...]
    on_delete: str
    fields: tuple[CompiledField, ...]
    skipped: tuple[str, ...] = field(default=())

    @cached_property
    def required_fields(self) -> tuple[CompiledField, ...]:
        """The compiled fields that Akountify requires."""
        return tuple(f for f in self.fields if f.spec.required)

    def external_id(self, record: dict[str, Any]) -> str | None:
        """Return the record's external id, or None when a part of it is missing."""
        parts = [get_value(record, name) for name in self.external_id_fields]
        if any(p is None or p == "" for p in parts):
            return None
        return ":".join(str(p) for p in parts)

    def passes_filter(self, record: dict[str, Any]) -> bool:
        """Return True when the record meets every filter condition."""
        return all(condition.holds(record) for condition in self.conditions)


def _reader(source: FieldSource) -> Callable[[dict[str, Any]], Any]:
    if source.source is not None:
        name = source.source
        if "." not in name:
            return lambda record: record.get(name)  # what get_value does for a plain name
        return lambda record: get_value(record, name)
    if source.template is not None:
        parsed = list(string.Formatter().parse(source.template))

        def render(record: dict[str, Any]) -> str | None:
            out: list[str] = []
            found = False
            for literal, name, format_spec, _ in parsed:
                out.append(literal)
                if name:
                    value = get_value(record, name)
                    if value is not None:
                        found = True
                        out.append(format(value, format_spec or ""))
            return "".join(out) if found or not any(n for _, n, _, _ in parsed) else None

        return render
    constant = source.constant
    return lambda _record: constant


def _template_fields(template: str) -> list[str]:
    try:
        return [f for _, f, _, _ in string.Formatter().parse(template) if f]
    except ValueError:
        return []


def compile_stream(
    spec: MappingSpec,
    stream: str,
    *,
    schema: dict[str, Any],
    key_properties: list[str] | tuple[str, ...] | None,
    custom: dict[str, dict[str, FieldSpec]],
    on_delete_default: str = "archive",
) -> tuple[CompiledStream | None, list[Problem]]:
    """Check one stream mapping against the stream's SCHEMA and compile it.

    Args:
        spec: The whole mapping (already through :func:`check_spec`).
        stream: The stream name.
        schema: The stream's JSON Schema from its SCHEMA message.
        key_properties: The stream's key properties.
        custom: Known custom fields per entity.
        on_delete_default: The ``on_delete`` setting.

    Returns:
        The compiled stream (None when there are problems) and every problem found.
    """
    mapping = spec.streams[stream]
    entity = ENTITIES[mapping.entity]
    checker = _SchemaChecker(stream, schema)
    external_id_fields, problems = _external_id(mapping, stream, key_properties, checker)
    problems.extend(
        checker.unknown(f"{_where(stream)}.filter", condition.field, "filter field")
        for condition in mapping.filter
        if lookup(schema, condition.field) is None
    )
    fields, skipped, field_problems = _compile_fields(
        mapping, stream, entity, custom.get(entity.name, {}), checker
    )
    problems.extend(field_problems)
    if skipped:
        present = {f.path for f in fields}
        problems.extend(_check_required(stream, _only(mapping, present), entity, _indices(present)))
    if problems:
        return None, problems
    compiled = CompiledStream(
        stream=stream,
        mapping=mapping,
        entity=entity,
        external_id_fields=external_id_fields,
        conditions=tuple(mapping.filter),
        on_delete=mapping.on_delete or on_delete_default,
        fields=tuple(fields),
        skipped=tuple(skipped),
    )
    return compiled, []


@dataclass(frozen=True)
class _SchemaChecker:
    stream: str
    schema: dict[str, Any]

    def unknown(self, where: str, name: str, what: str) -> Problem:
        names = field_names(self.schema)
        return Problem(
            where,
            "unknown_field",
            f"{what} {name!r} is not in the SCHEMA of stream {self.stream!r}"
            + _suggest(name, names),
            f"select {self.stream}.{name} in the tap, or change the mapping to a field the "
            "stream has",
        )


def _external_id(
    mapping: StreamMapping,
    stream: str,
    key_properties: list[str] | tuple[str, ...] | None,
    checker: _SchemaChecker,
) -> tuple[tuple[str, ...], list[Problem]]:
    if mapping.external_id is not None:
        fields: tuple[str, ...] = (mapping.external_id,)
    elif key_properties:
        fields = tuple(key_properties)
    else:
        return (), [
            Problem(
                f"{_where(stream)}.external_id",
                "required",
                f"stream {stream!r} has no key property, so the target cannot tell its records "
                "apart",
                f"set {_where(stream)}.external_id to a field that identifies a record",
            )
        ]
    problems = [
        checker.unknown(f"{_where(stream)}.external_id", name, "external id field")
        for name in fields
        if lookup(checker.schema, name) is None
    ]
    return fields, problems


def _compile_fields(
    mapping: StreamMapping,
    stream: str,
    entity: EntitySpec,
    custom: dict[str, FieldSpec],
    checker: _SchemaChecker,
) -> tuple[list[CompiledField], list[str], list[Problem]]:
    fields: list[CompiledField] = []
    skipped: list[str] = []
    problems: list[Problem] = []
    for path, source in mapping.fields.items():
        target = resolve_field(entity, path, custom)
        if target is None:
            continue  # reported by check_spec
        where = _where(stream, path)
        missing = _missing_sources(checker.schema, source)
        if missing and source.if_present:
            skipped.append(path)
            continue
        if missing:
            problems.extend(checker.unknown(where, name, "source field") for name in missing)
            continue
        problems.extend(_check_kinds(where, target, source, checker.schema))
        transforms = []
        for call in source.transforms:
            try:
                transforms.append(bind(call))
            except TransformSpecError:
                continue  # reported by check_spec
        fields.append(CompiledField(target, source, _reader(source), tuple(transforms)))
    return fields, skipped, problems


def _only(mapping: StreamMapping, paths: set[str]) -> StreamMapping:
    return replace(mapping, fields={p: mapping.fields[p] for p in paths})


def _indices(paths: set[str]) -> set[int]:
    return {i for i in (line_index(p) for p in paths) if i is not None}


def _missing_sources(schema: dict[str, Any], source: FieldSource) -> list[str]:
    if source.source is not None:
        return [] if lookup(schema, source.source) is not None else [source.source]
    if source.template is not None:
        return [n for n in _template_fields(source.template) if lookup(schema, n) is None]
    return []


def _flow_kind(source_field: SourceField | None, source: FieldSource) -> tuple[str, list[str]]:
    """Return the kind reaching the Akountify field, and transform/kind problems on the way."""
    if source.template is not None:
        kind = "text"
    elif source.constant is not None or source_field is None:
        kind = "any"
    else:
        kind = source_field.kind
    issues: list[str] = []
    for call in source.transforms:
        try:
            bound = bind(call)
        except TransformSpecError:
            return "any", issues
        accepted = bound.transform.accepts
        if kind not in {"any", "object"} and kind not in accepted:
            issues.append(
                f"transform `{bound.transform.name}` takes {', '.join(sorted(accepted))} "
                f"but gets {kind}"
            )
        kind = bound.transform.returns
    if source.value_map is not None:
        kind = "any"
    return kind, issues


def _check_kinds(
    where: str, target: FieldSpec, source: FieldSource, schema: dict[str, Any]
) -> list[Problem]:
    source_field = lookup(schema, source.source) if source.source is not None else None
    kind, issues = _flow_kind(source_field, source)
    problems = [
        Problem(where, "invalid_format", issue, "reorder or remove the transform")
        for issue in issues
    ]
    if (
        target.kind == "enum"
        and source_field is not None
        and source_field.picklist_values
        and not source.transforms
        and source_field.kind != "multipicklist"
    ):
        problems.extend(_check_picklist(where, target, source, source_field))
    if kind == "any":
        return problems
    accepted = ACCEPTS[target.kind]
    if kind not in accepted:
        fix = _MISMATCH_FIXES.get(
            (target.kind, kind),
            f"map a field of kind {' or '.join(sorted(accepted))}, or add a transform",
        )
        problems.append(
            Problem(
                where,
                "invalid_format",
                f"{source.origin} holds {kind}, but `{target.path}` is a {target.kind} field",
                fix,
            )
        )
    return problems


def _check_picklist(
    where: str, target: FieldSpec, source: FieldSource, source_field: SourceField
) -> list[Problem]:
    value_map = source.value_map or {}
    if source.unmapped == "null":
        return []
    unmapped = [
        v
        for v in source_field.picklist_values
        if v not in value_map
        and (source.unmapped == "reject" or v not in target.enum_values)
        and not (source.value_map is None and v in target.enum_values)
    ]
    if not unmapped:
        return []
    shown = ", ".join(repr(v) for v in unmapped[:10]) + (" …" if len(unmapped) > 10 else "")  # noqa: PLR2004
    return [
        Problem(
            where,
            "invalid_value",
            f"picklist {source.origin} has values that `{target.path}` does not allow: {shown}",
            f"add them to the value_map of `{target.path}` (allowed: "
            f"{', '.join(target.enum_values)}), or set unmapped: null",
        )
    ]
