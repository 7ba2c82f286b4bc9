"""Session and CDR stream images → domain events (contract: names and detail shapes)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from mobie_hub.events.sessions import SESSION_COMPLETED, SESSION_STARTED, SESSION_UPDATED, session_events
from mobie_hub.sessions.models import SessionStatus
from tests.unit.sessions.test_lifecycle import T0, metered, opened


def test_a_new_session_is_started_with_its_whole_document_for_the_put():
    session = opened().session
    [event] = session_events(None, session, "PT#EDP")
    assert event.event_name == SESSION_STARTED and event.event_version == 1
    assert event.detail["owner"] == {"country_code": "PT", "party_id": "EDP", "role": "EMSP"}
    assert event.detail["session_id"] == "S1" and event.detail["session"]["status"] == "ACTIVE"


def test_an_update_carries_only_changed_fields_and_last_updated():
    old = opened().session
    new = old.model_copy(update={"kwh": Decimal("2.5"), "last_updated": T0 + timedelta(minutes=5)})
    [event] = session_events(old, new, "PT#EDP")
    assert event.event_name == SESSION_UPDATED
    assert event.detail["patch"] == {"kwh": 2.5, "last_updated": "2026-11-23T09:05:00Z"}


def test_completion_is_its_own_event_and_a_pending_adopted_is_put_again():
    old = opened().session
    done = old.model_copy(update={"status": SessionStatus.COMPLETED, "end_date_time": T0 + timedelta(hours=1),
                                  "last_updated": T0 + timedelta(hours=1)})
    [completed] = session_events(old, done, "PT#EDP")
    assert completed.event_name == SESSION_COMPLETED
    assert set(completed.detail["patch"]) == {"status", "end_date_time", "last_updated"}
    pending = old.model_copy(update={"status": SessionStatus.PENDING, "last_updated": T0})
    assert session_events(pending, old, "PT#EDP")[0].event_name == SESSION_STARTED


def test_sessions_without_an_owner_or_without_a_change_yield_nothing():
    session = opened().session
    assert session_events(None, session, None) == []
    assert session_events(session, session, "PT#EDP") == []
    assert session_events(session, None, "PT#EDP") == []


def stream_record(old: dict | None, new: dict | None) -> dict:
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    image = lambda item: {k: serializer.serialize(v) for k, v in item.items()}  # noqa: E731
    dynamodb = {**({"OldImage": image(old)} if old else {}), **({"NewImage": image(new)} if new else {})}
    return {"eventName": "MODIFY" if old else "INSERT", "dynamodb": dynamodb}


def test_sessions_table_stream_records_become_session_events_and_tx_items_none():
    from mobie_hub.events.stream import events_from_records
    from mobie_hub.sessions.repository import session_item

    record = opened()
    updated = metered(record, [(Decimal(3000), T0 + timedelta(minutes=10))], T0 + timedelta(minutes=10))
    records = [
        stream_record(None, session_item(record, 1)),
        stream_record(session_item(record, 1), session_item(updated, 2)),
        stream_record(None, {"pk": "TX#7", "sk": "TX", "status": "ACTIVE"}),
    ]
    events = events_from_records(records)
    assert [e.event_name for e in events] == [SESSION_STARTED, SESSION_UPDATED]
    assert events[1].detail["patch"]["kwh"] == 2 and events[1].detail["owner"]["party_id"] == "EDP"
