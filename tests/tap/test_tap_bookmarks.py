"""Bookmark rules: forward only, only past emitted records, checkpoints that are safe."""

from __future__ import annotations

from typing import Any

from singer_sdk.helpers._state import finalize_state_progress_markers, increment_state

from tap_salesforce_lite.bookmarks import BookmarkTracker
from tap_salesforce_lite.ordering import parents_first

KEY = "SystemModstamp"


def t(hour: int) -> str:
    return f"2024-01-01T{hour:02d}:00:00.000000+00:00"


def emit(state: dict[str, Any], tracker: BookmarkTracker, value: str) -> None:
    """What the SDK does for each record (running max in progress markers), then the tap."""
    increment_state(
        state,
        latest_record={KEY: value},
        replication_key=KEY,
        is_sorted=False,
        check_sorted=True,
    )
    tracker.emitted(value)


def test_completed_run_promotes_the_running_max() -> None:
    state = {"replication_key": KEY, "replication_key_value": t(5)}
    tracker = BookmarkTracker(state, KEY, start=t(5), certified_before=None)
    for hour in (4, 6, 9, 7):  # lookback re-reads 4; 9 came from a modified row
        emit(state, tracker, t(hour))
    tracker.finish(complete=True)
    finalize_state_progress_markers(state)
    assert state["replication_key_value"] == t(9)
    assert "progress_markers" not in state


def test_bookmark_never_moves_back() -> None:
    state = {"replication_key": KEY, "replication_key_value": t(5)}
    tracker = BookmarkTracker(state, KEY, start=t(5), certified_before=t(23))
    emit(state, tracker, t(4))  # only the lookback window had records
    tracker.finish(complete=True)
    finalize_state_progress_markers(state)
    assert state["replication_key_value"] == t(5)


def test_checkpoint_moves_only_past_certainly_unmodified_records() -> None:
    state: dict = {}
    tracker = BookmarkTracker(state, KEY, start=None, certified_before=t(10))
    emit(state, tracker, t(3))
    assert state["replication_key_value"] == t(3)
    emit(state, tracker, t(12))  # newer than the session minus lookback: not certified
    assert state["replication_key_value"] == t(3)
    emit(state, tracker, t(4))
    assert state["replication_key_value"] == t(4)
    # An interrupted or limited run keeps the checkpoint, not the running max.
    tracker.finish(complete=False)
    finalize_state_progress_markers(state)
    assert state["replication_key_value"] == t(4)


def test_no_checkpoint_without_server_time() -> None:
    state: dict = {}
    tracker = BookmarkTracker(state, KEY, start=None, certified_before=None)
    emit(state, tracker, t(3))
    assert "replication_key_value" not in state
    tracker.finish(complete=False)
    finalize_state_progress_markers(state)
    assert "replication_key_value" not in state


def test_completed_window_moves_the_checkpoint_to_its_records() -> None:
    state: dict = {}
    tracker = BookmarkTracker(state, KEY, start=None, certified_before=None)
    emit(state, tracker, t(3))
    emit(state, tracker, t(8))
    tracker.window_done(t(6))
    assert tracker.checkpoint == t(6)
    emit(state, tracker, t(9))
    tracker.window_done(None)
    assert tracker.checkpoint == t(9)


def test_a_record_left_for_the_next_run_caps_the_bookmark() -> None:
    state = {"replication_key": KEY, "replication_key_value": t(1)}
    tracker = BookmarkTracker(state, KEY, start=t(1), certified_before=None)
    emit(state, tracker, t(9))
    tracker.cap(t(6))
    tracker.finish(complete=True)
    finalize_state_progress_markers(state)
    assert state["replication_key_value"] == t(6)


def test_parents_come_first() -> None:
    refs = {
        "Contact": {"Account", "User"},
        "Opportunity": {"Account", "User"},
        "OpportunityLineItem": {"Opportunity", "Product2"},
        "Account": {"Account", "User"},
        "User": {"Account", "User"},
        "Product2": {"User"},
    }
    order = parents_first(
        ["OpportunityLineItem", "Contact", "Opportunity", "Account", "Product2", "User"], refs
    )
    position = {name: i for i, name in enumerate(order)}
    assert position["Account"] < position["Contact"]
    assert position["Account"] < position["Opportunity"]
    assert position["Opportunity"] < position["OpportunityLineItem"]
    assert position["Product2"] < position["OpportunityLineItem"]
    assert sorted(order) == sorted(refs)
    # Without references the configured order is kept.
    assert parents_first(["B", "A"], {}) == ["B", "A"]
