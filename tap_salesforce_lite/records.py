"""Which fields a stream queries, and how a raw row becomes the Singer record it emits.

The SELECT list holds the selected fields, the components of selected compound fields, and
the fields every record needs (Id, the replication key, IsDeleted when deleted rows are read).
Compound fields (addresses, geolocations) are never selected directly: they are built from
their components for REST and Bulk alike, so both APIs give byte-identical records (Bulk API
2.0 cannot select compound fields at all).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from tap_salesforce_lite.objects import BULK_UNSUPPORTED_TYPES, DELETED_AT
from tap_salesforce_lite.values import BadValueError, csv_converter, normalize_datetime

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from tap_salesforce_lite.objects import ObjectInfo

LOGGER = logging.getLogger(__name__)

#: Suffixes of component names (lower case, longest first) and the compound JSON key.
_COMPONENT_KEYS: Final = (
    ("geocodeaccuracy", "geocodeAccuracy"),
    ("postalcode", "postalCode"),
    ("countrycode", "countryCode"),
    ("statecode", "stateCode"),
    ("longitude", "longitude"),
    ("latitude", "latitude"),
    ("country", "country"),
    ("street", "street"),
    ("state", "state"),
    ("city", "city"),
)


def component_key(component_name: str) -> str | None:
    """The compound JSON key (``city``) of a component field (``BillingCity``), or None."""
    lowered = component_name.lower().removesuffix("__s")
    for suffix, key in _COMPONENT_KEYS:
        if lowered.endswith(suffix):
            return key
    return None


@dataclass(frozen=True)
class CompoundPlan:
    """How one selected compound field is built.

    Attributes:
        name: The compound field (``BillingAddress``).
        parts: ``(json key, component field)`` pairs.
    """

    name: str
    parts: tuple[tuple[str, str], ...]


class _Default:
    """Marks "use the object's replication key"."""


DEFAULT_KEY: Final = _Default()


class RecordShape:
    """The query fields of a stream and the conversion of rows into its records."""

    def __init__(
        self,
        obj: ObjectInfo,
        selected: Iterable[str],
        *,
        include_deleted: bool,
        replication_key: str | _Default | None = DEFAULT_KEY,
    ) -> None:
        """Plan the fields.

        Args:
            obj: The object.
            selected: Selected property names (unknown names are ignored).
            include_deleted: Whether deleted rows are read (IsDeleted, _sdc_deleted_at).
            replication_key: The stream's key (None: full table); the object's by default.
        """
        self.object = obj
        self.replication_key = (
            obj.replication_key if isinstance(replication_key, _Default) else replication_key
        )
        self.include_deleted = include_deleted and obj.has_is_deleted
        #: When a deleted record was deleted: its SystemModstamp (else its replication key).
        self.deleted_at_field = (
            "SystemModstamp" if obj.field("SystemModstamp") is not None else self.replication_key
        )
        required = ["Id"]
        if self.replication_key:
            required.append(self.replication_key)
        if self.include_deleted:
            required.append("IsDeleted")
            if self.deleted_at_field:
                required.append(self.deleted_at_field)
        wanted = list(dict.fromkeys([*required, *selected]))
        emitted: list[str] = []
        query: list[str] = []
        compounds: list[CompoundPlan] = []
        direct_compounds: list[str] = []
        for name in wanted:
            info = obj.field(name)
            if info is None:
                continue
            emitted.append(name)
            if not info.is_compound:
                query.append(name)
                continue
            parts = tuple(
                (key, part.name)
                for part in obj.components(name)
                if (key := component_key(part.name)) is not None
            )
            if parts:
                compounds.append(CompoundPlan(name, parts))
                query.extend(component for _, component in parts)
            else:
                direct_compounds.append(name)
                query.append(name)
        self.emitted: tuple[str, ...] = tuple(emitted)
        self.query_fields: tuple[str, ...] = tuple(dict.fromkeys(query))
        self.compounds: tuple[CompoundPlan, ...] = tuple(compounds)
        emitted_set = set(self.emitted)
        #: Queried only to build a compound: removed from the record.
        self._hidden = tuple(name for name in self.query_fields if name not in emitted_set)
        self._datetimes = tuple(
            name
            for name in self.emitted
            if (info := obj.field(name)) is not None and info.sf_type == "datetime"
        )
        unsupported = [
            name
            for name in self.query_fields
            if (info := obj.field(name)) is not None and info.sf_type in BULK_UNSUPPORTED_TYPES
        ]
        self.bulk_unsupported_fields: tuple[str, ...] = tuple(unsupported)

    @property
    def emitted_properties(self) -> tuple[str, ...]:
        """Every property a record carries (with ``_sdc_deleted_at`` when applicable)."""
        return (*self.emitted, DELETED_AT) if self.include_deleted else self.emitted

    # REST

    def from_rest(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Turn one REST query row (values typed by the decoder) into its record, in place."""
        raw.pop("attributes", None)
        for name in self._datetimes:
            value = raw.get(name)
            if value is not None:
                raw[name] = normalize_datetime(value)
        return self._finish(raw)

    def _finish(self, raw: dict[str, Any]) -> dict[str, Any]:
        for compound in self.compounds:
            raw[compound.name] = _build_compound(compound, raw)
        for name in self._hidden:
            raw.pop(name, None)
        self._mark_deleted(raw)
        return raw

    def _mark_deleted(self, record: dict[str, Any]) -> None:
        if self.include_deleted:
            deleted = bool(record.get("IsDeleted")) and self.deleted_at_field is not None
            record[DELETED_AT] = record.get(self.deleted_at_field or "") if deleted else None

    # Bulk CSV

    def csv_row_reader(self, header: list[str]) -> Callable[[list[str]], dict[str, Any]]:
        """A function turning one CSV row (with this header) into a record.

        Args:
            header: The CSV header row (field API names).

        Returns:
            The row converter.
        """
        typed: list[tuple[str, Callable[[str], Any]]] = []
        for name in header:
            info = self.object.field(name)
            converter = csv_converter(info.sf_type) if info is not None else None
            if converter is not None:
                typed.append((name, converter))
        names = tuple(header)
        shape = self

        def convert(row: list[str]) -> dict[str, Any]:
            raw: dict[str, Any] = {
                name: cell if cell != "" else None for name, cell in zip(names, row, strict=True)
            }
            for name, converter in typed:
                cell = raw[name]
                if cell is not None:
                    try:
                        raw[name] = converter(cell)
                    except (BadValueError, ValueError) as exc:
                        LOGGER.warning(
                            "%s %s: field %s holds %s; it is emitted as text for the target "
                            "to report (fix the value in Salesforce)",
                            shape.object.name,
                            raw.get("Id", "?"),
                            name,
                            exc,
                        )
            return shape.from_typed(raw)

        return convert

    def from_typed(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Turn typed values (datetimes already normalized) into the record, in place."""
        return self._finish(raw)


def _build_compound(compound: CompoundPlan, raw: dict[str, Any]) -> dict[str, Any] | None:
    value = {key: raw.get(component) for key, component in compound.parts}
    if all(part is None for part in value.values()):
        return None
    return value
