"""Singer message writer: exact decimals, fast encoding, no flush after every record.

singer-sdk's default writer flushes stdout after every message, and its msgspec writer writes
to ``sys.stdout.buffer`` only (which captured output, e.g. the SDK's test runner, lacks). This
writer encodes with msgspec (``Decimal`` as an exact JSON number, never a string or a float),
writes bytes when stdout has a binary buffer and text otherwise, and flushes only after SCHEMA,
STATE and ACTIVATE_VERSION messages, so a STATE is never held back behind its records.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any, Final

import msgspec
from singer_sdk.singerlib.encoding import GenericSingerWriter, SingerMessageType
from singer_sdk.singerlib.encoding.simple import Message

_FLUSH_AFTER: Final = frozenset(
    {SingerMessageType.SCHEMA, SingerMessageType.STATE, SingerMessageType.ACTIVATE_VERSION}
)


def _encode_other(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


ENCODER: Final = msgspec.json.Encoder(enc_hook=_encode_other, decimal_format="number")


class SingerWriter(GenericSingerWriter[bytes, Message]):
    """Writes Singer messages as JSON lines to stdout."""

    def serialize_message(self, message: Message) -> bytes:
        """Encode one message as a JSON line (with its newline)."""
        return ENCODER.encode(message.to_dict()) + b"\n"

    def write_message(self, message: Message) -> None:
        """Write one message; flush after anything but a RECORD."""
        line = self.format_message(message)
        stdout = sys.stdout
        buffer = getattr(stdout, "buffer", None)
        if buffer is not None:
            buffer.write(line)
        else:
            stdout.write(line.decode("utf-8"))
        if message.type in _FLUSH_AFTER:
            stdout.flush()
