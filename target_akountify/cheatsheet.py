"""Print the mapping as a one-page Markdown cheat sheet: where each Akountify field comes from.

    target-akountify-cheatsheet --config config.json [--catalog catalog.json] > CHEATSHEET.md
    python -m target_akountify.cheatsheet --config config.json

For every mapped stream, each writable Akountify field is listed with its source and where
people must edit it: in the source system (Akountify edits are overwritten, kept or rejected,
per ``conflict_policy``) or in Akountify (the field is owned by Akountify and never synced).
With ``--catalog`` (a Singer catalog, e.g. ``tap-salesforce-lite --discover``), the mapping is
also checked against each stream's schema and every problem is printed with its fix.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from target_akountify.mapping.compile import (
    check_spec,
    compile_stream,
    declared_custom_fields,
    definition_specs,
)
from target_akountify.mapping.entities import ENTITIES, FieldSpec
from target_akountify.mapping.loader import MappingError, load_spec

if TYPE_CHECKING:
    from target_akountify.mapping.spec import FieldSource, MappingSpec, StreamMapping
    from target_akountify.problems import Problem

_POLICY_TEXT = {
    "source_wins": "edits made in Akountify are overwritten (and reported)",
    "destination_wins": "edits made in Akountify are kept (and reported)",
    "reject": "edits made in Akountify hold the record back for review",
}


def _describe_source(source: FieldSource) -> str:
    text = source.origin
    steps = [t if isinstance(t, str) else json.dumps(t) for t in source.transforms]
    if steps:
        text += f" → {', '.join(steps)}"
    if source.value_map:
        text += f" → value map ({len(source.value_map)} values)"
    if source.default is not None:
        text += f", default `{source.default!r}`"
    if source.if_present:
        text += " (when the stream has it)"
    return text


def _field_rows(
    mapping: StreamMapping, custom: dict[str, FieldSpec], system: str, policy: str
) -> list[str]:
    entity = ENTITIES[mapping.entity]
    specs: dict[str, FieldSpec] = {
        path.replace("*", "0"): spec for path, spec in entity.fields.items()
    }
    specs.update({f"custom_fields.{name}": spec for name, spec in custom.items()})
    rows = []
    for path, spec in specs.items():
        source = mapping.fields.get(path)
        if source is not None:
            where = f"**edit in {system}**; {_POLICY_TEXT[policy]}"
            origin = _describe_source(source)
        else:
            where = "owned by Akountify; never synced"
            origin = "—"
        required = " (required)" if spec.required else ""
        rows.append(f"| `{path}`{required} | {spec.description} | {origin} | {where} |")
    return rows


def render(spec: MappingSpec, config: dict[str, Any]) -> str:
    """Return the cheat sheet of a mapping as Markdown.

    Args:
        spec: The mapping.
        config: The target config (for ``conflict_policy`` and ``on_delete``).
    """
    policy = str(config.get("conflict_policy") or "source_wins")
    on_delete = str(config.get("on_delete") or "archive")
    declared, _ = declared_custom_fields(spec)
    lines = [
        "# Akountify field cheat sheet",
        "",
        f"Conflict policy: `{policy}`. Records deleted at the source are "
        + ("archived in Akountify." if on_delete == "archive" else "ignored.")
        + " Fields not listed as synced belong to Akountify: edit them there.",
    ]
    for stream, mapping in spec.streams.items():
        system = mapping.external_source or f"the source of `{stream}`"
        lines += [
            "",
            f"## {stream} → {mapping.entity}",
            "",
            f"External id: `{mapping.external_id or 'the stream key'}`"
            + (
                f" · only records where {' and '.join(c.describe() for c in mapping.filter)}"
                if mapping.filter
                else ""
            ),
            "",
            "| Akountify field | Meaning | Comes from | Where to edit |",
            "|---|---|---|---|",
            *_field_rows(
                mapping,
                definition_specs(declared.get(mapping.entity, {})),
                system,
                policy,
            ),
        ]
    return "\n".join(lines) + "\n"


def check_catalog(spec: MappingSpec, catalog: dict[str, Any], on_delete: str) -> list[Problem]:
    """Check the mapping against every stream of a Singer catalog; return every problem."""
    declared, problems = declared_custom_fields(spec)
    custom = {entity: definition_specs(d) for entity, d in declared.items()}
    problems.extend(check_spec(spec, custom))
    for entry in catalog.get("streams", []):
        stream = entry.get("tap_stream_id") or entry.get("stream")
        if stream not in spec.streams:
            continue
        _, found = compile_stream(
            spec,
            stream,
            schema=entry.get("schema", {}),
            key_properties=entry.get("key_properties") or [],
            custom=custom,
            on_delete_default=on_delete,
        )
        problems.extend(found)
    return problems


@click.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The target's config JSON (its `mapping` or `mapping_file`; default mapping if none).",
)
@click.option(
    "--catalog",
    "catalog_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A Singer catalog to check the mapping against (exit code 1 on problems).",
)
def main(config_path: Path | None, catalog_path: Path | None) -> None:
    """Print the mapping as a Markdown cheat sheet (and check it against a catalog)."""
    config: dict[str, Any] = json.loads(config_path.read_text()) if config_path else {}
    try:
        spec = load_spec(config.get("mapping"), config.get("mapping_file"))
    except MappingError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(render(spec, config), nl=False)
    if catalog_path is not None:
        catalog = json.loads(catalog_path.read_text())
        problems = check_catalog(spec, catalog, str(config.get("on_delete") or "archive"))
        if problems:
            click.echo(f"\n{len(problems)} problem(s) against the catalog:", err=True)
            for problem in problems:
                click.echo(f"  - {problem.describe()}", err=True)
            sys.exit(1)
        click.echo("\nThe mapping matches the catalog.", err=True)


if __name__ == "__main__":
    main()
