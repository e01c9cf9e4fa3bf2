r"""Salesforce's SOQL error messages, positioned the way Salesforce positions them.

A query error's message starts with a newline, then an excerpt of the query line with the
error, a caret under the offending token, ``ERROR at Row:R:Column:C`` (both 1-based) and the
explanation::

    \nSELECT Id, Foo FROM Account\n           ^\nERROR at Row:1:Column:12\nNo such column ...

The excerpt is the error's line cut to 30 characters on each side of the caret, widened to
whole words (runs without blanks or commas), which reproduces the excerpts of the messages
Salesforce returns for long queries.
"""

from __future__ import annotations

from typing import Final

from emulators.salesforce.errors import SalesforceApiError

BAD_REQUEST: Final = 400
MALFORMED_QUERY: Final = "MALFORMED_QUERY"
INVALID_FIELD: Final = "INVALID_FIELD"
INVALID_TYPE: Final = "INVALID_TYPE"
INVALID_QUERY_FILTER_OPERATOR: Final = "INVALID_QUERY_FILTER_OPERATOR"
INVALID_TYPE_FOR_OPERATION: Final = "INVALID_TYPE_FOR_OPERATION"
NUMBER_OUTSIDE_VALID_RANGE: Final = "NUMBER_OUTSIDE_VALID_RANGE"

_WSDL_HINT: Final = "Please reference your WSDL or the describe call for the appropriate names."
_EXCERPT_REACH: Final = 30


def query_error(soql: str, position: int, error_code: str, text: str) -> SalesforceApiError:
    """Build a 400 query error whose message points at ``position`` in ``soql``.

    Args:
        soql: The query as the client sent it.
        position: 0-based offset of the offending token (``len(soql)`` for the end).
        error_code: Salesforce's ``errorCode``.
        text: The explanation line.

    Returns:
        The error, ready to raise.
    """
    return SalesforceApiError(BAD_REQUEST, error_code, positioned_message(soql, position, text))


def positioned_message(soql: str, position: int, text: str) -> str:
    """The message text of a query error at ``position`` (see the module docstring)."""
    position = max(0, min(position, len(soql)))
    line_start = soql.rfind("\n", 0, position) + 1
    line_end = soql.find("\n", position)
    if line_end < 0:
        line_end = len(soql)
    line = soql[line_start:line_end].rstrip("\r")
    row = soql.count("\n", 0, position) + 1
    column = position - line_start
    excerpt, caret = _excerpt(line, column)
    return f"\n{excerpt}\n{' ' * caret}^\nERROR at Row:{row}:Column:{column + 1}\n{text}"


def _excerpt(line: str, column: int) -> tuple[str, int]:
    """Cut ``line`` around ``column`` to whole tokens; return the excerpt and the caret offset."""
    spans = _token_spans(line)
    start = max(0, column - _EXCERPT_REACH)
    end = min(len(line), column + _EXCERPT_REACH)
    for token_start, token_end in spans:
        if token_start < start < token_end:
            start = token_start
        if token_start < end < token_end:
            end = token_end
    excerpt = line[start:end]
    stripped = excerpt.lstrip()
    caret = column - start - (len(excerpt) - len(stripped))
    return stripped.rstrip(), max(caret, 0)


def _token_spans(line: str) -> list[tuple[int, int]]:
    """Spans of the words of ``line``: runs without blanks or commas, quoted strings whole."""
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(line):
        if _is_separator(line[index]):
            index += 1
            continue
        end = index
        while end < len(line) and not _is_separator(line[end]):
            if line[end] == "'":
                end += 1
                while end < len(line) and line[end] != "'":
                    end += 2 if line[end] == "\\" else 1
            end += 1
        end = min(end, len(line))
        spans.append((index, end))
        index = end
    return spans


def _is_separator(char: str) -> bool:
    """Whether ``char`` separates the words of an excerpt."""
    return char.isspace() or char == ","


def unexpected_token(soql: str, position: int, token_text: str) -> SalesforceApiError:
    """MALFORMED_QUERY ``unexpected token: 'X'`` (``'<EOF>'`` at the end of the query)."""
    return query_error(soql, position, MALFORMED_QUERY, f"unexpected token: {token_text!r}")


