"""Sessions against moto: the OCPP gateway with ``SessionTransactions``, and the stream → events →
fan-out pipeline run by hand."""

from __future__ import annotations

import pytest

from mobie_hub.events.stream import events_from_records
from mobie_hub.local.pipeline import fan_out
from mobie_hub.local.streams import StreamPoller
from mobie_hub.ocpp.central_system import CentralSystem
from mobie_hub.sessions.transactions import SessionTransactions
from tests.integration.ocpp.conftest import Clock, Station, authority, clock, connections, listener, location  # noqa: F401
from tests.support.ocpp_fakes import EDP_TOKEN

RFID = EDP_TOKEN.uid


@pytest.fixture
def central_system(location, connections, authority, listener, clock) -> CentralSystem:  # noqa: F811
    return CentralSystem(connections, authority, SessionTransactions(), listener, clock=clock)


@pytest.fixture
def station(central_system) -> Station:
    return Station(central_system).connect()


@pytest.fixture
def pipeline(aws, monkeypatch):
    """Every stream record read so far → events → fan-out, synchronously; returns (events, outcomes).
    Every update is pushed (no coalescing: tests/integration/events/test_session_push_order.py has it)."""
    from mobie_hub.core.settings import get_settings

    monkeypatch.setenv("MOBIE_SESSION_PUSH_INTERVAL_SECONDS", "0")
    get_settings.cache_clear()
    events, outcomes = [], []

    def handle(records):
        for event in events_from_records(records):
            events.append(event)
            outcomes.extend(fan_out(event))

    poller = StreamPoller(handle)

    def flush():
        poller.poll_once()
        return events, outcomes

    return flush


def meter(wh: int, at: str) -> dict:
    return {"timestamp": at, "sampledValue": [{"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]}


def charge(station: Station, clock: Clock, *, id_tag: str = RFID, readings=((4000, 15), (7000, 30)), stop_wh=7000,
           stop_minutes=45, after=lambda: None) -> int:
    """StartTransaction at 09:00 (1000 Wh), MeterValues at the given minutes, StopTransaction;
    ``after`` each message (e.g. ``pipeline``: its events pushed as they come, as the stream does)."""
    started = station.call("StartTransaction", {"connectorId": 1, "idTag": id_tag, "meterStart": 1000,
                                                "timestamp": "2026-11-23T09:00:00Z"})
    transaction_id = started[2]["transactionId"]
    after()
    for wh, minutes in readings:
        clock.advance(60)
        station.call("MeterValues", {"connectorId": 1, "transactionId": transaction_id,
                                     "meterValue": [meter(wh, f"2026-11-23T09:{minutes:02d}:00Z")]})
        after()
    if stop_wh is not None:
        clock.advance(60)
        station.call("StopTransaction", {"transactionId": transaction_id, "meterStop": stop_wh,
                                         "timestamp": f"2026-11-23T09:{stop_minutes:02d}:00Z", "idTag": id_tag})
        after()
    return transaction_id
