"""A full charge as an EMSP sees it: the local hub (embedded DynamoDB, stream poller, in-process bus),
an EMSP on loopback that pushed its RFID token over OCPI, and the station simulator charging on it
over a real websocket (RFID at the station, or a remote start) → the EMSP receives the session PUT,
its PATCHes and the CDR POST."""

from __future__ import annotations

import asyncio
import base64
import time

import httpx
import pytest

from mobie_hub.locations.repository import get_location
from mobie_hub.ocpp.ports import TokenRef
from mobie_hub.sessions import repository as sessions
from tests.support.commands import asked_for_statuses
from tests.support.fake_party import FakeParty, Received
from tests.support.parties import Party
from tests.support.tokens import rfid_token

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("hub_store")]

STATION = "LSB-00175"
RFID = "04A1B2C3D4E5F6"


def wait_for_cdr(party: FakeParty, timeout: float = 20.0) -> list[Received]:
    """Everything the EMSP received, once the CDR POST (the last push of a charge) arrived."""
    deadline = time.monotonic() + timeout
    while not any(r.method == "POST" for r in party.received) and time.monotonic() < deadline:
        party.wait_for(len(party.received) + 1, timeout=0.5)
    return list(party.received)


def assert_pushed_charge(received: list[Received], session_id: str) -> dict:
    """PUT(s), PATCHes (the last one COMPLETED) and one CDR POST, all of this session; returns the CDR."""
    path = f"/ocpi/emsp/2.2.1/sessions/PT/MOB/{session_id}"
    puts = [r for r in received if r.method == "PUT"]
    assert puts and all(r.path == path and r.body["cdr_token"]["uid"] == RFID for r in puts)
    assert any(r.body["status"] == "ACTIVE" for r in puts)
    patches = [r for r in received if r.method == "PATCH"]
    assert patches and all(r.path == path and "last_updated" in r.body for r in patches)
    assert any(r.body.get("status") == "COMPLETED" for r in patches)
    [post] = [r for r in received if r.method == "POST"]
    assert post.path == "/ocpi/emsp/2.2.1/cdrs" and post.body["session_id"] == session_id
    assert post.body["cdr_token"]["contract_id"] == rfid_token()["contract_id"]
    assert post.body["total_energy"] > 0 and "mobie_cdr_extension" in post.body
    assert post.headers["authorization"] == "Token " + base64.b64encode(b"token-of-EDP").decode()
    return post.body


def listed_sessions(hub, emsp: Party) -> list[tuple[str, str]]:
    answer = httpx.get(f"{hub.base_url}/ocpi/2.2.1/sessions", params={"date_from": "2026-01-01T00:00:00Z"},
                       headers=emsp.headers, timeout=10)
    return [(s["id"], s["status"]) for s in answer.json()["data"]]


def test_an_rfid_charge_reaches_the_emsp_as_session_put_patches_and_a_cdr_post(hub, receiver, edp):

    # When the station charges on the EMSP's card (Authorize, StartTransaction, MeterValues, Stop)
    async def station():
        async with hub.connect_station(STATION, meter_interval=0.3) as cp:
            await cp.boot()
            return await cp.charge(RFID, seconds=1.2, connector_id=1)

    result = asyncio.run(asyncio.wait_for(station(), 30))
    assert result.id_tag_status == "Accepted" and result.energy_wh > 0

    # Then the EMSP received the session's PUT, its PATCHes and one CDR POST
    received = wait_for_cdr(receiver)
    session_id = next(r for r in received if r.method == "PUT").body["id"]
    cdr = assert_pushed_charge(received, session_id)
    assert cdr["total_energy"] == result.energy_wh / 1000
    # and the session is readable through the sessions sender interface
    assert (session_id, "COMPLETED") in listed_sessions(hub, edp)


def test_a_remote_start_is_one_session_from_pending_to_cdr(hub, receiver, edp):
    evse = get_location(STATION).evses[1]
    token = TokenRef("PT", "EDP", "RFID", RFID, rfid_token()["contract_id"])

    # Given a START_SESSION: the PENDING session opened, then RemoteStartTransaction sent (issue 8's steps)
    async def scenario():
        async with hub.connect_station(STATION, meter_interval=0.3) as cp:
            await cp.boot()
            await asked_for_statuses(cp)  # the hub's TriggerMessage after the boot is answered
            pending = await asyncio.to_thread(
                sessions.open_pending_session, STATION, evse.uid, evse.connectors[0].id, token, "AUTH-REF-7"
            )
            started = await asyncio.to_thread(
                hub.central_system.send_call, STATION, "RemoteStartTransaction", {"idTag": RFID, "connectorId": 2}
            )
            await hub.central_system.listener.wait_async(STATION, started, 10)
            while 2 not in cp.transactions:
                await asyncio.sleep(0.05)
            transaction = cp.transactions[2]
            await asyncio.sleep(1.0)  # let it charge: a few MeterValues
            await asyncio.to_thread(
                hub.central_system.send_call, STATION, "RemoteStopTransaction", {"transactionId": transaction.transaction_id}
            )
            await asyncio.wait_for(transaction.stopped.wait(), 10)
            return pending.id

    session_id = asyncio.run(asyncio.wait_for(scenario(), 30))

    # Then the EMSP saw that one session go PENDING → ACTIVE → COMPLETED, and its CDR
    received = wait_for_cdr(receiver)
    assert {r.body["status"] for r in received if r.method == "PUT"} == {"PENDING", "ACTIVE"}
    cdr = assert_pushed_charge(received, session_id)
    assert cdr["authorization_reference"] == "AUTH-REF-7"
    assert (session_id, "COMPLETED") in listed_sessions(hub, edp)
