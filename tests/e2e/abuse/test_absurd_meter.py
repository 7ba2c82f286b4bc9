"""Issue #12, finding 2 (meter plausibility): a station starts a transaction with a real card and stops
it moments later with meterStop 2,000,000,000 Wh. Before the fix the hub billed the card's EMSP a CDR
of 2,000,000 kWh (EUR 621,782). Now the session ends INVALID, no CDR is created or pushed, and the
operator's metric ``ImplausibleMeterReadings`` is emitted.

The local hub over real sockets: the EMSP registered on loopback pushes its RFID token over OCPI; the
station (the ``ocpp`` library's ChargePoint, authenticated with a password so the test holds whether
station authentication is required or not) sends the messages itself."""

from __future__ import annotations

import asyncio
import json
import secrets
import time

import httpx
import pytest
from ocpp.v16 import call as req

from mobie_hub.cdrs import repository as cdrs
from mobie_hub.core.types import format_datetime, utcnow
from mobie_hub.ocpp import repository as stations
from mobie_hub.ocpp.station_auth import hash_password
from mobie_hub.parties.repository import get_party
from mobie_hub.sessions import repository as sessions
from mobie_hub.sessions import transaction_repository as transactions
from mobie_hub.simulator import connect_station
from tests.support.fake_party import fake_party
from tests.support.parties import issue, register_receiver
from tests.support.tokens import rfid_token

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("hub_store")]

STATION = "LSB-00175"  # a demo station: AC 22 kW EVSEs
RFID = "04A1B2C3D4E5F6"
ABSURD_WH = 2_000_000_000


@pytest.fixture
def receiver(hub):
    """The card's EMSP: its sessions and cdrs receivers on loopback, its RFID token pushed to the hub."""
    with fake_party() as party:
        if get_party("PARTY#EMSP#PT#EDP") is None:
            register_receiver(party.base_url, "EDP", modules=("sessions", "cdrs"))
        pushed = httpx.put(f"{hub.base_url}/ocpi/2.2.1/tokens/PT/EDP/{RFID}", json=rfid_token(),
                           headers=issue("C", party_id="EDP").headers, timeout=10)
        assert pushed.json()["status_code"] == 1000
        party.received.clear()
        yield party


@pytest.fixture
def password() -> str:
    """The station's password (stations authenticate by default; only its hash is stored)."""
    password = secrets.token_hex(16)
    stations.set_password_hash(STATION, hash_password(password.encode("utf-8")), utcnow())
    return password


def test_a_station_stopping_with_an_absurd_meter_bills_nobody_and_alarms_the_operator(hub, receiver, password, capfd):
    # Given a station that starts a transaction on a real, pushed card
    async def fake_station() -> int:
        async with connect_station(hub.ocpp_url, STATION, password=password) as station:
            await station.boot()
            started = await station.call(req.StartTransaction(
                connector_id=1, id_tag=RFID, meter_start=0, timestamp=format_datetime(utcnow())), suppress=False)
            assert started.id_tag_info["status"] == "Accepted"
            await asyncio.sleep(1.0)
            # When it stops a second later with meterStop 2,000,000,000 Wh (2,000,000 kWh)
            await station.call(req.StopTransaction(
                meter_stop=ABSURD_WH, timestamp=format_datetime(utcnow()), transaction_id=started.transaction_id,
                id_tag=RFID), suppress=False)
            return started.transaction_id

    transaction_id = asyncio.run(asyncio.wait_for(fake_station(), 30))

    # Then the session ended INVALID, with the reason and without the absurd energy
    session_id = str(transactions.get_transaction(transaction_id)["session_id"])
    record = sessions.get_record(session_id)
    assert record.status.value == "INVALID" and record.session.end_date_time is not None
    assert record.session.kwh == 0 and f"{ABSURD_WH} Wh" in record.invalid_reason
    # and the EMSP heard of the session (PUT, then the INVALID PATCH) but got no CDR
    deadline = time.monotonic() + 10
    while not any(r.body.get("status") == "INVALID" for r in receiver.received) and time.monotonic() < deadline:
        receiver.wait_for(len(receiver.received) + 1, timeout=0.5)
    assert any(r.method == "PATCH" and r.body.get("status") == "INVALID" for r in receiver.received)
    receiver.wait_for(len(receiver.received) + 1, timeout=2.0)  # time for a CDR push, were one made
    assert [r for r in receiver.received if r.method == "POST" or "cdrs" in r.path] == []
    assert cdrs.get_cdr(cdrs.cdr_id_for(session_id)) is None
    # and the operator's alarm metric was emitted, with the reason
    printed = capfd.readouterr().out
    emitted = [json.loads(line) for line in printed.splitlines() if '"ImplausibleMeterReadings"' in line]
    assert [(m["reason"], m["ImplausibleMeterReadings"]) for m in emitted] == [("energy_above_power", 1)]
