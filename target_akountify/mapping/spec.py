"""The mapping spec: how each stream's records become Akountify records.

The spec is plain data (YAML or JSON, inline in the target's config or in a file) read into
these frozen dataclasses by :func:`read_spec`, a strict reader that imports nothing heavy. It
accepts only specs whose every value already has its final type; for anything else it answers
None and the loader validates the spec with the pydantic models of ``spec_models.py``, which
explain every problem (or coerce the values, after which this reader builds the spec from
their normalized dump). A field of the spec is written either in full::

    billing_address.country: {source: BillingCountry, transforms: [trim, country_code]}

or as a bare source field name (``phone: Phone``). See ``docs/target-akountify.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: A transform call as written: ``"trim"``, ``{"decimal": {"places": 2}}`` or
#: ``{"truncate": 40}`` (a scalar is the transform's single parameter).
TransformCall = str | dict[str, Any]

UNMAPPED_CHOICES = ("reject", "keep", "null")
ON_DELETE_CHOICES = ("archive", "ignore")
CUSTOM_FIELD_TYPES = ("string", "number", "date", "boolean", "list")


@dataclass(frozen=True)
class FieldSource:
    """Where one Akountify field gets its value.

    Exactly one of ``source``, ``constant`` and ``template`` is given.

    Attributes:
        source: A source field name (``Name``; ``BillingAddress.city`` reaches into an
            object property).
        constant: A fixed value.
        template: A text with ``{Field}`` placeholders (``"{FirstName} {LastName}"``).
        transforms: Named transforms applied in order (see ``transforms.py``).
        value_map: Source value → Akountify value (applied after the transforms; to each item
            of a list).
        unmapped: What a value missing from ``value_map`` does: ``reject`` the record (default),
            ``keep`` it as is, or become ``null``.
        default: Used when the value ends up null or empty.
        if_present: Skip this field silently when the stream's SCHEMA lacks the source field
            (for optional fields such as ``CurrencyIsoCode``, present only in multi-currency
            Salesforce orgs).
    """

    source: str | None = None
    constant: Any = None
    template: str | None = None
    transforms: tuple[TransformCall, ...] = ()
    value_map: dict[str, Any] | None = None
    unmapped: str = "reject"
    default: Any = None
    if_present: bool = False

    @property
    def origin(self) -> str:
        """Return a short human description of where the value comes from."""
        if self.source is not None:
            return f"field `{self.source}`"
        if self.template is not None:
            return f"template `{self.template}`"
        return f"constant `{self.constant!r}`"


@dataclass(frozen=True)
class Condition:
    """One condition of a stream filter: a record passes when the condition holds.

    Attributes:
        field: The source field tested.
        equals: The field equals this value.
        not_equals: The field differs from this value.
        in_: The field is one of these values (``in`` in YAML).
    """

    field: str
    equals: Any = None
    not_equals: Any = None
    in_: tuple[Any, ...] | None = None

    def holds(self, record: dict[str, Any]) -> bool:
        """Return True when ``record`` satisfies this condition."""
        value = record.get(self.field)
        if self.in_ is not None:
            return value in self.in_
        if self.equals is not None:
            return bool(value == self.equals)
        return bool(value != self.not_equals)

    def describe(self) -> str:
        """Return the condition as readable text."""
        if self.in_ is not None:
            return f"{self.field} in {list(self.in_)!r}"
        if self.equals is not None:
            return f"{self.field} = {self.equals!r}"
        return f"{self.field} != {self.not_equals!r}"


@dataclass(frozen=True)
class CustomFieldDefinition:
    """A custom field the mapping writes, created in Akountify when missing (opt-in).

    Attributes:
        type: ``string``, ``number``, ``date``, ``boolean`` or ``list``.
        options: The allowed values of a ``list`` field.
    """

    type: str
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class StreamMapping:
    """How one stream maps onto one Akountify entity.

    Attributes:
        entity: ``customers``, ``contacts`` or ``invoices``.
        fields: Akountify field path → its source.
        external_id: The source field whose value is the record's external id (default: the
            stream's single key property).
        external_source: Written to ``external_source`` (e.g. ``salesforce``).
        filter: Conditions every record must meet to be written (others are skipped).
        on_delete: Overrides the ``on_delete`` setting for this stream.
        custom_fields: Custom field definitions this stream writes (created when missing and
            ``create_custom_fields`` is on).
    """

    entity: str
    fields: dict[str, FieldSource]
    external_id: str | None = None
    external_source: str | None = None
    filter: tuple[Condition, ...] = ()
    on_delete: str | None = None
    custom_fields: dict[str, CustomFieldDefinition] = field(default_factory=dict)


@dataclass(frozen=True)
class MappingSpec:
    """The whole mapping: stream name → how it maps.

    Attributes:
        streams: One entry per stream the target writes.
    """

    streams: dict[str, StreamMapping]


class _Refused(Exception):  # noqa: N818 - internal signal, never escapes this module
    """The light reader is not sure of a value: the pydantic models decide."""


def read_spec(raw: Any) -> MappingSpec | None:
    """Read a raw spec (``{"streams": {...}}``) whose values all have their final types.

    Args:
        raw: The spec as plain data.

    Returns:
        The spec, or None when anything is missing, unknown, of another type or invalid: the
        caller then validates ``raw`` with ``spec_models.MappingSpec``, which explains why.
    """
    try:
        top = _keys(raw, required={"streams"}, optional=set())
        streams = _str_dict(top["streams"])
        return MappingSpec({name: _stream(value) for name, value in streams.items()})
    except _Refused:
        return None


def _keys(raw: Any, *, required: set[str], optional: set[str]) -> dict[str, Any]:
    if type(raw) is not dict or not required <= raw.keys() or raw.keys() - required - optional:
        raise _Refused
    return raw


def _str_dict(raw: Any) -> dict[str, Any]:
    if type(raw) is not dict or any(type(key) is not str for key in raw):
        raise _Refused
    return raw


def _items(raw: Any) -> tuple[Any, ...]:
    if type(raw) not in {list, tuple}:
        raise _Refused
    return tuple(raw)


def _text(raw: Any, *, optional: bool = True) -> Any:
    if (raw is None and optional) or type(raw) is str:
        return raw
    raise _Refused


def _choice(raw: Any, choices: tuple[str, ...]) -> Any:
    if raw is None or (type(raw) is str and raw in choices):
        return raw
    raise _Refused


_STREAM_KEYS = {
    "external_id",
    "external_source",
    "filter",
    "on_delete",
    "custom_fields",
}


def _stream(raw: Any) -> StreamMapping:
    data = _keys(raw, required={"entity", "fields"}, optional=_STREAM_KEYS)
    conditions = data.get("filter", ())
    if type(conditions) is dict:
        conditions = [conditions]
    return StreamMapping(
        entity=_text(data["entity"], optional=False),
        fields={
            path: _field_source({"source": value} if type(value) is str else value)
            for path, value in _str_dict(data["fields"]).items()
        },
        external_id=_text(data.get("external_id")),
        external_source=_text(data.get("external_source")),
        filter=tuple(_condition(c) for c in _items(conditions)),
        on_delete=_choice(data.get("on_delete"), ON_DELETE_CHOICES),
        custom_fields={
            name: _custom_field(value)
            for name, value in _str_dict(data.get("custom_fields", {})).items()
        },
    )


_FIELD_KEYS = {
    "source",
    "constant",
    "template",
    "transforms",
    "value_map",
    "unmapped",
    "default",
    "if_present",
}


def _field_source(raw: Any) -> FieldSource:
    data = _keys(raw, required=set(), optional=_FIELD_KEYS)
    transforms = _items(data.get("transforms", ()))
    for call in transforms:
        if type(call) is not str:
            _str_dict(call)
    value_map = data.get("value_map")
    if_present = data.get("if_present", False)
    source = FieldSource(
        source=_text(data.get("source")),
        constant=data.get("constant"),
        template=_text(data.get("template")),
        transforms=transforms,
        value_map=None if value_map is None else dict(_str_dict(value_map)),
        unmapped=_choice(data.get("unmapped", "reject"), UNMAPPED_CHOICES) or "",
        default=data.get("default"),
        if_present=if_present,
    )
    origins = (source.source, source.constant, source.template)
    if type(if_present) is not bool or not source.unmapped or origins.count(None) != 2:  # noqa: PLR2004
        raise _Refused
    return source


def _condition(raw: Any) -> Condition:
    data = _keys(raw, required={"field"}, optional={"equals", "not_equals", "in", "in_"})
    if "in" in data and "in_" in data:
        raise _Refused
    listed = data.get("in", data.get("in_"))
    condition = Condition(
        field=_text(data["field"], optional=False),
        equals=data.get("equals"),
        not_equals=data.get("not_equals"),
        in_=None if listed is None else _items(listed),
    )
    tests = (condition.equals, condition.not_equals, condition.in_)
    if tests.count(None) != 2:  # noqa: PLR2004
        raise _Refused
    return condition


def _custom_field(raw: Any) -> CustomFieldDefinition:
    data = _keys(raw, required={"type"}, optional={"options"})
    options = _items(data.get("options", ()))
    kind = _choice(data["type"], CUSTOM_FIELD_TYPES)
    if (
        kind is None
        or any(type(o) is not str for o in options)
        or (kind == "list") != bool(options)
    ):
        raise _Refused
    return CustomFieldDefinition(kind, options)
