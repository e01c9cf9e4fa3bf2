"""Render query pages inside SQLite: one REST JSON text or one Bulk CSV line per record.

Turning a 70-column row into Python objects and back into JSON costs far more than SQLite's
own ``json_object``/``printf``, which build the text in C with the GIL released. So for each
query shape this module writes one SQL statement that yields, per record, ``"__rowid"`` and the
record's exact REST JSON text (or its Bulk CSV line), byte for byte what
:class:`~emulators.salesforce.result_rows.RestShaper` plus ``orjson`` (or
:class:`~emulators.salesforce.result_rows.CsvShaper` plus ``csv.writer``) produce.

Where SQLite's text would differ, the statement yields NULL for that record and the caller
renders it in Python instead:

* numbers: SQLite writes doubles with 15 significant digits (``%!.15g``), Python with the
  shortest digits that read back exactly; both agree when 15 digits read back exactly and the
  magnitude needs no exponent (``1e-4 <= |x| < 1e15``, or 0), which every other value fails;
* CSV text holding a NUL character (``printf`` would stop there).

The per-record statements wrap the compiler's ``rows_by_rowid_sql`` (SQLite flattens the
subquery), so they take the same single parameter (a JSON array of rowids) and skip the same
vanished rows. The page statements (:func:`rest_page_sql`, :func:`csv_chunk_sql`) wrap its
``page_rows_sql`` and join a whole page of texts in the array's order into one row, so a page
costs one step of the statement: the GIL is released once per page, not once per record, and
Python touches one value instead of thousands. A page where some record needs Python is
rendered again record by record. Like the shapers, the SQL holds only identifiers, row
aliases and literals made here from field names and URLs, never a value read from the
database.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import orjson

from emulators.salesforce import formats
from emulators.salesforce.schema import ADDRESS_COMPONENTS, ADDRESS_JSON_KEYS, TEXT_TYPES

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Sequence

    from emulators.salesforce.schema import FieldDef
    from emulators.salesforce.soql import CompiledQuery

#: Name/value pairs one ``json_object`` call takes (SQLite allows 127 arguments).
_PAIRS_PER_OBJECT: Final = 62
#: Values one ``printf`` call takes besides its format.
_VALUES_PER_PRINTF: Final = 120
_DOUBLE_TYPES: Final = frozenset({"double", "currency", "percent"})
_ROWID: Final = '"__rowid"'


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    """An SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def exact_double(column: str) -> str:
    """SQL that is true when SQLite writes the double in ``column`` exactly as Python does.

    The exact test formats the value with 15 digits and reads it back (a ``printf`` and an
    allocation per value). Two arithmetic tests spare it for the usual values: a double that
    is the nearest one to a decimal with at most 2 (or 6) decimals and at most 15 digits
    (``round(x * 100) / 100 = x`` with IEEE division rounding exactly) is written by 15
    digits as that decimal.
    """
    return (
        f"({column} IS NULL"
        f" OR (abs({column}) < 1e13 AND round({column} * 100) / 100 = {column})"
        f" OR (abs({column}) < 1e9 AND abs({column}) >= 1e-4"
        f" AND round({column} * 1000000) / 1000000 = {column})"
        f" OR (abs({column}) >= 1e-4 AND abs({column}) < 1e15"
        f" AND CAST(printf('%!.15g', {column}) AS REAL) = {column}))"
    )


@dataclass
class _Item:
    """One key of a JSON object: its SQL value and whether that value is an object."""

    key: str
    sql: str
    is_object: bool


