"""A public station re-imported private is withdrawn (issue #17 item 5), end to end in one process:
import → DynamoDB stream (moto) → converter → fan-out → a fake EMSP over real HTTP on loopback; and
the Locations sender then answers it as unknown."""

from __future__ import annotations

from mobie_hub.core.types import format_datetime
from mobie_hub.locations.inventory_repository import DynamoLocationStore
from mobie_hub.locations.registry import import_locations
from mobie_hub.locations.repository import get_location
from mobie_hub.tariffs.registry_repository import DynamoTariffStore
from tests.support.fake_party import fake_party
from tests.support.parties import register_receiver
from tests.support.stations import location


def imported(*stations: dict) -> None:
    import_locations(list(stations), DynamoLocationStore(), DynamoTariffStore())


def test_a_station_reimported_private_is_patched_removed_and_then_unknown(pushed, client, emsp):
    imported(location("LSB-00175"))
    pushed()
    with fake_party() as edp:
        register_receiver(edp.base_url, "EDP")
        assert client.get("/ocpi/2.2.1/locations/LSB-00175", headers=emsp.headers).json()["status_code"] == 1000

        imported(location("LSB-00175", publish=False))
        outcomes = pushed()

        assert outcomes and all(o["ok"] for o in outcomes)
        assert sorted((r.method, r.path) for r in edp.received) == [
            ("PATCH", "/ocpi/emsp/2.2.1/locations/PT/MOB/LSB-00175/LSB-00175-01"),
            ("PATCH", "/ocpi/emsp/2.2.1/locations/PT/MOB/LSB-00175/LSB-00175-02"),
        ]
        stored = get_location("LSB-00175")
        for request in edp.received:
            assert request.body == {"status": "REMOVED", "last_updated": request.body["last_updated"]}
            assert request.body["last_updated"] == format_datetime(stored.last_updated)  # the time of the change
    assert client.get("/ocpi/2.2.1/locations/LSB-00175", headers=emsp.headers).json()["status_code"] == 2003
    assert client.get("/ocpi/2.2.1/locations/LSB-00175/LSB-00175-01", headers=emsp.headers).json()["status_code"] == 2003


def test_once_withdrawn_later_writes_of_the_private_station_push_nothing(pushed):
    imported(location("LSB-00175"))
    imported(location("LSB-00175", publish=False))
    pushed()
    with fake_party() as edp:
        register_receiver(edp.base_url, "EDP")
        changed = location("LSB-00175", publish=False)
        changed["evses"][0]["status"] = "CHARGING"

        imported(changed)

        assert pushed() == [] and edp.received == []
