"""Every OCPP frame lands in the audit trail exactly once, both ways, paired by message id."""

from __future__ import annotations

import json

from tests.support.audit import MemoryAuditStore, body
from tests.support.ocpp_data import STATION_ID


def test_a_call_from_the_station_and_the_hubs_answer_are_one_record_each(station, trail: MemoryAuditStore):
    # Given a connected station
    # When it sends a Heartbeat
    reply = station.call("Heartbeat", {}, message_id="hb-1")
    # Then the CALL in and the CALLRESULT out are recorded once each with that message id
    records = trail.where(message_id="hb-1")
    assert [(r.direction, r.kind, r.action) for r in records] == [
        ("in", "call", "Heartbeat"),
        ("out", "callresult", None),
    ]
    assert all(r.channel == "ocpp" and r.station == STATION_ID for r in records)
    assert body(records[1]) == reply


def test_a_call_the_hub_sends_and_the_stations_answer_are_one_record_each(
    central_system, station, trail, connections
):
    # When the hub sends UnlockConnector and the station answers
    message_id = central_system.send_call(STATION_ID, "UnlockConnector", {"connectorId": 1})
    station.send([3, message_id, {"status": "Unlocked"}])
    # Then the CALL out and the CALLRESULT in are recorded once each with the call's message id
    records = trail.where(message_id=message_id)
    assert [(r.direction, r.kind, r.action) for r in records] == [
        ("out", "call", "UnlockConnector"),
        ("in", "callresult", None),
    ]
    assert body(records[0]) == json.loads(connections.sent[-1][1])  # exactly the frame that went out
    assert body(records[1]) == [3, message_id, {"status": "Unlocked"}]


def test_a_callerror_carries_its_code(station, trail):
    station.call("NoSuchAction", {}, message_id="x-1")
    error = trail.where(message_id="x-1", kind="callerror")
    assert len(error) == 1 and error[0].error_code == "NotImplemented" and error[0].direction == "out"


def test_a_transaction_id_is_recorded_for_session_queries(station, trail):
    # Given an accepted RFID starting a transaction
    result = station.call(
        "StartTransaction",
        {"connectorId": 1, "idTag": "04A1B2C3D4E5F6", "meterStart": 0, "timestamp": "2026-11-23T09:00:00Z"},
        message_id="st-1",
    )
    transaction_id = str(result[2]["transactionId"])
    # When it stops
    station.call(
        "StopTransaction",
        {"transactionId": int(transaction_id), "meterStop": 1200, "timestamp": "2026-11-23T09:30:00Z"},
        message_id="sp-1",
    )
    # Then the answer to the start and the stop both carry the transaction id
    assert {(r.message_id, r.kind) for r in trail.where(transaction_id=transaction_id)} == {
        ("st-1", "callresult"),
        ("sp-1", "call"),
    }


def test_the_station_password_set_by_change_configuration_is_never_recorded(central_system, station, trail):
    central_system.send_call(
        STATION_ID, "ChangeConfiguration", {"key": "AuthorizationKey", "value": "0123456789abcdef"}
    )
    assert "0123456789abcdef" not in trail.text() and len(trail.where(action="ChangeConfiguration")) == 1


def test_a_frame_that_is_not_ocpp_j_is_recorded_as_received(station, trail):
    station.send("not json at all")
    [record] = trail.where(direction="in")
    assert record.kind == "call" and record.body == "not json at all"


def test_a_frame_shaped_oddly_is_recorded_and_still_answered_by_the_gateway(station, trail):
    # Given frames whose first element is not a message type number
    for odd in ([[2], "m-1", "Heartbeat", {}], [True, "m-2", "Heartbeat", {}], {"not": "a list"}):
        # When the station sends it, Then the gateway answers as it would without the audit trail
        station.send(odd)
    assert len(trail.where(direction="in")) == 3


def test_a_frame_too_deep_to_parse_is_answered_and_recorded_by_its_message_id(station, trail):
    # issue #12 finding 7: 1000 levels of JSON (the same gateway code runs in the Lambda)
    deep = '[2,"deep-1","Heartbeat",{"a":' + "[" * 1000 + "]" * 1000 + "}]"
    reply = station.send(deep)
    # Then a FormationViolation by its UniqueId, and both frames in the trail (the deep one as text)
    assert reply[:3] == [4, "deep-1", "FormationViolation"]
    records = trail.where(message_id="deep-1")
    assert [(r.direction, r.kind) for r in records] == [("in", "call"), ("out", "callerror")]
    assert records[0].body == deep and records[1].error_code == "FormationViolation"
    # And the station is still served
    assert station.call("Heartbeat", {}, message_id="hb-2")[:2] == [3, "hb-2"]
