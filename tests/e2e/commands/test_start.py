"""START_SESSION end to end, a test per row of profile §11's tables (CommandResponse, CommandResult)
and the (choice) rows: the local hub, the station simulator scripted for each row's condition, the
fake EMSP receiving the CommandResult (tests/support/commands.py)."""

from __future__ import annotations

import pytest

from mobie_hub.core.types import utcnow
from mobie_hub.ocpp import connection_repository
from mobie_hub.ocpp import repository as stations
from mobie_hub.sessions import repository as sessions
from mobie_hub.tokens import repository as tokens
from mobie_hub.tokens.models import Token
from mobie_hub.tokens.rules import id_tag_for
from tests.support import commands as support
from tests.support.commands import (
    GLP_TOKEN,
    OTHER_CARD,
    RFID,
    charging,
    online,
    outcome,
    results_posted,
    run,
    said,
    send,
    set_timeouts,
    until,
)
from tests.support.local_hub import free_port
from tests.support.tokens import APP_UID, app_token, rfid_token

pytestmark = pytest.mark.e2e
emsp_server, emsp, short_command_timeouts = support.emsp_server, support.emsp, support.short_command_timeouts

STATION, EVSE = "LSB-00175", "LSB-00175-01"  # connector 1
NEVER_CONNECTED = "PRT-00042"
START = {"token": rfid_token(), "location_id": STATION, "evse_uid": EVSE}
RST = "RemoteStartTransaction"
NOT_STARTED = "The charging station has not confirmed that it started the transaction."
REJECTED_BY_STATION = "The charging station has rejected the request."


def start(**changes) -> dict:
    return {**START, **changes}


async def started(hub, emsp, body: dict = START, count: int = 1) -> tuple[dict, list]:
    party, _ = emsp
    response = await send(hub, emsp, "START_SESSION", body)
    return response, await results_posted(party, "START_SESSION", count)


# --- CommandResponse (token valid | EVSE uid in location | station online) -----------------------
def test_row_valid_token_known_evse_online_is_accepted_and_the_result_follows_start_transaction(hub, emsp):
    # CommandResponse row 1 (yes/yes/yes → ACCEPTED) and CommandResult row 1 (RST.conf Accepted, ST
    # received → ACCEPTED, no message): the default station accepts and starts at once.
    async def scenario():
        async with online(hub, STATION) as station:
            response, posted = await started(hub, emsp)
            session = sessions.active_session_on_evse(STATION, EVSE)
            await station.stop_transaction(1)
            return response, posted, session, station.received

    response, posted, session, received = run(scenario())

    assert response == {"result": "ACCEPTED", "timeout": 5}
    assert posted == [outcome("ACCEPTED")]
    assert (session.status, session.cdr_token.uid) == ("ACTIVE", RFID)
    assert received == [(RST, {"id_tag": RFID, "connector_id": 1})]


OFFLINE = "The requested charging station is currently offline."
INVALID_TOKEN = "The requested token is invalid."
NO_SUCH_EVSE = "The requested EVSE UID does not exist in the location."
UNKNOWN_CARD = rfid_token(uid="04DEADBEEF0001")  # never pushed to the hub
CHANGED_CARD = rfid_token(visual_number="EDP-9999-9999")  # not the stored token's properties
INVALIDATED_CARD = rfid_token(uid="04DEADBEEF0002", valid=False)  # stored so: the EMSP blocked it


