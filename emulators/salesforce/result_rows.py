"""Turn SQL result rows into REST JSON records and Bulk CSV rows.

A shaper is built once per query from the selected columns (and, for REST, the parent
relationships) and then applied to every row, so the per-row work is a dict or list build plus
the few conversions that are not the identity (datetimes, booleans, compound fields, base64).
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from emulators.salesforce import formats
from emulators.salesforce.errors import SalesforceApiError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from emulators.salesforce.schema import FieldDef


@dataclass(frozen=True)
class ShapeColumn:
    """One selected column and where its values sit in a result row.

    Attributes:
        name: The name clients see (``Name``, ``Account.Name``).
        path: Relationship names then the field name (``("Account", "Name")``).
        field: The field at the end of the path.
        indexes: Row positions of its value (several for a compound field's components).
    """

    name: str
    path: tuple[str, ...]
    field: FieldDef
    indexes: tuple[int, ...]


@dataclass(frozen=True)
class ShapeParent:
    """A parent record reached through relationship names, and where its Id sits in a row."""

    path: tuple[str, ...]
    object_name: str
    id_index: int


def _getter(indexes: Sequence[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """An itemgetter that always returns a tuple (even for zero or one index)."""
    if not indexes:
        return lambda _row: ()
    if len(indexes) == 1:
        only = indexes[0]
        return lambda row: (row[only],)
    return itemgetter(*indexes)


class _RestNode:
    """Builds the REST object of one record (the base or a parent) from a row."""

    def __init__(self, object_name: str, id_index: int, api_version: str) -> None:
        self.object_name = object_name
        self.id_index = id_index
        self.url_prefix = formats.record_url(api_version, object_name, "")
        self.api_version = api_version
        self.keys: list[str] = []
        self.value_indexes: list[int] = []
        self.fixups: list[tuple[str, Callable[[Sequence[Any]], Any]]] = []

    def add_scalar(self, key: str, field: FieldDef, index: int) -> None:
        self.keys.append(key)
        self.value_indexes.append(index)
        if field.type == "base64":
            self.fixups.append((key, self._blob(field.name, index)))
            return
        converter = formats.rest_converter(field)
        if converter is not None:
            self.fixups.append((key, _converted(converter, index)))

    def add_compound(self, key: str, field: FieldDef, indexes: tuple[int, ...]) -> None:
        self.keys.append(key)
        self.value_indexes.append(indexes[0])
        getter = _getter(indexes)
        self.fixups.append((key, lambda row: formats.rest_compound(field, getter(row))))

    def add_child(self, key: str, child: _RestNode) -> None:
        if key in self.keys:
            return
        self.keys.append(key)
        self.value_indexes.append(child.id_index)
        self.fixups.append((key, child.build))

    def _blob(self, field_name: str, index: int) -> Callable[[Sequence[Any]], Any]:
        id_index = self.id_index
        object_name = self.object_name
        version = self.api_version

        def blob(row: Sequence[Any]) -> Any:
            if row[index] is None:
                return None
            return formats.blob_url(version, object_name, row[id_index], field_name)

        return blob

    def finish(self) -> None:
        self._values = _getter(self.value_indexes)

    def build(self, row: Sequence[Any]) -> dict[str, Any] | None:
        record_id = row[self.id_index]
        if record_id is None:
            return None
        record: dict[str, Any] = {
            "attributes": {"type": self.object_name, "url": self.url_prefix + record_id}
        }
        record.update(zip(self.keys, self._values(row), strict=True))
        for key, fixup in self.fixups:
            record[key] = fixup(row)
        return record


def _converted(converter: Callable[[Any], Any], index: int) -> Callable[[Sequence[Any]], Any]:
    return lambda row: converter(row[index])


class RestShaper:
    """Builds REST JSON records (``attributes`` first, fields in SELECT order)."""

    def __init__(
        self,
        object_name: str,
        id_index: int,
        columns: Sequence[ShapeColumn],
        parents: Sequence[ShapeParent],
        api_version: str,
    ) -> None:
        """Plan the record building.

        Args:
            object_name: The base object's API name.
            id_index: Row position of the base record's Id.
            columns: The selected columns, in SELECT order.
            parents: Every parent relationship the columns go through.
            api_version: Version for the ``attributes.url`` of records.
        """
        self._root = _RestNode(object_name, id_index, api_version)
        nodes: dict[tuple[str, ...], _RestNode] = {(): self._root}
        for parent in parents:
            nodes[parent.path] = _RestNode(parent.object_name, parent.id_index, api_version)
        for column in columns:
            relationship_path = column.path[:-1]
            for depth in range(1, len(relationship_path) + 1):
                prefix = relationship_path[:depth]
                nodes[prefix[:-1]].add_child(prefix[-1], nodes[prefix])
            node = nodes[relationship_path]
            key = column.field.name
            if column.field.is_compound:
                node.add_compound(key, column.field, column.indexes)
            else:
                node.add_scalar(key, column.field, column.indexes[0])
        for node in nodes.values():
            node.finish()

    def __call__(self, row: Sequence[Any]) -> dict[str, Any]:
        """The REST record of one result row."""
        record = self._root.build(row)
        if record is None:  # pragma: no cover - the base Id is never null
            raise ValueError("result row without a base record Id")
        return record


def bulk_refusal(columns: Sequence[ShapeColumn]) -> SalesforceApiError | None:
    """The error Bulk API 2.0 gives for a query it cannot run as CSV, or None if it can."""
    for column in columns:
        if column.field.is_compound:
            return SalesforceApiError(
                400,
                "FUNCTIONALITY_NOT_ENABLED",
                "Selecting compound data not supported in Bulk Query",
            )
        if column.field.type == "base64":
            return SalesforceApiError(
                400,
                "FUNCTIONALITY_NOT_ENABLED",
                "Binary field not supported",
            )
    return None


class CsvShaper:
    """Builds Bulk 2.0 CSV rows (one cell per column, ``""`` for null)."""

    def __init__(self, columns: Sequence[ShapeColumn]) -> None:
        """Plan the row building.

        Args:
            columns: The selected columns, in SELECT order (no compound fields).

        Raises:
            SalesforceApiError: FUNCTIONALITY_NOT_ENABLED for compound or base64 columns.
        """
        refusal = bulk_refusal(columns)
        if refusal is not None:
            raise refusal
        self.header = [column.name for column in columns]
        self._values = _getter([column.indexes[0] for column in columns])
        self._fixups = [
            (position, formats.csv_converter(column.field))
            for position, column in enumerate(columns)
            if column.field.type in {"boolean", "int", "long", "double", "currency", "percent"}
        ]

    def __call__(self, row: Sequence[Any]) -> list[str]:
        """The CSV cells of one result row."""
        cells = list(self._values(row))
        for position, converter in self._fixups:
            cells[position] = converter(cells[position])
        return ["" if cell is None else cell for cell in cells]
