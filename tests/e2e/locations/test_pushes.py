"""Location pushes as an EMSP sees them: the local hub (embedded DynamoDB, its stream poller and
in-process bus), a station on a real websocket, and the EMSP's receiver on loopback."""

from __future__ import annotations

import asyncio

import pytest

from mobie_hub.core.settings import get_settings
from mobie_hub.local.watchdog import run_sweep
from mobie_hub.locations.enums import Status
from mobie_hub.locations.repository import get_location
from mobie_hub.ocpp import repository as stations
from tests.support.fake_party import fake_party
from tests.support.parties import register_receiver

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("hub_store")]

STATION = "PRT-00042"  # a public demo station no other e2e test drives (the hubs of one run share moto)
EMSP = "LCP"  # a party of this test only


def test_a_station_status_notification_reaches_the_emsp_as_an_evse_patch(hub, monkeypatch):
    # A station gone for longer than the disconnect grace (1 s here; issue #18) is marked by the sweep
    monkeypatch.setenv("MOBIE_OCPP_DISCONNECT_GRACE_SECONDS", "1")
    get_settings.cache_clear()
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
            for _ in range(100):  # its disconnect handled
                if await asyncio.to_thread(stations.get_connection, STATION) is None:
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(2.1)  # whole seconds: longer than the grace
            await asyncio.to_thread(run_sweep)  # what the watchdog's one-minute timer runs

        asyncio.run(asyncio.wait_for(station(), 30))

        # Then the EMSP receives one PATCH of that EVSE with the status reported, and, once the station
        # has left for longer than the grace, one PATCH of each EVSE to UNKNOWN (issue #17 item 4), with
        # what the hub holds
        patches = [r for r in edp.wait_for(1 + len(get_location(STATION).evses)) if r.method == "PATCH"]
        evses = get_location(STATION).evses
        [patch] = [p for p in patches if p.body["status"] == expected.value]
        evse = evses[0]
        assert patch.path == f"/ocpi/emsp/2.2.1/locations/PT/MOB/{STATION}/{evse.uid}"
        assert patch.body == {"status": expected.value, "last_updated": patch.body["last_updated"]}
        assert patch.body["last_updated"].endswith("Z")
        assert patch.headers["ocpi-to-party-id"] == EMSP
        gone = [p for p in patches if p.body["status"] == Status.UNKNOWN.value]
        assert sorted(p.path.rsplit("/", 1)[1] for p in gone) == [e.uid for e in evses]
        assert [e.status for e in evses] == [Status.UNKNOWN] * len(evses)
