"""Compile a WHERE condition to SQLite SQL with parameters, checking it as Salesforce does.

SOQL's null semantics differ from SQL's: a comparison with a null field value is simply false
(``Industry != 'Retail'`` *includes* records whose Industry is null, ``NOT IN`` too). Every
comparison therefore compiles to an expression that is never NULL, so that NOT, AND and OR
combine two-valued results. Text compares case-insensitively (``COLLATE NOCASE``; ``LIKE`` is
case-insensitive in SQLite already), ids exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from emulators.salesforce.ids import normalize_id
from emulators.salesforce.schema import TEXT_TYPES
from emulators.salesforce.soql import literals, messages
from emulators.salesforce.soql.syntax import (
    AllOf,
    AnyOf,
    Comparison,
    Condition,
    Literal,
    LiteralKind,
    Negation,
    Operator,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from emulators.salesforce.errors import SalesforceApiError
    from emulators.salesforce.soql.resolve import ResolvedField, Resolver

ID_TYPES: Final = frozenset({"id", "reference"})
_NUMBER_TYPES: Final = frozenset({"int", "long", "double", "currency", "percent"})
#: The type names Salesforce's "must be of type X" messages use.
_MESSAGE_TYPE_NAMES: Final = {
    "id": "id",
    "reference": "id",
    "boolean": "boolean",
    "int": "integer",
    "long": "long",
    "double": "double",
    "currency": "double",
    "percent": "double",
    "date": "date",
    "datetime": "dateTime",
    "time": "time",
}
_SQL_OPERATORS: Final = {
    Operator.EQ: "=",
    Operator.NE: "<>",
    Operator.LT: "<",
    Operator.LE: "<=",
    Operator.GT: ">",
    Operator.GE: ">=",
}
_NEVER: Final = "0"
_MULTIPICKLIST_SEPARATOR: Final = ";"
_MULTIPICKLIST_REFUSED: Final = frozenset(
    {Operator.LT, Operator.LE, Operator.GT, Operator.GE, Operator.LIKE}
)


@dataclass(frozen=True)
class CompiledCondition:
    """A WHERE condition as SQL.

    Attributes:
        sql: A boolean SQL expression that is never NULL.
        params: Its parameters, in order.
        relationships: Relationship paths whose tables the expression reads.
    """

    sql: str
    params: tuple[Any, ...]
    relationships: frozenset[tuple[str, ...]]


class FilterCompiler:
    """Compiles the WHERE conditions of one query."""

    def __init__(
        self, soql: str, resolver: Resolver, column: Callable[[ResolvedField], str]
    ) -> None:
        """Compile against ``resolver``'s object; ``column`` renders a field's SQL column."""
        self._soql = soql
        self._resolver = resolver
        self._column = column
        self._params: list[Any] = []
        self._relationships: set[tuple[str, ...]] = set()

    def compile(self, condition: Condition) -> CompiledCondition:
        """Compile ``condition`` (raising Salesforce's errors for invalid filters)."""
        self._params = []
        self._relationships = set()
        sql = self._condition(condition)
        return CompiledCondition(sql, tuple(self._params), frozenset(self._relationships))

    def _condition(self, condition: Condition) -> str:
        if isinstance(condition, AllOf):
            return "(" + " AND ".join(self._condition(c) for c in condition.operands) + ")"
        if isinstance(condition, AnyOf):
            return "(" + " OR ".join(self._condition(c) for c in condition.operands) + ")"
        if isinstance(condition, Negation):
            return f"(NOT {self._condition(condition.operand)})"
        return self._comparison(condition)

    def _comparison(self, comparison: Comparison) -> str:
        resolved = self._resolver.resolve(comparison.field)
        field = resolved.field
        if field.is_compound or not field.filterable:
            raise messages.not_filterable(self._soql, comparison.field.position, field.name)
        for relationship_depth in range(1, len(resolved.relationships) + 1):
            self._relationships.add(resolved.relationships[:relationship_depth])
        operator = comparison.operator
        self._check_operator(resolved, comparison)
        values = [self._value(resolved, operator, literal) for literal in comparison.values]
        column = self._column(resolved)
        if field.type == "multipicklist":
            return _MultipicklistSql(column, self._params).render(operator, values)
        return self._scalar_sql(resolved, column, operator, values)

    def _check_operator(self, resolved: ResolvedField, comparison: Comparison) -> None:
        """Refuse operators the field's type does not support."""
        field_type = resolved.field.type
        operator = comparison.operator
        position = comparison.field.position
        if operator is Operator.LIKE and field_type not in TEXT_TYPES:
            kind = "id" if field_type in ID_TYPES else _type_name(field_type)
            raise messages.invalid_operator(
                self._soql, position, f"invalid operator on {kind} field"
            )
        if field_type == "multipicklist" and operator in _MULTIPICKLIST_REFUSED:
            raise messages.invalid_operator(
                self._soql, position, "invalid operator on multipicklist field"
            )
        if operator in {Operator.INCLUDES, Operator.EXCLUDES} and field_type != "multipicklist":
            raise messages.invalid_operator(
                self._soql,
                position,
                "includes or excludes operator only valid on multipicklist field",
            )

    def _value(self, resolved: ResolvedField, operator: Operator, literal: Literal) -> Any:
        """Check ``literal`` against the field's type and convert it to its storage value."""
        field_type = resolved.field.type
        if literal.kind is LiteralKind.NULL and operator is not Operator.LIKE:
            return None
        expected = _expected_kind(field_type)
        if literal.kind is not expected:
            raise messages.wrong_value_type(
                self._soql,
                literal.position,
                resolved.field.name,
                _type_name(field_type),
                quoted=expected is LiteralKind.STRING,
            )
        try:
            return self._convert(field_type, operator, literal)
        except literals.LiteralError as error:
            raise positioned(self._soql, literal, error) from None

    def _convert(self, field_type: str, operator: Operator, literal: Literal) -> Any:
        """The storage value of a literal already known to be of the right kind."""
        if literal.kind is not LiteralKind.STRING:
            return _CONVERTERS[literal.kind](literal.text)
        decoded = literals.decode_string(literal.text)
        if operator is Operator.LIKE:
            return _LikePattern(decoded.like_pattern)
        if decoded.like_only_offset is not None:
            raise literals.LiteralError(
                decoded.like_only_offset,
                f"Invalid string literal {literal.text}. Illegal character sequence "
                f"'{literal.text[decoded.like_only_offset : decoded.like_only_offset + 2]}' "
                "in string literal.",
            )
        if decoded.value == "":
            return None
        if field_type in ID_TYPES:
            return self._id_value(decoded.value, literal)
        return decoded.value

    def _id_value(self, value: str, literal: Literal) -> str:
        """An id literal in canonical 18-character form.

        Salesforce accepts 15-character ids (case-sensitive) and 18-character ids in any case;
        anything else is refused with ``invalid ID field``.
        """
        canonical = normalize_id(value)
        if canonical is None:
            raise messages.invalid_id(self._soql, literal.position, value)
        return canonical

    def _scalar_sql(
        self, resolved: ResolvedField, column: str, operator: Operator, values: list[Any]
    ) -> str:
        """SQL for a comparison on a field that is not a multi-select picklist."""
        collate = " COLLATE NOCASE" if resolved.field.type in TEXT_TYPES else ""
        nullable = resolved.may_be_null
        guard = f"{column} IS NOT NULL AND " if nullable else ""
        if operator in {Operator.IN, Operator.NOT_IN}:
            expression = self._in_sql(column, values, guard, collate)
            return f"(NOT {expression})" if operator is Operator.NOT_IN else expression
        value = values[0]
        if operator is Operator.LIKE:
            self._params.append(value.pattern)
            return f"({guard}{column} LIKE ? ESCAPE '\\')"
        if value is None:
            return _null_comparison(column, operator)
        self._params.append(value)
        if operator is Operator.NE:
            null_case = f"{column} IS NULL OR " if nullable else ""
            return f"({null_case}{column} <> ?{collate})"
        return f"({guard}{column} {_SQL_OPERATORS[operator]} ?{collate})"

    def _in_sql(self, column: str, values: list[Any], guard: str, collate: str) -> str:
        """``column IN (values)``, where a null in the list matches a null field."""
        present = [v for v in values if v is not None]
        options = []
        if present:
            self._params.extend(present)
            marks = ", ".join("?" * len(present))
            options.append(f"({guard}{column}{collate} IN ({marks}))")
        if len(present) < len(values):
            options.append(f"{column} IS NULL")
        return "(" + " OR ".join(options) + ")"


def _null_comparison(column: str, operator: Operator) -> str:
    """``column operator null``: only = and != can be true."""
    if operator is Operator.EQ:
        return f"({column} IS NULL)"
    if operator is Operator.NE:
        return f"({column} IS NOT NULL)"
    return _NEVER


@dataclass(frozen=True)
class _LikePattern:
    """A LIKE pattern, kept apart from plain string values."""

    pattern: str


class _MultipicklistSql:
    """SQL for multi-select picklists stored as ``A;B``: set semantics, case-insensitive.

    ``= 'A;B'`` matches exactly the values A and B in any order; ``INCLUDES ('A;B', 'C')``
    matches records holding both A and B, or C; ``!=``, ``NOT IN`` and ``EXCLUDES`` negate.
    """

    def __init__(self, column: str, params: list[Any]) -> None:
        self._column = column
        self._params = params

    def render(self, operator: Operator, values: list[Any]) -> str:
        """The SQL for ``column operator values``."""
        column = self._column
        if operator in {Operator.EQ, Operator.NE} and values[0] is None:
            test = "IS NULL" if operator is Operator.EQ else "IS NOT NULL"
            return f"({column} {test})"
        if operator in {Operator.EQ, Operator.IN}:
            return self._any(values, exact=True)
        if operator in {Operator.NE, Operator.NOT_IN}:
            return f"(NOT {self._any(values, exact=True)})"
        if operator is Operator.INCLUDES:
            return self._any(values, exact=False)
        return f"(NOT {self._any(values, exact=False)})"

    def _any(self, values: list[Any], *, exact: bool) -> str:
        """True when the field matches one of ``values`` (null matches a null field)."""
        options = []
        for value in values:
            if value is None:
                options.append(f"{self._column} IS NULL")
            else:
                options.append(self._matches(str(value), exact=exact))
        return "(" + " OR ".join(options) + ")"

    def _matches(self, value: str, *, exact: bool) -> str:
        """The field holds every entry of ``value`` (and, when ``exact``, nothing else)."""
        entries: dict[str, str] = {}
        for entry in value.split(_MULTIPICKLIST_SEPARATOR):
            stripped = entry.strip()
            if stripped:
                entries.setdefault(stripped.lower(), stripped)
        column = self._column
        terms = [f"{column} IS NOT NULL"]
        if exact:
            terms.append(f"length({column}) - length(replace({column}, ';', '')) + 1 = ?")
            self._params.append(len(entries))
        for entry in entries.values():
            terms.append(f"instr(';' || lower({column}) || ';', lower(?)) > 0")
            self._params.append(f";{entry};")
        return "(" + " AND ".join(terms) + ")"


_TEMPORAL_AND_BOOLEAN_KINDS: Final = {
    "boolean": LiteralKind.BOOLEAN,
    "date": LiteralKind.DATE,
    "datetime": LiteralKind.DATETIME,
    "time": LiteralKind.TIME,
}
#: Storage values of the literal kinds other than strings.
_CONVERTERS: Final[dict[LiteralKind, Callable[[str], Any]]] = {
    LiteralKind.NUMBER: literals.parse_number,
    LiteralKind.DATE: literals.normalize_date,
    LiteralKind.DATETIME: literals.normalize_datetime,
    LiteralKind.TIME: literals.normalize_time,
    LiteralKind.BOOLEAN: lambda text: 1 if text.lower() == "true" else 0,
}


def _expected_kind(field_type: str) -> LiteralKind | None:
    """The literal kind a field of ``field_type`` compares with (None: no literal fits)."""
    if field_type in TEXT_TYPES or field_type in ID_TYPES:
        return LiteralKind.STRING
    if field_type in _NUMBER_TYPES:
        return LiteralKind.NUMBER
    return _TEMPORAL_AND_BOOLEAN_KINDS.get(field_type)


def _type_name(field_type: str) -> str:
    """The type name Salesforce's messages use for ``field_type``."""
    if field_type in TEXT_TYPES:
        return "string"
    return _MESSAGE_TYPE_NAMES.get(field_type, field_type)


def positioned(soql: str, literal: Literal, error: literals.LiteralError) -> SalesforceApiError:
    """A literal's error, positioned at the offending character."""
    return messages.query_error(
        soql, literal.position + error.offset, messages.MALFORMED_QUERY, error.message
    )
