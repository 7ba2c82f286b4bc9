"""Location id, EVSE uid and connector id are OCPI CiStrings (types §CiString): the Locations sender
finds them whatever the case the client writes, and answers with the ids as MOBI.E issued them."""

from __future__ import annotations

import pytest

from mobie_hub.locations import api as locations_api
from mobie_hub.locations import inventory_repository as inventory
from mobie_hub.locations.models import MobieLocation
from tests.support.stations import location


@pytest.fixture
def stored(aws):
    """One station issued in upper case and one whose id mixes cases (its case must survive)."""
    inventory.put_locations([MobieLocation.model_validate(location(i)) for i in ("LSB-00003", "Fun-Ab1")])


@pytest.mark.parametrize("written", ["lsb-00003", "Lsb-00003", "LSB-00003"])
def test_a_location_is_found_in_any_case_and_answered_as_stored(client, emsp, stored, written):
    response = client.get(f"/ocpi/2.2.1/locations/{written}", headers=emsp.headers)

    assert response.status_code == 200, response.text
    assert response.json()["data"]["id"] == "LSB-00003"


def test_evse_and_connector_are_found_in_any_case_and_answered_as_stored(client, emsp, stored):
    evse = client.get("/ocpi/2.2.1/locations/lsb-00003/lsb-00003-02", headers=emsp.headers)
    connector = client.get("/ocpi/2.2/locations/LSB-00003/Lsb-00003-02/lsb-00003-02-01", headers=emsp.headers)

    assert evse.status_code == 200, evse.text
    assert evse.json()["data"]["uid"] == "LSB-00003-02"
    assert connector.status_code == 200, connector.text
    assert connector.json()["data"]["id"] == "LSB-00003-02-01"


def test_a_mixed_case_id_keeps_its_case_in_documents_and_listings(client, emsp, stored):
    response = client.get("/ocpi/2.2.1/locations/FUN-AB1/fun-ab1-01", headers=emsp.headers)

    assert response.status_code == 200, response.text
    assert response.json()["data"]["uid"] == "Fun-Ab1-01"
    assert client.get("/ocpi/2.2.1/locations/fun-ab1", headers=emsp.headers).json()["data"]["id"] == "Fun-Ab1"
    assert inventory.location_ids() == ["Fun-Ab1", "LSB-00003"]
    assert locations_api.get_location("FUN-AB1").id == "Fun-Ab1"


def test_an_unknown_id_in_another_case_is_still_unknown(client, emsp, stored):
    for path in ("lsb-00004", "lsb-00003/lsb-00003-09", "lsb-00003/lsb-00003-02/lsb-00003-02-09"):
        response = client.get(f"/ocpi/2.2.1/locations/{path}", headers=emsp.headers)
        assert (response.status_code, response.json()["status_code"]) == (404, 2003), path
