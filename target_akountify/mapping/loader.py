"""Load the mapping spec from the config (inline), a YAML file, or the shipped default.

The shipped default is written (and documented, with comments) in ``default_mapping.yaml``;
the target reads its JSON twin ``default_mapping.json`` so that a run on the default mapping
never imports a YAML parser (PyYAML's import and pure-Python parse cost about 60 ms of
start-up). A unit test keeps the twin equal to the YAML; after editing the YAML, rewrite it
with :func:`write_default_mapping_json`.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from singer_sdk.exceptions import ConfigValidationError

from target_akountify.mapping.spec import read_spec
from target_akountify.problems import Problem

if TYPE_CHECKING:
    from collections.abc import Iterable

    from target_akountify.mapping.spec import MappingSpec

DEFAULT_MAPPING_RESOURCE = "default_mapping.yaml"
DEFAULT_MAPPING_JSON = "default_mapping.json"


class MappingError(ConfigValidationError):
    """The mapping is wrong; ``problems`` lists every problem with its place and fix."""

    def __init__(self, title: str, problems: Iterable[Problem]) -> None:
        """Build one message that lists every problem.

        Args:
            title: What was being checked ("The mapping", "Stream Account").
            problems: Every problem found.
        """
        self.problems = list(problems)
        lines = [f"{title} has {len(self.problems)} problem(s); nothing was written:"]
        lines.extend(f"  - {p.field}: {p.message}. Fix: {p.fix}" for p in self.problems)
        super().__init__("\n".join(lines), errors=[p.describe() for p in self.problems])


def default_mapping_text() -> str:
    """Return the YAML text of the shipped default mapping."""
    package = resources.files("target_akountify.mapping")
    return (package / DEFAULT_MAPPING_RESOURCE).read_text(encoding="utf-8")


def default_mapping() -> Any:
    """Return the shipped default mapping as plain data (read from its JSON twin)."""
    package = resources.files("target_akountify.mapping")
    return json.loads((package / DEFAULT_MAPPING_JSON).read_text(encoding="utf-8"))


def default_mapping_json(yaml_text: str) -> str:
    """Return the JSON twin of the default mapping's YAML text (what the twin file must hold)."""
    return json.dumps(_parse_yaml(yaml_text, "the default mapping"), indent=1) + "\n"


def write_default_mapping_json() -> Path:
    """Rewrite ``default_mapping.json`` from ``default_mapping.yaml`` (after editing the YAML).

    Returns:
        The path written.
    """
    path = Path(__file__).with_name(DEFAULT_MAPPING_JSON)
    path.write_text(default_mapping_json(default_mapping_text()), encoding="utf-8")
    return path


def load_spec(mapping: Any = None, mapping_file: str | None = None) -> MappingSpec:
    """Return the mapping spec from the settings.

    Args:
        mapping: The ``mapping`` setting: an object, or YAML/JSON text (None when unset).
        mapping_file: The ``mapping_file`` setting: a path to a YAML or JSON file.

    Returns:
        The parsed spec (not yet checked against Akountify's fields or any SCHEMA).

    Raises:
        MappingError: Both settings given, an unreadable file, bad YAML or a spec that does
            not have the expected shape (every shape problem is listed).
    """
    if mapping is not None and mapping_file:
        raise MappingError(
            "The configuration",
            [
                Problem(
                    "mapping",
                    "invalid_value",
                    "both `mapping` and `mapping_file` are set",
                    "keep only one of them",
                )
            ],
        )
    if mapping_file:
        path = Path(mapping_file).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise MappingError(
                "The configuration",
                [
                    Problem(
                        "mapping_file",
                        "invalid_value",
                        f"cannot read {path}: {exc.strerror}",
                        "point mapping_file to a readable YAML file",
                    )
                ],
            ) from exc
        raw = _parse_yaml(text, str(path))
    elif mapping is None:
        raw = default_mapping()
    elif isinstance(mapping, str):
        raw = _parse_yaml(mapping, "the `mapping` setting")
    else:
        raw = mapping
    return parse_spec(raw)


def _parse_yaml(text: str, where: str) -> Any:
    import yaml  # noqa: PLC0415 - deferred: a run on the default mapping needs no YAML parser

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise MappingError(
            "The configuration",
            [
                Problem(
                    "mapping",
                    "invalid_format",
                    f"{where} is not valid YAML{at}",
                    "fix the YAML syntax (indentation, colons, quotes)",
                )
            ],
        ) from exc


def parse_spec(raw: Any) -> MappingSpec:
    """Validate the shape of a raw mapping object.

    A spec whose values all have their final types is read without pydantic (see ``spec.py``);
    any other is validated by the pydantic models, which name every problem.

    Raises:
        MappingError: Listing every shape problem with its location in the spec.
    """
    if isinstance(raw, dict) and "streams" not in raw and raw:
        raw = {"streams": raw}
    spec = read_spec(raw)
    if spec is None:
        spec = _read_with_pydantic(raw)
    return spec


def _read_with_pydantic(raw: Any) -> MappingSpec:
    # deferred: pydantic's import costs about 0.1 s, paid only for a spec the light reader refuses
    from pydantic import ValidationError  # noqa: PLC0415

    from target_akountify.mapping import spec_models  # noqa: PLC0415

    try:
        model = spec_models.MappingSpec.model_validate(raw)
    except ValidationError as exc:
        problems = [
            Problem(
                "mapping." + ".".join(str(part) for part in error["loc"]),
                "invalid_value",
                error["msg"],
                _fix_for(error["type"]),
            )
            for error in exc.errors()
        ]
        raise MappingError("The mapping", problems) from exc
    spec = read_spec(model.model_dump())
    if spec is None:  # the two readers disagree: a bug, not the user's mistake
        msg = f"the mapping reader refused what pydantic accepted: {model!r}"
        raise RuntimeError(msg)
    return spec


def _fix_for(error_type: str) -> str:
    if error_type == "extra_forbidden":
        return "remove or rename this key (see docs/target-akountify.md for the keys allowed)"
    if error_type == "missing":
        return "add this key"
    if error_type in {"literal_error", "enum"}:
        return "use one of the values named"
    return "correct the value as described"
