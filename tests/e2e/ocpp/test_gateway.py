"""The OCPP gateway as stations see it: the local hub's ASGI app served by uvicorn on loopback, real
websockets, and the ``ocpp`` library's ChargePoint (the simulator) on the other end."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from ocpp.v16 import call as req
from websockets.exceptions import InvalidStatus

from mobie_hub.core.errors import StationBusy, StationOffline
from mobie_hub.core.settings import get_settings
from mobie_hub.core.types import utcnow
from mobie_hub.locations import station_repository as station_locations
from mobie_hub.locations.enums import Status
from mobie_hub.ocpp import call_repository
from mobie_hub.ocpp import repository as stations
from mobie_hub.ocpp.send import send_call
from mobie_hub.ocpp.station_auth import basic_header
from mobie_hub.sessions import transaction_repository as transactions
from mobie_hub.simulator import station_url
from mobie_hub.tokens import repository as tokens
from mobie_hub.tokens.models import Token
from tests.support.stations import station_password
from tests.support.tokens import registered_emsp, rfid_token

pytestmark = pytest.mark.e2e

STATION = "LSB-00175"  # a demo station with two EVSEs
RFID = "04A1B2C3D4E5F6"


@pytest.fixture(autouse=True)
def _demo_password(hub, hub_store):
    """The station's demo password again (a test below replaces it)."""
    station_password(STATION, hub.password(STATION))


def run(scenario):
    return asyncio.run(asyncio.wait_for(scenario, 60))


async def raw(hub, station_id: str = STATION, subprotocols=("ocpp1.6",), **options):
    """A bare websocket authenticated as the demo station (HTTP Basic)."""
    authorization = basic_header(station_id, hub.password(station_id))
    options.setdefault("additional_headers", {"Authorization": authorization})
    return await websockets.connect(
        station_url(hub.ocpp_url, station_id), subprotocols=list(subprotocols), **options
    )


async def exchange(connection, frame) -> list:
    await connection.send(frame if isinstance(frame, str) else json.dumps(frame))
    return json.loads(await asyncio.wait_for(connection.recv(), 10))


def evse_statuses(station_id: str = STATION) -> list[Status]:
    return [evse.status for evse in station_locations.read(station_id).location.evses]


def test_a_station_boots_reports_its_connectors_and_heartbeats(hub):
    async def scenario():
        async with hub.connect_station(STATION) as station:
            boot = await station.boot()
            station.statuses[2] = "Unavailable"
            await station.report_all()
            heartbeat = await station.heartbeat()
            reported = await asyncio.to_thread(evse_statuses)
            return boot, heartbeat, reported

    boot, heartbeat, reported = run(scenario())

    assert (boot.status, boot.interval) == ("Accepted", 300)  # until the station accepts pings
    assert heartbeat.current_time.endswith("Z")
    assert reported == [Status.AVAILABLE, Status.INOPERATIVE]
    assert stations.get_station(STATION).boot["chargePointModel"] == "Simulator"


def test_after_the_first_heartbeat_the_hub_configures_the_simulators_timers_one_key_at_a_time(hub):
    # ocpp.configuration's chain: WebSocketPingInterval, then HeartbeatInterval, then MeterValueSampleInterval
    async def scenario():
        async with hub.connect_station(STATION, meter_interval=0.2) as station:
            await station.boot()
            # the boot's TriggerMessage arrived and was answered: the hub sends one call at a time
            await until(lambda: station.received and call_repository.get_pending_call(STATION) is None)
            await station.heartbeat()
            for _ in range(100):
                if station.meter_interval != 0.2:
                    break
                await asyncio.sleep(0.1)
            return station.received, station.heartbeat_interval, station.meter_interval

    received, heartbeat_interval, meter_interval = run(scenario())

    settings = get_settings()
    assert [call for action, call in received if action == "ChangeConfiguration"] == [
        {"key": "WebSocketPingInterval", "value": str(settings.ocpp_websocket_ping_interval)},
        {"key": "HeartbeatInterval", "value": str(settings.ocpp_heartbeat_interval)},
        {"key": "MeterValueSampleInterval", "value": str(settings.ocpp_meter_sample_interval)},
    ]
    assert (heartbeat_interval, meter_interval) == (
        settings.ocpp_heartbeat_interval,
        settings.ocpp_meter_sample_interval,
    )


