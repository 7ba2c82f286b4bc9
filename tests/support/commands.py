"""Commands end to end (profile §11): the fixtures and steps the e2e command tests share.

The local hub over loopback (OCPI over httpx, OCPP over real websockets), the station simulator
scripted to produce each row's condition (``station.script``), and a fake EMSP on loopback receiving
the CommandResult at its response_url. A test module binds the fixtures it uses (``emsp =
support.emsp``; ``short_command_timeouts`` is autouse).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from mobie_hub.commands.config import command_settings
from mobie_hub.core.identifiers import contract_id_for
from mobie_hub.ocpp import call_repository
from mobie_hub.ocpp import repository as stations
from mobie_hub.sessions import repository as sessions
from mobie_hub.sessions.models import Session
from mobie_hub.simulator import SimulatedStation
from mobie_hub.tokens import repository as tokens
from mobie_hub.tokens.models import Token
from tests.support.fake_party import FakeParty, fake_party
from tests.support.parties import Party, issue, register_receiver
from tests.support.tokens import app_token, rfid_token

RFID = "04A1B2C3D4E5F6"  # the EMSP's (PT/EDP) user's card
OTHER_CARD = "04C0FFEE000002"  # another card of the same EMSP: another token
GLP_CARD = "04C0FFEE000003"  # a card of another EMSP (PT/GLP)
GLP_TOKEN = rfid_token(
    party_id="GLP",
    uid=GLP_CARD,
    contract_id=contract_id_for("GLP", "0000GLP1"),
    visual_number=None,
    energy_contract={"supplier_name": "GLPP", "contract_id": "CT_000777"},
)
TIMEOUTS = {"START": 5, "STOP": 5, "UNLOCK": 1}  # seconds: short, the station answers in milliseconds


def set_timeouts(monkeypatch: pytest.MonkeyPatch, **seconds: int) -> None:
    """``MOBIE_COMMAND_<KIND>_TIMEOUT_SECONDS`` (the promised ``timeout`` and the wait) for this test."""
    for kind, value in seconds.items():
        monkeypatch.setenv(f"MOBIE_COMMAND_{kind.upper()}_TIMEOUT_SECONDS", str(value))
    command_settings.cache_clear()


@pytest.fixture(autouse=True)
def short_command_timeouts(hub_store, monkeypatch):
    set_timeouts(monkeypatch, **TIMEOUTS)
    yield
    command_settings.cache_clear()


@pytest.fixture(scope="module")
def emsp_server() -> Iterator[FakeParty]:
    with fake_party() as party:
        yield party


@pytest.fixture
def emsp(hub, emsp_server) -> tuple[FakeParty, Party]:
    """PT/EDP registered once (its commands results go to the fake EMSP); the tokens the tests use
    stored: the EMSP's card, another card of it, its APP_USER token, and PT/GLP's card."""
    from mobie_hub.parties import repository as parties
    from mobie_hub.parties.party import PartyRef

    for body in (rfid_token(), rfid_token(uid=OTHER_CARD), app_token(), GLP_TOKEN):
        tokens.put_token(Token.model_validate(body))
    if parties.get_party(PartyRef(country_code="PT", party_id="EDP")) is None:
        register_receiver(emsp_server.base_url, modules=("commands",))
    if parties.get_party(PartyRef(country_code="PT", party_id="GLP")) is None:
        # GLP's card charges too: only a registered EMSP's cards authorise (issue #12)
        register_receiver("https://glp.invalid", "GLP", modules=())
    emsp_server.received.clear()
    return emsp_server, issue("C")


def said(text: str) -> list[dict[str, str]]:
    """An OCPI DisplayText list as the hub writes its messages (English)."""
    return [{"language": "en", "text": text}]


def outcome(result: str, text: str | None = None) -> dict[str, Any]:
    """A CommandResult body: ``result`` and, when the table gives one, its ``message``."""
    return {"result": result, **({"message": said(text)} if text else {})}


def command(hub, emsp, name: str, body: dict, response_url: str | None = None) -> dict:
    """POST the command as the EMSP; the CommandResponse's ``data``. Results go to ``/results/<name>``."""
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


async def send(hub, emsp, name: str, body: dict, response_url: str | None = None) -> dict:
    return await asyncio.to_thread(command, hub, emsp, name, body, response_url)


async def until(check: Callable[[], Any], what: str, attempts: int = 200) -> Any:
    """Poll ``check`` (in a thread: it may read DynamoDB) until it is truthy; bounded, never a sleep
    asserted on."""
    for _ in range(attempts):
        value = await asyncio.to_thread(check)
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


async def results_posted(party: FakeParty, name: str, count: int = 1) -> list:
    def posted():
        return [r.body for r in party.received if r.path == f"/results/{name}"]

    await until(lambda: len(posted()) >= count, f"{count} CommandResult(s) at /results/{name}")
    return posted()


def run(scenario):
    return asyncio.run(asyncio.wait_for(scenario, 60))


@asynccontextmanager
async def online(
    hub, station_id: str, *, like: SimulatedStation | None = None
) -> AsyncIterator[SimulatedStation]:
    """The station connected and booted; ``like``: the same station back after being offline (its
    transactions and meters kept, as a real station keeps them across a reconnect)."""
    async with hub.connect_station(station_id, meter_interval=0.3) as station:
        if like is not None:
            station.transactions.update(like.transactions)
            station.meters.update(like.meters)
        await station.boot()
        await asked_for_statuses(station)
        yield station


async def asked_for_statuses(station: SimulatedStation) -> None:
    """After a boot the hub asks for the statuses (TriggerMessage, issue #17 item 4): wait until the
    station answered it, so the one call a station may have outstanding is free for the test's, and
    forget it, so ``station.received`` holds the test's calls only."""
    await until(
        lambda: station.received and call_repository.get_pending_call(station.id) is None,
        f"{station.id} answered the hub's TriggerMessage after its boot",
    )
    station.received.clear()


async def offline(station: SimulatedStation) -> None:
    """Wait until the hub has seen the station's connection close (the test left ``online``)."""
    await until(lambda: stations.get_connection(station.id) is None, f"{station.id} offline")


async def charging(station: SimulatedStation, id_tag: str, connector_id: int, evse_uid: str) -> Session:
    """The user of ``id_tag`` plugs in and charges on ``connector_id`` (until stopped); the hub's
    ACTIVE session."""
    assert await station.authorize(id_tag) == "Accepted"
    await station.start_transaction(connector_id, id_tag)
    return await until(
        lambda: sessions.active_session_on_evse(station.id, evse_uid), f"an ACTIVE session on {evse_uid}"
    )


async def charged(station: SimulatedStation, id_tag: str, connector_id: int, evse_uid: str) -> Session:
    """A short charge that has ended: the hub's COMPLETED session."""
    started = await charging(station, id_tag, connector_id, evse_uid)
    await station.stop_transaction(connector_id)
    return await until(
        lambda: (s := sessions.get_session(started.id)) and s.end_date_time and s, f"{started.id} ended"
    )
