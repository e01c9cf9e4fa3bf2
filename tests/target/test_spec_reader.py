"""The light spec reader (no pydantic) agrees with the pydantic models that explain errors."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from target_akountify.mapping import spec as light
from target_akountify.mapping import spec_models, transform_params
from target_akountify.mapping.loader import MappingError, default_mapping, parse_spec
from target_akountify.mapping.spec import read_spec
from target_akountify.mapping.transforms import REGISTRY, read_params

FULL_STREAM: dict[str, Any] = {
    "entity": "customers",
    "external_id": "Id",
    "external_source": "crm",
    "filter": [{"field": "Kind", "in": ["A", "B"]}, {"field": "IsWon", "not_equals": False}],
    "on_delete": "ignore",
    "fields": {
        "display_name": {"source": "Name", "transforms": ["trim", {"truncate": 40}]},
        "phone": "Phone",
        "notes": {"template": "{A} {B}", "default": "none", "if_present": True},
        "status": {"constant": "active"},
        "tags": {"source": "T", "value_map": {"x": "y"}, "unmapped": "keep"},
        "currency": {"constant": {"nested": [1, 2]}},
    },
    "custom_fields": {
        "tier": {"type": "list", "options": ["gold", "silver"]},
        "score": {"type": "number"},
    },
}

#: Valid specs, each with its values in their final types: both readers build them.
VALID: list[Any] = [
    default_mapping(),
    {"streams": {"S": FULL_STREAM}},
    {"streams": {"S": {"entity": "x", "fields": {}, "filter": {"field": "F", "equals": 1}}}},
    {"streams": {"S": {"entity": "x", "fields": {}, "filter": [{"field": "F", "in_": [1]}]}}},
    {"streams": {}},
]

#: Specs the light reader refuses: pydantic either coerces them or explains the problem.
REFUSED: list[Any] = [
    None,
    [],
    {"streams": {"S": {"entity": "x"}}},
    {"streams": {"S": {"entity": "x", "fields": {}, "extra": 1}}},
    {"streams": {"S": {"entity": 3, "fields": {}}}},
    {"streams": {"S": {"entity": "x", "fields": {"a": {"source": "A", "constant": 1}}}}},
    {"streams": {"S": {"entity": "x", "fields": {"a": {}}}}},
    {"streams": {"S": {"entity": "x", "fields": {"a": {"source": "A", "if_present": "yes"}}}}},
    {"streams": {"S": {"entity": "x", "fields": {"a": {"source": "A", "unmapped": "drop"}}}}},
    {"streams": {"S": {"entity": "x", "fields": {"a": {"source": "A", "transforms": [3]}}}}},
    {"streams": {"S": {"entity": "x", "fields": {"a": {"source": "A", "value_map": {1: 2}}}}}},
    {"streams": {"S": {"entity": "x", "fields": {}, "on_delete": "drop"}}},
    {"streams": {"S": {"entity": "x", "fields": {}, "filter": [{"field": "F"}]}}},
    {"streams": {"S": {"entity": "x", "fields": {}, "filter": [{"field": "F", "in": 3}]}}},
    {"streams": {"S": {"entity": "x", "fields": {}, "custom_fields": {"c": {"type": "list"}}}}},
    {"streams": {"S": {"entity": "x", "fields": {}, "custom_fields": {"c": {"type": "blob"}}}}},
    {
        "streams": {
            "S": {
                "entity": "x",
                "fields": {},
                "custom_fields": {"c": {"type": "number", "options": ["a"]}},
            }
        }
    },
    {"streams": {"S": {"entity": "x", "fields": {}, "filter": None}}},
    {"streams": {"S": {"entity": "x", "fields": {}, "filter": ({"field": "F", "in": {1}},)}}},
]


def _pydantic(raw: Any) -> Any:
    """What the pydantic models make of ``raw``, rebuilt as the light spec (or the error)."""
    try:
        model = spec_models.MappingSpec.model_validate(raw)
    except Exception as exc:  # noqa: BLE001 - the error is the result compared
        return type(exc).__name__
    return read_spec(model.model_dump())


@pytest.mark.parametrize("raw", VALID)
def test_the_light_reader_builds_what_pydantic_builds(raw: Any) -> None:
    spec = read_spec(raw)
    assert spec is not None
    assert spec == _pydantic(raw)
    assert parse_spec(raw) == spec


@pytest.mark.parametrize("raw", REFUSED)
def test_the_light_reader_leaves_every_doubtful_spec_to_pydantic(raw: Any) -> None:
    assert read_spec(raw) is None
    expected = _pydantic(raw)
    if expected == "ValidationError":
        with pytest.raises(MappingError, match=r"mapping\.streams|mapping\.|The mapping has"):
            parse_spec(raw)
    else:  # pydantic coerced a value: the spec is the coerced one
        assert isinstance(expected, light.MappingSpec)
        assert parse_spec(raw) == expected


def test_coerced_values_come_back_in_their_final_types() -> None:
    raw = {"S": {"entity": "x", "fields": {"a": {"source": "A", "if_present": "yes"}}}}
    spec = parse_spec(raw)
    assert spec.streams["S"].fields["a"].if_present is True
    raw = {"S": {"entity": "x", "fields": {}, "filter": {"field": "F", "in": {1, 2}}}}
    assert parse_spec(raw).streams["S"].filter[0].in_ in {(1, 2), (2, 1)}


@pytest.mark.parametrize(
    ("light_class", "model"),
    [
        (light.FieldSource, spec_models.FieldSource),
        (light.Condition, spec_models.Condition),
        (light.CustomFieldDefinition, spec_models.CustomFieldDefinition),
        (light.StreamMapping, spec_models.StreamMapping),
        (light.MappingSpec, spec_models.MappingSpec),
    ],
)
def test_both_readers_know_the_same_keys(light_class: type, model: Any) -> None:
    assert {f.name for f in dataclasses.fields(light_class)} == set(model.model_fields)


PARAMS: list[tuple[str, dict[str, Any]]] = [
    ("trim", {}),
    ("case", {"to": "title"}),
    ("truncate", {"length": 40}),
    ("line", {}),
    ("line", {"number": 2}),
    ("date", {"timezone": "Europe/Paris"}),
    ("decimal", {"places": 2}),
    ("decimal", {"places": 0, "rounding": "half_even"}),
    ("split", {"separator": "|"}),
    ("join", {}),
]

BAD_OR_COERCED_PARAMS: list[tuple[str, dict[str, Any]]] = [
    ("trim", {"x": 1}),
    ("case", {"to": "shout"}),
    ("case", {}),
    ("truncate", {"length": 0}),
    ("truncate", {"length": "40"}),
    ("line", {"number": 3}),
    ("date", {"timezone": "Mars/Base"}),
    ("date", {"timezone": 5}),
    ("decimal", {"places": 11}),
    ("decimal", {"places": 2, "rounding": "up"}),
    ("split", {"separator": 1}),
]


@pytest.mark.parametrize(("name", "given"), PARAMS)
def test_valid_parameters_are_read_without_pydantic_as_pydantic_reads_them(
    name: str, given: dict[str, Any]
) -> None:
    kind = REGISTRY[name].params
    params = read_params(kind, given)
    assert params is not None
    assert params == transform_params.explain_params(name, kind, given)


@pytest.mark.parametrize(("name", "given"), BAD_OR_COERCED_PARAMS)
def test_doubtful_parameters_are_left_to_pydantic(name: str, given: dict[str, Any]) -> None:
    kind = REGISTRY[name].params
    assert read_params(kind, given) is None
    model = transform_params.MODELS[kind.__name__]
    assert {f.name for f in dataclasses.fields(kind)} == set(model.model_fields)
