"""Singer catalogs that keep the ``x-salesforce`` keyword.

singer-sdk's ``Schema`` object keeps only the JSON Schema keywords it knows, so a catalog built
or read with it loses the ``x-salesforce`` field metadata (Salesforce type, label, picklist
values, references …) that targets may use and that a run given a catalog needs to rebuild its
objects without describe calls. :class:`SalesforceSchema` keeps it; :func:`build_catalog` and
:func:`read_catalog` make catalogs whose entries use it, so it reaches the discovery output, the
SCHEMA messages and back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from singer_sdk.singerlib import Catalog, CatalogEntry, Schema

from tap_salesforce_lite.schema import VENDOR_KEY

if TYPE_CHECKING:
    from collections.abc import Iterable

    from singer_sdk import Stream


@dataclass(slots=True)
class SalesforceSchema(Schema):
    """A JSON Schema object model that also keeps ``x-salesforce``.

    Attributes:
        x_salesforce: The vendor keyword's value, or None.
    """

    x_salesforce: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON Schema, ``x-salesforce`` included."""
        result: dict[str, Any] = dict(Schema.to_dict(self))
        if self.x_salesforce is not None:
            result[VENDOR_KEY] = self.x_salesforce
        return result

    @classmethod
    def from_dict(cls, data: dict[str, Any], **schema_defaults: Any) -> SalesforceSchema:
        """Read a JSON Schema, ``x-salesforce`` included (at every level)."""
        # Explicit base call: zero-argument super() does not work in slotted dataclasses.
        schema = Schema.from_dict.__func__(cls, data, **schema_defaults)  # type: ignore[attr-defined]
        if not isinstance(schema, SalesforceSchema):  # pragma: no cover - cls is this class
            raise TypeError("SalesforceSchema.from_dict built another class")
        vendor = data.get(VENDOR_KEY)
        if isinstance(vendor, dict):
            schema.x_salesforce = vendor
        return schema


def build_catalog(streams: Iterable[Stream]) -> Catalog:
    """The catalog of ``streams`` (discovery output), in stream order."""
    return Catalog(
        (
            stream.tap_stream_id,
            CatalogEntry(
                tap_stream_id=stream.tap_stream_id,
                stream=stream.name,
                schema=SalesforceSchema.from_dict(stream.schema),
                metadata=stream.metadata,
                key_properties=list(stream.primary_keys or []),
                replication_key=stream.replication_key,
                replication_method=stream.replication_method,
                is_view=None,
                database=None,
                table=None,
                row_count=None,
                stream_alias=None,
            ),
        )
        for stream in streams
    )


def read_catalog(raw: dict[str, Any]) -> Catalog:
    """A catalog from its JSON, keeping ``x-salesforce``."""
    catalog = Catalog.from_dict(raw)
    for entry_dict in raw.get("streams") or []:
        stream_id = entry_dict.get("tap_stream_id")
        entry = catalog.get_stream(stream_id)
        if entry is not None:
            entry.schema = SalesforceSchema.from_dict(entry_dict.get("schema") or {})
    return catalog
