"""Parse SOQL text into a :class:`~emulators.salesforce.soql.syntax.Query` with lark.

The grammar lives in ``grammar.lark`` next to this module. Syntax errors become Salesforce's
MALFORMED_QUERY messages, positioned from lark's error positions.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

from emulators.salesforce.soql import literals, messages
from emulators.salesforce.soql.syntax import (
    AllOf,
    AnyOf,
    Comparison,
    Condition,
    FieldPath,
    Literal,
    LiteralKind,
    Negation,
    Number,
    Operator,
    OrderItem,
    Query,
)

if TYPE_CHECKING:
    from emulators.salesforce.errors import SalesforceApiError

_LITERAL_KINDS = {
    "STRING": LiteralKind.STRING,
    "NUMBER": LiteralKind.NUMBER,
    "DATE": LiteralKind.DATE,
    "DATETIME": LiteralKind.DATETIME,
    "TIME": LiteralKind.TIME,
    "TRUE": LiteralKind.BOOLEAN,
    "FALSE": LiteralKind.BOOLEAN,
    "NULL": LiteralKind.NULL,
}
_LIST_OPERATORS = {
    "in_list": Operator.IN,
    "not_in_list": Operator.NOT_IN,
    "includes": Operator.INCLUDES,
    "excludes": Operator.EXCLUDES,
}
_MAX_FRACTION_DIGITS = 9
_FRACTION_START = len("YYYY-MM-DDThh:mm:ss.")
_EOF = "<EOF>"
#: Salesforce's reserved SOQL keywords: never a field or object name, even where the grammar
#: expects a name, so that ``a = 1 AND NOT b = 2`` stops at ``NOT`` as in Salesforce.
RESERVED_KEYWORDS = frozenset(
    {
        "AND", "ASC", "DESC", "EXCLUDES", "FIRST", "FROM", "GROUP", "HAVING", "IN", "INCLUDES",
        "LAST", "LIKE", "LIMIT", "NOT", "NULL", "NULLS", "OR", "SELECT", "WHERE", "WITH",
    }
)  # fmt: skip


@cache
def _parser() -> Lark:
    """The LALR parser, built once."""
    grammar = resources.files(__package__).joinpath("grammar.lark").read_text(encoding="utf-8")
    return Lark(
        grammar, parser="lalr", lexer="contextual", lexer_callbacks={"NAME": _reserve_keywords}
    )


def _reserve_keywords(token: Token) -> Token:
    """Give a reserved keyword lexed as a name its keyword type, so the parser refuses it."""
    upper = str(token).upper()
    if upper in RESERVED_KEYWORDS:
        return Token.new_borrow_pos(upper, str(token), token)
    return token


def parse(soql: str) -> Query:
    """Parse one SOQL query.

    Args:
        soql: The query text.

    Returns:
        Its syntax tree.

    Raises:
        SalesforceApiError: MALFORMED_QUERY with Salesforce's message and position.
    """
    try:
        tree = _parser().parse(soql)
    except UnexpectedToken as error:
        raise _unexpected(soql, error.token) from None
    except UnexpectedCharacters as error:
        raise _bad_character(soql, error.pos_in_stream or 0) from None
    except UnexpectedEOF:
        raise messages.unexpected_token(soql, len(soql), _EOF) from None
    return _Builder(soql).query(tree)


def _unexpected(soql: str, token: Token) -> SalesforceApiError:
    """The error for a token the grammar does not allow where it stands."""
    if token.type == "$END":
        return messages.unexpected_token(soql, len(soql), _EOF)
    return messages.unexpected_token(soql, _start(token), str(token))


def _bad_character(soql: str, position: int) -> SalesforceApiError:
    """The error for a character that starts no token (an unclosed string runs to the end)."""
    if soql[position] == "'":
        return messages.lexer_error(soql, len(soql))
    return messages.lexer_error(soql, position)


def _start(token: Token) -> int:
    """The 0-based offset of ``token``."""
    return int(token.start_pos or 0)


class _Builder:
    """Turns lark's parse tree into the syntax classes, checking literal forms on the way."""

    def __init__(self, soql: str) -> None:
        self.soql = soql

    def query(self, tree: Tree[Token]) -> Query:
        """Build the Query from the ``start`` tree."""
        children = tree.children
        select_list = _tree(children[1])
        object_token = _token(children[3])
        where: Condition | None = None
        order_by: tuple[OrderItem, ...] = ()
        limit: Number | None = None
        offset: Number | None = None
        for clause in children[4:]:
            clause_tree = _tree(clause)
            if clause_tree.data == "where_clause":
                where = self.condition(_tree(clause_tree.children[1]))
            elif clause_tree.data == "order_clause":
                order_by = tuple(self.order_item(_tree(c)) for c in clause_tree.children[2:])
            elif clause_tree.data == "limit_clause":
                limit = _number(_token(clause_tree.children[1]))
            else:
                offset = _number(_token(clause_tree.children[1]))
        fields: tuple[FieldPath, ...] = ()
        count_argument: FieldPath | None = None
        is_count = select_list.data == "select_list"
        if is_count:
            count_call = _tree(select_list.children[0])
            if len(count_call.children) > 1:
                count_argument = _path(_token(count_call.children[1]))
        else:
            fields = tuple(_path(_token(c)) for c in select_list.children)
        return Query(
            fields=fields,
            is_count=is_count,
            count_argument=count_argument,
            object_name=str(object_token),
            object_position=_start(object_token),
            where=where,
            order_by=order_by,
            limit=limit,
            offset=offset,
        )

    def condition(self, tree: Tree[Token] | Token) -> Condition:
        """Build a WHERE condition from its tree."""
        node = _tree(tree)
        kind = node.data
        children = node.children
        if kind == "and_chain":
            return AllOf(tuple(self.condition(c) for c in children[::2]))
        if kind == "or_chain":
            return AnyOf(tuple(self.condition(c) for c in children[::2]))
        if kind == "negation":
            return Negation(self.condition(children[1]))
        field = _path(_token(children[0]))
        if kind == "compare":
            operator_text = str(children[1])
            operator = Operator.NE if operator_text == "<>" else Operator(operator_text)
            return Comparison(field, operator, (self.literal(_token(children[2])),))
        if kind == "like":
            return Comparison(field, Operator.LIKE, (self.literal(_token(children[2])),))
        value_list = _tree(children[-1])
        values = tuple(self.literal(_token(c)) for c in value_list.children)
        return Comparison(field, _LIST_OPERATORS[str(kind)], values)

    def literal(self, token: Token) -> Literal:
        """Build a literal, refusing datetime forms Salesforce's lexer refuses."""
        kind = _LITERAL_KINDS[token.type]
        text = str(token)
        position = _start(token)
        if kind is LiteralKind.DATETIME:
            self._check_datetime_form(text, position)
        return Literal(kind, text, position)

    def _check_datetime_form(self, text: str, position: int) -> None:
        """Raise the lexer error Salesforce gives for a zone-less or over-precise datetime."""
        if not literals.has_zone(text):
            raise messages.lexer_error(self.soql, position + len(text))
        clock = text[_FRACTION_START - 1 :]
        if clock.startswith("."):
            digits = len(clock) - len(clock[1:].lstrip("0123456789")) - 1
            if digits > _MAX_FRACTION_DIGITS:
                raise messages.lexer_error(
                    self.soql, position + _FRACTION_START + _MAX_FRACTION_DIGITS
                )

    def order_item(self, tree: Tree[Token]) -> OrderItem:
        """Build one ORDER BY key."""
        tokens = [_token(c) for c in tree.children]
        kinds = {t.type for t in tokens[1:]}
        nulls_first: bool | None = None
        if "FIRST" in kinds:
            nulls_first = True
        elif "LAST" in kinds:
            nulls_first = False
        return OrderItem(_path(tokens[0]), "DESC" in kinds, nulls_first)


def _path(token: Token) -> FieldPath:
    """A FieldPath from a NAME token."""
    return FieldPath(tuple(str(token).split(".")), _start(token))


def _number(token: Token) -> Number:
    """A LIMIT/OFFSET value from a NUMBER token."""
    return Number(str(token), _start(token))


def _tree(node: Tree[Token] | Token) -> Tree[Token]:
    """``node`` as a subtree (the grammar guarantees it is one)."""
    if not isinstance(node, Tree):
        msg = f"expected a subtree, got token {node!r}"
        raise TypeError(msg)
    return node


def _token(node: Tree[Token] | Token) -> Token:
    """``node`` as a token (the grammar guarantees it is one)."""
    if not isinstance(node, Token):
        msg = f"expected a token, got subtree {node.data!r}"
        raise TypeError(msg)
    return node