def test_a_charge_on_an_rfid_runs_authorize_start_meter_values_and_stop(hub):
    registered_emsp()  # a token authorises only while its EMSP is registered
    tokens.put_token(Token.model_validate(rfid_token()))
    seen_while_charging = []

    async def scenario():
        async with hub.connect_station(STATION, meter_interval=0.2) as station:
            await station.boot()
            charging = asyncio.ensure_future(station.charge(RFID, seconds=1.0, connector_id=1))
            await asyncio.sleep(0.6)
            seen_while_charging.extend(await asyncio.to_thread(evse_statuses))
            result = await charging
            seen_after.extend(await asyncio.to_thread(evse_statuses))
            return result

    seen_after: list[Status] = []
    result = run(scenario())

    assert result.id_tag_status == "Accepted"
    assert result.energy_wh > 0
    assert seen_while_charging[0] is Status.CHARGING
    assert seen_after[0] is Status.AVAILABLE
    recorded = transactions.get_transaction(result.transaction_id)
    assert (recorded["status"], recorded["id_tag"], recorded["evse_uid"]) == ("STOPPED", RFID, "LSB-00175-01")
    assert recorded["meter_stop_wh"] - recorded["meter_start_wh"] == result.energy_wh
    assert len(transactions.meter_items(result.transaction_id)) >= 2


def test_data_transfer_firmware_and_diagnostics_notifications_are_answered(hub):
    async def scenario():
        async with hub.connect_station(STATION) as station:
            transfer = await station.call(
                req.DataTransfer(vendor_id="com.example", message_id="x"), suppress=False
            )
            firmware = await station.call(req.FirmwareStatusNotification(status="Downloaded"), suppress=False)
            diagnostics = await station.call(req.DiagnosticsStatusNotification(status="Idle"), suppress=False)
            return transfer, firmware, diagnostics

    transfer, firmware, diagnostics = run(scenario())

    assert transfer.status == "UnknownVendorId"
    assert firmware is not None and diagnostics is not None


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        ("this is not json", [4, "-1", "FormationViolation"]),
        ('{"not": "an array"}', [4, "-1", "FormationViolation"]),
        ('[2,"f1"]', [4, "f1", "ProtocolError"]),
        ('[2,"f2","Reboot",{}]', [4, "f2", "NotImplemented"]),
        ('[2,"f3","SignCertificate",{"csr":"x"}]', [4, "f3", "NotSupported"]),
        ('[2,"f4","BootNotification",{}]', [4, "f4", "ProtocolError"]),
        ('[2,"f5","Heartbeat",{"extra":1}]', [4, "f5", "FormationViolation"]),
        ('[2,"f6","Authorize",{"idTag":42}]', [4, "f6", "TypeConstraintViolation"]),
    ],
)
def test_bad_frames_get_the_right_callerror_and_the_connection_stays_open(hub, frame, expected):
    async def scenario():
        async with await raw(hub) as connection:
            answer = await exchange(connection, frame)
            still_open = await exchange(connection, [2, "ok", "Heartbeat", {}])
            return answer, still_open

    answer, still_open = run(scenario())

    assert answer[:3] == expected
    assert still_open[:2] == [3, "ok"]


def refused_status(hub, station_id: str = STATION, **options) -> int:
    async def scenario():
        with pytest.raises(InvalidStatus) as caught:
            await websockets.connect(station_url(hub.ocpp_url, station_id), **options)
        return caught.value.response.status_code

    return run(scenario())


def test_an_unknown_station_is_refused_like_a_known_one_without_credentials(hub):
    # (tests/e2e/abuse/test_station_impersonation.py compares the whole answers)
    assert refused_status(hub, "UNKNOWN-1", subprotocols=["ocpp1.6"]) == 401
    assert refused_status(hub, subprotocols=["ocpp1.6"]) == 401


def test_a_station_must_offer_the_ocpp16_subprotocol(hub):
    assert refused_status(hub, subprotocols=["ocpp2.0.1"]) == 400
    assert refused_status(hub) == 400


