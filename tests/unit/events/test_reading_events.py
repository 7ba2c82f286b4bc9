"""A reading of an ACTIVE session is written to its TX item only (issue #18): the TX item's write a
reading opened a push window with (``window_opened``) is one ``SessionMetered`` per recipient (kept
on the TX item), which the push path answers with the session's current state; the window's later
readings, the stop and the METER facts are none. An ACTIVE Session's ``cpo`` (its list partition,
``PT#GLP#ACTIVE``) still names the CPO. No I/O."""

from __future__ import annotations

from mobie_hub.core import documents
from mobie_hub.events.fanout import OWNER_EVENTS, SESSION_PUSHES
from mobie_hub.events.push_routes import ROUTES, _patch_session
from mobie_hub.events.sessions import SESSION_METERED, reading_events
from mobie_hub.events.stream import events_from_records
from tests.unit.sessions.test_lifecycle import opened

EDP = {"country_code": "PT", "party_id": "EDP", "role": "EMSP"}
GLP = {"country_code": "PT", "party_id": "GLP", "role": "CPO"}
TX = {"pk": "TX#7", "sk": "TX", "session_id": "S1", "owner": "PT#EDP", "station_cpo": "PT#GLP",
      "meter_seq": 3, "meter_updated": "2026-11-23T09:05:01Z", "meter_window": 1795942800}


def test_a_reading_that_opened_a_window_is_one_event_per_recipient_naming_its_version():
    events = reading_events({**TX, "meter_seq": 2}, {**TX, "window_opened": 1795942800})
    assert [(e.event_name, e.detail["owner"]) for e in events] == [(SESSION_METERED, EDP), (SESSION_METERED, GLP)]
    assert events[0].detail == {"owner": EDP, "session_id": "S1", "version": "2026-11-23T09:05:01.000Z",
                                "coalescible": True}
    assert "session" not in events[0].detail  # read when pushed: the state then, never an older one


def test_other_writes_of_a_tx_item_are_no_event():
    assert reading_events({**TX, "meter_seq": 2}, TX) == []  # a window's later reading
    opened_before = {**TX, "window_opened": 1795942800}
    assert reading_events(opened_before, {**opened_before, "stopped_at": "x"}) == []  # no reading applied
    assert reading_events(None, {**TX, "sk": "METER#2026-11-23T09:05:00.000Z#m1", "window_opened": 1}) == []
    assert reading_events({**TX, "meter_seq": 2}, {**TX, "window_opened": 1, "owner": None}) == []  # nobody
    assert reading_events(TX, None) == []


def test_the_stream_turns_a_tx_record_into_the_event_and_the_push_path_takes_it():
    from boto3.dynamodb.types import TypeSerializer

    wire = {k: TypeSerializer().serialize(v) for k, v in {**TX, "window_opened": 1795942800}.items()}
    old = {k: TypeSerializer().serialize(v) for k, v in {**TX, "meter_seq": 2}.items()}
    record = {"eventName": "MODIFY", "dynamodb": {"Keys": {"pk": wire["pk"], "sk": wire["sk"]},
                                                  "OldImage": old, "NewImage": wire}}
    assert [e.detail["owner"] for e in events_from_records([record])] == [EDP, GLP]
    assert SESSION_METERED in OWNER_EVENTS and SESSION_METERED in SESSION_PUSHES
    assert ROUTES[SESSION_METERED].push is _patch_session


def test_an_active_sessions_cpo_partition_still_names_the_cpo():
    item = {"pk": {"S": "SESSION#S1"}, "doc": {"S": documents.encode(opened().session)},
            "owner": {"S": "PT#EDP"}, "cpo": {"S": "PT#GLP#ACTIVE"}}
    record = {"eventName": "INSERT", "dynamodb": {"NewImage": item}}
    assert [e.detail["owner"] for e in events_from_records([record])] == [EDP, GLP]
