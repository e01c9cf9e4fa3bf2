"""Load the Akountify OpenAPI document and validate values against its schemas."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml
from openapi_schema_validator import OAS31Validator, oas31_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "docs" / "akountify-openapi.yaml"
GUIDE_PATH = ROOT / "docs" / "akountify-api.md"
SPEC_URI = "urn:akountify-openapi"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@functools.cache
def load_spec() -> dict[str, Any]:
    """Return the parsed OpenAPI document (YAML anchors expanded)."""
    with SPEC_PATH.open(encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    if not isinstance(document, dict):
        msg = f"{SPEC_PATH} does not hold a mapping"
        raise TypeError(msg)
    return document


@functools.cache
def _registry() -> Registry[Any]:
    resource = Resource.from_contents(load_spec(), default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
    return registry


def resolve(node: Any) -> Any:
    """Follow ``$ref`` (local to the document) until a node without one is reached."""
    while isinstance(node, dict) and "$ref" in node:
        pointer = node["$ref"]
        if not pointer.startswith("#/"):
            msg = f"only local references are used in the document, not {pointer}"
            raise ValueError(msg)
        node = load_spec()
        for part in pointer[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def schema_errors(schema: dict[str, Any], instance: Any) -> list[str]:
    """Return the messages of every way ``instance`` breaks ``schema`` (a document schema)."""
    validator = OAS31Validator(
        _rebase(schema), registry=_registry(), format_checker=oas31_format_checker
    )
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
        for error in validator.iter_errors(instance)
    ]


def _rebase(schema: Any) -> Any:
    """Make every local ``$ref`` in ``schema`` absolute, pointing into the document."""
    if isinstance(schema, dict):
        return {
            key: (
                SPEC_URI + value
                if key == "$ref" and isinstance(value, str) and value.startswith("#/")
                else _rebase(value)
            )
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_rebase(item) for item in schema]
    return schema


def operations() -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """Return ``(path, method, path_item, operation)`` for every operation of the document."""
    return [
        (path, method, item, item[method])
        for path, item in load_spec()["paths"].items()
        for method in HTTP_METHODS
        if method in item
    ]


def is_emulator_only(operation: dict[str, Any]) -> bool:
    """Whether the operation is an emulator-only admin endpoint."""
    return bool(operation.get("x-emulator-only"))
