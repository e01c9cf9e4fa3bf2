"""Compile a parsed SOQL query to SQLite SQL against the store's tables.

Storage conventions (see :mod:`emulators.salesforce.schema`): one rowid table per object named
by its API name, one column per stored field, ``IsDeleted`` 0/1. ``Parent.Field`` becomes a
LEFT JOIN of the parent's table on ``Id``. Table aliases are ``t0`` (the FROM object) and
``t1``… (parents); result aliases are ``c0``, ``c1``… Values are always bound as parameters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from emulators.salesforce.schema import TEXT_TYPES
from emulators.salesforce.soql import literals, messages
from emulators.salesforce.soql.filters import CompiledCondition, FilterCompiler
from emulators.salesforce.soql.model import CompiledQuery, RelationshipJoin, SelectedColumn
from emulators.salesforce.soql.resolve import ResolvedField, Resolver
from emulators.salesforce.soql.syntax import (
    AllOf,
    Comparison,
    Condition,
    LiteralKind,
    Number,
    Operator,
    OrderItem,
    Query,
)

if TYPE_CHECKING:
    from emulators.salesforce.schema import Catalog, ObjectDef

#: The largest OFFSET Salesforce accepts.
MAX_OFFSET: Final = 2000
BASE_ALIAS: Final = "t0"
ROWID_ALIAS: Final = "__rowid"
#: Alias of the JSON array of rowids that ``page_rows_sql`` walks.
PAGE_ALIAS: Final = "__page"
_NO_LIMIT: Final = -1
_SQLITE_MAX_INTEGER: Final = 2**63 - 1
#: Membership in the JSON array of rowids bound to the statement's single parameter.
_IN_JSON_ARRAY: Final = "IN (SELECT value FROM json_each(?))"
_LOWER_BOUND_OPERATORS: Final = frozenset({Operator.GT, Operator.GE, Operator.EQ})
_UPPER_BOUND_OPERATORS: Final = frozenset({Operator.LT, Operator.LE, Operator.EQ})


def quote(identifier: str) -> str:
    """Quote an SQL identifier."""
    return '"' + identifier.replace('"', '""') + '"'


class QueryCompiler:
    """Compiles one parsed query; use :meth:`compile` once per instance."""

    def __init__(self, soql: str, query: Query, catalog: Catalog, *, include_deleted: bool) -> None:
        """Prepare to compile ``query`` (parsed from ``soql``) against ``catalog``."""
        self._soql = soql
        self._query = query
        self._catalog = catalog
        self._include_deleted = include_deleted
        self._aliases = 0
        self._base = self._base_object()
        self._resolver = Resolver(soql, self._base, catalog)

    def compile(self) -> CompiledQuery:
        """Check the query and build its SQL.

        Returns:
            The compiled query.

        Raises:
            SalesforceApiError: Salesforce's error for an invalid query.
        """
        query = self._query
        if query.count_argument is not None:
            raise messages.query_error(
                self._soql,
                query.count_argument.position,
                messages.MALFORMED_QUERY,
                "COUNT(field) aggregate queries are not supported by this emulator; use COUNT()",
            )
        # Checked in the order of the clauses, so the first error is the one Salesforce reports.
        columns = self._columns()
        condition = self._where()
        order_terms, order_relationships = self._order_by()
        limit = self._limit_value(query.limit)
        offset = self._limit_value(query.offset)
        if offset is not None and offset > MAX_OFFSET:
            raise messages.offset_too_large(MAX_OFFSET)
        return self._assemble(
            columns=columns,
            order_terms=order_terms,
            order_relationships=order_relationships,
            condition=condition,
            limit=limit,
            offset=offset,
        )

    def _base_object(self) -> ObjectDef:
        query = self._query
        base = self._catalog.get(query.object_name)
        if base is None:
            raise messages.unsupported_object(self._soql, query.object_position, query.object_name)
        if not base.queryable:
            raise messages.not_queryable(base.name)
        return base

    def _next_alias(self) -> str:
        alias = f"c{self._aliases}"
        self._aliases += 1
        return alias

    def _table(self, relationships: tuple[str, ...]) -> str:
        """The table alias of the object reached through ``relationships``."""
        if not relationships:
            return BASE_ALIAS
        return f"t{list(self._resolver.links).index(relationships) + 1}"

    def _column(self, resolved: ResolvedField, name: str | None = None) -> str:
        """The SQL column of ``resolved`` (or of its component ``name``)."""
        return f"{quote(self._table(resolved.relationships))}.{quote(name or resolved.field.name)}"

    def _columns(self) -> list[tuple[SelectedColumn, list[str]]]:
        """The select list: each column with the SQL expressions of its aliases."""
        selected: list[tuple[SelectedColumn, list[str]]] = []
        seen: set[str] = set()
        for path in self._query.fields:
            resolved = self._resolver.resolve(path)
            key = resolved.name.lower()
            if key in seen:
                raise messages.duplicate_field(resolved.name)
            seen.add(key)
            if resolved.field.is_compound:
                stored = [c.name for c in resolved.owner.components(resolved.field)]
            else:
                stored = [resolved.field.name]
            aliases = tuple(self._next_alias() for _ in stored)
            expressions = [
                f"{self._column(resolved, name)} AS {quote(alias)}"
                for name, alias in zip(stored, aliases, strict=True)
            ]
            column = SelectedColumn(resolved.name, resolved.path, resolved.field, aliases)
            selected.append((column, expressions))
        return selected

    def _order_by(self) -> tuple[list[str], set[tuple[str, ...]]]:
        """The ORDER BY terms and the relationship paths they read."""
        terms: list[str] = []
        relationships: set[tuple[str, ...]] = set()
        sorts_on_id = False
        for item in self._query.order_by:
            resolved = self._resolver.resolve(item.field)
            self._check_sortable(item, resolved)
            relationships.update(_prefixes(resolved.relationships))
            terms.append(self._order_term(item, resolved))
            sorts_on_id = sorts_on_id or (
                not resolved.relationships and resolved.field.name == "Id"
            )
        if terms and not sorts_on_id:
            # Ties keep a stable order (a composite (key, Id) index still serves the ORDER BY:
            # its entries end with the rowid).
            terms.append(f"{quote(BASE_ALIAS)}.rowid")
        return terms, relationships

    def _check_sortable(self, item: OrderItem, resolved: ResolvedField) -> None:
        field = resolved.field
        if self._query.is_count:
            raise messages.query_error(
                self._soql,
                item.field.position,
                messages.MALFORMED_QUERY,
                f"Ordered field must be grouped or aggregated: {field.name}",
            )
        if field.is_compound or field.type == "multipicklist" or not field.sortable:
            raise messages.not_sortable(self._soql, item.field.position, field.name)

    def _order_term(self, item: OrderItem, resolved: ResolvedField) -> str:
        """One ORDER BY term; SQLite's default null order is Salesforce's (first when ASC)."""
        term = self._column(resolved)
        if resolved.field.type in TEXT_TYPES:
            term += " COLLATE NOCASE"
        if item.descending:
            term += " DESC"
        nulls_first_by_default = not item.descending
        if item.nulls_first is not None and item.nulls_first != nulls_first_by_default:
            term += " NULLS FIRST" if item.nulls_first else " NULLS LAST"
        return term

    def _where(self) -> CompiledCondition:
        """The WHERE condition, with the soft-delete filter of ``query`` (not ``queryAll``)."""
        terms: list[str] = []
        if not self._include_deleted:
            terms.append(f"{quote(BASE_ALIAS)}.{quote('IsDeleted')} = 0")
        params: tuple[Any, ...] = ()
        relationships: frozenset[tuple[str, ...]] = frozenset()
        if self._query.where is not None:
            compiled = FilterCompiler(self._soql, self._resolver, self._column).compile(
                self._query.where
            )
            terms.append(compiled.sql)
            params = compiled.params
            relationships = compiled.relationships
        return CompiledCondition(" AND ".join(terms), params, relationships)

    def _limit_value(self, number: Number | None) -> int | None:
        """A LIMIT/OFFSET value; Salesforce accepts only a non-negative integer."""
        if number is None:
            return None
        if not number.text.isdigit():
            raise messages.unexpected_token(self._soql, number.position, number.text)
        # Beyond SQLite's integer range a LIMIT is as good as none.
        return min(int(number.text), _SQLITE_MAX_INTEGER)

    def _assemble(
        self,
        *,
        columns: list[tuple[SelectedColumn, list[str]]],
        order_terms: list[str],
        order_relationships: set[tuple[str, ...]],
        condition: CompiledCondition,
        limit: int | None,
        offset: int | None,
    ) -> CompiledQuery:
        links = self._resolver.links
        base_table = f"{quote(self._base.name)} AS {quote(BASE_ALIAS)}"
        base_id_alias = self._next_alias()
        select_list = [f"{quote(BASE_ALIAS)}.{quote('Id')} AS {quote(base_id_alias)}"]
        joins: list[RelationshipJoin] = []
        for path, link in links.items():
            id_alias = self._next_alias()
            select_list.append(f"{quote(self._table(path))}.{quote('Id')} AS {quote(id_alias)}")
            joins.append(RelationshipJoin(path, link.parent.name, id_alias))
        for _, expressions in columns:
            select_list.extend(expressions)

        def from_clause(needed: set[tuple[str, ...]] | None) -> str:
            parts = [base_table]
            for path, link in links.items():
                if needed is not None and path not in needed:
                    continue
                parent_table = self._table(path[:-1])
                parts.append(
                    f"LEFT JOIN {quote(link.parent.name)} AS {quote(self._table(path))} "
                    f"ON {quote(self._table(path))}.{quote('Id')} = "
                    f"{quote(parent_table)}.{quote(link.foreign_key)}"
                )
            return " ".join(parts)

        where = f"WHERE {condition.sql}" if condition.sql else ""
        # Without ORDER BY the order is the plan's (like Salesforce, no order is promised), so
        # that a filter on an indexed column is never traded for a sort-free full scan.
        order = "ORDER BY " + ", ".join(order_terms) if order_terms else ""
        window, window_params = _window(limit, offset)
        params = (*condition.params, *window_params)
        filtered = set(condition.relationships)
        ordered = filtered | order_relationships
        select_sql = ", ".join(select_list)
        rowid = f"{quote(BASE_ALIAS)}.rowid"
        rowid_column = f"{rowid} AS {quote(ROWID_ALIAS)}"
        sql = _select(select_sql, from_clause(None), where, order, window)
        rowid_sql = _select(rowid_column, from_clause(ordered), where, order, window)
        rows_by_rowid_sql = _select(
            f"{rowid_column}, {select_sql}",
            from_clause(None),
            f"WHERE {rowid} {_IN_JSON_ARRAY}",
        )
        # json_each drives the loop (CROSS JOIN keeps it outermost), so rows come out in the
        # array's order, one rowid lookup each, without a sort.
        page_rows_sql = _select(
            f"{rowid_column}, {select_sql}",
            f"json_each(?) AS {quote(PAGE_ALIAS)} CROSS JOIN {from_clause(None)}",
            f"WHERE {rowid} = {quote(PAGE_ALIAS)}.value",
        )
        if window:
            counted = _select("1", from_clause(filtered), where, window)
            count_sql = _select("COUNT(*)", f"({counted})")
        else:
            count_sql = _select("COUNT(*)", from_clause(filtered), where)
        return CompiledQuery(
            object=self._base,
            columns=tuple(column for column, _ in columns),
            relationships=tuple(joins),
            is_count=self._query.is_count,
            base_id_alias=base_id_alias,
            sql=sql,
            params=params,
            rowid_sql=rowid_sql,
            rows_by_rowid_sql=rows_by_rowid_sql,
            page_rows_sql=page_rows_sql,
            count_sql=count_sql,
            datetime_bounds=self._datetime_bounds(),
        )

    def _datetime_bounds(self) -> dict[str, tuple[str | None, str | None]]:
        """Tightest bounds per datetime field compared in a top-level AND term of WHERE."""
        bounds: dict[str, tuple[str | None, str | None]] = {}
        for term in _top_level_terms(self._query.where):
            if not isinstance(term, Comparison) or len(term.values) != 1:
                continue
            literal = term.values[0]
            resolved = self._resolver.resolve(term.field)
            if resolved.field.type != "datetime" or literal.kind is not LiteralKind.DATETIME:
                continue
            value = literals.normalize_datetime(literal.text)
            lower, upper = bounds.get(resolved.name, (None, None))
            if term.operator in _LOWER_BOUND_OPERATORS:
                lower = value if lower is None else max(lower, value)
            if term.operator in _UPPER_BOUND_OPERATORS:
                upper = value if upper is None else min(upper, value)
            if term.operator in _LOWER_BOUND_OPERATORS | _UPPER_BOUND_OPERATORS:
                bounds[resolved.name] = (lower, upper)
        return bounds


def _top_level_terms(condition: Condition | None) -> list[Condition]:
    """The conditions ANDed at the top of WHERE, through parenthesised AND groups."""
    if condition is None:
        return []
    if isinstance(condition, AllOf):
        return [term for operand in condition.operands for term in _top_level_terms(operand)]
    return [condition]


def _prefixes(relationships: tuple[str, ...]) -> set[tuple[str, ...]]:
    """Every non-empty prefix of a relationship path (each needs its own join)."""
    return {relationships[:depth] for depth in range(1, len(relationships) + 1)}


def _select(columns: str, source: str, *clauses: str) -> str:
    """``SELECT columns FROM source clauses…`` (empty clauses skipped).

    Every piece is made of quoted identifiers and ``?`` placeholders, never of values.
    """
    return " ".join(["SELECT", columns, "FROM", source, *(c for c in clauses if c)])


def _window(limit: int | None, offset: int | None) -> tuple[str, tuple[int, ...]]:
    """The LIMIT/OFFSET clause and its parameters."""
    if offset is None:
        return ("LIMIT ?", (limit,)) if limit is not None else ("", ())
    return "LIMIT ? OFFSET ?", (_NO_LIMIT if limit is None else limit, offset)
