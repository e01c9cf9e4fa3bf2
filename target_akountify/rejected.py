"""The rejected store: records that could not be written, kept with the reason and the fix.

A local folder (by default ``output/akountify-rejected``) with, per stream, one JSONL file of
entries keyed by external id, and the stream's last SCHEMA (so that a stream absent from the
next run can still be retried). Each entry holds the source record as received, every reason
(field, code, message, fix), when it was first and last rejected, and how many attempts were
made. The target retries every entry at the start of its stream in the next run; a success
removes it, a newer version of the record replaces it. Files are rewritten atomically (write to
a temporary file, then rename), so a crash never leaves a half-written store.

Nothing secret is stored: records come from the source, reasons are the target's own text.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec

from target_akountify.problems import Problem

_ENCODER = msgspec.json.Encoder(decimal_format="number")
_DECODER = msgspec.json.Decoder(float_hook=Decimal)
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def encode_json(value: Any) -> bytes:
    """Encode JSON with Decimals as exact numbers and dates as ISO text."""
    return _ENCODER.encode(value)


def decode_json(data: bytes | str) -> Any:
    """Decode JSON with decimal numbers as exact Decimals.

    Raises:
        ValueError: When ``data`` is not JSON.
    """
    try:
        return _DECODER.decode(data)
    except msgspec.DecodeError as exc:
        raise ValueError(f"not valid JSON: {exc}") from exc


@dataclass
class RejectedEntry:
    """One rejected record.

    Attributes:
        stream: Its stream.
        key: Its key in the store: the external id, or a hash of the record when it has none.
        external_id: Its external id (None when it has none: that is then one of the reasons).
        entity: The Akountify entity it maps to.
        record: The source record as received.
        reasons: Every problem found, each with its fix.
        first_seen: When it was first rejected (RFC 3339).
        last_seen: When it was last rejected.
        attempts: How many runs tried to write it.
    """

    stream: str
    key: str
    external_id: str | None
    entity: str
    record: dict[str, Any]
    reasons: list[Problem]
    first_seen: str
    last_seen: str
    attempts: int = 1

    def as_json(self) -> dict[str, Any]:
        """Return the entry as stored."""
        return {
            "stream": self.stream,
            "key": self.key,
            "external_id": self.external_id,
            "entity": self.entity,
            "reasons": [r.as_dict() for r in self.reasons],
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "attempts": self.attempts,
            "record": self.record,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RejectedEntry:
        """Rebuild an entry from :meth:`as_json` output."""
        return cls(
            stream=str(data["stream"]),
            key=str(data["key"]),
            external_id=data.get("external_id"),
            entity=str(data.get("entity", "")),
            record=dict(data.get("record") or {}),
            reasons=[Problem.from_dict(r) for r in data.get("reasons", [])],
            first_seen=str(data.get("first_seen", "")),
            last_seen=str(data.get("last_seen", "")),
            attempts=int(data.get("attempts", 1)),
        )


def _attempts(previous: RejectedEntry | None, *, again: bool) -> int:
    """Return the attempts of a record rejected now (``again``: already rejected this run)."""
    if previous is None:
        return 1
    return previous.attempts if again else previous.attempts + 1


def record_key(external_id: str | None, record: dict[str, Any]) -> str:
    """Return the store key of a record: its external id, else a hash of its content."""
    if external_id is not None:
        return external_id
    return "sha256:" + hashlib.sha256(encode_json(record)).hexdigest()[:32]


def stream_file_stem(stream: str) -> str:
    """Return a file-name-safe stem for a stream name (a hash suffix keeps it unique)."""
    safe = _SAFE.sub("_", stream)
    if safe == stream:
        return safe
    return f"{safe}-{hashlib.sha256(stream.encode()).hexdigest()[:8]}"


@dataclass
class _StreamEntries:
    entries: dict[str, RejectedEntry] = field(default_factory=dict)
    dirty: bool = False


class RejectedStore:
    """The rejected records of every stream, in a folder.

    Args:
        folder: Where the files live (created on the first write).
        read_only: Never write (dry runs): changes stay in memory.
    """

    def __init__(self, folder: Path, *, read_only: bool = False) -> None:
        """Open the store (files are read lazily, per stream)."""
        self.folder = folder
        self.read_only = read_only
        self._streams: dict[str, _StreamEntries] = {}
        self._rejected_now: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def _path(self, stream: str, suffix: str) -> Path:
        return self.folder / f"{stream_file_stem(stream)}{suffix}"

    def _load(self, stream: str) -> _StreamEntries:
        loaded = self._streams.get(stream)
        if loaded is not None:
            return loaded
        loaded = _StreamEntries()
        path = self._path(stream, ".jsonl")
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    entry = RejectedEntry.from_json(decode_json(line))
                    loaded.entries[entry.key] = entry
        self._streams[stream] = loaded
        return loaded

    def streams_on_disk(self) -> list[str]:
        """Return the streams that have rejected records stored (from the files' content)."""
        if not self.folder.is_dir():
            return []
        streams: set[str] = set()
        for path in sorted(self.folder.glob("*.jsonl")):
            with path.open(encoding="utf-8") as handle:
                first = handle.readline()
            if first.strip():
                streams.add(str(decode_json(first)["stream"]))
        return sorted(streams)

    def pending(self, stream: str) -> list[RejectedEntry]:
        """Return the stored entries of a stream (oldest first)."""
        with self._lock:
            entries = list(self._load(stream).entries.values())
        return sorted(entries, key=lambda e: e.first_seen)

    def count(self, stream: str | None = None) -> int:
        """Return how many entries are stored (for one stream, or all loaded streams)."""
        with self._lock:
            if stream is not None:
                return len(self._load(stream).entries)
            return sum(len(s.entries) for s in self._streams.values())

    def reject(
        self,
        *,
        stream: str,
        external_id: str | None,
        entity: str,
        record: dict[str, Any],
        reasons: list[Problem],
        now: str,
    ) -> RejectedEntry:
        """Store (or refresh) a rejected record.

        Args:
            stream: Its stream.
            external_id: Its external id, if it has one.
            entity: The entity it maps to.
            record: The source record.
            reasons: Every problem found.
            now: The current time (RFC 3339).

        Returns:
            The stored entry (first_seen kept; attempts counted once per run, however many
            versions of the record this run rejected).
        """
        key = record_key(external_id, record)
        with self._lock:
            stream_entries = self._load(stream)
            previous = stream_entries.entries.get(key)
            entry = RejectedEntry(
                stream=stream,
                key=key,
                external_id=external_id,
                entity=entity,
                record=record,
                reasons=list(reasons),
                first_seen=previous.first_seen if previous else now,
                last_seen=now,
                attempts=_attempts(previous, again=(stream, key) in self._rejected_now),
            )
            self._rejected_now.add((stream, key))
            stream_entries.entries[key] = entry
            stream_entries.dirty = True
        return entry

    def resolve(self, stream: str, external_id: str | None, record: dict[str, Any]) -> bool:
        """Remove a record's entry (written, or superseded); return True if there was one."""
        key = record_key(external_id, record)
        with self._lock:
            stream_entries = self._load(stream)
            if stream_entries.entries.pop(key, None) is None:
                return False
            stream_entries.dirty = True
            return True

    def remember_schema(
        self, stream: str, schema: dict[str, Any], key_properties: list[str] | None
    ) -> None:
        """Keep a stream's SCHEMA next to its entries (used when the stream is absent later)."""
        if self.read_only or not self.count(stream):
            return
        self._write(
            self._path(stream, ".schema.json"),
            encode_json({"schema": schema, "key_properties": key_properties or []}),
        )

    def stored_schema(self, stream: str) -> tuple[dict[str, Any], list[str]] | None:
        """Return the stream's stored SCHEMA and key properties, if any."""
        path = self._path(stream, ".schema.json")
        if not path.exists():
            return None
        data = decode_json(path.read_bytes())
        return dict(data["schema"]), list(data.get("key_properties") or [])

    def flush(self) -> None:
        """Write every changed stream file atomically (a no-op when read-only)."""
        if self.read_only:
            return
        with self._lock:
            for stream, stream_entries in self._streams.items():
                if not stream_entries.dirty:
                    continue
                path = self._path(stream, ".jsonl")
                if stream_entries.entries:
                    lines = b"".join(
                        encode_json(e.as_json()) + b"\n" for e in stream_entries.entries.values()
                    )
                    self._write(path, lines)
                else:
                    path.unlink(missing_ok=True)
                    self._path(stream, ".schema.json").unlink(missing_ok=True)
                stream_entries.dirty = False

    def _write(self, path: Path, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=path.suffix)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
