"""Commands end to end (profile §11): the local hub over loopback (OCPI over httpx, OCPP over real
websockets), the station simulator scripted to answer Accepted / Rejected or not at all, and a fake
EMSP on loopback receiving the CommandResult at its response_url. The lifecycle runs in the local
runner (asyncio timers), with the real sessions repository."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from ocpp.v16 import call_result as res

from mobie_hub.commands.config import command_settings
from mobie_hub.local.in_process import in_process_hub
from mobie_hub.models.tokens import Token
from mobie_hub.repositories import sessions, tokens
from mobie_hub.repositories.dynamodb import reset_clients
from mobie_hub.settings import get_settings
from mobie_hub.simulator import connect_station
from tests.support.fake_party import FakeParty, fake_party
from tests.support.local_hub import free_port
from tests.support.parties import Party, issue, register_receiver
from tests.support.tokens import rfid_token

pytestmark = pytest.mark.e2e

STATION, EVSE, RFID = "LSB-00175", "LSB-00175-01", "04A1B2C3D4E5F6"


@pytest.fixture(scope="module")
def hub():
    with in_process_hub() as running:
        yield running


@pytest.fixture(autouse=True)
def _hub_store(hub, monkeypatch):
    monkeypatch.setenv("MOBIE_DYNAMODB_ENDPOINT", hub.dynamodb_endpoint)
    for kind, seconds in (("START", "5"), ("STOP", "5"), ("UNLOCK", "1")):
        monkeypatch.setenv(f"MOBIE_COMMAND_{kind}_TIMEOUT_SECONDS", seconds)
    get_settings.cache_clear()
    command_settings.cache_clear()
    reset_clients()
    yield
    get_settings.cache_clear()
    command_settings.cache_clear()
    reset_clients()


@pytest.fixture(scope="module")
def emsp_server() -> Iterator[FakeParty]:
    with fake_party() as party:
        yield party


@pytest.fixture
def emsp(hub, emsp_server) -> tuple[FakeParty, Party]:
    """PT/EDP registered once (its commands results go to the fake EMSP), its RFID token pushed."""
    from mobie_hub.parties.model import PartyRef
    from mobie_hub.repositories import parties

    tokens.put_token(Token.model_validate(rfid_token()))
    if parties.get_party(PartyRef(country_code="PT", party_id="EDP")) is None:
        register_receiver(emsp_server.base_url, modules=("commands",))
    emsp_server.received.clear()
    return emsp_server, issue("C")


def command(hub, emsp, name: str, body: dict, response_url: str | None = None) -> dict:
    party, credentials = emsp
    url = response_url or f"{party.base_url}/results/{name}"
    response = httpx.post(
        f"{hub.base_url}/ocpi/2.2.1/commands/{name}",
        json={"response_url": url, **body},
        headers=credentials.headers,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def result_posted(party: FakeParty, name: str, count: int = 1) -> list:
    def posted():
        return [r.body for r in party.received if r.path == f"/results/{name}"]

    for _ in range(300):  # bounded wait for the asynchronous POST (never a fixed sleep as the assertion)
        if len(posted()) >= count:
            return posted()
        await asyncio.sleep(0.05)
    raise AssertionError(f"no CommandResult at /results/{name}; received {party.received}")


def answer_with(station, action: str, handler) -> None:
    """Script the simulator: ``handler`` answers ``action`` and nothing happens after it."""
    station.route_map[action] = {"_on_action": handler}


def run(scenario):
    return asyncio.run(asyncio.wait_for(scenario, 60))


START = {"token": rfid_token(), "location_id": STATION, "evse_uid": EVSE}


def test_start_then_stop_a_session_by_command(hub, emsp):
    party, _ = emsp

    async def scenario():
        async with connect_station(hub.ocpp_url, STATION, meter_interval=0.3) as station:
            await station.boot()
            await station.report_all()
            started = await asyncio.to_thread(command, hub, emsp, "START_SESSION", START)
            start_result = await result_posted(party, "START_SESSION")
            session = await asyncio.to_thread(sessions.active_session_on_evse, STATION, EVSE)
            stopped = await asyncio.to_thread(command, hub, emsp, "STOP_SESSION", {"session_id": session.id})
            stop_result = await result_posted(party, "STOP_SESSION")
            return started, start_result, session, stopped, stop_result, station.received

    started, start_result, session, stopped, stop_result, received = run(scenario())

    assert (started["result"], started["timeout"]) == ("ACCEPTED", 5)
    assert start_result == [{"result": "ACCEPTED"}]  # after the StartTransaction, not on RST.conf alone
    assert (session.status, session.cdr_token.uid) == ("ACTIVE", RFID)
    assert stopped["result"] == "ACCEPTED" and stop_result == [{"result": "ACCEPTED"}]  # reason Remote
    assert [action for action, _ in received] == ["RemoteStartTransaction", "RemoteStopTransaction"]
    assert sessions.get_session(session.id).status == "COMPLETED"


def test_a_start_the_station_rejects_on_an_out_of_service_evse_is_evse_inoperative(hub, emsp):
    party, _ = emsp

    async def scenario():
        async with connect_station(hub.ocpp_url, STATION) as station:
            await station.boot()
            await station.report_status(1, "Faulted")  # the hub marks the EVSE OUTOFORDER
            response = await asyncio.to_thread(command, hub, emsp, "START_SESSION", START)
            posted = await result_posted(party, "START_SESSION")
            await station.report_status(1, "Available")
            return response, posted

    response, posted = run(scenario())

    assert response["result"] == "ACCEPTED"  # the EVSE's last known status is not used for the response
    assert posted == [
        {
            "result": "EVSE_INOPERATIVE",
            "message": [{"language": "en", "text": "The requested EVSE is out of service."}],
        }
    ]


def test_a_start_accepted_but_never_started_fails_and_its_pending_session_is_invalid(hub, emsp):
    party, _ = emsp

    async def scenario():
        async with connect_station(hub.ocpp_url, STATION) as station:
            await station.boot()
            answer_with(
                station, "RemoteStartTransaction", lambda **_: res.RemoteStartTransaction(status="Accepted")
            )
            await asyncio.to_thread(command, hub, emsp, "START_SESSION", START)
            return await result_posted(party, "START_SESSION")

    posted = run(scenario())

    assert posted == [
        {
            "result": "FAILED",
            "message": [
                {
                    "language": "en",
                    "text": "The charging station has not confirmed that it started the transaction.",
                }
            ],
        }
    ]
    latest = sessions.last_session_on_evse(STATION, EVSE)
    assert latest.status == "INVALID"


def test_an_unlock_without_an_answer_times_out_and_the_late_answer_is_ignored(hub, emsp):
    party, _ = emsp
    ended = []

    async def scenario():
        async with connect_station(hub.ocpp_url, STATION, meter_interval=0.3) as station:
            await station.boot()
            await station.charge(RFID, seconds=0.2, connector_id=1)  # the EMSP's user charged just now
            ended.append(sessions.last_session_on_evse(STATION, EVSE).end_date_time)
            release = asyncio.Event()

            async def unlock_late(**_):
                await release.wait()
                return res.UnlockConnector(status="Unlocked")

            answer_with(station, "UnlockConnector", unlock_late)
            response = await asyncio.to_thread(
                command,
                hub,
                emsp,
                "UNLOCK_CONNECTOR",
                {"location_id": STATION, "evse_uid": EVSE, "connector_id": "LSB-00175-01-01"},
            )
            posted = await result_posted(party, "UNLOCK_CONNECTOR")
            release.set()  # the answer after the timeout
            await asyncio.sleep(0.3)
            return response, posted

    response, posted = run(scenario())

    assert response["result"] == "ACCEPTED" and response["timeout"] == 1
    assert response["message"][0]["text"].startswith("Warning: the charging session had ended at ")
    assert posted == [{"result": "TIMEOUT"}]


def test_an_unreachable_response_url_loses_nothing(hub, emsp):
    dead = f"http://127.0.0.1:{free_port()}/results/lost"

    async def scenario():
        async with connect_station(hub.ocpp_url, STATION, meter_interval=0.3) as station:
            await station.boot()
            response = await asyncio.to_thread(command, hub, emsp, "START_SESSION", START, dead)
            for _ in range(200):  # bounded: until the station charges on the remote start
                if 1 in station.transactions:
                    break
                await asyncio.sleep(0.05)
            session = await asyncio.to_thread(sessions.active_session_on_evse, STATION, EVSE)
            await station.stop_transaction(1)
            return response, session

    response, session = run(scenario())

    assert response["result"] == "ACCEPTED"
    assert session is not None and sessions.get_session(session.id) is not None  # still readable


async def charging(station, hub) -> asyncio.Task:
    """The EMSP's user charges on connector 1 with the RFID card (until stopped)."""
    task = asyncio.ensure_future(station.charge(RFID, seconds=30, connector_id=1))
    for _ in range(200):  # bounded: until the hub holds the ACTIVE session
        session = await asyncio.to_thread(sessions.active_session_on_evse, STATION, EVSE)
        if session is not None and 1 in station.transactions:
            return task
        await asyncio.sleep(0.05)
    raise AssertionError("the charge did not start")


