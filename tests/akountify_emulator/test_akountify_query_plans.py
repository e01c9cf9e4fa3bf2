"""List queries use the index that fits their filter, whatever the table size.

Timing tests would be flaky on a shared machine; the query plan is what makes a look-up by
external id cost the same at 1,000 or 1,000,000 rows, so the plan is what is checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from emulators.akountify import database
from emulators.akountify.idempotency import PURGE_SQL
from emulators.akountify.records import ListQuery, list_statement

if TYPE_CHECKING:
    import sqlite3
    from pathlib import Path

COMPANY = "cmp_plans"
ROWS = 3000


@pytest.fixture(scope="module")
def connection(tmp_path_factory: pytest.TempPathFactory) -> sqlite3.Connection:
    """A database with many linked customers, a few hand-typed ones, and statistics."""
    folder: Path = tmp_path_factory.mktemp("plans")
    db = database.connect(folder)
    rows = [
        (
            f"cus_{n:020d}",
            COMPANY,
            "customers",
            None if n % 500 == 0 else f"EXT-{n}",
            "active",
            1,
            n,
            n,
            "{}",
            "{}",
            "{}",
            "{}",
            f"customer {n}",
        )
        for n in range(ROWS)
    ]
    with database.write(db):
        db.executemany(
            "INSERT INTO records(id, company_id, entity, external_id, status, version, "
            "created_at, updated_at, updated_by, fields, custom_fields, sync_metadata, "
            "search_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    db.execute("ANALYZE")
    return db


def _plan(connection: sqlite3.Connection, query: ListQuery) -> list[str]:
    sql, params = list_statement(COMPANY, "customers", query)
    return [row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}", params)]


@pytest.mark.parametrize(
    "query",
    [
        ListQuery(limit=100, external_ids=tuple(f"EXT-{n}" for n in range(1, 101))),
        ListQuery(limit=100, external_ids=("EXT-7",), after_seq=5, status="active"),
        ListQuery(limit=100, external_ids=("EXT-7", "EXT-9"), has_external_id=True),
    ],
    ids=["100 ids", "one id, cursor and status", "ids and has_external_id"],
)
def test_a_read_by_external_ids_searches_the_external_id_index(
    connection: sqlite3.Connection, query: ListQuery
) -> None:
    plan = _plan(connection, query)
    assert any("USING INDEX records_by_external_id" in step for step in plan), plan
    assert any("external_id=?" in step for step in plan), plan
    assert not any("records_by_creation" in step or step.startswith("SCAN") for step in plan)


def test_hand_typed_records_are_read_from_their_partial_index(
    connection: sqlite3.Connection,
) -> None:
    plan = _plan(connection, ListQuery(limit=200, has_external_id=False, status="active"))
    assert any("USING INDEX records_without_external_id" in step for step in plan), plan
    assert not any(step.startswith("SCAN") for step in plan), plan


def test_a_plain_page_walks_in_creation_order_without_sorting(
    connection: sqlite3.Connection,
) -> None:
    plan = _plan(connection, ListQuery(limit=50, after_seq=100))
    assert len(plan) == 1, plan
    assert plan[0].startswith("SEARCH records USING"), plan
    assert "seq>?" in plan[0] or "rowid>?" in plan[0], plan


def test_the_external_id_read_returns_the_rows_in_creation_order(
    connection: sqlite3.Connection,
) -> None:
    wanted = ("EXT-2999", "EXT-3", "EXT-1501", "missing")
    sql, params = list_statement(COMPANY, "customers", ListQuery(limit=2, external_ids=wanted))
    found = [row[3] for row in connection.execute(sql, params)]
    assert found == ["EXT-3", "EXT-1501", "EXT-2999"]  # limit + 1 rows: the page has more


def test_the_purge_of_expired_idempotency_keys_searches_by_age(
    connection: sqlite3.Connection,
) -> None:
    plan = [row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {PURGE_SQL}", (COMPANY, 0))]
    expected = (
        "SEARCH idempotency_keys USING COVERING INDEX idempotency_keys_by_age "
        "(company_id=? AND created_at<?)"
    )
    assert plan == [expected]