class _JsonNode:
    """The REST object of one record (the base or a parent), as SQL."""

    def __init__(self, object_name: str, id_column: str, api_version: str) -> None:
        self.object_name = object_name
        self.id_column = id_column
        self.api_version = api_version
        url = formats.record_url(api_version, object_name, "")
        attributes = (
            f"json_object('type', {_literal(object_name)}, 'url', {_literal(url)} || {id_column})"
        )
        self.items: list[_Item | _JsonNode] = []
        self.keys: list[str] = []
        self._attributes = _Item("attributes", attributes, is_object=True)

    def add(self, key: str, value: _Item | _JsonNode) -> None:
        if key not in self.keys:
            self.keys.append(key)
            self.items.append(value)

    def pairs(self) -> list[_Item]:
        pairs = [self._attributes]
        for key, value in zip(self.keys, self.items, strict=True):
            if isinstance(value, _JsonNode):
                pairs.append(_Item(key, value.nested_sql(), is_object=True))
            else:
                pairs.append(_Item(key, value.sql, value.is_object))
        return pairs

    def text_sql(self) -> str | None:
        """SQL of the object's JSON text; None when it cannot be split into calls."""
        return _object_text(self.pairs())

    def nested_sql(self) -> str:
        """SQL of the object as a JSON value (null when the parent record is missing)."""
        text = self.text_sql()
        if text is None:
            raise _UnsupportedShapeError
        pairs = self.pairs()
        value = text if len(pairs) <= _PAIRS_PER_OBJECT else f"json({text})"
        return f"CASE WHEN {self.id_column} IS NULL THEN NULL ELSE {value} END"


class _UnsupportedShapeError(Exception):
    """The query's shape cannot be rendered in SQL (the caller renders it in Python)."""


def _object_text(pairs: Sequence[_Item]) -> str | None:
    """SQL building one JSON object from ``pairs``, in as many ``json_object`` calls as needed.

    Calls are joined by dropping the closing brace of one and the opening brace of the next;
    ``rtrim(…, '}')`` drops exactly one brace only if the call's last value is not an object,
    so every call but the last must end with a scalar.
    """
    calls: list[str] = []
    rest = list(pairs)
    while rest:
        size = min(_PAIRS_PER_OBJECT, len(rest))
        if size < len(rest):
            while size > 0 and rest[size - 1].is_object:
                size -= 1
            if size == 0:
                return None
        chunk, rest = rest[:size], rest[size:]
        arguments = ", ".join(f"{_literal(item.key)}, {item.sql}" for item in chunk)
        calls.append(f"json_object({arguments})")
    if len(calls) == 1:
        return calls[0]
    pieces = [f"rtrim({calls[0]}, '}}')"]
    pieces.extend(f"',' || substr(rtrim({call}, '}}'), 2)" for call in calls[1:-1])
    pieces.append(f"',' || substr({calls[-1]}, 2)")
    return " || ".join(pieces)


def _rest_value(field: FieldDef, columns: Sequence[str], node: _JsonNode) -> tuple[str, list[str]]:
    """SQL of one selected field's REST value, and the conditions it needs to be exact."""
    kind = field.type
    if field.is_compound:
        all_null = " AND ".join(f"{c} IS NULL" for c in columns)
        if kind == "address":
            by_suffix = dict(zip(ADDRESS_COMPONENTS, columns, strict=True))
            latitude, longitude = by_suffix["Latitude"], by_suffix["Longitude"]
            inner = ", ".join(
                f"{_literal(key)}, {by_suffix[key[0].upper() + key[1:]]}"
                for key in ADDRESS_JSON_KEYS
            )
        else:
            latitude, longitude = columns
            inner = f"'latitude', {latitude}, 'longitude', {longitude}"
        checks = [exact_double(latitude), exact_double(longitude)]
        return f"CASE WHEN {all_null} THEN NULL ELSE json_object({inner}) END", checks
    column = columns[0]
    if kind == "boolean":
        return f"CASE {column} WHEN 1 THEN json('true') WHEN 0 THEN json('false') END", []
    if kind == "datetime":
        return f"substr({column}, 1, length({column}) - 1) || '+0000'", []
    if kind == "base64":
        url = formats.blob_url(node.api_version, node.object_name, "@", field.name)
        head, _, tail = url.partition("@")
        return (
            f"CASE WHEN {column} IS NULL THEN NULL "
            f"ELSE {_literal(head)} || {node.id_column} || {_literal(tail)} END"
        ), []
    if kind in _DOUBLE_TYPES:
        return column, [exact_double(column)]
    return column, []


def _checked(text: str, checks: Sequence[str]) -> str:
    """``text``, or NULL for a record failing one of ``checks``."""
    unique = list(dict.fromkeys(checks))
    return f"CASE WHEN {' AND '.join(unique)} THEN {text} END" if unique else text


def _per_record(value: str, compiled: CompiledQuery) -> str:
    return f"SELECT {_ROWID}, {value} FROM ({compiled.rows_by_rowid_sql})"  # noqa: S608


