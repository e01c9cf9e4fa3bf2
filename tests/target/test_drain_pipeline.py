"""Drains overlap: a drain's first reads go out while the drain before it is being written.

A read sent early must never see a record that an earlier drain is still writing: such a drain
reserves its external ids, and a later drain holding one of them reads only when its turn comes.
"""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from target_akountify import sinks
from target_akountify.mapping.compile import compile_stream
from target_akountify.mapping.loader import load_spec
from target_akountify.mapping.mapper import map_record
from target_akountify.mapping.values import ValuePolicy
from target_akountify.rejected import RejectedStore
from target_akountify.report import SyncReport
from target_akountify.settings import Settings
from target_akountify.writer import READ_CHUNK, WorkItem, Writer

from .conftest import run_target
from .schemas import ACCOUNT_SCHEMA
from .test_behaviours import accounts_only
from .test_sync import account

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

    from target_akountify.mapping.compile import CompiledStream

    from .conftest import Api

Config = dict[str, Any]


class RecordingClient:
    """Answers reads by external id with nothing, and remembers which ids were read."""

    def __init__(self) -> None:
        self.reads: list[list[str]] = []
        self._lock = threading.Lock()

    def list_by_external_ids(self, entity: str, external_ids: list[str]) -> list[dict[str, Any]]:
        assert entity == "customers"
        with self._lock:
            self.reads.append(list(external_ids))
        return []


def compiled_accounts() -> CompiledStream:
    compiled, problems = compile_stream(
        load_spec(), "Account", schema=ACCOUNT_SCHEMA, key_properties=["Id"], custom={}
    )
    assert compiled is not None, problems
    return compiled


def items(compiled: CompiledStream, numbers: range | list[int]) -> list[WorkItem]:
    return [WorkItem(map_record(compiled, account(n), ValuePolicy())) for n in numbers]


def writer(client: RecordingClient, tmp_path: Path) -> Writer:
    return Writer(
        client,  # type: ignore[arg-type]
        Settings.from_config({}),
        SyncReport(),
        RejectedStore(tmp_path / "rejected"),
    )


def test_a_drain_reads_its_first_chunks_as_soon_as_it_is_prepared(tmp_path: Path) -> None:
    client = RecordingClient()
    compiled = compiled_accounts()
    first = writer(client, tmp_path).prepare(compiled, items(compiled, range(1, 251)))
    for future in first.reads:
        future.result()
    assert [len(chunk) for chunk in first.chunks] == [READ_CHUNK, READ_CHUNK]
    assert client.reads == first.chunks
    assert client.reads[0][0] == "0010001"


def test_a_drain_waits_to_read_ids_that_an_earlier_drain_still_writes(tmp_path: Path) -> None:
    client = RecordingClient()
    compiled = compiled_accounts()
    the_writer = writer(client, tmp_path)
    earlier = the_writer.prepare(compiled, items(compiled, [1, 2, 3]))
    overlapping = the_writer.prepare(compiled, items(compiled, [4, 3, 5]))
    apart = the_writer.prepare(compiled, items(compiled, [6, 7]))
    assert earlier.reads
    assert not overlapping.reads  # 0010003 is still being written by the earlier drain
    assert apart.chunks == [["0010006", "0010007"]]
    the_writer.write(compiled, [], earlier)  # written (nothing left to do): ids released
    held = the_writer.prepare(compiled, items(compiled, [3]))
    assert not held.reads  # `overlapping` still holds 0010003
    for drain in (overlapping, apart, held):
        the_writer.write(compiled, [], drain)
    later = the_writer.prepare(compiled, items(compiled, [3, 8]))
    assert later.chunks == [["0010003", "0010008"]]
    the_writer.close()


def test_a_record_in_two_drains_is_read_after_the_first_drain_wrote_it(
    target_config: Config, api: Api
) -> None:
    config = {**target_config, "batch_size_rows": 3}
    result = run_target(
        config,
        accounts_only(
            account(1), account(2), account(3), account(1, Phone="999"), account(4), account(5)
        ),
    )
    counts = result.counts("Account")
    assert (counts["created"], counts["updated"], counts["rejected"]) == (5, 1, 0)
    assert api.by_external_id("customers")["0010001"]["phone"] == "999"
    # one batch per drain: no create was planned on a stale read and refused (412)
    assert result.report["api_calls"]["write"] == 2


def test_drains_of_distinct_records_write_everything_once(target_config: Config, api: Api) -> None:
    config = {**target_config, "batch_size_rows": 4}
    result = run_target(config, accounts_only(*(account(n) for n in range(1, 23))))
    assert result.counts("Account")["created"] == 22
    assert len(api.by_external_id("customers")) == 22
    assert result.report["api_calls"]["write"] == 6  # one batch per drain of up to 4
    assert result.report["api_calls"]["read"] >= 6  # one read per drain (and the matching page)


def test_a_stream_drains_small_first_then_larger(
    target_config: Config, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sinks, "FIRST_DRAIN_SIZE", 4)
    monkeypatch.setattr(sinks, "DEFAULT_DRAIN_SIZE", 10)
    drained: list[int] = []
    prepare = Writer.prepare

    def recording_prepare(self: Writer, compiled: CompiledStream, work: list[WorkItem]) -> Any:
        drained.append(len(work))
        return prepare(self, compiled, work)

    monkeypatch.setattr(Writer, "prepare", recording_prepare)
    result = run_target(target_config, accounts_only(*(account(n) for n in range(1, 28))))
    assert drained == [4, 10, 10, 3]  # the first writes start after 4 records, not 10
    assert result.counts("Account")["created"] == 27
    assert len(api.by_external_id("customers")) == 27
    drained.clear()
    config = {**target_config, "batch_size_rows": 6}  # the setting, when given, is every drain
    run_target(config, accounts_only(*(account(n) for n in range(1, 14))))
    assert drained == [6, 6, 1]


def test_the_mapping_hands_the_gil_over_every_hundred_records(
    target_config: Config, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    yields: list[float] = []
    monkeypatch.setattr(sinks, "time", SimpleNamespace(sleep=yields.append))
    monkeypatch.setattr(sinks, "YIELD_EVERY", 10)
    result = run_target(target_config, accounts_only(*(account(n) for n in range(1, 36))))
    assert yields == [0, 0, 0]  # after the 10th, 20th and 30th record
    assert result.counts("Account")["created"] == 35
    assert len(api.by_external_id("customers")) == 35
