"""Location pushes as an EMSP sees them: the local hub (embedded DynamoDB, its stream poller and
in-process bus), a station on a real websocket, and the EMSP's receiver on loopback."""

from __future__ import annotations

import asyncio

import pytest

from mobie_hub.locations.enums import Status
from mobie_hub.locations.repository import get_location
from tests.support.fake_party import fake_party
from tests.support.parties import register_receiver

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("hub_store")]

STATION = "PRT-00042"  # a public demo station no other e2e test drives (the hubs of one run share moto)
EMSP = "LCP"  # a party of this test only


def test_a_station_status_notification_reaches_the_emsp_as_an_evse_patch(hub):
    with fake_party() as edp:
        # Given an EMSP exposing the locations receiver
        register_receiver(edp.base_url, EMSP)

        # When the station reports its first connector in a status it is not in
        before = get_location(STATION).evses[0].status
        reported, expected = (
            ("Available", Status.AVAILABLE) if before is Status.CHARGING else ("Charging", Status.CHARGING)
        )

        async def station():
            async with hub.connect_station(STATION) as cp:
                await cp.boot()
                await cp.report_status(1, reported)

        asyncio.run(asyncio.wait_for(station(), 30))

        # Then the EMSP receives one PATCH of that EVSE, with the status and last_updated the hub holds
        [patch] = [r for r in edp.wait_for(1) if r.method == "PATCH"]
        evse = get_location(STATION).evses[0]
        assert evse.status is expected
        assert patch.path == f"/ocpi/emsp/2.2.1/locations/PT/MOB/{STATION}/{evse.uid}"
        assert patch.body == {"status": expected.value, "last_updated": patch.body["last_updated"]}
        assert patch.body["last_updated"].endswith("Z")
        assert patch.headers["ocpi-to-party-id"] == EMSP
