"""Faults that act on queries: QUERY_TIMEOUT for wide time windows, and late commits.

Both run on the store worker thread (they read or write the record store).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from emulators.salesforce.clock import format_iso, parse_instant
from emulators.salesforce.errors import SalesforceApiError

if TYPE_CHECKING:
    from emulators.salesforce.schema import FieldDef, ObjectDef
    from emulators.salesforce.soql import CompiledQuery
    from emulators.salesforce.state import EmulatorState
    from emulators.salesforce.store import QueryResult

logger = logging.getLogger(__name__)

_TEXT_TYPES = ("textarea", "string")


def query_timeout() -> SalesforceApiError:
    """Salesforce's error for a query that ran too long."""
    return SalesforceApiError(400, "QUERY_TIMEOUT", "Your query request was running for too long.")


def window_seconds(compiled: CompiledQuery, state: EmulatorState) -> float:
    """The narrowest datetime window of a query's WHERE clause, in seconds.

    A missing upper bound is "now" on the emulator's clock; a missing lower bound, or no
    datetime bound at all, is an unbounded window (infinity).
    """
    now = state.clock.now()
    narrowest = float("inf")
    for lower, upper in compiled.datetime_bounds.values():
        if lower is None:
            continue
        end = parse_instant(upper) if upper is not None else now
        narrowest = min(narrowest, (end - parse_instant(lower)).total_seconds())
    return narrowest


def check_query_timeout(state: EmulatorState, compiled: CompiledQuery) -> None:
    """Raise QUERY_TIMEOUT when the fault is on and the query's window is too wide."""
    limit = state.settings.faults.query_timeout_window_seconds
    if limit <= 0 or compiled.is_count:
        return
    if window_seconds(compiled, state) > limit:
        state.faults.count("query_timeout")
        raise query_timeout()


def late_commit_field(obj: ObjectDef) -> FieldDef | None:
    """The field a late commit edits: Description, else the first free-text updateable field."""
    candidates = [
        f
        for f in obj.fields
        if f.type in _TEXT_TYPES
        and f.updateable
        and f.nillable
        and not f.calculated
        and not (f.unique or f.external_id)
    ]
    for field in candidates:
        if field.name == "Description":
            return field
    return candidates[0] if candidates else None


def apply_late_commits(state: EmulatorState, result: QueryResult, served: int) -> int:
    """Modify rows already served from ``result``, committing with a SystemModstamp in the past.

    Models Salesforce's late commits: a transaction that started before the rows were read
    commits after, with a timestamp older than rows the client has already seen.

    Args:
        state: The emulator (its fault settings say how many rows and how far back).
        result: The query being paged.
        served: How many rows of the result the client has received.

    Returns:
        How many rows were modified.
    """
    settings = state.settings.faults
    obj = result.compiled.object
    field = late_commit_field(obj)
    if field is None or served <= 0:
        return 0
    positions = state.faults.sample(served, settings.modify_during_paging_rows)
    stamp = state.clock.now() - timedelta(seconds=settings.modify_during_paging_lag_seconds)
    text = f"Edited by a late commit at {format_iso(stamp)}"[: field.length or None]
    modified = 0
    for position in positions:
        rows = result.fetch_rest(position, 1)
        if not rows:
            continue
        record_id = str(rows[0]["attributes"]["url"]).rsplit("/", 1)[-1]
        state.store.update(obj.name, record_id, {field.name: text}, system_modstamp=stamp)
        modified += 1
    state.faults.count("late_commit_rows", modified)
    logger.info("Late-commit fault: modified %d %s rows already served", modified, obj.name)
    return modified