@pytest.mark.parametrize(
    ("location_id", "body", "message"),
    [
        # row 2 (any | any | no): offline wins over everything else
        (NEVER_CONNECTED, {"token": rfid_token(), "evse_uid": "PRT-00042-01"}, OFFLINE),
        (NEVER_CONNECTED, {"token": UNKNOWN_CARD, "evse_uid": "PRT-00042-09"}, OFFLINE),
        # row 3 (no | any | yes): every way a token is invalid, with a known and an unknown EVSE
        (STATION, {"token": UNKNOWN_CARD}, INVALID_TOKEN),
        (STATION, {"token": CHANGED_CARD}, INVALID_TOKEN),
        (STATION, {"token": GLP_TOKEN}, INVALID_TOKEN),  # another party's token
        (STATION, {"token": INVALIDATED_CARD}, INVALID_TOKEN),
        (STATION, {"token": UNKNOWN_CARD, "evse_uid": "LSB-00175-09"}, INVALID_TOKEN),
        # row 4 (yes | no | yes); (choice) a connector the EVSE has not counts as an unknown EVSE
        (STATION, {"evse_uid": "LSB-00175-09"}, NO_SUCH_EVSE),
        (STATION, {"evse_uid": "LSB-00421-01"}, NO_SUCH_EVSE),  # an EVSE of another location
        (STATION, {"connector_id": "LSB-00175-02-01"}, NO_SUCH_EVSE),
    ],
)
def test_rows_rejected_by_the_command_response(hub, emsp, location_id, body, message):
    tokens.put_token(Token.model_validate(INVALIDATED_CARD))
    before = sessions.last_session_on_evse(STATION, EVSE)

    async def scenario():
        async with online(hub, STATION) as station:
            response = await send(hub, emsp, "START_SESSION", start(location_id=location_id, **body))
            return response, station.received

    response, received = run(scenario())

    assert response == {"result": "REJECTED", "timeout": 5, "message": said(message)}
    assert received == []  # nothing sent to the station, no session opened
    assert sessions.last_session_on_evse(STATION, EVSE) == before


# --- CommandResult (RST.conf | status | ST | same token | other token | out of service | timed out)
def test_row_conf_lost_but_start_transaction_arrived_is_accepted_with_a_warning(hub, emsp):
    # row 2 (no | – | yes | * | * | * | no): the station starts, its RST.conf is lost on the way
    async def scenario():
        async with online(hub, STATION) as station:
            station.script(RST, answer=False)
            response, posted = await started(hub, emsp)
            session = sessions.active_session_on_evse(STATION, EVSE)
            await station.stop_transaction(1)
            return response, posted, session

    response, posted, session = run(scenario())

    assert response["result"] == "ACCEPTED"
    assert posted == [outcome("ACCEPTED", "WARNING! Original ack not received.")]
    assert session.status == "ACTIVE"


def test_row_accepted_but_never_started_fails_and_the_pending_session_is_invalid(hub, emsp, monkeypatch):
    # row 3 (yes | Accepted | no | * | * | * | yes)
    set_timeouts(monkeypatch, start=1)

    async def scenario():
        async with online(hub, STATION) as station:
            station.script(RST, status="Accepted", act=False)  # the cable is never plugged in
            return await started(hub, emsp)

    response, posted = run(scenario())

    assert (response["result"], response["timeout"]) == ("ACCEPTED", 1)
    assert posted == [outcome("FAILED", NOT_STARTED)]
    assert sessions.last_session_on_evse(STATION, EVSE).status == "INVALID"


@pytest.mark.parametrize(
    ("id_tag", "result", "message"),
    [
        # row 4 (yes | Rejected | no | yes | no | – | no)
        (RFID, "EVSE_OCCUPIED", "The current user has an active transaction on the EVSE."),
        # row 6 (yes | Rejected | no | no | yes | – | no): another card, even of the same EMSP
        (OTHER_CARD, "EVSE_OCCUPIED", "The EVSE is currently occupied."),
        (GLP_TOKEN["uid"], "EVSE_OCCUPIED", "The EVSE is currently occupied."),
    ],
)
def test_rows_rejected_on_an_evse_someone_charges_on(hub, emsp, id_tag, result, message):
    async def scenario():
        async with online(hub, STATION) as station:
            await charging(station, id_tag, 1, EVSE)  # the default station then rejects the start
            response, posted = await started(hub, emsp)
            await station.stop_transaction(1)
            return response, posted

    response, posted = run(scenario())

    assert response["result"] == "ACCEPTED"  # the EVSE's last known status is not used for the response
    assert posted == [outcome(result, message)]


def test_row_rejected_on_an_out_of_service_evse_is_evse_inoperative(hub, emsp):
    # row 5 (yes | Rejected | no | no | no | yes | no)
    async def scenario():
        async with online(hub, STATION) as station:
            await station.report_status(1, "Faulted")  # the hub marks the EVSE OUTOFORDER
            response, posted = await started(hub, emsp)
            await station.report_status(1, "Available")
            return response, posted

    response, posted = run(scenario())

    assert response["result"] == "ACCEPTED"
    assert posted == [outcome("EVSE_INOPERATIVE", "The requested EVSE is out of service.")]


