"""STOP_SESSION end to end, a test per row of profile §11's tables (CommandResponse, CommandResult)
and the (choice) rows: the local hub, the station simulator scripted for each row's condition, the
fake EMSP receiving the CommandResult (tests/support/commands.py)."""

from __future__ import annotations

import uuid

import pytest

from mobie_hub.core.types import utcnow
from mobie_hub.ocpp import connection_repository
from mobie_hub.sessions import repository as sessions
from tests.support import commands as support
from tests.support.commands import (
    GLP_CARD,
    RFID,
    charged,
    charging,
    offline,
    online,
    outcome,
    results_posted,
    run,
    said,
    send,
    set_timeouts,
    until,
)
from tests.support.tokens import rfid_token

pytestmark = pytest.mark.e2e
emsp_server, emsp, short_command_timeouts = support.emsp_server, support.emsp, support.short_command_timeouts

STATION, EVSE = "LSB-00421", "LSB-00421-02"  # connector 2
RSP = "RemoteStopTransaction"
NOT_STOPPED = "The charging station has not confirmed that it stopped the transaction."
REJECTED_BY_STATION = "The charging station has rejected the request."
NOT_OWNED = "The requested session is not owned by the requesting party."


async def stopped(hub, emsp, session_id: str) -> tuple[dict, list]:
    party, _ = emsp
    response = await send(hub, emsp, "STOP_SESSION", {"session_id": session_id})
    return response, await results_posted(party, "STOP_SESSION")


async def stop_scripted(hub, emsp, **how) -> tuple[dict, list, object]:
    """The EMSP's user charges; the station handles the RemoteStop as ``how`` scripts it."""
    async with online(hub, STATION) as station:
        session = await charging(station, RFID, 2, EVSE)
        station.script(RSP, **how)
        response, posted = await stopped(hub, emsp, session.id)
        if 2 in station.transactions:  # the scripted station did not stop: the user does
            await station.stop_transaction(2)
        return response, posted, await until(lambda: sessions.get_session(session.id), "the session")


# --- CommandResponse (session exists | active | owned by the EMSP | station online) ---------------
def test_row_active_owned_online_is_accepted_and_a_remote_stop_is_accepted(hub, emsp):
    # CommandResponse row 1 (yes/yes/yes/yes → ACCEPTED) and CommandResult row 1 (RSP.conf Accepted,
    # StopTransaction reason Remote → ACCEPTED, no message). The row's "any reason from an OCPP 1.5
    # station" cannot happen: the hub speaks OCPP 1.6 only; Remote is its 1.6 counterpart.
    # The session was started by START_SESSION: what an EMSP starts, it can stop.
    party, _ = emsp
    body = {"token": rfid_token(), "location_id": STATION, "evse_uid": EVSE}

    async def scenario():
        async with online(hub, STATION) as station:
            await send(hub, emsp, "START_SESSION", body)
            await results_posted(party, "START_SESSION")
            session = sessions.active_session_on_evse(STATION, EVSE)
            response, posted = await stopped(hub, emsp, session.id)
            return response, posted, session, [action for action, _ in station.received]

    response, posted, session, received = run(scenario())

    assert response == {"result": "ACCEPTED", "timeout": 5}
    assert posted == [outcome("ACCEPTED")]
    assert received == ["RemoteStartTransaction", RSP]
    assert sessions.get_session(session.id).status == "COMPLETED"


def test_row_active_owned_but_offline_is_rejected(hub, emsp):
    # row 2 (yes | yes | yes | no)
    async def scenario():
        async with online(hub, STATION) as station:
            session = await charging(station, RFID, 2, EVSE)
        await offline(station)  # the connection drops; the transaction goes on
        response = await send(hub, emsp, "STOP_SESSION", {"session_id": session.id})
        async with online(hub, STATION, like=station) as back:
            await back.stop_transaction(2)
        return response, session

    response, session = run(scenario())

    assert response == {
        "result": "REJECTED",
        "timeout": 5,
        "message": said("The requested session is currently offline."),
    }
    assert sessions.get_session(session.id).status == "COMPLETED"  # by the user, not by the command


