"""What the hub configures on a booted station (issue #18, ocpp.configuration): after the boot's
TriggerMessage is answered, ChangeConfiguration WebSocketPingInterval, then MeterValueSampleInterval,
one call at a time; a station that refuses the ping gets a 300 s Heartbeat instead; 0 skips a key."""

from __future__ import annotations

import json

import pytest

from mobie_hub.core.settings import Settings, get_settings
from tests.support.ocpp_data import STATION_ID

BOOT = {"chargePointVendor": "ABB", "chargePointModel": "Terra AC"}


def sent(connections) -> list[list]:
    return [json.loads(text) for _, text in connections.sent]


def boot_and_answer_the_trigger(station, central_system, connections) -> None:
    reply = central_system.receive(STATION_ID, json.dumps([2, "b1", "BootNotification", BOOT]))
    central_system.send_follow_ups(STATION_ID, reply.follow_ups)
    [trigger] = sent(connections)
    assert trigger[2] == "TriggerMessage"
    station.send([3, trigger[1], {"status": "Accepted"}])


def answer_last(station, connections, answer) -> list:
    last = sent(connections)[-1]
    station.send([3, last[1], answer] if isinstance(answer, dict) else [4, last[1], answer, "", {}])
    return last


def test_after_the_boot_the_hub_sets_the_ping_then_the_sample_interval_one_at_a_time(
    station, central_system, connections, listener
):
    boot_and_answer_the_trigger(station, central_system, connections)

    ping = answer_last(station, connections, {"status": "Accepted"})
    sample = answer_last(station, connections, {"status": "Accepted"})

    assert ping[2:] == ["ChangeConfiguration", {"key": "WebSocketPingInterval", "value": "240"}]
    assert sample[2:] == ["ChangeConfiguration", {"key": "MeterValueSampleInterval", "value": "300"}]
    assert len(sent(connections)) == 3  # the trigger and two changes: then nothing more
    # every answer still reaches the hub's listener (the command lifecycle)
    assert [o.action for o in listener.outcomes] == ["TriggerMessage", "ChangeConfiguration", "ChangeConfiguration"]


@pytest.mark.parametrize("refusal", [{"status": "NotSupported"}, {"status": "Rejected"}, "NotImplemented"])
def test_a_station_refusing_the_ping_gets_a_heartbeat_inside_the_idle_timeout(
    station, central_system, connections, refusal
):
    boot_and_answer_the_trigger(station, central_system, connections)

    answer_last(station, connections, refusal)  # the ping interval refused
    heartbeat = answer_last(station, connections, {"status": "Accepted"})
    sample = answer_last(station, connections, {"status": "Accepted"})

    assert heartbeat[2:] == ["ChangeConfiguration", {"key": "HeartbeatInterval", "value": "300"}]
    assert sample[3] == {"key": "MeterValueSampleInterval", "value": "300"}


def test_a_short_heartbeat_needs_no_fallback_and_zero_leaves_a_key_alone(
    station, central_system, connections, monkeypatch
):
    monkeypatch.setenv("MOBIE_OCPP_HEARTBEAT_INTERVAL", "300")
    monkeypatch.setenv("MOBIE_OCPP_OFFLINE_GRACE_SECONDS", "900")
    monkeypatch.setenv("MOBIE_OCPP_METER_SAMPLE_INTERVAL", "0")
    get_settings.cache_clear()
    boot_and_answer_the_trigger(station, central_system, connections)

    answer_last(station, connections, {"status": "NotSupported"})  # the ping refused: heartbeats suffice

    assert [frame[3]["key"] for frame in sent(connections)[1:]] == ["WebSocketPingInterval"]


def test_nothing_is_configured_after_a_reconnect_or_for_a_station_that_left(
    station, central_system, connections
):
    boot_and_answer_the_trigger(station, central_system, connections)
    central_system.disconnected(STATION_ID, "conn-1")  # the ping call fails: StationDisconnected
    assert len(sent(connections)) == 2  # the trigger and the ping: no fallback, no sample interval


def test_the_offline_grace_must_exceed_the_heartbeat_interval():
    with pytest.raises(ValueError, match="ocpp_offline_grace_seconds must exceed"):
        Settings(ocpp_heartbeat_interval=1800, ocpp_offline_grace_seconds=900)
    assert Settings().ocpp_offline_grace_seconds > Settings().ocpp_heartbeat_interval
