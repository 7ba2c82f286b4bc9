"""Location pushes end to end in one process: DynamoDB stream (moto) → converter → fan-out → a fake
EMSP over real HTTP on loopback."""

from __future__ import annotations

import base64

from mobie_hub.locations.enums import Status
from mobie_hub.locations.inventory_repository import DynamoLocationStore
from mobie_hub.locations.models import MobieLocation
from mobie_hub.locations.registry import import_locations
from mobie_hub.locations.repository import get_location, put_location
from mobie_hub.tariffs.registry_repository import DynamoTariffStore
from tests.support.fake_party import fake_party
from tests.support.parties import register_receiver
from tests.support.stations import location


def test_a_new_station_is_put_to_every_emsp_exposing_the_receiver(pushed):
    with fake_party() as edp, fake_party() as glp:
        register_receiver(edp.base_url, "EDP")
        register_receiver(glp.base_url, "GLP", version="2.2")
        register_receiver(glp.base_url, "XYZ", modules=("tokens",))  # no locations receiver: not pushed to

        import_locations([location("LSB-00175")], DynamoLocationStore(), DynamoTariffStore())
        outcomes = pushed()

        assert sorted(o["party"] for o in outcomes) == ["PARTY#EMSP#PT#EDP", "PARTY#EMSP#PT#GLP"]
        assert all(o["ok"] for o in outcomes)
        [request] = edp.received
        assert (request.method, request.path) == ("PUT", "/ocpi/emsp/2.2.1/locations/PT/MOB/LSB-00175")
        assert MobieLocation.model_validate(request.body).id == "LSB-00175"
        assert request.headers["authorization"] == "Token " + base64.b64encode(b"token-of-EDP").decode()
        assert request.headers["ocpi-to-party-id"] == "EDP" and request.headers["ocpi-from-party-id"] == "MOB"
        assert glp.received[0].path == "/ocpi/emsp/2.2/locations/PT/MOB/LSB-00175"


def test_a_status_change_is_patched_with_last_updated(pushed):
    import_locations([location("LSB-00175")], DynamoLocationStore(), DynamoTariffStore())
    pushed()
    with fake_party() as edp:
        register_receiver(edp.base_url, "EDP")
        stored = get_location("LSB-00175")
        evses = [stored.evses[0].model_copy(update={"status": Status.CHARGING}), *stored.evses[1:]]
        put_location(stored.model_copy(update={"evses": evses}))

        pushed()

        [request] = edp.received
        assert (request.method, request.path) == ("PATCH", "/ocpi/emsp/2.2.1/locations/PT/MOB/LSB-00175/LSB-00175-01")
        assert set(request.body) == {"status", "last_updated"} and request.body["status"] == "CHARGING"


def test_an_emsp_down_is_logged_and_counted_not_retried_and_the_station_stays_readable(pushed, client, emsp, capsys):
    with fake_party() as down, fake_party() as up:
        down.fail_with = 503
        register_receiver(down.base_url, "DWN")
        register_receiver(up.base_url, "EDP")

        import_locations([location("LSB-00175")], DynamoLocationStore(), DynamoTariffStore())
        outcomes = {o["party"]: o for o in pushed()}

        assert outcomes["PARTY#EMSP#PT#EDP"]["ok"] is True
        assert outcomes["PARTY#EMSP#PT#DWN"]["ok"] is False and "503" in outcomes["PARTY#EMSP#PT#DWN"]["error"]
        assert len(down.received) == 1  # no retry
        printed = capsys.readouterr().out  # Powertools EMF metrics, one per outcome
        assert '"PushFailed"' in printed and '"PushSent"' in printed
    assert client.get("/ocpi/2.2.1/locations/LSB-00175", headers=emsp.headers).json()["data"]["id"] == "LSB-00175"


def test_private_stations_are_never_pushed(pushed):
    with fake_party() as edp:
        register_receiver(edp.base_url, "EDP")
        import_locations([location("PRV-00001", publish=False)], DynamoLocationStore(), DynamoTariffStore())
        assert pushed() == []
        assert edp.received == []
