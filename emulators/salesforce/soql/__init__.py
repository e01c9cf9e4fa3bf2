"""The SOQL engine of the Salesforce emulator: parse, check against the catalog, compile to SQL.

Use :func:`compile_query`; the store runs the SQL it returns against its SQLite tables and
shapes rows with the column metadata. Errors are :class:`SalesforceApiError` with the status,
``errorCode`` and message text Salesforce returns for the same query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulators.salesforce.soql.compiler import MAX_OFFSET, ROWID_ALIAS, QueryCompiler
from emulators.salesforce.soql.model import CompiledQuery, RelationshipJoin, SelectedColumn
from emulators.salesforce.soql.parser import parse

if TYPE_CHECKING:
    from emulators.salesforce.schema import Catalog

__all__ = [
    "MAX_OFFSET",
    "ROWID_ALIAS",
    "CompiledQuery",
    "RelationshipJoin",
    "SelectedColumn",
    "compile_query",
]


def compile_query(soql: str, catalog: Catalog, *, include_deleted: bool = False) -> CompiledQuery:
    """Compile a SOQL query to SQLite SQL against the store's tables.

    Args:
        soql: The query as the client sent it.
        catalog: The org's objects.
        include_deleted: True for ``queryAll`` (soft-deleted rows included), False for
            ``query``.

    Returns:
        The SQL and the metadata to shape its rows.

    Raises:
        SalesforceApiError: 400 with Salesforce's errorCode and message (MALFORMED_QUERY,
            INVALID_FIELD, INVALID_TYPE, INVALID_QUERY_FILTER_OPERATOR,
            NUMBER_OUTSIDE_VALID_RANGE …).
    """
    query = parse(soql)
    return QueryCompiler(soql, query, catalog, include_deleted=include_deleted).compile()
