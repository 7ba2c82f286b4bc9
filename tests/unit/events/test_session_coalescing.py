"""The converter's half of coalescing (issue #18): a meter-only update of an ACTIVE session is an event
only as the first write of a clock window; state changes always are. No I/O."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from mobie_hub.events.sessions import SESSION_COMPLETED, SESSION_UPDATED, patch_of, session_events, window_of
from mobie_hub.sessions.models import SessionStatus
from tests.unit.sessions.test_lifecycle import T0, opened

START = opened().session  # ACTIVE, last_updated 09:00:00


def at(seconds: float, **changes):
    return START.model_copy(update={"last_updated": T0 + timedelta(seconds=seconds), **changes})


def names(old, new, interval=300):
    return [e.event_name for e in session_events(old, new, "PT#EDP", interval=interval)]


def test_meter_updates_inside_one_window_yield_nothing_and_the_next_windows_first_yields_one():
    assert names(at(60, kwh=Decimal(1)), at(120, kwh=Decimal(2))) == []
    assert names(at(240, kwh=Decimal(4)), at(300, kwh=Decimal(5))) == [SESSION_UPDATED]
    [event] = session_events(at(240, kwh=Decimal(4)), at(300, kwh=Decimal(5)), "PT#EDP", interval=300)
    assert event.detail["coalescible"] is True and event.detail["version"] == "2026-11-23T09:05:00.000Z"
    assert event.detail["session"]["kwh"] == 5 and event.detail["patch"] == {
        "kwh": 5, "last_updated": "2026-11-23T09:05:00Z"
    }


def test_state_changes_are_events_inside_a_window_and_never_coalescible():
    for status in (SessionStatus.COMPLETED, SessionStatus.INVALID):
        [event] = session_events(at(60), at(61, status=status), "PT#EDP", interval=300)
        assert event.detail["coalescible"] is False
    assert names(at(60), at(61, status=SessionStatus.COMPLETED)) == [SESSION_COMPLETED]
    completed = at(60, status=SessionStatus.COMPLETED)  # a completed session's later change: at once
    assert names(completed, at(61, status=SessionStatus.COMPLETED, kwh=Decimal(9))) == [SESSION_UPDATED]


def test_an_interval_of_zero_makes_every_update_an_event():
    assert names(at(60, kwh=Decimal(1)), at(61, kwh=Decimal(2)), interval=0) == [SESSION_UPDATED]


def test_windows_are_aligned_on_the_clock_and_a_patch_holds_the_whole_state():
    start, end = window_of(T0 + timedelta(seconds=299.9), 300)
    assert (start, end) == (T0, T0 + timedelta(minutes=5))
    doc = {"kwh": 3, "status": "ACTIVE", "currency": "EUR", "last_updated": "2026-11-23T09:01:00Z"}
    assert patch_of(doc) == {"kwh": 3, "status": "ACTIVE", "last_updated": "2026-11-23T09:01:00Z"}