def lexer_error(soql: str, position: int) -> SalesforceApiError:
    """MALFORMED_QUERY for a character no token can start with, worded as Salesforce words it.

    Salesforce's lexer reports ``line R:C no viable alternative at character 'x'`` with C the
    0-based column of the character, and points the caret at the character before it.
    """
    char = soql[position] if position < len(soql) else "<EOF>"
    line_start = soql.rfind("\n", 0, position) + 1
    row = soql.count("\n", 0, position) + 1
    text = f"line {row}:{position - line_start} no viable alternative at character '{char}'"
    return query_error(soql, max(position - 1, line_start), MALFORMED_QUERY, text)


def no_such_column(soql: str, position: int, column: str, entity: str) -> SalesforceApiError:
    """INVALID_FIELD for a field the entity does not have."""
    text = (
        f"No such column '{column}' on entity '{entity}'. If you are attempting to use a custom "
        "field, be sure to append the '__c' after the custom field name. " + _WSDL_HINT
    )
    return query_error(soql, position, INVALID_FIELD, text)


def unknown_relationship(soql: str, position: int, relationship: str) -> SalesforceApiError:
    """INVALID_FIELD for a relationship name the entity does not have."""
    text = (
        f"Didn't understand relationship '{relationship}' in field path. If you are attempting "
        "to use a custom relationship, be sure to append the '__r' after the custom "
        "relationship name. " + _WSDL_HINT
    )
    return query_error(soql, position, INVALID_FIELD, text)


def unsupported_object(soql: str, position: int, name: str) -> SalesforceApiError:
    """INVALID_TYPE for an object the org does not have."""
    text = (
        f"sObject type '{name}' is not supported. If you are attempting to use a custom object, "
        "be sure to append the '__c' after the entity name. " + _WSDL_HINT
    )
    return query_error(soql, position, INVALID_TYPE, text)


def not_queryable(name: str) -> SalesforceApiError:
    """INVALID_TYPE_FOR_OPERATION for an object describe marks as not queryable."""
    return SalesforceApiError(
        BAD_REQUEST, INVALID_TYPE_FOR_OPERATION, f"entity type {name} does not support query"
    )


def wrong_value_type(
    soql: str, position: int, field: str, type_name: str, *, quoted: bool
) -> SalesforceApiError:
    """INVALID_FIELD for a filter value of the wrong kind for its field."""
    should = "should" if quoted else "should not"
    text = (
        f"value of filter criterion for field '{field}' must be of type {type_name} and "
        f"{should} be enclosed in quotes"
    )
    return query_error(soql, position, INVALID_FIELD, text)


def not_filterable(soql: str, position: int, field: str) -> SalesforceApiError:
    """INVALID_FIELD for a field that cannot appear in WHERE."""
    text = f"field '{field}' can not be filtered in a query call"
    return query_error(soql, position, INVALID_FIELD, text)


def not_sortable(soql: str, position: int, field: str) -> SalesforceApiError:
    """INVALID_FIELD for a field that cannot appear in ORDER BY."""
    text = f"field '{field}' can not be sorted in a query call"
    return query_error(soql, position, INVALID_FIELD, text)


def invalid_id(soql: str, position: int, value: str) -> SalesforceApiError:
    """INVALID_QUERY_FILTER_OPERATOR for an id literal that is not an id."""
    return query_error(soql, position, INVALID_QUERY_FILTER_OPERATOR, f"invalid ID field: {value}")


def invalid_operator(soql: str, position: int, text: str) -> SalesforceApiError:
    """INVALID_QUERY_FILTER_OPERATOR for an operator the field's type does not allow."""
    return query_error(soql, position, INVALID_QUERY_FILTER_OPERATOR, text)


def duplicate_field(name: str) -> SalesforceApiError:
    """INVALID_FIELD for a field selected twice (Salesforce sends it without a position)."""
    return SalesforceApiError(BAD_REQUEST, INVALID_FIELD, f"duplicate field selected: {name}")


def offset_too_large(maximum: int) -> SalesforceApiError:
    """NUMBER_OUTSIDE_VALID_RANGE for an OFFSET above Salesforce's maximum."""
    return SalesforceApiError(
        BAD_REQUEST, NUMBER_OUTSIDE_VALID_RANGE, f"Maximum SOQL offset allowed is {maximum}"
    )
