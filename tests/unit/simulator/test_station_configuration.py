"""The station simulator answers the hub's ChangeConfiguration (the chain ``ocpp.configuration`` sends
after a boot: WebSocketPingInterval → HeartbeatInterval → MeterValueSampleInterval) and applies it to
its own timers; without it the chain stopped at the first key (NotImplemented). No sockets: a fake
connection carries the frames."""

from __future__ import annotations

import asyncio
import json

import pytest

from mobie_hub.simulator.station import SimulatedStation


class FakeConnection:
    """What the ``ocpp`` library and websockets give the station: ``send``/``recv`` and the keep-alive
    ping interval websockets reads before each ping."""

    def __init__(self) -> None:
        self.sent: list[list] = []
        self.sent_at: list[float] = []  # the event loop's time of each frame
        self.ping_interval: float | None = 20

    async def send(self, message: str) -> None:
        self.sent.append(json.loads(message))
        self.sent_at.append(asyncio.get_running_loop().time())

    async def recv(self) -> str:
        await asyncio.Event().wait()
        return ""


def change(station: SimulatedStation, key: str, value: str, message_id: str = "c1") -> str:
    """The hub's ChangeConfiguration as the station's receive loop routes it; the answer's status."""

    async def scenario() -> str:
        frame = [2, message_id, "ChangeConfiguration", {"key": key, "value": value}]
        await station.route_message(json.dumps(frame))
        [answer] = [frame for frame in station._connection.sent if frame[1] == message_id]
        return answer[2]["status"]

    return asyncio.run(scenario())


@pytest.fixture
def station() -> SimulatedStation:
    return SimulatedStation("LSB-00175", FakeConnection(), meter_interval=10.0)


def test_the_hubs_chain_is_accepted_and_sets_pings_heartbeats_and_meter_samples(station):
    assert change(station, "WebSocketPingInterval", "240", "c1") == "Accepted"
    assert change(station, "HeartbeatInterval", "1800", "c2") == "Accepted"
    assert change(station, "MeterValueSampleInterval", "300", "c3") == "Accepted"

    assert station._connection.ping_interval == 240
    assert station.heartbeat_interval == 1800
    assert station.meter_interval == 300.0
    assert [call["key"] for action, call in station.received if action == "ChangeConfiguration"] == [
        "WebSocketPingInterval",
        "HeartbeatInterval",
        "MeterValueSampleInterval",
    ]


@pytest.mark.parametrize(
    ("key", "value", "status"),
    [
        ("ConnectionTimeOut", "60", "NotSupported"),  # a key the simulator does not keep
        ("HeartbeatInterval", "often", "Rejected"),
        ("HeartbeatInterval", "-5", "Rejected"),
        ("MeterValueSampleInterval", "0", "Rejected"),  # it always samples while charging
    ],
)
def test_other_keys_are_not_supported_and_unusable_values_rejected_leaving_the_timers(
    station, key, value, status
):
    assert change(station, key, value) == status
    timers = (station.heartbeat_interval, station.meter_interval, station._connection.ping_interval)
    assert timers == (None, 10.0, 20)


def test_a_new_heartbeat_interval_counts_from_when_it_is_set():
    async def scenario() -> list[float]:
        connection = FakeConnection()
        station = SimulatedStation("LSB-00175", connection)
        station.heartbeat_interval = 300  # as the boot's answer said
        ticking = asyncio.ensure_future(station.heartbeat_forever())
        await asyncio.sleep(0.05)  # waiting its 300 s
        started = asyncio.get_running_loop().time()
        change = [2, "c1", "ChangeConfiguration", {"key": "HeartbeatInterval", "value": "1"}]
        await station.route_message(json.dumps(change))
        await asyncio.sleep(1.3)
        ticking.cancel()
        return [
            at - started for frame, at in zip(connection.sent, connection.sent_at) if frame[2:3] == ["Heartbeat"]
        ]

    beats = asyncio.run(scenario())

    assert len(beats) == 1 and 0.9 < beats[0] < 1.3  # not after the 300 s it was waiting
