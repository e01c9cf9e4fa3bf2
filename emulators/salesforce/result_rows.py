"""Turn SQL result rows into REST JSON records and Bulk CSV rows, fast.

A query's result rows are shaped thousands of times with the same layout, so each shaper
compiles, once per query, a small Python function whose body is a single dict (REST) or list
(CSV) display with one expression per column: the per-row work is then one function call
instead of one per column. This is what ``dataclasses`` and ``collections.namedtuple`` do;
the generated source holds only literals produced by ``repr`` (field names, URLs) and row
indexes, never a value read from the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from emulators.salesforce import formats
from emulators.salesforce.errors import SalesforceApiError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from emulators.salesforce.schema import FieldDef

_NUMBER_TYPES = frozenset({"double", "currency", "percent"})
_INTEGER_TYPES = frozenset({"int", "long"})


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


def _float_text(value: float) -> str:
    """A float in plain decimal notation (the rare case ``repr`` writes an exponent)."""
    return formats.plain_number(value)


#: Names the generated functions may use.
_NAMESPACE: dict[str, Any] = {
    "_REST_BOOL": {None: None, 0: False, 1: True},
    "_CSV_BOOL": {None: "", 0: "false", 1: "true"},
    "_address": formats.rest_address,
    "_location": formats.rest_location,
    "_float_text": _float_text,
}


def _compile(source: str, name: str) -> Callable[[Sequence[Any]], Any]:
    namespace = dict(_NAMESPACE)
    exec(compile(source, f"<shaper {name}>", "exec"), namespace)  # noqa: S102 - see module doc
    function: Callable[[Sequence[Any]], Any] = namespace[name]
    return function


def _rest_scalar(field: FieldDef, index: int, node: _RestNode) -> str:
    """The expression of one scalar column's REST value."""
    value = f"row[{index}]"
    if field.type == "boolean":
        return f"_REST_BOOL[{value}]"
    if field.type == "datetime":
        return f'(None if (v := {value}) is None else v[:-1] + "+0000")'
    if field.type == "base64":
        url = formats.blob_url(node.api_version, node.object_name, "@", field.name)
        head, _, tail = url.partition("@")
        return f"(None if {value} is None else {head!r} + row[{node.id_index}] + {tail!r})"
    return value  # text, dates, times, numbers: SQLite already returns the JSON value


class _RestNode:
    """The REST object of one record (the base or a parent) as a Python expression."""

    def __init__(self, object_name: str, id_index: int, api_version: str) -> None:
        self.object_name = object_name
        self.id_index = id_index
        self.api_version = api_version
        self.url_prefix = formats.record_url(api_version, object_name, "")
        self.items: list[tuple[str, str | _RestNode]] = []

    def add(self, key: str, expression: str | _RestNode) -> None:
        if all(existing != key for existing, _ in self.items):
            self.items.append((key, expression))

    def expression(self) -> str:
        attributes = (
            f"'attributes': {{'type': {self.object_name!r}, "
            f"'url': {self.url_prefix!r} + row[{self.id_index}]}}"
        )
        parts = [attributes]
        for key, value in self.items:
            text = value.expression() if isinstance(value, _RestNode) else value
            parts.append(f"{key!r}: {text}")
        body = "{" + ", ".join(parts) + "}"
        return f"(None if row[{self.id_index}] is None else {body})"


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
        """Compile the record builder.

        Args:
            object_name: The base object's API name.
            id_index: Row position of the base record's Id.
            columns: The selected columns, in SELECT order.
            parents: Every parent relationship the columns go through.
            api_version: Version for the ``attributes.url`` of records.
        """
        root = _RestNode(object_name, id_index, api_version)
        nodes: dict[tuple[str, ...], _RestNode] = {(): root}
        for parent in parents:
            nodes[parent.path] = _RestNode(parent.object_name, parent.id_index, api_version)
        for column in columns:
            relationship_path = column.path[:-1]
            for depth in range(1, len(relationship_path) + 1):
                prefix = relationship_path[:depth]
                nodes[prefix[:-1]].add(prefix[-1], nodes[prefix])
            node = nodes[relationship_path]
            field = column.field
            if field.is_compound:
                helper = "_address" if field.type == "address" else "_location"
                values = ", ".join(f"row[{index}]" for index in column.indexes)
                node.add(field.name, f"{helper}(({values},))")
            else:
                node.add(field.name, _rest_scalar(field, column.indexes[0], node))
        source = f"def build(row):\n    return {root.expression()}\n"
        self._build = _compile(source, "build")

    def __call__(self, row: Sequence[Any]) -> dict[str, Any]:
        """The REST record of one result row."""
        record: dict[str, Any] = self._build(row)
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
                400, "FUNCTIONALITY_NOT_ENABLED", "Binary field not supported"
            )
    return None


def _csv_cell(field: FieldDef, index: int) -> str:
    """The expression of one column's CSV cell."""
    value = f"row[{index}]"
    if field.type == "boolean":
        return f"_CSV_BOOL[{value}]"
    if field.type in _INTEGER_TYPES:
        return f'("" if (v := {value}) is None else str(v))'
    if field.type in _NUMBER_TYPES:
        return (
            f'("" if (v := {value}) is None else '
            f'(t if "e" not in (t := repr(v)) else _float_text(v)))'
        )
    return f'({value} or "")'  # text: Salesforce stores no empty strings, so "" is null


class CsvShaper:
    """Builds Bulk 2.0 CSV rows (one cell per column, ``""`` for null)."""

    def __init__(self, columns: Sequence[ShapeColumn]) -> None:
        """Compile the row builder.

        Args:
            columns: The selected columns, in SELECT order (no compound fields).

        Raises:
            SalesforceApiError: FUNCTIONALITY_NOT_ENABLED for compound or base64 columns.
        """
        refusal = bulk_refusal(columns)
        if refusal is not None:
            raise refusal
        self.header = [column.name for column in columns]
        cells = ", ".join(_csv_cell(column.field, column.indexes[0]) for column in columns)
        self._build = _compile(f"def build(row):\n    return [{cells}]\n", "build")

    def __call__(self, row: Sequence[Any]) -> list[str]:
        """The CSV cells of one result row."""
        cells: list[str] = self._build(row)
        return cells

    def rows(self, rows: Sequence[Sequence[Any]]) -> list[list[str]]:
        """The CSV cells of many rows."""
        build = self._build
        return [build(row) for row in rows]