@pytest.mark.parametrize(
    ("id_tag", "active", "message"),
    [
        (GLP_CARD, True, NOT_OWNED),  # row 3 (yes | yes | no | *): another EMSP's user charges
        (RFID, False, "The requested session is no longer active."),  # row 4 (yes | no | yes | *)
        (GLP_CARD, False, NOT_OWNED),  # row 5 (yes | no | no | *)
    ],
)
def test_rows_rejected_for_a_session_not_active_or_not_owned(hub, emsp, id_tag, active, message):
    async def scenario():
        async with online(hub, STATION) as station:
            if active:
                session = await charging(station, id_tag, 2, EVSE)
            else:
                session = await charged(station, id_tag, 2, EVSE)
            response = await send(hub, emsp, "STOP_SESSION", {"session_id": session.id})
            if active:
                await station.stop_transaction(2)
            return response, session, list(station.received)

    response, session, received = run(scenario())

    assert session.status == ("ACTIVE" if active else "COMPLETED")  # when the EMSP asked
    assert response == {"result": "REJECTED", "timeout": 5, "message": said(message)}
    assert received == []  # no RemoteStopTransaction sent


def test_row_unknown_session(hub, emsp):
    # row 6 (no | – | – | *)
    response = run(send(hub, emsp, "STOP_SESSION", {"session_id": str(uuid.uuid4())}))

    assert response == {"result": "UNKNOWN_SESSION", "timeout": 5}


# --- CommandResult (RSP.conf received | status | SP received | SP reason | timed out) ---------------
@pytest.mark.parametrize("reason", ["EVDisconnected", "Local", "Other"])
def test_row_accepted_then_stopped_for_another_reason_is_accepted_with_the_reason(hub, emsp, reason):
    # row 2 (yes | Accepted | yes | other than Remote (OCPP 1.6) | no)
    response, posted, session = run(stop_scripted(hub, emsp, stop_reason=reason))

    assert response["result"] == "ACCEPTED"
    assert posted == [outcome("ACCEPTED", reason)]
    assert session.status == "COMPLETED"


@pytest.mark.parametrize("reason", ["Remote", "EVDisconnected"])
def test_row_conf_lost_but_stop_transaction_arrived_is_accepted_with_a_warning(hub, emsp, reason):
    # row 3 (no | – | yes | * | no)
    response, posted, session = run(stop_scripted(hub, emsp, answer=False, stop_reason=reason))

    assert response["result"] == "ACCEPTED"
    assert posted == [outcome("ACCEPTED", f"WARNING! Original ack not received. {reason}")]
    assert session.status == "COMPLETED"


def test_row_accepted_but_never_stopped_fails(hub, emsp, monkeypatch):
    # row 4 (yes | Accepted | no | – | yes)
    set_timeouts(monkeypatch, stop=1)

    response, posted, _ = run(stop_scripted(hub, emsp, status="Accepted", act=False))

    assert (response["result"], response["timeout"]) == ("ACCEPTED", 1)
    assert posted == [outcome("FAILED", NOT_STOPPED)]


def test_row_rejected_by_the_station_fails(hub, emsp):
    # row 5 (yes | Rejected | no | – | no)
    response, posted, _ = run(stop_scripted(hub, emsp, status="Rejected"))

    assert response["result"] == "ACCEPTED"
    assert posted == [outcome("FAILED", REJECTED_BY_STATION)]


def test_row_no_answer_and_no_stop_times_out(hub, emsp, monkeypatch):
    # row 6 (no | – | no | – | yes)
    set_timeouts(monkeypatch, stop=1)

    response, posted, _ = run(stop_scripted(hub, emsp, answer=False, act=False))

    assert (response["result"], response["timeout"]) == ("ACCEPTED", 1)
    assert posted == [outcome("TIMEOUT")]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        # profile: "A station that cannot stop remotely → NOT_SUPPORTED"
        ("NotSupported", outcome("NOT_SUPPORTED")),
        ("NotImplemented", outcome("NOT_SUPPORTED")),
        ("InternalError", outcome("FAILED", REJECTED_BY_STATION)),  # (choice) as a Rejected conf
    ],
)
def test_choice_a_callerror_to_the_remote_stop(hub, emsp, error, expected):
    response, posted, _ = run(stop_scripted(hub, emsp, error=error))

    assert response["result"] == "ACCEPTED"
    assert posted == [expected]


def test_choice_a_station_gone_when_the_call_is_sent_fails_offline(hub, emsp):
    # The hub still holds a connection the station has lost (it answered online, then the socket broke).
    async def scenario():
        async with online(hub, STATION) as station:
            session = await charging(station, RFID, 2, EVSE)
        await offline(station)
        connection_repository.put_connection(STATION, "a-connection-gone", utcnow())
        response, posted = await stopped(hub, emsp, session.id)
        async with online(hub, STATION, like=station) as back:
            await back.stop_transaction(2)
        return response, posted

    response, posted = run(scenario())

    assert response["result"] == "ACCEPTED"
    assert posted == [outcome("FAILED", "The requested charging station is currently offline.")]