def _per_page(value: str, compiled: CompiledQuery, separator: str, *, lengths: bool) -> str:
    """One row for a whole page: records found, records rendered, their texts joined.

    The texts are joined in the order of the rowid array (``page_rows_sql``), so the page
    costs a single step of the statement (the GIL is released once, not once per record).
    ``LIMIT -1`` keeps SQLite from copying the text expression into each aggregate (it
    would render every record twice). With ``lengths``, a fourth column lists the byte
    length of every text, comma separated.
    """
    text = _quote_identifier("__text")
    columns = [
        "count(*)",
        f"count({text})",
        f"ifnull(group_concat({text}, {_literal(separator)}), '')",
    ]
    if lengths:
        columns.append(f"ifnull(group_concat(length(CAST({text} AS BLOB))), '')")
    inner = f"SELECT {value} AS {text} FROM ({compiled.page_rows_sql}) LIMIT -1"  # noqa: S608
    return f"SELECT {', '.join(columns)} FROM ({inner})"  # noqa: S608


def rest_json_sql(compiled: CompiledQuery, api_version: str) -> str | None:
    """SQL yielding ``("__rowid", JSON text or NULL)`` for the records of a rowid array.

    Args:
        compiled: The compiled query (not a COUNT()).
        api_version: Version for the records' ``attributes.url``.

    Returns:
        The statement (its one parameter: a JSON array of rowids), or None when this query's
        records must be rendered in Python.
    """
    value = _rest_value_sql(compiled, api_version)
    return None if value is None else _per_record(value, compiled)


def rest_page_sql(compiled: CompiledQuery, api_version: str) -> str | None:
    """Like :func:`rest_json_sql`, but one row for the whole array (see :func:`_per_page`).

    The texts are joined by commas: what goes between ``[`` and ``]`` of the page's
    ``records`` when every record was rendered (else the caller renders the page with
    :func:`rest_json_sql` and Python).
    """
    value = _rest_value_sql(compiled, api_version)
    return None if value is None else _per_page(value, compiled, ",", lengths=False)


def _rest_value_sql(compiled: CompiledQuery, api_version: str) -> str | None:
    """SQL of one record's JSON text (NULL when SQLite cannot write it exactly), or None."""
    root = _JsonNode(compiled.object.name, _quote_identifier(compiled.base_id_alias), api_version)
    nodes: dict[tuple[str, ...], _JsonNode] = {(): root}
    for join in compiled.relationships:
        nodes[join.path] = _JsonNode(
            join.object_name, _quote_identifier(join.id_alias), api_version
        )
    checks: list[str] = []
    for column in compiled.columns:
        relationship_path = column.path[:-1]
        for depth in range(1, len(relationship_path) + 1):
            prefix = relationship_path[:depth]
            nodes[prefix[:-1]].add(prefix[-1], nodes[prefix])
        node = nodes[relationship_path]
        aliases = [_quote_identifier(alias) for alias in column.sql_aliases]
        value, needs = _rest_value(column.field, aliases, node)
        checks.extend(needs)
        node.add(column.field.name, _Item(column.field.name, value, column.field.is_compound))
    try:
        text = root.text_sql()
    except _UnsupportedShapeError:
        return None
    if text is None:
        return None
    return _checked(text, checks)


def _csv_value(field: FieldDef, column: str, *, may_hold_nul: bool) -> tuple[str, list[str]]:
    """SQL of one column's CSV cell text (never NULL), and the conditions it needs."""
    kind = field.type
    if kind == "boolean":
        return f"CASE {column} WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE '' END", []
    if kind in _DOUBLE_TYPES:
        return f"ifnull({column}, '')", [exact_double(column)]
    if kind in TEXT_TYPES and may_hold_nul:
        return f"ifnull({column}, '')", [f"({column} IS NULL OR instr({column}, char(0)) = 0)"]
    return f"ifnull({column}, '')", []


def csv_line_sql(
    compiled: CompiledQuery,
    delimiter: str,
    line_ending: str,
    objects_with_nul: frozenset[str] = frozenset(),
) -> str | None:
    """SQL yielding ``("__rowid", CSV line or NULL)``: every cell quoted, quotes doubled.

    Args:
        compiled: The compiled query (no compound or base64 columns: Bulk refuses those).
        delimiter: The column delimiter.
        line_ending: The line ending (LF or CRLF characters).
        objects_with_nul: Objects whose text may hold a NUL character (checked per value).

    Returns:
        The statement (its one parameter: a JSON array of rowids), or None for no columns.
    """
    value = _csv_value_sql(compiled, delimiter, line_ending, objects_with_nul)
    return None if value is None else _per_record(value, compiled)


