"""What the hub configures on a booted station (issue #18, ocpp.configuration): at the first Heartbeat
after a boot, ChangeConfiguration WebSocketPingInterval; once Accepted, HeartbeatInterval (the long
configured one); then MeterValueSampleInterval; one call at a time, each after the previous answer.
A station that refuses pings keeps the boot's 300 s Heartbeat; 0 leaves a key alone."""

from __future__ import annotations

import json

import pytest

from mobie_hub.core.settings import Settings, get_settings
from mobie_hub.ocpp import liveness_repository
from tests.support.ocpp_data import STATION_ID

BOOT = {"chargePointVendor": "ABB", "chargePointModel": "Terra AC"}


def sent(connections) -> list[list]:
    return [json.loads(text) for _, text in connections.sent]


def changes(connections) -> list[dict]:
    return [frame[3] for frame in sent(connections) if frame[2] == "ChangeConfiguration"]


def receive(central_system, frame: list) -> None:
    reply = central_system.receive(STATION_ID, json.dumps(frame))
    central_system.send_follow_ups(STATION_ID, reply.follow_ups)


def boot(station, central_system, connections) -> None:
    receive(central_system, [2, "b1", "BootNotification", BOOT])
    [trigger] = sent(connections)
    station.send([3, trigger[1], {"status": "Accepted"}])


def answer_last(station, connections, answer) -> None:
    last = sent(connections)[-1]
    station.send([3, last[1], answer] if isinstance(answer, dict) else [4, last[1], answer, "", {}])


def test_nothing_is_configured_at_the_boot_and_the_chain_starts_at_the_first_heartbeat(
    station, central_system, connections, listener
):
    boot(station, central_system, connections)
    assert changes(connections) == []  # the boot's answer and TriggerMessage only: a command may follow

    receive(central_system, [2, "h1", "Heartbeat", {}])
    answer_last(station, connections, {"status": "Accepted"})  # the pings
    answer_last(station, connections, {"status": "Accepted"})  # the heartbeat
    answer_last(station, connections, {"status": "Accepted"})  # the sample interval

    assert changes(connections) == [
        {"key": "WebSocketPingInterval", "value": "240"},
        {"key": "HeartbeatInterval", "value": "1800"},
        {"key": "MeterValueSampleInterval", "value": "300"},
    ]
    receive(central_system, [2, "h2", "Heartbeat", {}])  # a later heartbeat configures nothing again
    assert len(changes(connections)) == 3
    # every answer still reaches the hub's listener (the command lifecycle)
    assert [o.action for o in listener.outcomes].count("ChangeConfiguration") == 3


@pytest.mark.parametrize("refusal", [{"status": "NotSupported"}, {"status": "Rejected"}, "NotImplemented"])
def test_a_station_refusing_pings_keeps_its_short_heartbeat_and_gets_the_sample_interval(
    station, central_system, connections, refusal
):
    boot(station, central_system, connections)
    receive(central_system, [2, "h1", "Heartbeat", {}])

    answer_last(station, connections, refusal)
    answer_last(station, connections, {"status": "Accepted"})

    assert [c["key"] for c in changes(connections)] == ["WebSocketPingInterval", "MeterValueSampleInterval"]


def test_zero_leaves_a_key_alone(station, central_system, connections, monkeypatch):
    monkeypatch.setenv("MOBIE_OCPP_WEBSOCKET_PING_INTERVAL", "0")
    get_settings.cache_clear()
    boot(station, central_system, connections)
    receive(central_system, [2, "h1", "Heartbeat", {}])
    answer_last(station, connections, {"status": "Accepted"})

    # no pings set: no long heartbeat either (the boot's 300 s keeps the connection open)
    assert changes(connections) == [{"key": "MeterValueSampleInterval", "value": "300"}]


def test_a_station_that_leaves_mid_chain_is_configured_again_after_its_next_boot(
    station, central_system, connections
):
    boot(station, central_system, connections)
    receive(central_system, [2, "h1", "Heartbeat", {}])
    central_system.disconnected(STATION_ID, "conn-1")  # the ping call fails: StationDisconnected
    assert len(changes(connections)) == 1
    assert liveness_repository.record_seen(STATION_ID, station.central_system.clock()).unconfigured is False


def test_the_offline_grace_must_exceed_the_heartbeat_interval():
    with pytest.raises(ValueError, match="ocpp_offline_grace_seconds must exceed"):
        Settings(ocpp_heartbeat_interval=1800, ocpp_offline_grace_seconds=900)
    assert Settings().ocpp_offline_grace_seconds > Settings().ocpp_heartbeat_interval


def test_a_heartbeat_while_the_boots_trigger_is_unanswered_leaves_the_chain_for_the_next_heartbeat(
    station, central_system, connections
):
    # some stations send their first Heartbeat before answering the boot's TriggerMessage: the hub has
    # one call awaiting its answer, so the first ChangeConfiguration cannot go out (StationBusy) ...
    receive(central_system, [2, "b1", "BootNotification", BOOT])
    [trigger] = sent(connections)
    receive(central_system, [2, "h1", "Heartbeat", {}])
    assert changes(connections) == []
    assert liveness_repository.get_liveness(STATION_ID) is not None

    # ... and the station is not left unconfigured until its next boot: the next Heartbeat starts it
    station.send([3, trigger[1], {"status": "Accepted"}])
    receive(central_system, [2, "h2", "Heartbeat", {}])
    assert changes(connections) == [{"key": "WebSocketPingInterval", "value": "240"}]
