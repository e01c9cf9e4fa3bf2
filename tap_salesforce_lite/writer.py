"""Singer message writer: exact decimals, fast encoding, records written in blocks.

singer-sdk's default writer flushes stdout after every message, and its msgspec writer writes
to ``sys.stdout.buffer`` only (which captured output, e.g. the SDK's test runner, lacks). This
writer encodes with msgspec (``Decimal`` as an exact JSON number, never a string or a float)
and writes bytes when stdout has a binary buffer, text otherwise.

RECORD lines are gathered in the writer's own block and written :data:`BLOCK_BYTES` at a time;
any other message (SCHEMA, STATE, ACTIVATE_VERSION…) first writes the records before it, then
itself, then flushes stdout, so a STATE is never held back behind its records nor written
before them. The records gathered last are written when a stream's reading ends, however it
ends (the stream calls :meth:`SingerWriter.flush`), and in any case when the process exits.

The block matters where ``PYTHONUNBUFFERED`` is set (common in containers):
``sys.stdout.buffer`` is then an unbuffered file and each record would be its own ``write``
system call (10,000 of them for 10,000 records; with the block, about 500).
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import sys
import weakref
from typing import Any, Final

import msgspec
from singer_sdk.singerlib.encoding import GenericSingerWriter, SingerMessageType
from singer_sdk.singerlib.encoding.simple import Message


def _encode_other(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


ENCODER: Final = msgspec.json.Encoder(enc_hook=_encode_other, decimal_format="number")


#: Bytes of RECORD lines gathered before they are written to stdout.
BLOCK_BYTES: Final = 64 * 1024


class SingerWriter(GenericSingerWriter[bytes, Message]):
    """Writes Singer messages as JSON lines to stdout."""

    def __init__(self) -> None:
        """Start with an empty block of records, written at the latest when the process exits."""
        super().__init__()
        self._block = bytearray()
        atexit.register(_flush_at_exit, weakref.ref(self))

    def serialize_message(self, message: Message) -> bytes:
        """Encode one message as a JSON line (with its newline)."""
        return ENCODER.encode(message.to_dict()) + b"\n"

    def write_message(self, message: Message) -> None:
        """Gather a RECORD in the block; write anything else at once, records first.

        The message is encoded straight into the block (no bytes object of its own).
        """
        block = self._block
        ENCODER.encode_into(message.to_dict(), block, -1)
        block += b"\n"
        if message.type == SingerMessageType.RECORD:
            if len(block) >= BLOCK_BYTES:
                self._write_block()
            return
        self.flush()

    def flush(self) -> None:
        """Write the records gathered so far and flush stdout."""
        self._write_block()
        sys.stdout.flush()

    def _write_block(self) -> None:
        if not self._block:
            return
        data = bytes(self._block)
        self._block.clear()
        stdout = sys.stdout
        buffer = getattr(stdout, "buffer", None)
        if buffer is not None:
            stdout.flush()  # text written to sys.stdout by others goes out first
            buffer.write(data)
        else:
            stdout.write(data.decode("utf-8"))


def _flush_at_exit(writer: weakref.ref[SingerWriter]) -> None:
    """Write what a writer still holds when the interpreter exits (stdout may be gone)."""
    alive = writer()
    if alive is not None:
        with contextlib.suppress(OSError, ValueError):
            alive.flush()
