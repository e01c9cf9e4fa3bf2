"""target-akountify: the Singer target class."""

from __future__ import annotations

import sys
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from singer_sdk import Target
from singer_sdk.contrib.msgspec import MsgSpecReader

from target_akountify.runtime import Runtime
from target_akountify.settings import CONFIG_SCHEMA
from target_akountify.sinks import AkountifySink

if sys.version_info >= (3, 12):
    from typing import override
else:
    from typing_extensions import override

if TYPE_CHECKING:
    from collections.abc import Callable

    from singer_sdk.sinks import Sink

#: Drains written in the background at most, plus the one being mapped.
MAX_QUEUED_DRAINS = 1


class TargetAkountify(Target):
    """Writes any tap's streams to Akountify customers, contacts and invoices."""

    name = "target-akountify"
    package_name = "salesforce-akountify"
    config_jsonschema = CONFIG_SCHEMA
    default_sink_class = AkountifySink
    message_reader_class = MsgSpecReader

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Drain one stream at a time (parents first); the run's state is built lazily."""
        super().__init__(*args, **kwargs)
        self.max_parallelism = 1
        interval = self.config.get("state_interval_minutes")
        if interval is not None:
            self._MAX_RECORD_AGE_IN_MINUTES = float(interval)
        self._runtime: Runtime | None = None
        self._sinks: list[AkountifySink] = []
        self._drain_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drain")
        self._drains: deque[Future[None]] = deque()

    def submit_drain(self, write: Callable[[], None]) -> None:
        """Run a drain's write in the background, after the drains queued before it.

        At most one drain waits behind the one being written, so memory stays bounded; a
        failed drain stops the run at the next submission or STATE.
        """
        while len(self._drains) >= MAX_QUEUED_DRAINS:
            self._drains.popleft().result()
        self._drains.append(self._drain_worker.submit(write))

    def wait_for_drains(self) -> None:
        """Wait until every queued drain is written (re-raising the first failure)."""
        while self._drains:
            self._drains.popleft().result()

    @property
    def runtime(self) -> Runtime:
        """The run's shared state, built (and the configuration checked) on first use."""
        if self._runtime is None:
            self._runtime = Runtime(dict(self.config))
        return self._runtime

    def register_sink(self, sink: AkountifySink) -> None:
        """Remember a sink so that its parents can be drained before it."""
        self._sinks.append(sink)

    def drain_parents(self, sink: AkountifySink) -> None:
        """Drain every sink whose entity ``sink``'s entity references (customers first)."""
        entity = sink.entity
        if entity is None:
            return
        parents = Runtime.parents_of(entity)
        for other in self._sinks:
            if other is not sink and other.entity in parents and other.current_size:
                self.drain_one(other)  # queued before the child's write: written first

    @override
    def process_endofpipe(self) -> None:
        """Drain everything (STATE follows), retry leftovers, then report."""
        runtime = self.runtime if (self._sinks or self._pending_stored_streams()) else None
        if runtime is not None:
            self._add_sinks_for_stored_streams()
        super().process_endofpipe()
        self.wait_for_drains()
        if runtime is None:
            return
        for sink in self._sinks:
            sink.flush_retries()
        self.wait_for_drains()
        self._drain_worker.shutdown(wait=True)
        runtime.finish()

    def _pending_stored_streams(self) -> list[str]:
        if self._runtime is None:
            return []
        seen = {sink.stream_name for sink in self._sinks}
        return [s for s in self._runtime.store.streams_on_disk() if s not in seen]

    def _add_sinks_for_stored_streams(self) -> None:
        """Streams absent from this run still get their rejected records retried."""
        for stream in self._pending_stored_streams():
            if stream not in self.runtime.spec.streams:
                continue
            stored = self.runtime.store.stored_schema(stream)
            if stored is None:
                self.logger.warning(
                    "Rejected records of stream %r wait in the store but its SCHEMA is unknown; "
                    "they are retried when the stream is synced again",
                    stream,
                )
                continue
            schema, key_properties = stored
            self.add_sink(stream, schema, key_properties)

    @override
    def get_sink_class(self, stream_name: str) -> type[Sink]:
        """Every stream uses the Akountify sink (its mapping says which entity)."""
        _ = self.runtime  # check the configuration before the first record is read
        return self.default_sink_class

    @override
    def _write_state_message(self, state: dict) -> None:
        """Emit STATE once every drain before it is written; never in a dry run."""
        self.wait_for_drains()
        if self._runtime is not None and self._runtime.settings.dry_run:
            self.logger.info("Dry run: STATE not emitted")
            return
        super()._write_state_message(state)


if __name__ == "__main__":
    TargetAkountify.cli()
