"""The admin operations ``locations.import`` / ``tariffs.import`` on DynamoDB (moto): a file breaking the
profile's value sets is refused whole with every violation listed, and nothing reaches a table
(issue #17 item 7)."""

from __future__ import annotations

import pytest

from mobie_hub.core.dynamodb import table
from mobie_hub.core.errors import InvalidRequest
from mobie_hub.locations.admin import locations_import, tariffs_import
from tests.support.stations import location, tariff


def items(name: str) -> list[dict]:
    return table(name).scan()["Items"]


def test_a_location_file_with_violations_writes_nothing_and_lists_them_all(aws):
    tariffs_import({"tariffs": [tariff()]})
    good, bad = location("LSB-00001"), location("LSB-00002")
    bad.update(country="ESP", time_zone="Europe/Madrid")

    with pytest.raises(InvalidRequest) as refused:
        locations_import({"locations": [good, bad]})

    assert "location #1 (LSB-00002): country: must be PRT" in refused.value.message
    assert "location #1 (LSB-00002): time_zone: must be one of" in refused.value.message
    assert items("locations") == []


def test_a_tariff_file_with_violations_writes_nothing(aws):
    ad_hoc = tariff("MOB-ADHOC")
    ad_hoc["type"] = "AD_HOC_PAYMENT"

    with pytest.raises(InvalidRequest, match="tariff #1 \\(MOB-ADHOC\\): mobie_default_emsp"):
        tariffs_import({"tariffs": [tariff(), ad_hoc]})

    assert items("tariffs") == []
    ad_hoc["mobie_default_emsp"] = {"country_code": "PT", "party_id": "EDP"}
    assert tariffs_import({"tariffs": [tariff(), ad_hoc]})["created"] == 2
