"""Sync runs: the log of integration runs that people read in Akountify."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, Final

import orjson

from emulators.akountify import validation as v
from emulators.akountify.clock import parse_rfc3339, rfc3339
from emulators.akountify.entities import ENTITIES
from emulators.akountify.errors import ErrorDetail, not_found, validation_error
from emulators.akountify.ids import new_id
from emulators.akountify.records import decode_cursor, encode_cursor
from emulators.akountify.validation import INVALID, Problems, type_name

if TYPE_CHECKING:
    import sqlite3

    from emulators.akountify.accounts import Caller
    from emulators.akountify.clock import Clock

RUN_STATUSES: Final = ("succeeded", "succeeded_with_rejections", "failed")
COUNTERS: Final = ("created", "updated", "unchanged", "archived", "conflicts", "rejected")
MAX_REJECTIONS = 100
SOURCE_MAX = 200
CODE_MAX = 100
MESSAGE_MAX = 2000
_KEYS: Final = ("source", "started_at", "finished_at", "status", "counts", "rejections")
_REJECTION_KEYS: Final = ("external_id", "entity", "code", "message")


def _timestamp(value: Any, path: str, problems: Problems) -> int | None:
    try:
        return parse_rfc3339(value)
    except (TypeError, ValueError):
        problems.add(
            path,
            "invalid_format",
            f"{path} {value!r} is not an RFC 3339 date-time: write it like 2026-01-31T23:59:59Z",
        )
        return None


def _counts(value: Any, problems: Problems) -> dict[str, dict[str, int]]:
    checked = v.json_object(value, "counts", problems)
    if checked is INVALID or not isinstance(checked, dict):
        return {}
    counts: dict[str, dict[str, int]] = {}
    for entity, per_entity in checked.items():
        path = f"counts.{entity}"
        if entity not in ENTITIES:
            problems.add(path, "unknown_field", f"{path}: use one of {', '.join(ENTITIES)}")
            continue
        if not isinstance(per_entity, dict):
            problems.add(path, "invalid_format", f"{path} must be an object of counters")
            continue
        row = dict.fromkeys(COUNTERS, 0)
        for counter, number in per_entity.items():
            cpath = f"{path}.{counter}"
            if counter not in COUNTERS:
                problems.add(cpath, "unknown_field", f"{cpath}: use {', '.join(COUNTERS)}")
            elif isinstance(number, bool) or not isinstance(number, int) or number < 0:
                problems.add(cpath, "invalid_format", f"{cpath} must be a whole number ≥ 0")
            else:
                row[counter] = number
        counts[entity] = row
    return counts


def _rejections(value: Any, problems: Problems) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        problems.add(
            "rejections", "invalid_format", f"rejections must be an array, not {type_name(value)}"
        )
        return []
    if len(value) > MAX_REJECTIONS:
        problems.add(
            "rejections",
            "too_many",
            f"rejections has {len(value)} entries; keep the first {MAX_REJECTIONS}",
            limit=MAX_REJECTIONS,
        )
        return []
    return [_rejection(item, f"rejections[{index}]", problems) for index, item in enumerate(value)]


def _rejection(item: Any, path: str, problems: Problems) -> dict[str, Any]:
    if not isinstance(item, dict):
        problems.add(path, "invalid_format", f"{path} must be an object")
        return {}
    for key in sorted(set(item) - set(_REJECTION_KEYS)):
        problems.add(f"{path}.{key}", "unknown_field", f"use {', '.join(_REJECTION_KEYS)}")
    for key in ("entity", "code", "message"):
        if item.get(key) is None:
            problems.add(f"{path}.{key}", "required", f"{path}.{key} is required")
    checks = {
        "entity": partial(v.choice, options=tuple(ENTITIES)),
        "code": partial(v.text, max_len=CODE_MAX),
        "message": partial(v.text, max_len=MESSAGE_MAX, multiline=True),
        "external_id": partial(v.text, max_len=255),
    }
    for key, check in checks.items():
        if item.get(key) is not None:
            check(item[key], f"{path}.{key}", problems)
    return {key: item.get(key) for key in _REJECTION_KEYS}


def _validate(body: Any) -> dict[str, Any]:
    problems = Problems()
    if not isinstance(body, dict):
        raise validation_error(
            [ErrorDetail("body", "invalid_format", "the body must be a JSON object")], "sync run"
        )
    for key in sorted(set(body) - set(_KEYS)):
        problems.add(
            key, "unknown_field", f"{key} is not a field of a sync run: use {', '.join(_KEYS)}"
        )
    for key in ("source", "started_at", "status"):
        if body.get(key) is None:
            problems.add(key, "required", f"{key} is required")
    source = body.get("source")
    if source is not None:
        v.text(source, "source", problems, max_len=SOURCE_MAX)
    status = body.get("status")
    if status is not None:
        v.choice(status, "status", problems, options=RUN_STATUSES)
    started = (
        _timestamp(body["started_at"], "started_at", problems)
        if body.get("started_at") is not None
        else None
    )
    finished = (
        _timestamp(body["finished_at"], "finished_at", problems)
        if body.get("finished_at") is not None
        else None
    )
    if started is not None and finished is not None and finished < started:
        problems.add("finished_at", "invalid_value", "finished_at is before started_at")
    counts = _counts(body.get("counts", {}), problems)
    rejections = _rejections(body.get("rejections", []), problems)
    if problems:
        raise validation_error(problems.details, "sync run")
    return {
        "source": source,
        "started_at": rfc3339(started) if started is not None else None,
        "finished_at": rfc3339(finished) if finished is not None else None,
        "status": status,
        "counts": counts,
        "rejections": rejections,
    }


def create_run(
    connection: sqlite3.Connection, caller: Caller, body: Any, clock: Clock
) -> dict[str, Any]:
    """Validate and store a sync run (inside the caller's write transaction).

    Raises:
        ApiError: 422 naming every bad member.
    """
    run = {"id": new_id("sync_runs"), **_validate(body)}
    run["created_at"] = rfc3339(clock.now_us())
    run["created_by"] = caller.actor.to_json()
    connection.execute(
        "INSERT INTO sync_runs(id, company_id, body) VALUES (?, ?, ?)",
        (run["id"], caller.company_id, orjson.dumps(run).decode()),
    )
    return run


def list_runs(
    connection: sqlite3.Connection, caller: Caller, limit: int, cursor: str | None
) -> dict[str, Any]:
    """One page of a company's sync runs, newest first."""
    before = decode_cursor(cursor) if cursor else None
    sql = "SELECT seq, body FROM sync_runs WHERE company_id = ?"
    params: list[Any] = [caller.company_id]
    if before is not None:
        sql += " AND seq < ?"
        params.append(before)
    sql += " ORDER BY seq DESC LIMIT ?"
    params.append(limit + 1)
    rows = connection.execute(sql, params).fetchall()
    has_more = len(rows) > limit
    rows = rows[:limit]
    return {
        "data": [orjson.loads(row[1]) for row in rows],
        "next_cursor": encode_cursor(rows[-1][0]) if has_more else None,
        "has_more": has_more,
    }


def get_run(connection: sqlite3.Connection, caller: Caller, run_id: str) -> dict[str, Any]:
    """One sync run.

    Raises:
        ApiError: 404 when the company has no such run.
    """
    row = connection.execute(
        "SELECT body FROM sync_runs WHERE company_id = ? AND id = ?", (caller.company_id, run_id)
    ).fetchone()
    if row is None:
        raise not_found(f"sync run {run_id} does not exist")
    result: dict[str, Any] = orjson.loads(row[0])
    return result
