"""tap-salesforce-lite: the Tap class, its settings, discovery and parents-first stream order."""

from __future__ import annotations

import logging
import sys
from functools import cached_property
from typing import TYPE_CHECKING, Any

from singer_sdk import Tap
from singer_sdk.plugin_base import SingerCommand

from tap_salesforce_lite.catalog import build_catalog, read_catalog
from tap_salesforce_lite.describe import discover
from tap_salesforce_lite.errors import TapSalesforceError
from tap_salesforce_lite.ordering import parents_first
from tap_salesforce_lite.runtime import SyncRuntime
from tap_salesforce_lite.schema import object_from_schema
from tap_salesforce_lite.settings import CONFIG_SCHEMA, TapSettings, load_settings
from tap_salesforce_lite.streams import SalesforceStream
from tap_salesforce_lite.writer import SingerWriter

if TYPE_CHECKING:
    import click
    from singer_sdk import Stream
    from singer_sdk.singerlib import Catalog


class TapSalesforceLite(Tap):
    """Singer tap for Salesforce: REST and Bulk API 2.0, incremental on SystemModstamp."""

    name = "tap-salesforce-lite"
    package_name = "salesforce-akountify"
    config_jsonschema = CONFIG_SCHEMA
    message_writer_class = SingerWriter
    dynamic_catalog = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Create the tap; with ``validate_config`` the settings are checked at once.

        A catalog given as a dict (as the command line gives it) is read keeping its
        ``x-salesforce`` keywords (see :mod:`tap_salesforce_lite.catalog`).
        """
        raw_catalog = kwargs.get("catalog")
        self._raw_catalog = raw_catalog if isinstance(raw_catalog, dict) else None
        self._full_input_catalog: Catalog | None = None
        self._ordered_streams: dict[str, Stream] | None = None
        self._built_catalog: Catalog | None = None
        super().__init__(*args, **kwargs)
        if kwargs.get("validate_config", True):
            _ = self.settings

    @cached_property
    def settings(self) -> TapSettings:
        """The validated settings."""
        return load_settings(self.config)

    @cached_property
    def runtime(self) -> SyncRuntime:
        """What the streams of this run share (the API client logs in on first use)."""
        return SyncRuntime(self.settings)

    @property
    def input_catalog(self) -> Catalog | None:
        """The catalog passed to the tap, with its ``x-salesforce`` keywords."""
        if self._raw_catalog is not None:
            if self._full_input_catalog is None:
                self._full_input_catalog = read_catalog(self._raw_catalog)
            return self._full_input_catalog
        return super().input_catalog

    @property
    def catalog(self) -> Catalog:
        """The working catalog: the input catalog, or the discovered one."""
        if self._built_catalog is None:
            self._built_catalog = self.input_catalog or build_catalog(self.streams.values())
        return self._built_catalog

    @property
    def catalog_dict(self) -> dict[str, Any]:
        """The discovered catalog as JSON (``x-salesforce`` kept)."""
        return build_catalog(self.streams.values()).to_dict()

    def discover_streams(self) -> list[Stream]:
        """Streams from the input catalog when given (no API call), else from describe."""
        runtime = self.runtime
        if self.input_catalog is not None:
            return [
                SalesforceStream(
                    self,
                    object_from_schema(entry.tap_stream_id, entry.schema.to_dict()),
                    runtime,
                    schema=entry.schema.to_dict(),
                )
                for entry in self.input_catalog.streams
            ]
        settings = self.settings
        objects = discover(runtime.client, settings.objects, everything=settings.all_objects)
        return [SalesforceStream(self, obj, runtime) for obj in objects]

    @property
    def streams(self) -> dict[str, Stream]:
        """The streams, parents first (Account before Contact and Opportunity)."""
        if self._ordered_streams is None:
            streams = super().streams
            configured = [name.lower() for name in self.settings.objects]
            preference = sorted(
                streams,
                key=lambda n: (
                    configured.index(n.lower()) if n.lower() in configured else 10**6,
                    n,
                ),
            )
            references = {
                name: {
                    target for field in stream.object_info.fields for target in field.reference_to
                }
                for name, stream in streams.items()
                if isinstance(stream, SalesforceStream)
            }
            order = parents_first(preference, references)
            self._ordered_streams = {name: streams[name] for name in order}
        return self._ordered_streams

    @classmethod
    def get_singer_command(cls) -> click.Command:
        """The SDK's command, printing the tap's errors as one line without a traceback."""
        command = super().get_singer_command()
        return OneLineErrorCommand(
            name=command.name,
            callback=command.callback,
            params=command.params,
            help=command.help,
            context_settings=command.context_settings,
            logger=cls.logger,
        )


class OneLineErrorCommand(SingerCommand):
    """Prints :class:`TapSalesforceError` messages as one log line and exits with status 1."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the command; a tap error ends it with its one-line message."""
        try:
            return super().main(*args, **kwargs)
        except TapSalesforceError as exc:
            logging.getLogger(TapSalesforceLite.name).error("%s", exc)  # noqa: TRY400
            sys.exit(1)

    def invoke(self, ctx: click.Context) -> Any:
        """Invoke the command; a tap error ends it with its one-line message."""
        try:
            return super().invoke(ctx)
        except TapSalesforceError as exc:
            self.logger.error("%s", exc)  # noqa: TRY400
            ctx.exit(1)
