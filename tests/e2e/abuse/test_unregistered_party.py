"""Issue #12, finding 3: an unregistered EMSP's cards still charged. ``parties unregister`` (and the
party's own credentials DELETE) revoked its credentials tokens, but its whitelist kept answering
Accepted at every station.

Now a party that is no longer registered authorises nothing: Authorize and StartTransaction answer
Invalid for its cards; a charge already in progress when it was unregistered still finishes and is
billed (StopTransaction completes it, the CDR is made).

The local hub over real sockets: the EMSP's receivers on loopback, its card pushed over OCPI; the
station (the ``ocpp`` library's ChargePoint, with a password, so the test holds whether station
authentication is required or not) reports the card itself."""

from __future__ import annotations

import asyncio
import secrets
import time

import httpx
import pytest
from ocpp.v16 import call as req

from mobie_hub.admin.client import HttpAdmin
from mobie_hub.cdrs import repository as cdrs
from mobie_hub.core.types import format_datetime, utcnow
from mobie_hub.ocpp import repository as stations
from mobie_hub.ocpp.station_auth import hash_password
from mobie_hub.parties.repository import get_party
from mobie_hub.sessions import repository as sessions
from mobie_hub.sessions import transaction_repository as transactions
from mobie_hub.simulator import connect_station
from tests.support.fake_party import fake_party
from tests.support.parties import Party, issue, register_receiver
from tests.support.tokens import rfid_token

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("hub_store")]

STATION = "LSB-00175"


@pytest.fixture
def password() -> str:
    password = secrets.token_hex(16)
    stations.set_password_hash(STATION, hash_password(password.encode()), utcnow())
    return password


def registered_with_card(hub, party_id: str, card: str, base_url: str = "https://emsp.invalid") -> Party:
    """A registered EMSP (token C) that pushed its RFID card over OCPI."""
    assert get_party(f"PARTY#EMSP#PT#{party_id}") is None
    register_receiver(base_url, party_id, modules=("sessions", "cdrs"))
    emsp = issue("C", party_id=party_id)
    body = rfid_token(uid=card, party_id=party_id, contract_id=f"PT-{party_id}-C-1234ABCD-{check(party_id)}")
    pushed = httpx.put(f"{hub.base_url}/ocpi/2.2.1/tokens/PT/{party_id}/{card}", json=body, headers=emsp.headers)
    assert pushed.json()["status_code"] == 1000, pushed.text
    return emsp


def check(party_id: str) -> str:
    from mobie_hub.core.identifiers import contract_id_for

    return contract_id_for(party_id, "1234ABCD")[-1]


async def authorize(hub, password: str, card: str) -> str:
    async with connect_station(hub.ocpp_url, STATION, password=password) as cp:
        await cp.boot()
        return await cp.authorize(card)


def test_unregistered_emsp_cards_stop_charging_but_a_charge_in_progress_is_billed(hub, password):
    card = "0A0B0C0D0E0F01"
    with fake_party() as receiver:
        registered_with_card(hub, "EDP", card, receiver.base_url)

        async def scenario():
            async with connect_station(hub.ocpp_url, STATION, password=password) as cp:
                await cp.boot()
                # Given a charge started on the EMSP's card while it is registered
                started = await cp.call(req.StartTransaction(
                    connector_id=1, id_tag=card, meter_start=0, timestamp=format_datetime(utcnow())), suppress=False)
                assert started.id_tag_info["status"] == "Accepted"
                await asyncio.sleep(1.0)
                # When the operator unregisters the EMSP (mobie-hub parties unregister)
                await asyncio.to_thread(
                    HttpAdmin(hub.base_url).call, "parties.unregister", {"country_code": "PT", "party_id": "EDP"}
                )
                # Then its card is refused at once, for Authorize and for a new transaction
                refused = await cp.authorize(card)
                second = await cp.call(req.StartTransaction(
                    connector_id=2, id_tag=card, meter_start=0, timestamp=format_datetime(utcnow())), suppress=False)
                # and the charge in progress still stops normally
                stopped = await cp.call(req.StopTransaction(
                    meter_stop=3, timestamp=format_datetime(utcnow()), transaction_id=started.transaction_id,
                    id_tag=card), suppress=False)
                return started.transaction_id, refused, second.id_tag_info["status"], stopped

        transaction_id, refused, second, stopped = asyncio.run(asyncio.wait_for(scenario(), 30))

    assert (refused, second) == ("Invalid", "Invalid")
    assert stopped is not None
    # and that session is completed and billed: its CDR exists
    session_id = str(transactions.get_transaction(transaction_id)["session_id"])
    deadline = time.monotonic() + 10
    while cdrs.get_cdr(cdrs.cdr_id_for(session_id)) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    record = sessions.get_record(session_id)
    assert record.status.value == "COMPLETED", record.invalid_reason
    assert cdrs.get_cdr(cdrs.cdr_id_for(session_id)) is not None


def test_an_emsp_that_deletes_its_credentials_authorises_nothing(hub, password):
    card = "0A0B0C0D0E0F02"
    emsp = registered_with_card(hub, "GLP", card)
    assert asyncio.run(asyncio.wait_for(authorize(hub, password, card), 30)) == "Accepted"

    # When the EMSP ends its registration itself (OCPI credentials DELETE)
    deleted = httpx.delete(f"{hub.base_url}/ocpi/2.2.1/credentials", headers=emsp.headers)
    assert deleted.json()["status_code"] == 1000, deleted.text

    # Then its card no longer charges
    assert asyncio.run(asyncio.wait_for(authorize(hub, password, card), 30)) == "Invalid"
