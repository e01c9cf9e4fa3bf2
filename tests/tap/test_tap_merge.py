"""Merging field groups by Id: nothing lost, nothing duplicated, never a torn row."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from tap_salesforce_lite.merge import FieldGroupMerger

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    import pytest

KEY = "SystemModstamp"


def stamp(n: int) -> str:
    return f"2024-01-01T00:00:{n:02d}.000+0000"


class FakeOrg:
    """Rows of two field groups; ``version`` changes a record's fields and stamp."""

    def __init__(self, count: int) -> None:
        self.rows: dict[str, dict[str, Any]] = {
            f"id{i:03d}": {"n": i, "stamp": stamp(i % 50), "v": 0} for i in range(count)
        }

    def group_row(self, record_id: str, group: int) -> dict[str, Any]:
        row = self.rows[record_id]
        return {
            "Id": record_id,
            KEY: row["stamp"],
            f"g{group}": f"{record_id}-g{group}-v{row['v']}",
        }

    def ordered_ids(self) -> list[str]:
        return sorted(self.rows, key=lambda rid: (self.rows[rid]["stamp"], rid))

    def modify(self, record_id: str, new_stamp: int) -> None:
        row = self.rows[record_id]
        row["v"] += 1
        row["stamp"] = stamp(new_stamp)

    def cursor(
        self, group: int, page_size: int, on_page: Callable[[int, int], None] | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages of one group query; ``on_page(group, -1)`` runs just before it starts."""
        if on_page is not None:
            on_page(group, -1)
        ids = self.ordered_ids()  # the order is taken when the query starts
        for start in range(0, len(ids), page_size):
            if on_page is not None:
                on_page(group, start // page_size)
            chunk = [rid for rid in ids[start : start + page_size] if rid in self.rows]
            yield [self.group_row(rid, group) for rid in chunk]

    def refetch(
        self, groups: int
    ) -> tuple[Callable[[list[str]], list[dict[str, dict[str, Any]]]], list[list[str]]]:
        calls: list[list[str]] = []

        def fetch(ids: list[str]) -> list[dict[str, dict[str, Any]]]:
            calls.append(list(ids))
            return [
                {rid: self.group_row(rid, g) for rid in ids if rid in self.rows}
                for g in range(groups)
            ]

        return fetch, calls


def check_consistent(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        versions = {row["g0"].rsplit("-", 1)[1], row["g1"].rsplit("-", 1)[1]}
        assert len(versions) == 1, f"torn row {row}"


def test_groups_merge_into_whole_rows_in_order() -> None:
    org = FakeOrg(250)
    fetch, calls = org.refetch(2)
    merger = FieldGroupMerger(
        [org.cursor(0, 100), org.cursor(1, 30)], key_field=KEY, refetch=fetch, slack_rows=200
    )
    rows = list(merger.rows())
    assert [row["Id"] for row in rows] == org.ordered_ids()
    check_consistent(rows)
    assert calls == []
    # Memory stays bounded: only rows seen by one group but not yet by the other are held.
    assert merger.peak_partials <= 100


def test_a_record_modified_between_group_queries_is_reread_not_torn() -> None:
    org = FakeOrg(120)
    target = org.ordered_ids()[10]

    def modify_once(group: int, page: int) -> None:
        if group == 1 and page == 0 and org.rows[target]["v"] == 0:
            org.modify(target, 59)

    fetch, calls = org.refetch(2)
    merger = FieldGroupMerger(
        [org.cursor(0, 50), org.cursor(1, 50, modify_once)],
        key_field=KEY,
        refetch=fetch,
        slack_rows=100,
    )
    rows = list(merger.rows())
    ids = [row["Id"] for row in rows]
    assert sorted(ids) == sorted(org.rows)
    assert len(ids) == len(set(ids))
    check_consistent(rows)
    (reread,) = [row for row in rows if row["Id"] == target]
    assert reread["g0"].endswith("-v1")
    assert reread[KEY] == stamp(59)
    assert target in calls[0]


def test_records_created_or_deleted_between_group_queries() -> None:
    org = FakeOrg(80)
    doomed = org.ordered_ids()[5]

    def churn(group: int, page: int) -> None:
        if group == 1 and page == -1:
            if doomed in org.rows:
                del org.rows[doomed]
            org.rows.setdefault("id999", {"n": 999, "stamp": stamp(1), "v": 0})

    fetch, _ = org.refetch(2)
    merger = FieldGroupMerger(
        [org.cursor(0, 40), org.cursor(1, 40, churn)], key_field=KEY, refetch=fetch, slack_rows=80
    )
    rows = list(merger.rows())
    ids = [row["Id"] for row in rows]
    assert len(ids) == len(set(ids))
    assert doomed not in ids  # deleted, and deleted rows are not read
    assert "id999" in ids  # created between the queries: read whole, by Id
    assert set(ids) == set(org.rows)
    check_consistent(rows)


def test_a_record_that_keeps_changing_is_left_for_the_next_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    org = FakeOrg(10)
    target = org.ordered_ids()[3]
    groups = 2

    def restless(ids: list[str]) -> list[dict[str, dict[str, Any]]]:
        result = [
            {rid: org.group_row(rid, g) for rid in ids if rid in org.rows} for g in range(groups)
        ]
        org.modify(target, org.rows[target]["v"] + 1)
        result[1][target] = org.group_row(target, 1)
        return result

    def modify_once(group: int, page: int) -> None:
        if group == 1 and org.rows[target]["v"] == 0:
            org.modify(target, 40)

    merger = FieldGroupMerger(
        [org.cursor(0, 10), org.cursor(1, 10, modify_once)],
        key_field=KEY,
        refetch=restless,
        slack_rows=20,
    )
    with caplog.at_level(logging.WARNING):
        rows = list(merger.rows())
    assert target not in [row["Id"] for row in rows]
    assert len(rows) == 9
    assert merger.skipped
    assert merger.skipped[0][0] == target
    assert f"Record {target} kept changing" in caplog.text
