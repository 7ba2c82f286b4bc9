"""Calls the hub sends: stored by (station, message id) with their action, one outstanding per
station, answers validated and routed to the listener with the sender's context."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mobie_hub.core.errors import InvalidRequest, StationBusy, StationOffline
from mobie_hub.ocpp import call_repository
from mobie_hub.ocpp import repository as stations
from tests.integration.ocpp.conftest import Station
from tests.support.ocpp_data import STATION_ID

UNLOCK = {"connectorId": 1}


def test_a_call_goes_down_the_stations_connection_and_its_answer_reaches_the_listener(
    station, central_system, connections, listener
):
    message_id = central_system.send_call(STATION_ID, "UnlockConnector", UNLOCK, context={"task_token": "t-1"})

    assert connections.frames("conn-1") == [[2, message_id, "UnlockConnector", UNLOCK]]
    assert call_repository.get_pending_call(STATION_ID).action == "UnlockConnector"

    assert station.send([3, message_id, {"status": "Unlocked"}]) is None  # an answer is never answered

    (outcome,) = listener.outcomes
    assert outcome.ok
    assert (outcome.action, outcome.result, outcome.context) == (
        "UnlockConnector",
        {"status": "Unlocked"},
        {"task_token": "t-1"},
    )
    assert call_repository.get_pending_call(STATION_ID) is None


def test_one_outstanding_call_per_station(station, central_system, listener):
    first = central_system.send_call(STATION_ID, "TriggerMessage", {"requestedMessage": "Heartbeat"})

    with pytest.raises(StationBusy, match=f"TriggerMessage \\({first}\\)"):
        central_system.send_call(STATION_ID, "UnlockConnector", UNLOCK)

    station.send([3, first, {"status": "Accepted"}])
    second = central_system.send_call(STATION_ID, "UnlockConnector", UNLOCK)
    assert second != first


def test_a_call_whose_deadline_passed_no_longer_blocks_the_next(station, central_system, clock, listener):
    stale = central_system.send_call(
        STATION_ID, "TriggerMessage", {"requestedMessage": "Heartbeat"}, timeout=timedelta(seconds=30)
    )
    clock.advance(31)

    fresh = central_system.send_call(STATION_ID, "UnlockConnector", UNLOCK)

    station.send([3, stale, {"status": "Accepted"}])  # a late answer to the replaced call
    assert listener.outcomes == []
    station.send([3, fresh, {"status": "Unlocked"}])
    assert [o.message_id for o in listener.outcomes] == [fresh]


def test_a_callerror_and_an_invalid_result_are_routed_as_failures(station, central_system, listener):
    failing = central_system.send_call(STATION_ID, "UnlockConnector", UNLOCK)
    station.send([4, failing, "NotSupported", "no lock", {}])
    invalid = central_system.send_call(STATION_ID, "UnlockConnector", UNLOCK)
    station.send([3, invalid, {"status": "Wide open"}])

    assert [(o.failure.code, o.message_id) for o in listener.outcomes] == [
        ("NotSupported", failing),
        ("InvalidResult", invalid),
    ]
    assert "PropertyConstraintViolation" in listener.outcomes[1].failure.description


def test_a_broken_answer_frame_fails_the_pending_call(station, central_system, listener):
    message_id = central_system.send_call(STATION_ID, "UnlockConnector", UNLOCK)

    assert station.send(f'[3,"{message_id}"]') is None

    assert listener.outcomes[0].failure.code == "InvalidResult"


def test_an_answer_to_no_pending_call_is_dropped(station, listener):
    assert station.send([3, "never-sent", {"status": "Accepted"}]) is None
    assert listener.outcomes == []


def test_a_station_without_connection_is_offline(central_system):
    with pytest.raises(StationOffline, match="not connected"):
        central_system.send_call(STATION_ID, "UnlockConnector", UNLOCK)


def test_a_gone_connection_is_unmapped_and_the_caller_told_the_station_is_offline(
    station, central_system, connections
):
    connections.gone.add("conn-1")

    with pytest.raises(StationOffline, match="gone"):
        central_system.send_call(STATION_ID, "UnlockConnector", UNLOCK)

    assert stations.get_connection(STATION_ID) is None
    assert call_repository.get_pending_call(STATION_ID) is None


@pytest.mark.parametrize(
    ("action", "payload", "field"),
    [
        ("Heartbeat", {}, "action"),
        ("Bogus", {}, "action"),
        ("UnlockConnector", {"connectorId": "one"}, "payload"),
    ],
)
def test_calls_a_central_system_may_not_send_or_with_invalid_payloads_are_refused(
    station, central_system, action, payload, field, connections
):
    with pytest.raises(InvalidRequest, match=field):
        central_system.send_call(STATION_ID, action, payload)
    assert connections.sent == []


def test_a_disconnect_fails_the_pending_call_of_that_connection(station, central_system, listener):
    message_id = central_system.send_call(STATION_ID, "RemoteStopTransaction", {"transactionId": 1})

    central_system.disconnected(STATION_ID, "conn-1")

    assert [(o.message_id, o.failure.code) for o in listener.outcomes] == [
        (message_id, "StationDisconnected")
    ]
    assert stations.get_connection(STATION_ID) is None


def test_a_reconnect_overtakes_the_late_disconnect_of_the_old_connection(
    station, central_system, connections, listener
):
    pending = central_system.send_call(STATION_ID, "UnlockConnector", UNLOCK)
    Station(central_system, connection_id="conn-2").connect()

    assert connections.closed == ["conn-1"]  # the replaced connection is closed
    assert listener.outcomes[0].message_id == pending  # its call cannot be answered any more

    central_system.disconnected(STATION_ID, "conn-1")  # the old connection's $disconnect arrives late

    assert stations.get_connection(STATION_ID).connection_id == "conn-2"
    central_system.send_call(STATION_ID, "UnlockConnector", UNLOCK)
    assert connections.sent[-1][0] == "conn-2"
