"""Demo data: validated by the models, stored through the repositories, private station unlisted."""

from __future__ import annotations

from mobie_hub.core.dynamodb import table
from mobie_hub.local.demo import load_demo_data
from mobie_hub.locations.repository import get_location
from mobie_hub.tariffs.repository import get_tariff


def test_demo_stations_and_tariffs_are_stored(aws):
    counts = load_demo_data()

    assert counts == {"tariffs": 6, "locations": 6, "station_passwords": 6}
    lisbon = get_location("LSB-00175")
    assert lisbon.city == "Lisboa"
    assert lisbon.evses[0].evse_id == "PT*MOB*ELSB*00175*01"
    for connector in (c for e in lisbon.evses for c in e.connectors):
        for tariff_id in connector.tariff_ids:
            assert get_tariff("PT", "MOB", tariff_id) is not None


def test_the_private_station_is_in_no_list_index(aws):
    load_demo_data()

    listed = table("locations").query(
        IndexName="gsi1", KeyConditionExpression="gsi1pk = :p", ExpressionAttributeValues={":p": "PUBLISHED"}
    )["Items"]
    assert {i["pk"] for i in listed} == {
        "LOC#LSB-00175", "LOC#LSB-00421", "LOC#LSB-01033", "LOC#PRT-00042", "LOC#PRT-00107",
    }
    assert get_location("PRT-09001").publish is False