def test_a_station_needs_its_password(hub):
    station_password(STATION, "0123456789abcdef")

    assert refused_status(hub, subprotocols=["ocpp1.6"]) == 401
    wrong = {"Authorization": basic_header(STATION, "0123456789abcdeX")}
    assert refused_status(hub, subprotocols=["ocpp1.6"], additional_headers=wrong) == 401

    async def scenario():
        async with hub.connect_station(STATION, password="0123456789abcdef") as station:
            return (await station.boot()).status

    assert run(scenario()) == "Accepted"


def test_the_insecure_open_mode_lets_a_station_without_password_connect(hub, monkeypatch):
    stations.set_password_hash(STATION, None, utcnow())
    assert refused_status(hub, subprotocols=["ocpp1.6"]) == 401  # closed by default
    monkeypatch.setenv("MOBIE_REQUIRE_STATION_AUTH", "false")  # what `serve --insecure-open-stations` sets
    get_settings.cache_clear()

    async def scenario():
        async with hub.connect_station(STATION, password=None) as station:
            return (await station.boot()).status

    assert run(scenario()) == "Accepted"
    assert refused_status(hub, "UNKNOWN-1", subprotocols=["ocpp1.6"]) == 404


def test_the_echoed_subprotocol_is_ocpp16(hub):
    async def scenario():
        async with await raw(hub, subprotocols=["ocpp2.0.1", "ocpp1.6"]) as connection:
            return connection.subprotocol

    assert run(scenario()) == "ocpp1.6"


def test_a_retransmitted_message_id_is_answered_the_same_and_applied_once(hub):
    start = [
        2,
        "retransmitted-start",
        "StartTransaction",
        {"connectorId": 2, "idTag": RFID, "meterStart": 0, "timestamp": "2026-11-23T09:00:00Z"},
    ]

    async def scenario():
        async with await raw(hub) as connection:
            return await exchange(connection, start), await exchange(connection, start)

    first, again = run(scenario())

    assert first == again
    assert (
        transactions.get_transaction(first[2]["transactionId"])["start_message_id"] == "retransmitted-start"
    )
    assert transactions.get_transaction(first[2]["transactionId"] + 1) is None


def test_a_reconnect_overtakes_the_old_connections_disconnect(hub):
    async def scenario():
        old = await raw(hub)
        async with hub.connect_station(STATION) as station:
            await station.boot()
            closed = await asyncio.wait_for(old.wait_closed(), 10)
            await asyncio.sleep(0.2)  # the old connection's disconnect has run by now
            message_id = await asyncio.to_thread(
                hub.central_system.send_call, STATION, "TriggerMessage", {"requestedMessage": "Heartbeat"}
            )
            outcome = await hub.central_system.listener.wait_async(STATION, message_id, 10)
            return old.close_code, closed, outcome, station.received

    close_code, _, outcome, received = run(scenario())

    assert close_code == 1000
    assert outcome.result == {"status": "Accepted"}
    assert received == [  # the hub's own after the boot (issue #17 item 4), then the test's
        ("TriggerMessage", {"requested_message": "StatusNotification", "connector_id": None}),
        ("TriggerMessage", {"requested_message": "Heartbeat", "connector_id": None}),
    ]
    assert evse_statuses() != [Status.UNKNOWN, Status.UNKNOWN]  # the old connection's end marked nothing


async def until(condition, seconds: float = 10) -> None:
    for _ in range(int(seconds * 10)):
        if await asyncio.to_thread(condition):
            return
        await asyncio.sleep(0.1)
    raise AssertionError("never happened")


async def until_statuses(wanted, station_id: str = STATION) -> list[Status]:
    """Poll the station's EVSE statuses until they are ``wanted`` (a disconnect is handled after the
    station's side closed); the last ones seen when they never are (the assertion then says so)."""
    seen: list[Status] = []
    for _ in range(100):
        seen = await asyncio.to_thread(evse_statuses, station_id)
        if seen == wanted:
            break
        await asyncio.sleep(0.1)
    return seen


