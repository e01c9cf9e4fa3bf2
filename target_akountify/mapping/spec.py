"""The mapping spec: how each stream's records become Akountify records.

The spec is plain data (YAML or JSON, inline in the target's config or in a file) parsed into
these pydantic models. A field of the spec is written either in full::

    billing_address.country: {source: BillingCountry, transforms: [trim, country_code]}

or as a bare source field name (``phone: Phone``). See ``docs/target-akountify.md``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: A transform call as written: ``"trim"``, ``{"decimal": {"places": 2}}`` or
#: ``{"truncate": 40}`` (a scalar is the transform's single parameter).
TransformCall = str | dict[str, Any]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSource(_Strict):
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
    unmapped: Literal["reject", "keep", "null"] = "reject"
    default: Any = None
    if_present: bool = False

    @model_validator(mode="after")
    def _one_origin(self) -> FieldSource:
        given = [
            name
            for name, value in (
                ("source", self.source),
                ("constant", self.constant),
                ("template", self.template),
            )
            if value is not None
        ]
        if len(given) != 1:
            msg = "give exactly one of 'source', 'constant' or 'template'" + (
                f" (found {', '.join(given)})" if given else ""
            )
            raise ValueError(msg)
        return self

    @property
    def origin(self) -> str:
        """Return a short human description of where the value comes from."""
        if self.source is not None:
            return f"field `{self.source}`"
        if self.template is not None:
            return f"template `{self.template}`"
        return f"constant `{self.constant!r}`"


class Condition(_Strict):
    """One condition of a stream filter: a record passes when the condition holds.

    Attributes:
        field: The source field tested.
        equals: The field equals this value.
        not_equals: The field differs from this value.
        in_: The field is one of these values (``in`` in YAML).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    field: str
    equals: Any = None
    not_equals: Any = None
    in_: tuple[Any, ...] | None = Field(default=None, alias="in")

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        tests = [
            t
            for t, v in (("equals", self.equals), ("not_equals", self.not_equals))
            if v is not None
        ]
        if self.in_ is not None:
            tests.append("in")
        if len(tests) != 1:
            raise ValueError("give exactly one of 'equals', 'not_equals' or 'in'")
        return self

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


class CustomFieldDefinition(_Strict):
    """A custom field the mapping writes, created in Akountify when missing (opt-in).

    Attributes:
        type: ``string``, ``number``, ``date``, ``boolean`` or ``list``.
        options: The allowed values of a ``list`` field.
    """

    type: Literal["string", "number", "date", "boolean", "list"]
    options: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _options_for_lists(self) -> CustomFieldDefinition:
        if self.type == "list" and not self.options:
            raise ValueError("a 'list' custom field needs 'options'")
        if self.type != "list" and self.options:
            raise ValueError("'options' are only for 'list' custom fields")
        return self


class StreamMapping(_Strict):
    """How one stream maps onto one Akountify entity.

    Attributes:
        entity: ``customers``, ``contacts`` or ``invoices``.
        external_id: The source field whose value is the record's external id (default: the
            stream's single key property).
        external_source: Written to ``external_source`` (e.g. ``salesforce``).
        filter: Conditions every record must meet to be written (others are skipped).
        on_delete: Overrides the ``on_delete`` setting for this stream.
        fields: Akountify field path → its source.
        custom_fields: Custom field definitions this stream writes (created when missing and
            ``create_custom_fields`` is on).
    """

    entity: str
    external_id: str | None = None
    external_source: str | None = None
    filter: tuple[Condition, ...] = ()
    on_delete: Literal["archive", "ignore"] | None = None
    fields: dict[str, FieldSource]
    custom_fields: dict[str, CustomFieldDefinition] = Field(default_factory=dict)

    @field_validator("fields", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        """Accept ``path: SourceField`` as short for ``path: {source: SourceField}``."""
        if isinstance(value, dict):
            return {k: {"source": v} if isinstance(v, str) else v for k, v in value.items()}
        return value

    @field_validator("filter", mode="before")
    @classmethod
    def _single_condition(cls, value: Any) -> Any:
        """Accept a single condition as well as a list of them."""
        if isinstance(value, dict):
            return [value]
        return value


class MappingSpec(_Strict):
    """The whole mapping: stream name → how it maps.

    Attributes:
        streams: One entry per stream the target writes.
    """

    streams: dict[str, StreamMapping]
