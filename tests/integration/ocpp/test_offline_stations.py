"""A station that goes offline is not shown AVAILABLE (issue #17 item 4): its EVSEs become UNKNOWN when
its connection ended and it did not reconnect within the disconnect grace (issue #18), or it misses
heartbeats for longer than the offline grace; they get their real statuses back when it reports
again, and the hub asks for them after a BootNotification or a reconnect."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from mobie_hub.core.dynamodb import counting_calls as dynamodb_calls
from mobie_hub.locations import api as locations
from mobie_hub.locations.enums import Status
from mobie_hub.locations.repository import put_location
from mobie_hub.ocpp import liveness_repository, watchdog
from tests.integration.ocpp.conftest import Station
from tests.support.ocpp_data import STATION_ID, station_location

GRACE = timedelta(seconds=900)
GONE = timedelta(seconds=120)  # the disconnect grace (MOBIE_OCPP_DISCONNECT_GRACE_SECONDS' default)
TRIGGER = {"requestedMessage": "StatusNotification"}


def evse_statuses(station_id: str = STATION_ID) -> list[Status]:
    return [evse.status for evse in locations.read_for_station(station_id).location.evses]


def report(station: Station, connector_id: int, status: str) -> None:
    payload = {"connectorId": connector_id, "errorCode": "NoError", "status": status}
    station.call("StatusNotification", payload)


def calls_to(connections, connection_id: str) -> list[list]:
    return [frame for frame in connections.frames(connection_id) if frame[0] == 2]


def sweep(clock) -> watchdog.SweepResult:
    return watchdog.sweep(clock(), GRACE, GONE)


@pytest.fixture
def at_once(monkeypatch):
    """A disconnect grace of 0: the end of the current connection marks the station at once (the tests
    of a station coming back start from a station marked offline)."""
    from mobie_hub.core.settings import get_settings

    monkeypatch.setenv("MOBIE_OCPP_DISCONNECT_GRACE_SECONDS", "0")
    get_settings.cache_clear()


# --- the connection ends ----------------------------------------------------------------------------
def test_a_disconnect_is_one_delete_and_one_liveness_write_and_changes_no_location(station, clock):
    before = locations.read_for_station(STATION_ID).location
    clock.advance(5)

    with dynamodb_calls() as calls:
        station.central_system.disconnected(STATION_ID, "conn-1")

    assert calls == {"DeleteItem": 2, "UpdateItem": 1}  # the connection, its pending call; the liveness
    assert locations.read_for_station(STATION_ID).location == before
    liveness = liveness_repository.get_liveness(STATION_ID)
    assert (liveness.disconnected_at, liveness.offline_at) == (clock.now, None)


def test_a_station_gone_longer_than_the_disconnect_grace_is_marked_unknown_once_keeping_the_last_known(
    station, clock
):
    report(station, 1, "Charging")
    station.central_system.disconnected(STATION_ID, "conn-1")
    clock.advance(GONE.total_seconds())

    assert sweep(clock) == watchdog.SweepResult(silent=0, marked=0)  # not longer yet
    assert evse_statuses() == [Status.CHARGING, Status.AVAILABLE]

    clock.advance(1)
    with dynamodb_calls() as calls:
        result = sweep(clock)

    assert result == watchdog.SweepResult(silent=0, marked=1, disconnected=1)
    assert calls == {"Query": 1, "GetItem": 2, "TransactWriteItems": 1}  # connection, Location; no Scan
    assert evse_statuses() == [Status.UNKNOWN, Status.UNKNOWN]
    location = locations.read_for_station(STATION_ID).location
    assert location.last_updated == clock.now and {e.last_updated for e in location.evses} == {clock.now}
    liveness = liveness_repository.get_liveness(STATION_ID)
    assert (liveness.offline_at, liveness.disconnected_at) == (clock.now, None)
    assert liveness.known == {"LSB-00175-01": "CHARGING", "LSB-00175-02": "AVAILABLE"}
    assert sweep(clock) == watchdog.SweepResult(silent=0, marked=0)  # marked once


def test_a_station_that_reconnects_within_the_grace_changes_no_location_and_is_never_marked(
    station, central_system, clock
):
    report(station, 1, "Charging")
    before = locations.read_for_station(STATION_ID).location
    central_system.disconnected(STATION_ID, "conn-1")
    clock.advance(3)
    Station(central_system, connection_id="conn-2").connect()  # API Gateway's 2-hour close, and back
    clock.advance(GONE.total_seconds() + 60)

    with dynamodb_calls() as calls:
        result = sweep(clock)

    assert result == watchdog.SweepResult(silent=0, marked=0, disconnected=1)
    assert calls == {"Query": 1, "GetItem": 1, "UpdateItem": 1}  # its connection; the disconnect cleared
    assert locations.read_for_station(STATION_ID).location == before  # no write: nothing to push
    liveness = liveness_repository.get_liveness(STATION_ID)
    assert (liveness.offline_at, liveness.disconnected_at) == (None, None)
    assert sweep(clock) == watchdog.SweepResult(silent=0, marked=0)  # found no more
    # and its first heartbeat asks for nothing: it was never offline
    assert central_system.receive(STATION_ID, json.dumps([2, "h1", "Heartbeat", {}])).follow_ups == ()


def test_a_station_marked_offline_already_records_no_disconnect(station, central_system, clock):
    # It went silent and was marked; its connection ends later (API Gateway's idle close)
    station.call("Heartbeat", {})
    clock.advance(GRACE.total_seconds() + 1)
    assert sweep(clock).marked == 1

    central_system.disconnected(STATION_ID, "conn-1")

    assert liveness_repository.get_liveness(STATION_ID).disconnected_at is None  # nothing for a later sweep to find
    assert evse_statuses() == [Status.UNKNOWN, Status.UNKNOWN]


def test_a_late_disconnect_of_a_replaced_connection_changes_nothing(station, central_system):
    Station(central_system, connection_id="conn-2").connect()  # the station reconnected first

    central_system.disconnected(STATION_ID, "conn-1")

    assert evse_statuses() == [Status.AVAILABLE, Status.AVAILABLE]
    assert liveness_repository.get_liveness(STATION_ID) is None


def test_a_removed_evse_stays_removed(aws, central_system, at_once):
    put_location(station_location(Status.REMOVED, Status.AVAILABLE))
    Station(central_system).connect()

    central_system.disconnected(STATION_ID, "conn-1")

    assert evse_statuses() == [Status.REMOVED, Status.UNKNOWN]
    assert liveness_repository.get_liveness(STATION_ID).known == {"LSB-00175-02": "AVAILABLE"}


def test_a_disconnect_grace_of_0_marks_the_station_at_once(station, central_system, clock, at_once):
    central_system.disconnected(STATION_ID, "conn-1")

    assert evse_statuses() == [Status.UNKNOWN, Status.UNKNOWN]
    assert liveness_repository.get_liveness(STATION_ID).offline_at == clock.now


def test_a_sweep_racing_a_reconnect_is_refused_as_a_whole(station, central_system, clock):
    # The sweep found the station disconnected and no connection; it reconnected before the mark was written.
    central_system.disconnected(STATION_ID, "conn-1")
    disconnected = int(clock().timestamp())
    clock.advance(GONE.total_seconds() + 1)
    Station(central_system, connection_id="conn-2").connect()

    marked = watchdog.mark_offline(STATION_ID, clock(), watchdog.Why.DISCONNECTED, disconnected=disconnected)

    assert marked is False
    assert evse_statuses() == [Status.AVAILABLE, Status.AVAILABLE]
    liveness = liveness_repository.get_liveness(STATION_ID)
    assert (liveness.offline_at, liveness.known) == (None, {})  # nothing half-written


def test_a_sweep_that_read_an_older_disconnect_leaves_the_newer_one_to_its_own_grace(
    station, central_system, clock
):
    central_system.disconnected(STATION_ID, "conn-1")
    first = int(clock().timestamp())
    clock.advance(GONE.total_seconds() + 1)
    Station(central_system, connection_id="conn-2").connect()
    central_system.disconnected(STATION_ID, "conn-2")  # gone again, after the sweep read the first one

    assert watchdog.mark_offline(STATION_ID, clock(), watchdog.Why.DISCONNECTED, disconnected=first) is False
    liveness_repository.clear_disconnected(STATION_ID, first)  # a stale clear does not forget the newer disconnect
    assert liveness_repository.get_liveness(STATION_ID).disconnected_at == clock.now
    assert evse_statuses() == [Status.AVAILABLE, Status.AVAILABLE]

    clock.advance(GONE.total_seconds() + 1)
    assert sweep(clock) == watchdog.SweepResult(silent=0, marked=1, disconnected=1)
    assert evse_statuses() == [Status.UNKNOWN, Status.UNKNOWN]


# --- missed heartbeats (the sweep) ---------------------------------------------------------------------
def test_the_sweep_marks_a_station_silent_for_longer_than_the_grace_with_one_query(station, clock):
    station.call("Heartbeat", {})
    clock.advance(GRACE.total_seconds())

    assert sweep(clock) == watchdog.SweepResult(silent=0, marked=0)  # not longer yet
    assert evse_statuses() == [Status.AVAILABLE, Status.AVAILABLE]

    clock.advance(1)
    with dynamodb_calls() as calls:
        result = sweep(clock)

    assert result == watchdog.SweepResult(silent=1, marked=1)
    assert evse_statuses() == [Status.UNKNOWN, Status.UNKNOWN]
    assert calls == {"Query": 1, "GetItem": 1, "TransactWriteItems": 1}  # no Scan
    assert sweep(clock) == watchdog.SweepResult(silent=0, marked=0)  # marked once


def test_the_sweep_leaves_a_station_that_heartbeats_and_one_that_reconnected_within_the_grace(
    station, central_system, clock
):
    station.call("Heartbeat", {})
    clock.advance(GRACE.total_seconds() + 60)
    # A second station last heard long ago has just reconnected and reports before its first heartbeat.
    put_location(station_location(station_id="LSB-00176"))
    other = Station(central_system, station_id="LSB-00176")
    liveness_repository.record_seen("LSB-00176", clock() - GRACE - timedelta(hours=1))
    other.connect()
    station.call("Heartbeat", {})

    assert sweep(clock) == watchdog.SweepResult(silent=1, marked=0)
    assert evse_statuses() == evse_statuses("LSB-00176") == [Status.AVAILABLE, Status.AVAILABLE]


def test_a_heartbeat_after_the_sweep_read_the_station_wins(station, clock):
    station.call("Heartbeat", {})
    seen = int(clock().timestamp())
    clock.advance(GRACE.total_seconds() + 1)
    station.call("Heartbeat", {})  # between the sweep's Query and its write

    marked = watchdog.mark_offline(
        STATION_ID, clock(), watchdog.Why.SILENT, seen=seen, cutoff=clock() - GRACE
    )

    assert marked is False
    assert evse_statuses() == [Status.AVAILABLE, Status.AVAILABLE]


# --- coming back ---------------------------------------------------------------------------------------
def test_a_boot_is_answered_and_then_the_hub_asks_for_the_statuses(station, central_system, connections):
    boot = {"chargePointVendor": "ABB", "chargePointModel": "Terra AC"}

    reply = central_system.receive(STATION_ID, json.dumps([2, "b1", "BootNotification", boot]))

    assert json.loads(reply.text)[:2] == [3, "b1"]
    assert calls_to(connections, "conn-1") == []  # nothing before the answer went out
    central_system.send_follow_ups(STATION_ID, reply.follow_ups)
    [trigger] = calls_to(connections, "conn-1")
    assert trigger[2:] == ["TriggerMessage", TRIGGER]


def test_a_refused_message_asks_for_nothing(station, central_system):
    incomplete = json.dumps([2, "b1", "BootNotification", {"chargePointVendor": "ABB"}])

    reply = central_system.receive(STATION_ID, incomplete)

    assert json.loads(reply.text)[0] == 4 and reply.follow_ups == ()


def test_after_a_reconnect_the_first_heartbeat_asks_for_the_statuses_and_reports_restore_them(
    station, central_system, connections, clock, at_once
):
    report(station, 1, "Charging")
    central_system.disconnected(STATION_ID, "conn-1")
    back = Station(central_system, connection_id="conn-2").connect()
    report(back, 2, "Faulted")  # a report before the first heartbeat sets its EVSE at once

    reply = central_system.receive(STATION_ID, json.dumps([2, "h1", "Heartbeat", {}]))
    central_system.send_follow_ups(STATION_ID, reply.follow_ups)

    [trigger] = calls_to(connections, "conn-2")
    assert trigger[2:] == ["TriggerMessage", TRIGGER]
    assert evse_statuses() == [Status.UNKNOWN, Status.OUTOFORDER]
    back.send([3, trigger[1], {"status": "Accepted"}])
    assert evse_statuses() == [Status.UNKNOWN, Status.OUTOFORDER]  # Accepted: the station reports
    report(back, 1, "Charging")
    assert evse_statuses() == [Status.CHARGING, Status.OUTOFORDER]
    # A later heartbeat asks for nothing: the station is no longer marked offline
    assert central_system.receive(STATION_ID, json.dumps([2, "h2", "Heartbeat", {}])).follow_ups == ()


@pytest.mark.parametrize(
    "answer", [[3, None, {"status": "NotImplemented"}], [4, None, "NotImplemented", "no RemoteTrigger", {}]]
)
def test_a_station_back_that_refuses_to_report_gets_its_last_known_statuses(
    station, central_system, connections, answer, at_once
):
    report(station, 1, "Charging")
    central_system.disconnected(STATION_ID, "conn-1")
    back = Station(central_system, connection_id="conn-2").connect()
    report(back, 2, "Faulted")
    reply = central_system.receive(STATION_ID, json.dumps([2, "h1", "Heartbeat", {}]))
    central_system.send_follow_ups(STATION_ID, reply.follow_ups)
    [trigger] = calls_to(connections, "conn-2")

    back.send([answer[0], trigger[1], *answer[2:]])

    # EVSE 1 was CHARGING when the station went; EVSE 2 keeps what the station reported since
    assert evse_statuses() == [Status.CHARGING, Status.OUTOFORDER]


def test_a_station_that_leaves_before_answering_keeps_its_evses_unknown(
    station, central_system, connections, at_once
):
    central_system.disconnected(STATION_ID, "conn-1")
    Station(central_system, connection_id="conn-2").connect()
    reply = central_system.receive(STATION_ID, json.dumps([2, "h1", "Heartbeat", {}]))
    central_system.send_follow_ups(STATION_ID, reply.follow_ups)

    central_system.disconnected(STATION_ID, "conn-2")

    assert evse_statuses() == [Status.UNKNOWN, Status.UNKNOWN]


# --- where the sweep runs ------------------------------------------------------------------------------
def test_the_scheduled_lambda_sweeps_with_the_configured_grace(station, clock, monkeypatch):
    from mobie_hub.core.settings import get_settings
    from mobie_hub.core.types import utcnow
    from tests.support.handlers import FakeContext, lambda_module

    monkeypatch.setenv("MOBIE_OCPP_HEARTBEAT_INTERVAL", "30")  # the grace must exceed a heartbeat interval
    monkeypatch.setenv("MOBIE_OCPP_OFFLINE_GRACE_SECONDS", "60")
    get_settings.cache_clear()
    liveness_repository.record_seen(STATION_ID, utcnow() - timedelta(seconds=61))

    result = lambda_module("station_watchdog").handler({"source": "schedule"}, FakeContext())

    assert result == {"silent": 1, "disconnected": 0, "marked": 1}
    assert evse_statuses() == [Status.UNKNOWN, Status.UNKNOWN]


def test_the_scheduled_lambda_marks_a_station_gone_longer_than_the_configured_disconnect_grace(
    aws, location, monkeypatch
):
    from mobie_hub.core.settings import get_settings
    from mobie_hub.core.types import utcnow
    from tests.support.handlers import FakeContext, lambda_module

    monkeypatch.setenv("MOBIE_OCPP_DISCONNECT_GRACE_SECONDS", "30")
    get_settings.cache_clear()
    liveness_repository.record_seen(STATION_ID, utcnow())  # it heartbeated: not silent
    liveness_repository.record_disconnected(STATION_ID, utcnow() - timedelta(seconds=31))

    result = lambda_module("station_watchdog").handler({"source": "schedule"}, FakeContext())

    assert result == {"silent": 0, "disconnected": 1, "marked": 1}
    assert evse_statuses() == [Status.UNKNOWN, Status.UNKNOWN]


def test_the_local_hubs_timer_sweeps_until_cancelled_and_survives_a_failed_run(station, clock, monkeypatch):
    import asyncio

    from mobie_hub.core.settings import get_settings
    from mobie_hub.local import watchdog as local_watchdog

    station.call("Heartbeat", {})
    clock.advance(get_settings().ocpp_offline_grace_seconds + 1)  # the timer sweeps with the configured grace
    runs = []
    real_sweep = local_watchdog.sweep

    def flaky_sweep(now, grace, disconnect_grace):
        runs.append(now)
        if len(runs) == 1:
            raise RuntimeError("DynamoDB hiccup")
        return real_sweep(now, grace, disconnect_grace)

    async def sleep(_: float) -> None:
        if len(runs) == 2:
            raise asyncio.CancelledError  # the server stopped

    monkeypatch.setattr(local_watchdog, "sweep", flaky_sweep)
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(local_watchdog.watchdog_loop(clock=clock, sleep=sleep))

    assert len(runs) == 2
    assert evse_statuses() == [Status.UNKNOWN, Status.UNKNOWN]


def test_serve_runs_the_watchdog_timer_beside_the_server_and_stops_it_with_the_server():
    import asyncio

    from mobie_hub.local.renewal import serve_with_renewal

    swept, stopped = asyncio.Event(), []

    async def timer() -> None:
        try:
            swept.set()
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            stopped.append(True)
            raise

    class Server:
        async def serve(self) -> None:
            await swept.wait()  # the server returns only once the timer ran

    serve_with_renewal(Server(), 3600, timer())

    assert stopped == [True]
