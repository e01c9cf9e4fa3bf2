"""The syntax tree of a parsed SOQL query, before names are checked against the catalog.

Every node keeps the 0-based offset of its first character in the query text, so that
semantic errors can point where Salesforce points.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class LiteralKind(Enum):
    """The lexical kind of a filter value, which decides the field types it may be compared to."""

    STRING = "string"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    TIME = "time"
    BOOLEAN = "boolean"
    NULL = "null"


@dataclass(frozen=True)
class FieldPath:
    """A (possibly dotted) field reference as written: ``Account.Owner.Name``.

    Attributes:
        parts: The names between the dots, as written.
        position: Offset of the path in the query.
    """

    parts: tuple[str, ...]
    position: int

    @property
    def text(self) -> str:
        """The path as written."""
        return ".".join(self.parts)


@dataclass(frozen=True)
class Literal:
    """A filter value.

    Attributes:
        kind: Its lexical kind.
        text: The literal as written (quotes included for strings).
        position: Offset of the literal in the query.
    """

    kind: LiteralKind
    text: str
    position: int


class Operator(Enum):
    """A comparison operator of a WHERE condition."""

    EQ = "="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    LIKE = "LIKE"
    IN = "IN"
    NOT_IN = "NOT IN"
    INCLUDES = "INCLUDES"
    EXCLUDES = "EXCLUDES"

    @property
    def takes_list(self) -> bool:
        """Whether the operator takes a parenthesised list of values."""
        return self in {Operator.IN, Operator.NOT_IN, Operator.INCLUDES, Operator.EXCLUDES}


@dataclass(frozen=True)
class Comparison:
    """``field operator value`` or ``field operator (value, …)``."""

    field: FieldPath
    operator: Operator
    values: tuple[Literal, ...]


@dataclass(frozen=True)
class AllOf:
    """Conditions joined by AND."""

    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    """Conditions joined by OR."""

    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class Negation:
    """``NOT condition``."""

    operand: Condition


Condition = Comparison | AllOf | AnyOf | Negation


@dataclass(frozen=True)
class OrderItem:
    """One ORDER BY key.

    Attributes:
        field: The field sorted on.
        descending: DESC rather than ASC.
        nulls_first: True for NULLS FIRST, False for NULLS LAST, None when not written.
    """

    field: FieldPath
    descending: bool
    nulls_first: bool | None


@dataclass(frozen=True)
class Number:
    """A LIMIT or OFFSET value as written."""

    text: str
    position: int


@dataclass(frozen=True)
class Query:
    """A parsed SOQL SELECT.

    Attributes:
        fields: The select list (empty for ``COUNT()``).
        is_count: Whether the select list is ``COUNT()``.
        count_argument: The field inside ``COUNT(field)``, which this emulator refuses.
        object_name: The FROM object as written.
        object_position: Offset of the object name.
        where: The WHERE condition, if any.
        order_by: The ORDER BY keys.
        limit: The LIMIT value, if any.
        offset: The OFFSET value, if any.
    """

    fields: tuple[FieldPath, ...]
    is_count: bool
    count_argument: FieldPath | None
    object_name: str
    object_position: int
    where: Condition | None
    order_by: tuple[OrderItem, ...]
    limit: Number | None
    offset: Number | None