def test_a_station_that_leaves_is_unknown_and_after_its_boot_the_hub_asks_for_its_statuses(hub, monkeypatch):
    # Issue #17 item 4: a station the hub cannot hear is never shown AVAILABLE; issue #18: once it has
    # not reconnected for the disconnect grace (1 s here), which the watchdog's sweep sees.
    from mobie_hub.local.watchdog import run_sweep

    monkeypatch.setenv("MOBIE_OCPP_DISCONNECT_GRACE_SECONDS", "1")
    get_settings.cache_clear()

    async def scenario():
        async with hub.connect_station(STATION) as station:
            await station.boot()
            station.statuses[1], station.statuses[2] = "Available", "Faulted"
            await station.report_all()
        await until(lambda: stations.get_connection(STATION) is None)  # its disconnect was handled
        within = await asyncio.to_thread(evse_statuses)
        await asyncio.sleep(2.1)  # whole seconds: longer than the grace
        await asyncio.to_thread(run_sweep)  # what the one-minute timer runs
        gone = await until_statuses([Status.UNKNOWN, Status.UNKNOWN])
        async with hub.connect_station(STATION) as station:
            await station.boot()  # nothing reported by the station itself: the hub asks (TriggerMessage)
            back = await until_statuses([Status.AVAILABLE, Status.AVAILABLE])
            return within, gone, back, station.received

    within, gone, back, received = run(scenario())

    assert within == [Status.AVAILABLE, Status.OUTOFORDER]  # within the grace: nothing changed
    assert gone == [Status.UNKNOWN, Status.UNKNOWN]
    assert received == [("TriggerMessage", {"requested_message": "StatusNotification", "connector_id": None})]
    assert back == [Status.AVAILABLE, Status.AVAILABLE]  # a fresh simulator: every connector Available


def test_remote_start_stop_unlock_and_trigger_reach_the_station_and_their_results_are_routed(hub):
    registered_emsp()  # a token authorises only while its EMSP is registered
    tokens.put_token(Token.model_validate(rfid_token()))

    async def call(action, payload, context=None):
        message_id = await asyncio.to_thread(hub.central_system.send_call, STATION, action, payload, context=context)
        return await hub.central_system.listener.wait_async(STATION, message_id, 10)

    async def scenario():
        async with hub.connect_station(STATION, meter_interval=0.2) as station:
            await station.boot()
            await station.report_all()
            started = await call(
                "RemoteStartTransaction", {"idTag": RFID, "connectorId": 2}, {"command": "c-1"}
            )
            for _ in range(50):
                if 2 in station.transactions:
                    break
                await asyncio.sleep(0.1)
            transaction = station.transactions[2]
            triggered = await call("TriggerMessage", {"requestedMessage": "MeterValues", "connectorId": 2})
            stopped = await call("RemoteStopTransaction", {"transactionId": transaction.transaction_id})
            await asyncio.wait_for(transaction.stopped.wait(), 10)  # set once StopTransaction was answered
            unlocked = await call("UnlockConnector", {"connectorId": 1})
            return started, triggered, stopped, unlocked, transaction.transaction_id

    started, triggered, stopped, unlocked, transaction_id = run(scenario())

    assert (started.result, started.context) == ({"status": "Accepted"}, {"command": "c-1"})
    assert triggered.result == {"status": "Accepted"}
    assert stopped.result == {"status": "Accepted"}
    assert unlocked.result == {"status": "Unlocked"}
    recorded = transactions.get_transaction(transaction_id)
    assert (recorded["id_tag"], recorded["auth_status"]) == (RFID, "Accepted")
    assert (recorded["status"], recorded["stop_reason"]) == ("STOPPED", "Remote")


def test_one_outstanding_call_per_station_and_a_gone_station_is_offline(hub):
    async def scenario():
        connection = await raw(hub)  # a station that reads calls but does not answer yet
        # the package-level API (mobie_hub.ocpp.send.send_call) goes through this process's gateway
        first = await asyncio.to_thread(send_call, STATION, "UnlockConnector", {"connectorId": 1})
        call = json.loads(await asyncio.wait_for(connection.recv(), 10))
        with pytest.raises(StationBusy):
            await asyncio.to_thread(hub.central_system.send_call, STATION, "UnlockConnector", {"connectorId": 2})
        await connection.send(json.dumps([3, first, {"status": "UnlockFailed"}]))
        outcome = await hub.central_system.listener.wait_async(STATION, first, 10)
        await connection.close()
        await asyncio.sleep(0.3)
        with pytest.raises(StationOffline):
            await asyncio.to_thread(hub.central_system.send_call, STATION, "UnlockConnector", {"connectorId": 1})
        return call, outcome

    call, outcome = run(scenario())

    assert call[2:] == ["UnlockConnector", {"connectorId": 1}]
    assert outcome.result == {"status": "UnlockFailed"}
