"""Issue #12 finding 10 — START_SESSION on a private (unpublished) station answered ACCEPTED, though
the Locations GET says the station does not exist. A command now sees the Locations an EMSP may see:
a private station is refused exactly as GET refuses it (2003, HTTP 404), nothing stored, nothing sent.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from mobie_hub.core.dynamodb import table
from mobie_hub.sessions import repository as sessions
from tests.support import commands as support
from tests.support.commands import online, run, send
from tests.support.tokens import rfid_token

pytestmark = pytest.mark.e2e
emsp_server, emsp, short_command_timeouts = support.emsp_server, support.emsp, support.short_command_timeouts

PRIVATE, PRIVATE_EVSE, PRIVATE_CONNECTOR = "PRT-09001", "PRT-09001-01", "PRT-09001-01-01"  # demo data


def post(hub, credentials, name: str, body: dict) -> httpx.Response:
    return httpx.post(
        f"{hub.base_url}/ocpi/2.2.1/commands/{name}",
        json={"response_url": "http://127.0.0.1:9/results", **body},
        headers=credentials.headers,
        timeout=10,
    )


def commands_stored() -> int:
    return table("commands").scan(Select="COUNT")["Count"]  # tests may scan


def test_start_session_on_a_private_station_is_refused_as_the_locations_get_refuses_it(hub, emsp):
    _, credentials = emsp
    start = {"token": rfid_token(), "location_id": PRIVATE, "evse_uid": PRIVATE_EVSE}

    async def scenario():
        async with online(hub, PRIVATE) as station:  # online: before the fix this was ACCEPTED
            before = commands_stored()
            refused = await send_raw(hub, credentials, "START_SESSION", start)
            return refused, before, commands_stored(), list(station.received)

    refused, before, after, received = run(scenario())
    get = httpx.get(f"{hub.base_url}/ocpi/2.2.1/locations/{PRIVATE}", headers=credentials.headers, timeout=10)
    assert (refused.status_code, refused.json()["status_code"]) == (
        get.status_code,
        get.json()["status_code"],
    )
    assert (refused.status_code, refused.json()["status_code"]) == (404, 2003)
    assert "does not exist" in refused.json()["status_message"]
    assert (after, received) == (before, [])
    assert sessions.active_session_on_evse(PRIVATE, PRIVATE_EVSE) is None


def test_unlock_connector_on_a_private_station_is_refused_the_same_way(hub, emsp):
    _, credentials = emsp
    unlock = {"location_id": PRIVATE, "evse_uid": PRIVATE_EVSE, "connector_id": PRIVATE_CONNECTOR}
    refused = post(hub, credentials, "UNLOCK_CONNECTOR", unlock)
    assert (refused.status_code, refused.json()["status_code"]) == (404, 2003)


def test_a_published_station_still_answers_as_before(hub, emsp):
    result = run(
        send(
            hub,
            emsp,
            "START_SESSION",
            {"token": rfid_token(), "location_id": "PRT-00042", "evse_uid": "PRT-00042-01"},
        )
    )
    assert result["result"] == "REJECTED"  # offline, as its table row says: it exists for the EMSP


async def send_raw(hub, credentials, name: str, body: dict) -> httpx.Response:
    return await asyncio.to_thread(post, hub, credentials, name, body)
