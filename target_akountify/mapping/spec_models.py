"""The mapping spec's shape as pydantic models: the reference that explains a refused spec.

A run reads its spec with the light reader of ``spec.py`` (no pydantic import: about 0.1 s
of start-up). Only when that reader refuses a spec, or is unsure of it, is the spec validated
by these models: they list every shape problem with pydantic's messages and locations, and a
spec they accept (pydantic coerced a value, e.g. ``if_present: "yes"``) is rebuilt by the light
reader from their normalized dump. ``tests/target/test_spec_reader.py`` keeps both in step.

A field of the spec is written either in full::

    billing_address.country: {source: BillingCountry, transforms: [trim, country_code]}

or as a bare source field name (``phone: Phone``). See ``docs/target-akountify.md``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from target_akountify.mapping.spec import TransformCall  # noqa: TC001 - pydantic reads it


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSource(_Strict):
    """The pydantic twin of ``spec.FieldSource`` (documented there)."""

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


class Condition(_Strict):
    """The pydantic twin of ``spec.Condition`` (documented there)."""

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


class CustomFieldDefinition(_Strict):
    """The pydantic twin of ``spec.CustomFieldDefinition`` (documented there)."""

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
    """The pydantic twin of ``spec.StreamMapping`` (documented there)."""

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
    """The pydantic twin of ``spec.MappingSpec`` (documented there)."""

    streams: dict[str, StreamMapping]
