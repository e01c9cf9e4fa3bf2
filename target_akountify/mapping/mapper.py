"""Turn one source record into one Akountify record (or the problems that prevent it).

The output is *flat*: Akountify field path → canonical value, the same form the planner reads
back from Akountify to compare. :func:`nest` builds the JSON body of a write from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from target_akountify.mapping.entities import CUSTOM_FIELDS_PREFIX, line_index
from target_akountify.mapping.transforms import TransformError
from target_akountify.mapping.values import ValuePolicy, finalize
from target_akountify.problems import Problem

if TYPE_CHECKING:
    from target_akountify.mapping.compile import CompiledStream

#: What a source record asks for: write it, archive its Akountify twin, or nothing.
Intent = Literal["upsert", "archive", "skip"]


@dataclass(slots=True)
class MappedRecord:
    """A source record mapped onto an Akountify entity.

    Attributes:
        stream: The source stream.
        entity: The Akountify entity.
        external_id: The record's external id (None when the record has none: a problem).
        intent: ``upsert``, ``archive`` (deleted at the source) or ``skip`` (filtered out, or a
            deletion that ``on_delete: ignore`` ignores).
        values: Akountify field path → canonical value (only mapped fields).
        problems: Why the record cannot be written (empty when it can).
        warnings: What was changed on the way (truncation, replaced characters).
        record: The source record as received (kept for the rejected store).
        skip_reason: Why an intent is ``skip``.
    """

    stream: str
    entity: str
    external_id: str | None
    intent: Intent
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    record: dict[str, Any] = field(default_factory=dict)
    skip_reason: str | None = None

    @property
    def ok(self) -> bool:
        """True when the record can be written."""
        return not self.problems


def is_deleted(record: dict[str, Any]) -> bool:
    """Return True when a record says it was deleted at the source.

    Recognises the Singer convention ``_sdc_deleted_at`` (any non-empty value) and Salesforce's
    ``IsDeleted: true``.
    """
    return bool(record.get("_sdc_deleted_at")) or record.get("IsDeleted") is True


def map_record(
    compiled: CompiledStream, record: dict[str, Any], policy: ValuePolicy
) -> MappedRecord:
    """Map one source record.

    Args:
        compiled: The stream's compiled mapping.
        record: The source record.
        policy: What to do with values that do not fit.

    Returns:
        The mapped record; check ``problems`` before writing it.
    """
    external_id = compiled.external_id(record)
    result = MappedRecord(
        stream=compiled.stream,
        entity=compiled.entity.name,
        external_id=external_id,
        intent="upsert",
        record=record,
    )
    if external_id is None:
        names = ", ".join(compiled.external_id_fields) or "(none)"
        result.problems.append(
            Problem(
                "external_id",
                "required",
                f"the record has no value in {names}, its external id",
                "fill the field at the source, or map external_id to a field that is always set",
            )
        )
        return result
    if is_deleted(record):
        result.intent = "archive" if compiled.on_delete == "archive" else "skip"
        result.skip_reason = None if result.intent == "archive" else "deleted (on_delete: ignore)"
        return result
    if not compiled.passes_filter(record):
        result.intent = "skip"
        result.skip_reason = "filtered out by " + " and ".join(
            c.describe() for c in compiled.conditions
        )
        return result
    values, warnings, problems = result.values, result.warnings, result.problems
    for compiled_field in compiled.fields:
        try:
            raw = compiled_field.raw_value(record)
        except TransformError as exc:
            origin = compiled_field.origin
            result.problems.append(
                Problem(
                    compiled_field.path,
                    "invalid_value",
                    f"{origin}: {exc}",
                    exc.fix
                    or f"correct the value at the source, or adjust the mapping of "
                    f"`{compiled_field.path}`",
                )
            )
            continue
        final = finalize(compiled_field.spec, raw, policy, compiled_field.origin)
        if final.warnings:
            warnings.extend(final.warnings)
        if final.problem is not None:
            problems.append(final.problem)
        else:
            values[compiled_field.spec.path] = final.value
    failed = {p.field for p in result.problems}
    result.problems.extend(_required_problems(compiled, result.values, failed))
    return result


def _required_problems(
    compiled: CompiledStream, values: dict[str, Any], failed: set[str]
) -> list[Problem]:
    problems: list[Problem] = []
    for compiled_field in compiled.required_fields:
        path = compiled_field.path
        if path not in failed and values.get(path) in (None, ""):
            problems.append(
                Problem(
                    path,
                    "required",
                    f"`{path}` is required but {compiled_field.source.origin} is empty",
                    f"fill {compiled_field.source.origin} at the source, or give the mapping a "
                    "default",
                )
            )
    for group in compiled.entity.one_of_required:
        by_path = {f.path: f for f in compiled.fields if f.path in group and f.path not in failed}
        mapped = [p for p in group if p in by_path]
        if mapped and all(values.get(p) in (None, "") for p in mapped):
            names = " or ".join(f"`{p}`" for p in group)
            origins = ", ".join(by_path[p].source.origin for p in mapped)
            problems.append(
                Problem(
                    "/".join(group),
                    "required",
                    f"{names} is required but {origins} are all empty",
                    "fill one of them at the source",
                )
            )
    return problems


#: How a flat path sits in an Akountify record: kind and the keys to follow.
_Route = tuple[Literal["line", "custom", "nested", "top"], Any, str]


@lru_cache(maxsize=4096)  # paths come from the mapping: a handful per entity
def _route(path: str) -> _Route:
    index = line_index(path)
    if index is not None:
        return "line", index, path.rsplit(".", 1)[1]
    if path.startswith(CUSTOM_FIELDS_PREFIX):
        return "custom", "custom_fields", path.removeprefix(CUSTOM_FIELDS_PREFIX)
    if "." in path:
        head, leaf = path.split(".", 1)
        return "nested", head, leaf
    return "top", path, path


def nest(values: dict[str, Any], references: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Build an Akountify JSON body from flat field values.

    ``billing_address.city`` becomes an address object, ``lines.0.quantity`` a line of the
    ``lines`` array, ``custom_fields.x`` an entry of ``custom_fields``, and a reference an
    ``{"external_id": …}`` object.

    Args:
        values: Flat values (from :func:`map_record` or the planner).
        references: The paths that are references (their value is an external id).

    Returns:
        The nested ``data`` object of a write.
    """
    data: dict[str, Any] = {}
    lines: dict[int, dict[str, Any]] = {}
    for path, value in values.items():
        kind, key, leaf = _route(path)
        if kind == "top":
            data[path] = (
                {"external_id": value} if path in references and value is not None else value
            )
        elif kind == "line":
            lines.setdefault(key, {})[leaf] = value
        else:  # custom_fields.x, billing_address.city
            data.setdefault(key, {})[leaf] = value
    if lines:
        data["lines"] = [lines[i] for i in sorted(lines)]
    return data


def read_flat(record: dict[str, Any], path: str) -> Any:
    """Read one flat path from an Akountify record (the inverse of :func:`nest`)."""
    kind, key, leaf = _route(path)
    if kind == "top":
        return record.get(path)
    if kind == "line":
        lines = record.get("lines") or []
        if key >= len(lines) or not isinstance(lines[key], dict):
            return None
        return lines[key].get(leaf)
    inner = record.get(key)
    return inner.get(leaf) if isinstance(inner, dict) else None
