"""Any text given to compile_query either compiles to runnable SQL or raises SalesforceApiError."""

# ruff: noqa: S608 - the strings built here are SOQL queries under test, not SQL
from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulators.salesforce.errors import SalesforceApiError
from emulators.salesforce.soql import CompiledQuery, compile_query

from .soql_test_org import CATALOG, create_tables

if TYPE_CHECKING:
    from collections.abc import Iterator

VOCABULARY = [
    "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "LIKE", "IN", "INCLUDES", "EXCLUDES",
    "ORDER", "BY", "ASC", "DESC", "NULLS", "FIRST", "LAST", "LIMIT", "OFFSET", "COUNT()",
    "Account", "Contact", "User", "Id", "Name", "Type", "Owner.Name", "Account.Name",
    "AnnualRevenue", "NumberOfEmployees", "Active__c", "CreatedDate", "Customer_Since__c",
    "Industries_Served__c", "Opening_Time__c", "BillingAddress", "Description", "OwnerId",
    "=", "!=", "<>", "<", "<=", ">", ">=", "(", ")", ",", "'x'", "'a\\'b'", "'%'", "''",
    "null", "true", "false", "1", "-2.5", "99999999999999999999999", "2024-01-01",
    "2024-01-01T00:00:00Z", "2024-01-01T00:00:00+05:30", "10:00:00Z", "'001000000000001AAA'",
    "2001", "2000", "'\\u00e9'",
]  # fmt: skip


@pytest.fixture(scope="module")
def connection() -> Iterator[sqlite3.Connection]:
    database = sqlite3.connect(":memory:")
    create_tables(database, CATALOG)
    yield database
    database.close()


def outcome(soql: str) -> CompiledQuery | SalesforceApiError:
    try:
        return compile_query(soql, CATALOG)
    except SalesforceApiError as error:
        return error


def check(soql: str, connection: sqlite3.Connection) -> None:
    result = outcome(soql)
    if isinstance(result, SalesforceApiError):
        assert result.status == 400
        assert result.error_code
        assert result.message
        return
    connection.execute(result.sql, result.params).fetchall()
    connection.execute(result.count_sql, result.params).fetchall()


@settings(max_examples=150)
@given(text=st.text(max_size=80))
def test_arbitrary_text(connection: sqlite3.Connection, text: str) -> None:
    check(text, connection)
    check("SELECT Id FROM Account WHERE " + text, connection)


@settings(max_examples=250)
@given(tokens=st.lists(st.sampled_from(VOCABULARY), max_size=14))
def test_token_soup(connection: sqlite3.Connection, tokens: list[str]) -> None:
    soup = " ".join(tokens)
    check(soup, connection)
    check("SELECT Id, Name FROM Account WHERE " + soup, connection)
    check("SELECT Id FROM Account " + soup, connection)


def test_concurrent_compiles_agree_with_sequential_ones() -> None:
    queries = [
        f"SELECT Id, Name, Owner.Name FROM Account WHERE NumberOfEmployees > {n} "
        f"AND Name LIKE 'a{n}%' ORDER BY Name DESC LIMIT {n + 1}"
        for n in range(200)
    ]
    expected = [(c.sql, c.params) for c in (compile_query(q, CATALOG) for q in queries)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        found = list(pool.map(lambda q: compile_query(q, CATALOG), queries))
    assert [(c.sql, c.params) for c in found] == expected
