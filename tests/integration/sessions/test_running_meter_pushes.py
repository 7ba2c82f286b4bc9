"""The running meter on the TX item (issue #18) and what the EMSP receives: a station metering every
minute, pushes coalesced on 5-minute windows, the real converter (sessions stream), owner push and
minute sweep in time order. The readings are written to the TX item only (the Session item at the
start and the stop); a window's first reading is pushed from the TX item's stream record, the
readings after it through the sweep (both read ``sessions.get_record``: the TX item's newer meter),
and the stop's PATCH and the CDR carry every reading."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from mobie_hub.events.fanout import push_to_owner, resync_due
from mobie_hub.events.stream import events_from_records
from mobie_hub.local.streams import StreamPoller
from mobie_hub.parties.repository import get_party
from mobie_hub.sessions import repository as sessions
from mobie_hub.sessions import transaction_repository as transactions
from tests.integration.sessions.conftest import RFID, meter
from tests.support.parties import register_receiver

EDP = "PARTY#EMSP#PT#EDP"


class Emsp:
    """The owner's sessions receiver: records each PUT / PATCH body."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []

    def put(self, party, module, path, body):
        self.calls.append(("PUT", body.model_dump(mode="json", exclude_none=True)))

    def patch(self, party, module, path, body):
        self.calls.append(("PATCH", body))


@pytest.fixture
def emsp(aws, monkeypatch):
    from mobie_hub.core.settings import get_settings

    monkeypatch.setenv("MOBIE_SESSION_PUSH_INTERVAL_SECONDS", "300")
    monkeypatch.setenv("MOBIE_OCPP_METER_SAMPLE_INTERVAL", "60")  # several readings a window: the TX item's
    get_settings.cache_clear()
    register_receiver("https://edp.test", "EDP", modules=("sessions",))
    return Emsp()


def test_one_patch_a_window_and_the_last_kwh_when_the_meter_stops_then_the_whole_stop(station, clock, emsp):
    poller, bus = StreamPoller(lambda records: bus.extend(events_from_records(records))), []

    def deliver() -> None:
        poller.poll_once()
        for event in bus:
            if event.detail.get("owner", {}).get("party_id") == "EDP":
                push_to_owner(event, get_party, emsp, now=clock)
        bus.clear()

    def sweep() -> None:
        resync_due(bus.extend, now=clock)
        deliver()

    start = clock.now
    transaction_id = station.call("StartTransaction", {"connectorId": 1, "idTag": RFID, "meterStart": 1000,
                                                       "timestamp": "2026-11-23T09:00:00Z"})[2]["transactionId"]
    deliver()
    session_id = transactions.get_transaction(transaction_id)["session_id"]
    # Given a reading every 60.2 s for 12 readings (0.5 kWh each) and the sweep every minute
    minute = start
    for n in range(1, 13):
        at = start + timedelta(seconds=60.2 * n)
        while minute + timedelta(minutes=1) <= at:
            minute += timedelta(minutes=1)
            clock.now = minute
            sweep()
        clock.now = at
        station.call("MeterValues", {"connectorId": 1, "transactionId": transaction_id, "meterValue": [
            meter(1000 + 500 * n, at.isoformat(timespec="seconds").replace("+00:00", "Z"))]})
        deliver()
    # The Session item holds the start's state; the TX item every reading
    assert sessions.get_stored_record(session_id).session.kwh == 0
    assert sessions.get_record(session_id).session.kwh == 6
    # When the meter stops: ten minutes of sweeps
    for _ in range(10):
        minute += timedelta(minutes=1)
        clock.now = minute
        sweep()
    # Then the PUT, one PATCH in each window (its first reading: 09:05:01, 09:10:02) and, after the
    # window the readings stopped in, its last kWh (09:12:02)
    assert [(method, body["kwh"]) for method, body in emsp.calls] == [
        ("PUT", 0), ("PATCH", 2.5), ("PATCH", 5), ("PATCH", 6)]
    assert emsp.calls[-1][1]["last_updated"] == "2026-11-23T09:12:02.4Z"
    # And the stop (no energy since 09:12:02) is pushed at once, COMPLETED, its periods built on the
    # reading only the TX item had: charging until 09:12:02, then parking
    clock.now = minute + timedelta(seconds=5)
    station.call("StopTransaction", {"transactionId": transaction_id, "meterStop": 7000, "idTag": RFID,
                                     "timestamp": "2026-11-23T09:23:00Z"})
    deliver()
    method, body = emsp.calls[-1]
    assert (method, body["status"], body["kwh"]) == ("PATCH", "COMPLETED", 6)
    periods = sessions.get_stored_record(session_id).meter.periods
    assert [(p.charging, p.wh, p.seconds) for p in periods] == [
        (True, Decimal(6000), Decimal(722)), (False, Decimal(0), Decimal(658))]
