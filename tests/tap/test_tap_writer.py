"""RECORD lines go out in blocks; every other message writes the records before it, in order."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

import pytest
from singer_sdk.singerlib.encoding.simple import RecordMessage, SchemaMessage, StateMessage

from tap_salesforce_lite.tap import TapSalesforceLite
from tap_salesforce_lite.writer import BLOCK_BYTES, SingerWriter
from tests.tap.tap_harness import Org, client_credentials_config, run_cli

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from emulators.salesforce.launcher import RunningSalesforce


class _CountingStdout(io.TextIOWrapper):
    """A text stdout over an unbuffered binary file that counts its ``write`` calls.

    Like ``sys.stdout`` under ``PYTHONUNBUFFERED``: every write of its ``buffer`` is one write
    to the file.
    """

    def __init__(self) -> None:
        self.raw_file = _CountingRaw()
        super().__init__(self.raw_file, encoding="utf-8", write_through=True)  # type: ignore[arg-type]

    @property
    def output(self) -> bytes:
        return bytes(self.raw_file.data)


class _CountingRaw(io.RawIOBase):
    def __init__(self) -> None:
        super().__init__()
        self.data = bytearray()
        self.writes = 0
        self.flushes = 0

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        self.writes += 1
        self.data += bytes(b)
        return len(b)

    def flush(self) -> None:
        self.flushes += 1


def _patched_stdout(monkeypatch: pytest.MonkeyPatch) -> _CountingStdout:
    """Replace ``sys.stdout`` from inside a test (pytest's capture resets it after fixtures)."""
    fake = _CountingStdout()
    monkeypatch.setattr("sys.stdout", fake)
    return fake


def _record(n: int) -> RecordMessage:
    return RecordMessage(stream="Account", record={"Id": f"001{n:015d}", "Name": "x" * 200})


def _lines(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def test_records_are_written_in_blocks_not_one_write_each(monkeypatch: pytest.MonkeyPatch) -> None:
    stdout = _patched_stdout(monkeypatch)
    writer = SingerWriter()
    records = 2_000
    for n in range(records):
        writer.write_message(_record(n))
    line_bytes = len(writer.format_message(_record(0)))
    assert records * line_bytes > 4 * BLOCK_BYTES  # the test spans several blocks
    assert 0 < stdout.raw_file.writes <= records * line_bytes // BLOCK_BYTES + 1
    # records past the last full block wait for the next STATE (or the end of the sync)
    assert len(_lines(stdout.output)) < records
    writer.write_message(StateMessage(value={"bookmarks": {"Account": {"n": records}}}))
    written = _lines(stdout.output)
    assert [m["record"]["Id"] for m in written[:-1]] == [f"001{n:015d}" for n in range(records)]
    assert written[-1] == {"type": "STATE", "value": {"bookmarks": {"Account": {"n": records}}}}


def test_a_state_is_written_after_its_records_and_flushed_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stdout = _patched_stdout(monkeypatch)
    writer = SingerWriter()
    writer.write_message(SchemaMessage(stream="Account", schema={}, key_properties=["Id"]))
    assert [m["type"] for m in _lines(stdout.output)] == ["SCHEMA"]
    flushes = stdout.raw_file.flushes
    writer.write_message(_record(1))
    writer.write_message(_record(2))
    assert [m["type"] for m in _lines(stdout.output)] == ["SCHEMA"]  # held in the block
    writer.write_message(StateMessage(value={"bookmarks": {}}))
    assert [m["type"] for m in _lines(stdout.output)] == ["SCHEMA", "RECORD", "RECORD", "STATE"]
    assert stdout.raw_file.flushes > flushes


def test_text_written_by_others_keeps_its_place(monkeypatch: pytest.MonkeyPatch) -> None:
    stdout = _patched_stdout(monkeypatch)
    writer = SingerWriter()
    writer.write_message(_record(1))
    writer.flush()
    stdout.write('{"type": "STATE", "value": {"by": "someone else"}}\n')
    writer.write_message(_record(2))
    writer.flush()
    assert [m.get("record", m.get("value")) for m in _lines(stdout.output)] == [
        _record(1).record,
        {"by": "someone else"},
        _record(2).record,
    ]


def test_stdout_without_a_binary_buffer_gets_the_same_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    captured = io.StringIO()
    monkeypatch.setattr("sys.stdout", captured)
    writer = SingerWriter()
    for n in range(3):
        writer.write_message(_record(n))
    writer.write_message(StateMessage(value={}))
    lines = _lines(captured.getvalue().encode("utf-8"))
    assert [m["type"] for m in lines] == ["RECORD", "RECORD", "RECORD", "STATE"]


# The records gathered last are written at the end of a sync, whatever ends it.


@pytest.fixture(scope="module")
def sf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSalesforce]:
    from emulators.salesforce.launcher import start_salesforce_emulator  # noqa: PLC0415

    with start_salesforce_emulator(tmp_path_factory.mktemp("sf-writer")) as running:
        org = Org(running)
        for n in range(3):
            org.create("Account", Name=f"Writer {n}")
        yield running


def test_records_after_the_last_state_are_written_when_the_sync_fails(
    sf: RunningSalesforce, monkeypatch: pytest.MonkeyPatch
) -> None:
    tap = TapSalesforceLite(config=client_credentials_config(sf), parse_env_config=False)
    writer = tap.message_writer
    original = writer.write_message

    def fail_at_state(message: Any) -> None:
        if message.type == "STATE":
            msg = "the target went away"
            raise RuntimeError(msg)
        original(message)

    monkeypatch.setattr(writer, "write_message", fail_at_state)
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    try:
        with pytest.raises(RuntimeError, match="went away"):
            tap.sync_all()
    finally:
        tap.runtime.close()
    records = [m for m in _lines(out.getvalue().encode()) if m["type"] == "RECORD"]
    assert len(records) >= 3


def test_test_mode_writes_one_record_per_stream(sf: RunningSalesforce, tmp_path: Path) -> None:
    run = run_cli(tmp_path, client_credentials_config(sf), "--test", PYTHONUNBUFFERED="1")
    assert run.returncode == 0, run.stderr
    messages = _lines(run.stdout.encode())
    assert [m["type"] for m in messages if m["type"] != "STATE"] == ["SCHEMA", "RECORD"]
