"""A charge on a CPO's station through the local hub (issue #16 item 3): the station simulator charges
on EDP's card at LSB-00421 (operated by PT/GLP in the demo data) → EDP and the CPO PT/GLP each receive
the session's PUT, its PATCHes and the CDR POST on their own receivers (their own lanes of the local
pipeline), and the CPO lists the session with its own token."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from mobie_hub.core.models import Role
from mobie_hub.core.versions import Endpoint, InterfaceRole
from mobie_hub.parties.models import ConnectionStatus
from mobie_hub.parties.party import Party, Registration
from mobie_hub.parties.repository import get_party, save
from tests.e2e.sessions.test_charging import RFID, wait_for_cdr
from tests.support.fake_party import fake_party
from tests.support.parties import issue

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("hub_store")]

STATION = "LSB-00421"  # PT/GLP's in the demo data


def register_cpo(base_url: str) -> None:
    if get_party("PARTY#CPO#PT#GLP") is None:
        save(Party(
            role=Role.CPO, country_code="PT", party_id="GLP", registration=Registration.REGISTERED,
            connection_status=ConnectionStatus.CONNECTED, version="2.2.1", party_token="token-of-cpo-GLP",
            endpoints=[Endpoint(identifier=m, role=InterfaceRole.RECEIVER, url=f"{base_url}/ocpi/cpo/2.2.1/{m}")
                       for m in ("sessions", "cdrs")],
        ), expected_revision=None)


def test_a_charge_on_a_cpos_station_reaches_the_emsp_and_the_cpo(hub, receiver, edp):
    with fake_party() as glp:
        register_cpo(glp.base_url)

        async def station():
            async with hub.connect_station(STATION, meter_interval=0.3) as cp:
                await cp.boot()
                return await cp.charge(RFID, seconds=1.2, connector_id=1)

        result = asyncio.run(asyncio.wait_for(station(), 30))
        assert result.id_tag_status == "Accepted" and result.energy_wh > 0

        to_emsp, to_cpo = wait_for_cdr(receiver), wait_for_cdr(glp)
        session_id = next(r for r in to_emsp if r.method == "PUT").body["id"]
        path = f"/ocpi/cpo/2.2.1/sessions/PT/MOB/{session_id}"
        assert next(r.method for r in to_cpo if r.method != "POST") == "PUT"
        assert all(r.path == path for r in to_cpo if r.method != "POST")
        assert any(r.body.get("status") == "COMPLETED" for r in to_cpo if r.method == "PATCH")
        [post] = [r for r in to_cpo if r.method == "POST"]
        assert post.path == "/ocpi/cpo/2.2.1/cdrs" and post.body["session_id"] == session_id
        assert post.body == next(r for r in to_emsp if r.method == "POST").body  # the same CDR

        cpo = issue("C", party_id="GLP", role="CPO")
        answer = httpx.get(f"{hub.base_url}/ocpi/2.2.1/sessions", params={"date_from": "2026-01-01T00:00:00Z"},
                           headers=cpo.headers, timeout=10)
        assert (session_id, "COMPLETED") in [(s["id"], s["status"]) for s in answer.json()["data"]]
        cdrs = httpx.get(f"{hub.base_url}/ocpi/2.2.1/cdrs", headers=cpo.headers, timeout=10).json()["data"]
        assert session_id in [c["session_id"] for c in cdrs]
