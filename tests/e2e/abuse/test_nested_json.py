"""Issue #12 finding 7: about 2 KB of JSON nested 1000 levels deep raised RecursionError. The OCPP
connection dropped (1006, no CALLERROR) and the OCPI request's audit record was lost. Now: a
FormationViolation (the connection stays open), OCPI 2001 / HTTP 400, and both are in the audit trail."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import websockets

from mobie_hub.audit.admin import audit_find
from mobie_hub.simulator import station_url
from tests.e2e.abuse.conftest import STATION
from tests.support.parties import issue

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("hub_store")]

DEEP = "[" * 1000 + "]" * 1000  # 2000 bytes


def test_a_station_sending_deep_json_gets_a_formation_violation_and_stays_connected(hub, station_authorization):
    async def scenario() -> list[list]:
        async with websockets.connect(
            station_url(hub.ocpp_url, STATION),
            subprotocols=["ocpp1.6"],
            additional_headers={"Authorization": station_authorization},
        ) as connection:
            answers = []
            for frame in (f'[2,"deep-1","Heartbeat",{{"a":{DEEP}}}]', DEEP, '[2,"after-1","Heartbeat",{}]'):
                await connection.send(frame)
                answers.append(json.loads(await asyncio.wait_for(connection.recv(), 10)))
            return answers

    deep_call, deep_array, heartbeat = asyncio.run(asyncio.wait_for(scenario(), 60))

    # Then each deep frame gets a CALLERROR: by its UniqueId when its start names one, else "-1"
    assert deep_call[:3] == [4, "deep-1", "FormationViolation"]
    assert deep_array[:3] == [4, "-1", "FormationViolation"]
    # And the connection is still open and served
    assert heartbeat[:2] == [3, "after-1"] and "currentTime" in heartbeat[2]
    # And the audit trail holds the deep frame (as text) and the hub's answer
    records = audit_find({"station": STATION})
    deep = [r for r in records["records"] if r.get("message_id") == "deep-1"]
    assert [(r["direction"], r["kind"]) for r in deep] == [("in", "call"), ("out", "callerror")]
    assert deep[0]["body"].startswith('[2,"deep-1","Heartbeat",{"a":[[[[')


def test_an_emsp_sending_deep_json_gets_2001_and_the_request_is_audited(hub):
    emsp = issue("C", party_id="NJA")
    response = httpx.put(
        f"{hub.base_url}/ocpi/2.2.1/tokens/PT/NJA/DEEP0001",
        headers={**emsp.headers, "Content-Type": "application/json"},
        content=DEEP,
        timeout=10,
    )
    # Then a client error in the envelope, naming the limit
    assert response.status_code == 400
    assert response.json()["status_code"] == 2001 and "deeper than" in response.json()["status_message"]
    # And the request and the answer are both in the audit trail, the body kept as text
    records = audit_find({"party": "PT/NJA"})["records"]
    assert [(r["kind"], r.get("http_status")) for r in records] == [("request", None), ("response", 400)]
    assert records[0]["body"] == DEEP
