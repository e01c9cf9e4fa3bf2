"""Natural-key matching: find the Akountify record a person typed by hand for a source record.

On a first sync against a company that people already filled, source records have no twin by
external id, but a hand-typed record may share a natural key with them: the display name (case,
accents, punctuation, spacing and legal suffixes ignored, per settings), the email, the tax id
(letters and digits only) or an invoice number. The index holds only *unlinked* active records
(``has_external_id=false``), is loaded once per entity and run, and a record can be claimed by
one source record only. A key that two hand-typed records share is ambiguous and never links.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from target_akountify.mapping.mapper import read_flat
from target_akountify.text import NameKeyOptions, email_key, name_key, tax_id_key

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

_AMBIGUOUS = "__ambiguous__"


def _exact(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def key_function(key: str, options: NameKeyOptions) -> Callable[[Any], str | None]:
    """Return the normalizer of one natural key.

    Args:
        key: An Akountify field path (``display_name``, ``email``, ``tax_id``, ``number``…).
        options: How names are compared.
    """
    if key in {"display_name", "legal_name", "first_name", "last_name"}:
        return lambda value: name_key(value, options) if isinstance(value, str) else None
    if key == "email":
        return lambda value: email_key(value) if isinstance(value, str) else None
    if key == "tax_id":
        return lambda value: tax_id_key(value) if isinstance(value, str) else None
    return _exact


def _full_name(values: dict[str, Any]) -> str | None:
    parts = [values.get("first_name"), values.get("last_name")]
    text = " ".join(p for p in parts if isinstance(p, str) and p.strip())
    return text or None


class NaturalKeyIndex:
    """Unlinked Akountify records of one entity, by natural key.

    Args:
        keys: The natural keys to try, in order (``name`` means first + last name).
        options: How names are compared.
    """

    def __init__(self, keys: list[str], options: NameKeyOptions) -> None:
        """Create an empty index."""
        self.keys = list(keys)
        self._options = options
        self._by_key: dict[str, dict[str, str]] = {k: {} for k in self.keys}
        self._records: dict[str, dict[str, Any]] = {}
        self._keys_of: dict[str, list[tuple[str, str]]] = {}
        self._lock = threading.Lock()

    def _normalized(self, key: str, values: dict[str, Any]) -> str | None:
        if key == "name":
            return name_key(_full_name(values), self._options)
        return key_function(key, self._options)(values.get(key))

    def add_all(self, records: Iterable[dict[str, Any]]) -> None:
        """Index records read from Akountify (their flat field values are read for each key)."""
        for record in records:
            values = {k: read_flat(record, k) for k in (*self.keys, "first_name", "last_name")}
            record_id = str(record["id"])
            self._records[record_id] = record
            for key in self.keys:
                normalized = self._normalized(key, values)
                if normalized is None:
                    continue
                self._keys_of.setdefault(record_id, []).append((key, normalized))
                known = self._by_key[key].get(normalized)
                self._by_key[key][normalized] = (
                    record_id if known in {None, record_id} else _AMBIGUOUS
                )

    def __len__(self) -> int:
        """The number of unclaimed records."""
        return len(self._records)

    def claim(self, values: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
        """Find and claim the hand-typed record matching mapped source values.

        Args:
            values: The source record's mapped values (Akountify field path → value).

        Returns:
            The Akountify record and the key that matched, or None. A claimed record is
            removed, so no two source records link to it.
        """
        if not self._records:  # nothing typed by hand (left): no key to compute
            return None
        with self._lock:
            for key in self.keys:
                normalized = self._normalized(key, values)
                if normalized is None:
                    continue
                record_id = self._by_key[key].get(normalized)
                if record_id is None or record_id == _AMBIGUOUS:
                    continue
                record = self._records.pop(record_id, None)
                if record is None:
                    continue
                for indexed_key, indexed_value in self._keys_of.pop(record_id, []):
                    if self._by_key[indexed_key].get(indexed_value) == record_id:
                        self._by_key[indexed_key].pop(indexed_value)
                return record, key
        return None

    def release(self, record: dict[str, Any]) -> None:
        """Put back a claimed record whose link failed (it stays available)."""
        with self._lock:
            self.add_all([record])
