"""The OCPP gateway against moto: real repositories, fake connections / authority / listener."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from mobie_hub.locations.enums import Status
from mobie_hub.locations.models import Location
from mobie_hub.locations.repository import put_location
from mobie_hub.ocpp.central_system import CentralSystem
from mobie_hub.sessions.recorded_transactions import RecordedTransactions
from tests.support.ocpp_data import STATION_ID, station_location
from tests.support.ocpp_fakes import FakeAuthority, FakeConnections, RecordingListener


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Station:
    """Talks to the gateway as one station over one connection (frames in, frames out)."""

    def __init__(
        self, central_system: CentralSystem, station_id: str = STATION_ID, connection_id: str = "conn-1"
    ) -> None:
        self.central_system = central_system
        self.station_id = station_id
        self.connection_id = connection_id
        self._ids = itertools.count(1)

    def connect(self) -> Station:
        self.central_system.connected(self.station_id, self.connection_id)
        return self

    def send(self, frame: Any) -> list[Any] | None:
        reply = self.central_system.handle(
            self.station_id, frame if isinstance(frame, (str, bytes)) else json.dumps(frame)
        )
        return json.loads(reply) if reply is not None else None

    def call(self, action: str, payload: dict[str, Any], message_id: str | None = None) -> list[Any]:
        return self.send([2, message_id or f"m{next(self._ids)}", action, payload])


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def location(aws) -> Location:
    location = station_location(Status.AVAILABLE, Status.AVAILABLE)
    put_location(location)
    return location


@pytest.fixture
def connections() -> FakeConnections:
    return FakeConnections()


@pytest.fixture
def authority() -> FakeAuthority:
    return FakeAuthority()


@pytest.fixture
def listener() -> RecordingListener:
    return RecordingListener()


@pytest.fixture
def central_system(location, connections, authority, listener, clock) -> CentralSystem:
    return CentralSystem(connections, authority, RecordedTransactions(), listener, clock=clock)


@pytest.fixture
def station(central_system) -> Station:
    return Station(central_system).connect()
