"""UNLOCK_CONNECTOR end to end, a test per row of profile §11's tables (CommandResponse,
CommandResult) and the (choice) rows: the local hub, the station simulator scripted for each row's
condition, the fake EMSP receiving the CommandResult (tests/support/commands.py)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from ocpp.v16 import call as req
from ocpp.v16 import call_result as res

from mobie_hub.core.types import format_datetime, utcnow
from mobie_hub.ocpp import call_repository, connection_repository
from mobie_hub.ocpp import repository as stations
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
    until,
)

pytestmark = pytest.mark.e2e
emsp_server, emsp, short_command_timeouts = support.emsp_server, support.emsp, support.short_command_timeouts

UNLOCK = "UnlockConnector"
OFFLINE = "Impossible to perform the requested command as the charging station is offline."
NO_SESSION = "There is no valid session owned by the EMSP on the charging station"


def unlock(location_id: str, evse_uid: str) -> dict:
    return {"location_id": location_id, "evse_uid": evse_uid, "connector_id": f"{evse_uid}-01"}


def ended_at(session) -> str:
    return f"Warning: the charging session had ended at {format_datetime(session.end_date_time)}"


async def unlocked(hub, emsp, location_id: str, evse_uid: str) -> tuple[dict, list]:
    party, _ = emsp
    response = await send(hub, emsp, "UNLOCK_CONNECTOR", unlock(location_id, evse_uid))
    return response, await results_posted(party, "UNLOCK_CONNECTOR")


# --- CommandResponse (active session of the EMSP's user | else: last user the EMSP's, < 24 h | online)
def test_row_an_active_session_of_the_emsp_online_is_accepted_and_the_unlock_ends_it(hub, emsp):
    # row 1 (yes | – | yes); CommandResult: Unlocked → ACCEPTED
    async def scenario():
        async with online(hub, "LSB-00175") as station:
            session = await charging(station, RFID, 1, "LSB-00175-01")
            transaction = station.transactions[1]
            response, posted = await unlocked(hub, emsp, "LSB-00175", "LSB-00175-01")
            await asyncio.wait_for(transaction.stopped.wait(), 5)  # StopTransaction answered by the hub
            return response, posted, session, transaction.stop_reason

    response, posted, session, reason = run(scenario())

    assert response == {"result": "ACCEPTED", "timeout": 1}
    assert posted == [outcome("ACCEPTED")]
    assert (reason, sessions.get_session(session.id).status) == (
        "UnlockCommand",
        "COMPLETED",
    )  # OCPP 1.6 §5.18


def test_row_an_active_session_of_the_emsp_offline_is_rejected(hub, emsp):
    # row 2 (yes | – | no)
    async def scenario():
        async with online(hub, "LSB-00421") as station:
            await charging(station, RFID, 2, "LSB-00421-02")
        await offline(station)
        response = await send(hub, emsp, "UNLOCK_CONNECTOR", unlock("LSB-00421", "LSB-00421-02"))
        async with online(hub, "LSB-00421", like=station) as back:
            await back.stop_transaction(2)
        return response

    response = run(scenario())

    assert response == {"result": "REJECTED", "timeout": 1, "message": said(OFFLINE)}


def test_row_the_emsp_was_the_last_user_online_is_accepted_with_a_warning(hub, emsp):
    # row 3 (no | yes | yes)
    async def scenario():
        async with online(hub, "LSB-00175") as station:
            session = await charged(station, RFID, 1, "LSB-00175-01")
            response, posted = await unlocked(hub, emsp, "LSB-00175", "LSB-00175-01")
            return response, posted, session

    response, posted, session = run(scenario())

    assert response == {"result": "ACCEPTED", "timeout": 1, "message": said(ended_at(session))}
    assert posted == [outcome("ACCEPTED")]


def test_row_the_emsp_was_the_last_user_offline_is_rejected_with_a_warning(hub, emsp):
    # row 4 (no | yes | no)
    async def scenario():
        async with online(hub, "LSB-00421") as station:
            session = await charged(station, RFID, 1, "LSB-00421-01")
        await offline(station)
        return await send(hub, emsp, "UNLOCK_CONNECTOR", unlock("LSB-00421", "LSB-00421-01")), session

    response, session = run(scenario())

    assert response == {"result": "REJECTED", "timeout": 1, "message": said(f"{OFFLINE} {ended_at(session)}")}


async def charged_a_day_ago(station, id_tag: str, connector_id: int) -> None:
    """A charge of the EMSP's user that ended 25 hours ago (the station reports its own times)."""
    ago = utcnow() - timedelta(hours=26)
    started = await station.call(
        req.StartTransaction(
            connector_id=connector_id, id_tag=id_tag, meter_start=0, timestamp=format_datetime(ago)
        ),
        suppress=False,
    )
    await station.call(
        req.StopTransaction(
            meter_stop=1000,
            timestamp=format_datetime(ago + timedelta(hours=1)),
            transaction_id=started.transaction_id,
            id_tag=id_tag,
            reason="Local",
        ),
        suppress=False,
    )


DAY_AGO = "the EMSP's user charged over 24 h ago"