def test_a_start_on_an_evse_the_same_user_charges_on_is_evse_occupied(hub, emsp):
    party, _ = emsp

    async def scenario():
        async with connect_station(hub.ocpp_url, STATION, meter_interval=0.3) as station:
            await station.boot()
            await station.report_all()
            charge = await charging(station, hub)
            response = await asyncio.to_thread(command, hub, emsp, "START_SESSION", START)
            posted = await result_posted(party, "START_SESSION")
            await station.stop_transaction(1)
            charge.cancel()
            return response, posted

    response, posted = run(scenario())

    assert response["result"] == "ACCEPTED"
    assert posted == [
        {
            "result": "EVSE_OCCUPIED",
            "message": [{"language": "en", "text": "The current user has an active transaction on the EVSE."}],
        }
    ]


def test_a_start_the_station_never_answers_times_out(hub, emsp, monkeypatch):
    party, _ = emsp
    monkeypatch.setenv("MOBIE_COMMAND_START_TIMEOUT_SECONDS", "1")
    command_settings.cache_clear()

    async def scenario():
        async with connect_station(hub.ocpp_url, STATION) as station:
            await station.boot()
            never = asyncio.Event()

            async def silent(**_):
                await never.wait()

            answer_with(station, "RemoteStartTransaction", silent)
            response = await asyncio.to_thread(command, hub, emsp, "START_SESSION", START)
            return response, await result_posted(party, "START_SESSION")

    response, posted = run(scenario())

    assert (response["result"], response["timeout"]) == ("ACCEPTED", 1)
    assert posted == [{"result": "TIMEOUT"}]
    assert sessions.last_session_on_evse(STATION, EVSE).status == "INVALID"


def test_an_unlock_during_the_users_charge_is_accepted_and_ends_it(hub, emsp):
    party, _ = emsp

    async def scenario():
        async with connect_station(hub.ocpp_url, STATION, meter_interval=0.3) as station:
            await station.boot()
            charge = await charging(station, hub)
            response = await asyncio.to_thread(
                command,
                hub,
                emsp,
                "UNLOCK_CONNECTOR",
                {"location_id": STATION, "evse_uid": EVSE, "connector_id": "LSB-00175-01-01"},
            )
            posted = await result_posted(party, "UNLOCK_CONNECTOR")
            result = await asyncio.wait_for(charge, 10)
            return response, posted, result

    response, posted, result = run(scenario())

    assert response == {"result": "ACCEPTED", "timeout": 1}
    assert posted == [{"result": "ACCEPTED"}]
    assert result.stop_reason == "UnlockCommand"