def csv_chunk_sql(
    compiled: CompiledQuery,
    delimiter: str,
    line_ending: str,
    objects_with_nul: frozenset[str] = frozenset(),
) -> str | None:
    """SQL yielding one row for the records of a rowid array: see :func:`_per_page`.

    The lines are joined as they are (each ends with ``line_ending``), and the fourth column
    gives each line's length in bytes; the arguments are those of :func:`csv_line_sql`.

    Returns:
        The statement (its one parameter: a JSON array of rowids), or None for no columns.
    """
    value = _csv_value_sql(compiled, delimiter, line_ending, objects_with_nul)
    return None if value is None else _per_page(value, compiled, "", lengths=True)


def _csv_value_sql(
    compiled: CompiledQuery,
    delimiter: str,
    line_ending: str,
    objects_with_nul: frozenset[str],
) -> str | None:
    """SQL of one record's CSV line (NULL when SQLite cannot write it exactly), or None."""
    if not compiled.columns:
        return None
    owners: dict[tuple[str, ...], str] = {(): compiled.object.name}
    owners.update((join.path, join.object_name) for join in compiled.relationships)
    cells: list[str] = []
    checks: list[str] = []
    for column in compiled.columns:
        value, needs = _csv_value(
            column.field,
            _quote_identifier(column.sql_aliases[0]),
            may_hold_nul=owners[column.path[:-1]] in objects_with_nul,
        )
        cells.append(value)
        checks.extend(needs)
    separator = delimiter.replace("%", "%%")
    calls = []
    for start in range(0, len(cells), _VALUES_PER_PRINTF):
        chunk = cells[start : start + _VALUES_PER_PRINTF]
        pattern = separator.join('"%w"' for _ in chunk)
        if start > 0:
            pattern = separator + pattern
        if start + _VALUES_PER_PRINTF >= len(cells):
            pattern += line_ending
        calls.append(f"printf({_literal(pattern)}, {', '.join(chunk)})")
    return _checked(" || ".join(calls), checks)


#: Doubles whose SQLite text must equal Python's for the fast path to be used.
_PROBE_DOUBLES: Final = (0.0, 0.1, 100.0, 1234.5, 0.0001, 123456789012345.0, -7.25, 1 / 3)


def sqlite_matches_python(connection: sqlite3.Connection) -> bool:
    """Whether this SQLite build writes JSON, numbers and CSV cells as this module assumes.

    Args:
        connection: A connection whose ``text_factory`` is ``bytes``.

    Returns:
        True when the probe values come out of SQLite exactly as ``orjson``/``repr`` write them.
    """
    text = 'a"b\\c\x00\x01\n\u00e9\u4e2d\U0001f600'
    found = connection.execute(
        "SELECT json_object('t', ?, 'b', json('true')), printf('\"%w\"', ?)", (text, 'x"y')
    ).fetchone()
    if found != (orjson.dumps({"t": text, "b": True}), b'"x""y"'):
        return False
    check = exact_double(":v")
    for value in _PROBE_DOUBLES:
        row = connection.execute(
            f"SELECT json_object('v', :v), printf('%w', :v), {check}", {"v": value}
        ).fetchone()
        exact = math.isfinite(value) and (value == 0 or 1e-4 <= abs(value) < 1e15)  # noqa: PLR2004
        if bool(row[2]) and not exact:
            return False
        if row[2] and (row[0] != orjson.dumps({"v": value}) or row[1] != repr(value).encode()):
            return False
    return True


def csv_line(cells: Sequence[str], delimiter: str, line_ending: str) -> bytes:
    """One CSV line as ``csv.writer`` with every value quoted writes it (the Python path)."""
    buffer = io.StringIO()
    csv.writer(
        buffer, delimiter=delimiter, lineterminator=line_ending, quoting=csv.QUOTE_ALL
    ).writerow(cells)
    return buffer.getvalue().encode("utf-8")
