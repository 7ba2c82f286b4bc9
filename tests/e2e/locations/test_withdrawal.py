"""Station imports on the local hub as the operator runs them (its admin interface on loopback), and what
an EMSP sees (issue #17 items 5 and 7): a public station re-imported private reaches the EMSP as its
EVSEs REMOVED through the hub's own stream poller and bus; a file outside the profile is refused whole."""

from __future__ import annotations

import pytest

from mobie_hub.admin.client import AdminError, HttpAdmin
from mobie_hub.locations.repository import get_location
from tests.support.fake_party import fake_party
from tests.support.parties import register_receiver
from tests.support.stations import location

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("hub_store")]

STATION = "WDR-00001"  # a station of this test only (the hubs of one run share moto)
EMSP = "WDR"  # a party of this test only
TARIFF = "MOB-AC-NORMAL"  # a demo tariff


def test_a_station_reimported_private_reaches_the_emsp_as_its_evses_removed(hub):
    admin = HttpAdmin(hub.base_url)
    with fake_party() as emsp:
        # Given an EMSP exposing the locations receiver, which received a new public station
        register_receiver(emsp.base_url, EMSP)
        admin.call("locations.import", {"locations": [location(STATION, tariff_id=TARIFF)]})
        [put] = emsp.wait_for(1)
        assert (put.method, put.path) == ("PUT", f"/ocpi/emsp/2.2.1/locations/PT/MOB/{STATION}")

        # When the operator re-imports the station as private
        admin.call("locations.import", {"locations": [location(STATION, publish=False, tariff_id=TARIFF)]})

        # Then the EMSP receives each of its EVSEs as REMOVED, nothing else
        patches = emsp.wait_for(3)[1:]
        assert sorted(p.path for p in patches) == [
            f"/ocpi/emsp/2.2.1/locations/PT/MOB/{STATION}/{STATION}-01",
            f"/ocpi/emsp/2.2.1/locations/PT/MOB/{STATION}/{STATION}-02",
        ]
        assert {(p.method, p.body["status"]) for p in patches} == {("PATCH", "REMOVED")}
        assert get_location(STATION).publish is False


def test_a_file_outside_the_profile_is_refused_listing_every_violation(hub):
    bad = location("WDR-00002", tariff_id=TARIFF)
    bad.update(country="ESP", time_zone="Europe/Madrid")

    with pytest.raises(AdminError) as refused:
        HttpAdmin(hub.base_url).call("locations.import", {"locations": [location("WDR-00003", tariff_id=TARIFF), bad]})

    assert "location #1 (WDR-00002): country: must be PRT" in refused.value.message
    assert "location #1 (WDR-00002): time_zone: must be one of" in refused.value.message
    assert get_location("WDR-00003") is None and get_location("WDR-00002") is None