def test_row_no_answer_and_no_start_times_out(hub, emsp, monkeypatch):
    # row 7 (no | – | no | * | * | * | yes)
    set_timeouts(monkeypatch, start=1)

    async def scenario():
        async with online(hub, STATION) as station:
            station.script(RST, answer=False, act=False)
            return await started(hub, emsp)

    response, posted = run(scenario())

    assert (response["result"], response["timeout"]) == ("ACCEPTED", 1)
    assert posted == [outcome("TIMEOUT")]
    assert sessions.last_session_on_evse(STATION, EVSE).status == "INVALID"


@pytest.mark.parametrize(
    "how",
    [
        {"status": "Rejected"},  # profile (choice): Rejected with none of the table's conditions
        {"error": "InternalError"},  # hub (choice): a CALLERROR counts as a Rejected conf
        {"error": "NotSupported"},
    ],
)
def test_choice_rejected_for_no_reason_the_table_names_is_rejected(hub, emsp, how):
    async def scenario():
        async with online(hub, STATION) as station:
            station.script(RST, **how)
            return await started(hub, emsp)

    response, posted = run(scenario())

    assert response["result"] == "ACCEPTED"
    assert posted == [outcome("REJECTED", REJECTED_BY_STATION)]
    assert sessions.last_session_on_evse(STATION, EVSE).status == "INVALID"


def test_choice_an_app_user_token_starts_with_the_idtag_the_hub_derives(hub, emsp):
    # profile (choice): a 36-character APP_USER uid does not fit an OCPP 1.6 idTag (20)
    async def scenario():
        async with online(hub, STATION) as station:
            response, posted = await started(hub, emsp, start(token=app_token()))
            session = sessions.active_session_on_evse(STATION, EVSE)
            await station.stop_transaction(1)
            return response, posted, session, station.received

    response, posted, session, received = run(scenario())

    id_tag = id_tag_for(Token.model_validate(app_token()))
    assert len(id_tag) <= 20 and received == [(RST, {"id_tag": id_tag, "connector_id": 1})]
    assert response["result"] == "ACCEPTED" and posted == [outcome("ACCEPTED")]
    assert (session.cdr_token.uid, session.cdr_token.type) == (APP_UID, "APP_USER")


def test_choice_a_station_gone_when_the_call_is_sent_fails_offline(hub, emsp):
    # The hub still holds a connection the station has lost (it answered online, then the socket broke).
    connection_repository.put_connection(NEVER_CONNECTED, "a-connection-gone", utcnow())
    body = start(location_id=NEVER_CONNECTED, evse_uid="PRT-00042-01")

    response, posted = run(started(hub, emsp, body))

    assert response["result"] == "ACCEPTED"
    assert posted == [outcome("FAILED", OFFLINE)]
    assert stations.get_connection(NEVER_CONNECTED) is None


def test_choice_a_station_that_owes_an_answer_is_busy(hub, emsp, monkeypatch):
    # OCPP-J: one call at a time. The first start is never answered; the second cannot be sent.
    set_timeouts(monkeypatch, start=2)
    other = start(token=rfid_token(uid=OTHER_CARD), evse_uid="LSB-00175-02")

    async def scenario():
        async with online(hub, STATION) as station:
            station.script(RST, answer=False, act=False)
            await send(hub, emsp, "START_SESSION", START)
            response, posted = await started(hub, emsp, other, count=2)
            return response, posted

    response, posted = run(scenario())

    assert response["result"] == "ACCEPTED"
    assert posted == [
        outcome("FAILED", "The charging station is busy with another request."),
        outcome("TIMEOUT"),
    ]


def test_an_unreachable_response_url_loses_nothing(hub, emsp):
    dead = f"http://127.0.0.1:{free_port()}/results/lost"

    async def scenario():
        async with online(hub, STATION) as station:
            response = await send(hub, emsp, "START_SESSION", START, dead)
            session = await charging_started(station)
            await station.stop_transaction(1)
            return response, session

    response, session = run(scenario())

    assert response["result"] == "ACCEPTED"
    assert sessions.get_session(session.id) is not None  # the session is still readable


async def charging_started(station):
    await until(lambda: 1 in station.transactions, "the remote start charging")
    return await until(lambda: sessions.active_session_on_evse(STATION, EVSE), "an ACTIVE session")