@pytest.mark.parametrize(
    ("station_id", "evse_uid", "before", "last_user"),
    [
        ("PRT-00107", "PRT-00107-02", "nobody charged", None),
        ("PRT-00107", "PRT-00107-01", "another EMSP's user charged", ("GLP", "COMPLETED")),
        ("PRT-00042", "PRT-00042-02", "another EMSP's user charges", ("GLP", "ACTIVE")),
        ("LSB-01033", "LSB-01033-01", DAY_AGO, ("EDP", "COMPLETED")),
        # the row's "station online: *"; that EVSE's last session (if the case above ran) is a day old
        ("LSB-01033", "LSB-01033-01", "nobody charged lately, offline", None),
    ],
)
def test_row_no_session_of_the_emsp_is_rejected(hub, emsp, station_id, evse_uid, before, last_user):
    # row 5 (no | no | *)
    connector_id = int(evse_uid[-2:])

    async def scenario():
        if before.endswith("offline"):
            last = sessions.last_session_on_evse(station_id, evse_uid)
            return await send(hub, emsp, "UNLOCK_CONNECTOR", unlock(station_id, evse_uid)), [], last
        async with online(hub, station_id) as station:
            if before == "another EMSP's user charged":
                await charged(station, GLP_CARD, connector_id, evse_uid)
            elif before == "another EMSP's user charges":
                await charging(station, GLP_CARD, connector_id, evse_uid)
            elif before == DAY_AGO:
                await charged_a_day_ago(station, RFID, connector_id)
            last = sessions.last_session_on_evse(station_id, evse_uid)
            response = await send(hub, emsp, "UNLOCK_CONNECTOR", unlock(station_id, evse_uid))
            if connector_id in station.transactions:
                await station.stop_transaction(connector_id)
            return response, list(station.received), last

    response, received, last = run(scenario())

    # Given the EVSE's last session as the case says
    day_ago = utcnow() - timedelta(hours=24)
    if before.endswith("offline"):
        assert last is None or last.end_date_time < day_ago
    else:
        assert (last and (last.cdr_token.party_id, last.status)) == last_user
    if before == DAY_AGO:
        assert last.end_date_time < day_ago
    # Then
    assert response == {"result": "REJECTED", "timeout": 1, "message": said(NO_SESSION)}
    assert received == []  # no UnlockConnector sent


# --- CommandResult (UnlockConnector.conf received | status | timed out) ------------------------------
@pytest.mark.parametrize(
    ("how", "expected"),
    [
        # "Unlocked (1.6) / Accepted (1.5)": an OCPP 1.6 UnlockStatus has no Accepted (the hub speaks
        # 1.6 only); its 1.6 counterpart Unlocked → ACCEPTED (the default station, also row 1 above).
        ({}, outcome("ACCEPTED")),
        # "Rejected (1.5)": no 1.6 UnlockStatus either; its 1.6 counterpart is UnlockFailed → FAILED.
        ({"status": "UnlockFailed"}, outcome("FAILED")),
        ({"status": "NotSupported"}, outcome("NOT_SUPPORTED")),
        # (choice) CALLERRORs: a station without the feature says so either way; any other fails
        ({"error": "NotSupported"}, outcome("NOT_SUPPORTED")),
        ({"error": "NotImplemented"}, outcome("NOT_SUPPORTED")),
        ({"error": "InternalError"}, outcome("FAILED")),
    ],
)
def test_rows_of_the_unlock_connector_conf(hub, emsp, how, expected):
    async def scenario():
        async with online(hub, "LSB-00175") as station:
            await charged(station, RFID, 1, "LSB-00175-01")  # the EMSP's user just left
            station.script(UNLOCK, **how)
            return await unlocked(hub, emsp, "LSB-00175", "LSB-00175-01"), station.received

    (response, posted), received = run(scenario())

    assert response["result"] == "ACCEPTED"
    assert posted == [expected]
    assert received == [(UNLOCK, {"connector_id": 1})]


def test_row_no_conf_times_out_and_a_late_answer_is_ignored(hub, emsp):
    # row 5 (no | – | yes); the answer then arrives after the timeout
    party, _ = emsp

    async def scenario():
        async with online(hub, "LSB-00175") as station:
            await charged(station, RFID, 1, "LSB-00175-01")
            release = asyncio.Event()

            async def unlock_late(**_):
                await release.wait()
                return res.UnlockConnector(status="Unlocked")

            station.route_map[UNLOCK] = {"_on_action": unlock_late}  # answers once released
            response, posted = await unlocked(hub, emsp, "LSB-00175", "LSB-00175-01")
            release.set()
            await until(lambda: call_repository.get_pending_call("LSB-00175") is None, "the late answer taken")
            return response, posted

    response, posted = run(scenario())

    assert (response["result"], response["timeout"]) == ("ACCEPTED", 1)
    assert posted == [outcome("TIMEOUT")]
    assert [r.body for r in party.received if r.path == "/results/UNLOCK_CONNECTOR"] == posted  # once


def test_choice_a_station_gone_when_the_call_is_sent_fails_offline(hub, emsp):
    # The hub still holds a connection the station has lost (it answered online, then the socket broke).
    async def scenario():
        async with online(hub, "LSB-00175") as station:
            await charged(station, RFID, 1, "LSB-00175-01")
        await offline(station)
        connection_repository.put_connection("LSB-00175", "a-connection-gone", utcnow())
        return await unlocked(hub, emsp, "LSB-00175", "LSB-00175-01")

    response, posted = run(scenario())

    assert response["result"] == "ACCEPTED"
    assert posted == [outcome("FAILED", "The requested charging station is currently offline.")]
    assert stations.get_connection("LSB-00175") is None
