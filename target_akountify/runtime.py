"""Everything one run shares: settings, mapping, client, writer, rejected store and report.

Built when the first SCHEMA message arrives, i.e. before any record is read: the mapping is
checked (every problem listed at once), the credentials are tried, custom field definitions are
checked (and created when allowed). A bad configuration therefore stops the run before it
writes anything. At the end, :meth:`Runtime.finish` logs the report table, writes the JSON
report and posts the sync run.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import TYPE_CHECKING, Any

from target_akountify.client import AkountifyClient, AkountifyError, ClientOptions
from target_akountify.mapping.compile import (
    check_spec,
    compile_stream,
    declared_custom_fields,
    definition_specs,
)
from target_akountify.mapping.entities import ENTITIES, FieldSpec, custom_field_spec
from target_akountify.mapping.loader import MappingError, load_spec
from target_akountify.problems import Problem
from target_akountify.rejected import RejectedStore
from target_akountify.report import SyncReport, utc_now
from target_akountify.settings import Settings
from target_akountify.writer import Writer

if TYPE_CHECKING:
    from target_akountify.mapping.compile import CompiledStream
    from target_akountify.mapping.spec import CustomFieldDefinition, MappingSpec

LOGGER = logging.getLogger("target_akountify")


class Runtime:
    """The shared state of one run.

    Args:
        config: The target's (validated) config.
        client: A client to use instead of building one (tests).
    """

    def __init__(self, config: dict[str, Any], client: AkountifyClient | None = None) -> None:
        """Check the mapping, authenticate, and prepare custom fields; raise before any write."""
        self.settings = Settings.from_config(config)
        self.spec: MappingSpec = load_spec(self.settings.mapping, self.settings.mapping_file)
        declared, problems = declared_custom_fields(self.spec)
        offline = {entity: definition_specs(d) for entity, d in declared.items()}
        problems.extend(
            p
            for p in check_spec(self.spec, offline, self.settings.value_policy)
            if not (p.code == "unknown_field" and ".fields.custom_fields." in p.field)
        )
        if problems:
            raise MappingError("The mapping", problems)
        self.report = SyncReport(dry_run=self.settings.dry_run)
        self.client = client or AkountifyClient(
            self.settings.base_url,
            self.settings.client_id,
            self.settings.client_secret,
            self.settings.company_id,
            ClientOptions(
                timeout=self.settings.request_timeout_seconds,
                max_concurrency=self.settings.max_concurrency,
                max_retries=self.settings.max_retries,
                backoff_base=self.settings.backoff_base_seconds,
                backoff_max=self.settings.backoff_max_seconds,
            ),
        )
        LOGGER.info(
            "Writing to Akountify company %s at %s%s",
            self.client.company_id,
            self.settings.base_url,
            " (dry run: nothing will be written)" if self.settings.dry_run else "",
        )
        self.custom = self._prepare_custom_fields(declared)
        self.store = RejectedStore(
            self.settings.rejected_store_path, read_only=self.settings.dry_run
        )
        self.writer = Writer(self.client, self.settings, self.report, self.store)
        self._finished = False
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ custom fields

    def _prepare_custom_fields(
        self, declared: dict[str, dict[str, CustomFieldDefinition]]
    ) -> dict[str, dict[str, FieldSpec]]:
        if not any(declared.values()) and not self._uses_custom_fields():
            return {}
        existing: dict[str, dict[str, FieldSpec]] = {}
        for definition in self.client.custom_field_definitions():
            spec = custom_field_spec(
                str(definition["name"]),
                str(definition["type"]),
                tuple(definition.get("options") or ()),
            )
            existing.setdefault(str(definition["entity"]), {})[str(definition["name"])] = spec
        problems: list[Problem] = []
        for entity, definitions in declared.items():
            for name, wanted in definitions.items():
                have = existing.get(entity, {}).get(name)
                wanted_spec = custom_field_spec(name, wanted.type, tuple(wanted.options))
                if have is not None:
                    if (have.kind, have.enum_values) != (wanted_spec.kind, wanted_spec.enum_values):
                        problems.append(
                            Problem(
                                f"mapping custom field {entity}.{name}",
                                "invalid_value",
                                f"Akountify defines '{name}' for {entity} differently "
                                f"({have.description})",
                                "declare it as Akountify defines it, or change the definition "
                                "in Akountify",
                            )
                        )
                    continue
                problems.extend(self._create_definition(entity, name, wanted, existing))
        if problems:
            raise MappingError("The custom fields", problems)
        all_problems = check_spec(self.spec, existing, self.settings.value_policy)
        if all_problems:
            raise MappingError("The mapping", all_problems)
        return existing

    def _uses_custom_fields(self) -> bool:
        return any(
            path.startswith("custom_fields.")
            for mapping in self.spec.streams.values()
            for path in mapping.fields
        )

    def _create_definition(
        self,
        entity: str,
        name: str,
        wanted: CustomFieldDefinition,
        existing: dict[str, dict[str, FieldSpec]],
    ) -> list[Problem]:
        spec = custom_field_spec(name, wanted.type, tuple(wanted.options))
        if not self.settings.create_custom_fields:
            return [
                Problem(
                    f"mapping custom field {entity}.{name}",
                    "unknown_field",
                    f"custom field '{name}' is not defined in Akountify for {entity}",
                    "set create_custom_fields: true to let the target create it, or create it "
                    "in Akountify",
                )
            ]
        if self.settings.dry_run:
            LOGGER.info("Dry run: would create custom field %s.%s (%s)", entity, name, wanted.type)
        else:
            body: dict[str, Any] = {"entity": entity, "name": name, "type": wanted.type}
            if wanted.options:
                body["options"] = list(wanted.options)
            try:
                self.client.create_custom_field_definition(body)
            except AkountifyError as exc:
                return [
                    Problem(
                        f"mapping custom field {entity}.{name}",
                        exc.code,
                        f"Akountify refused to create it: {exc}",
                        "fix the declaration, or create the field in Akountify",
                    )
                ]
            LOGGER.info("Created custom field %s.%s (%s)", entity, name, wanted.type)
        self.report.custom_fields_created.append(f"{entity}.{name}")
        existing.setdefault(entity, {})[name] = spec
        return []

    # ------------------------------------------------------------------ streams

    def compile(
        self, stream: str, schema: dict[str, Any], key_properties: list[str] | None
    ) -> CompiledStream | None:
        """Compile a stream's mapping against its SCHEMA.

        Returns:
            The compiled mapping, or None for an unmapped stream when ``unmapped_streams`` is
            ``skip``.

        Raises:
            MappingError: Every problem of the stream (or: unmapped and ``fail``).
        """
        if stream not in self.spec.streams:
            if self.settings.unmapped_streams == "skip":
                LOGGER.warning(
                    "Stream %r is not in the mapping: its records are skipped "
                    "(unmapped_streams: skip)",
                    stream,
                )
                return None
            raise MappingError(
                f"Stream {stream!r}",
                [
                    Problem(
                        f"mapping.streams.{stream}",
                        "unknown_field",
                        f"the tap sends stream {stream!r} but the mapping does not map it "
                        f"(it maps {', '.join(self.spec.streams) or 'nothing'})",
                        "add it to the mapping, deselect it in the tap, or set "
                        "unmapped_streams: skip",
                    )
                ],
            )
        compiled, problems = compile_stream(
            self.spec,
            stream,
            schema=schema,
            key_properties=key_properties,
            custom=self.custom,
            on_delete_default=self.settings.on_delete,
        )
        if problems or compiled is None:
            raise MappingError(f"The mapping of stream {stream!r}", problems)
        if compiled.skipped:
            LOGGER.info(
                "Stream %r lacks the source of optional field(s) %s: left out",
                stream,
                ", ".join(compiled.skipped),
            )
        self.report.ensure(stream, compiled.entity.name)
        return compiled

    @staticmethod
    def parents_of(entity: str) -> tuple[str, ...]:
        """Return the entities written before ``entity`` (the ones it references)."""
        spec = ENTITIES.get(entity)
        return spec.parents() if spec is not None else ()

    # ------------------------------------------------------------------ end of run

    def finish(self, *, failed: bool = False, error: str | None = None) -> None:
        """Log the report, write it as JSON and post the sync run (once per run)."""
        with self._lock:
            if self._finished:
                return
            self._finished = True
        finished_at = utc_now()
        self.report.api_calls.update(self.client.calls)
        LOGGER.info(
            "Sync report%s:\n%s",
            " (dry run: what would happen)" if self.settings.dry_run else "",
            self.report.table(),
        )
        rejected = self.report.total("rejected")
        if rejected:
            LOGGER.warning(
                "%d record(s) rejected; they are kept in %s with the reason and the fix, and "
                "retried on the next run",
                rejected,
                self.settings.rejected_store_path,
            )
        document = self.report.to_json(finished_at=finished_at, failed=failed, error=error)
        self._write_report(document)
        if self.settings.post_sync_run and not self.settings.dry_run:
            self._post_sync_run(finished_at, failed=failed)
        self.writer.close()
        self.client.close()

    def _write_report(self, document: dict[str, Any]) -> None:
        path = self.settings.report_path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
        except OSError as exc:
            LOGGER.warning("Could not write the sync report to %s: %s", path, exc.strerror)
        else:
            LOGGER.info("Sync report written to %s", path)

    def _post_sync_run(self, finished_at: str, *, failed: bool) -> None:
        body = self.report.sync_run_body(
            source=self.settings.sync_source, finished_at=finished_at, failed=failed
        )
        try:
            run = self.client.post_sync_run(body)
        except Exception as exc:  # noqa: BLE001 - the report must not fail the run it reports
            LOGGER.warning("Could not post the sync run to Akountify: %s", exc)
        else:
            LOGGER.info("Sync run %s posted to Akountify", run.get("id"))
