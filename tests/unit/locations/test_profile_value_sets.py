"""Imports enforce the profile's value sets (issue #17 item 7; profile §6 Locations, §9 Tariffs): a file
with any violation is refused whole, the refusal lists every violation (object and field), nothing is
stored; the demo data passes."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from mobie_hub.core.errors import InvalidRequest
from mobie_hub.locations.registry import import_locations, import_tariffs
from tests.support.stations import location, tariff
from tests.unit.locations.test_registry import FakeLocations, FakeTariffs


def refusal(call) -> str:
    with pytest.raises(InvalidRequest) as refused:
        call()
    return refused.value.message


@pytest.mark.parametrize(
    ("breakage", "field"),
    [
        (lambda s: s.update(country="ESP"), "location #0 (LSB-00001): country: must be PRT"),
        (lambda s: s.update(country_code="ES"), "location #0 (LSB-00001): country_code: must be PT"),
        (lambda s: s.update(time_zone="Europe/Madrid"), "location #0 (LSB-00001): time_zone: must be one of"),
        (lambda s: s.pop("operator"), "location #0 (LSB-00001): operator: required"),
        (lambda s: s["evses"][0].update(capabilities=["RESERVABLE"]),
         "evse LSB-00001-01: capabilities: not used by MOBI.E: RESERVABLE"),
        (lambda s: s["evses"][0].update(status="BLOCKED"), "evse LSB-00001-01: status: not used by MOBI.E: BLOCKED"),
        (lambda s: s["evses"][0]["connectors"][0].update(standard="TESLA_S"),
         "connector LSB-00001-01-01: standard: not used by MOBI.E: TESLA_S"),
        (lambda s: s["evses"][0]["connectors"][0].update(power_type="AC_2_PHASE"),
         "connector LSB-00001-01-01: power_type: not used by MOBI.E: AC_2_PHASE"),
        (lambda s: s["evses"][0]["connectors"][0].update(format="PLUG"), "evses.0.connectors.0.format"),
        (lambda s: s.update(parking_type="ON_ROOF"), "location #0 (LSB-00001): parking_type"),
    ],
)
def test_a_location_outside_the_profile_is_refused_and_nothing_stored(breakage, field):
    locations, tariffs = FakeLocations(), FakeTariffs(tariff())
    bad = location("LSB-00001")
    breakage(bad)

    message = refusal(lambda: import_locations([bad, location("LSB-00002")], locations, tariffs))

    assert field in message
    assert locations.stored == {} and locations.writes == 0


def test_every_violation_of_every_location_is_listed_at_once():
    locations, tariffs = FakeLocations(), FakeTariffs(tariff())
    first, second, third = location("LSB-00001"), location("LSB-00002"), location("LSB-00004")
    first.update(country="ESP", time_zone="Europe/Madrid")
    first["evses"][1]["connectors"][0].update(standard="NEMA_5_20", tariff_ids=["NOPE"])
    second["evses"][0]["capabilities"].append("UNLOCK_CAPABLE")
    third.pop("mobie_voltage_level")  # no MOBI.E Location at all: its OCPI problems are what is listed

    message = refusal(lambda: import_locations([first, location("LSB-00003"), second, third], locations, tariffs))

    assert "location file refused, nothing imported; 6 problem(s)" in message
    for expected in (
        "location #0 (LSB-00001): country: must be PRT",
        "location #0 (LSB-00001): time_zone: must be one of Atlantic/Azores, Atlantic/Madeira, Europe/Lisbon",
        "location #0 (LSB-00001): evse LSB-00001-02: connector LSB-00001-02-01: standard: not used by MOBI.E: NEMA_5_20",
        "location LSB-00001: evse LSB-00001-02: connector LSB-00001-02-01: tariff_ids: tariff NOPE of PT/MOB does not exist",
        "location #2 (LSB-00002): evse LSB-00002-01: capabilities: not used by MOBI.E: UNLOCK_CAPABLE",
        "location #3 (LSB-00004): mobie_voltage_level: Field required",
    ):
        assert expected in message
    assert locations.writes == 0


def test_the_profiles_other_values_are_accepted():
    locations, tariffs = FakeLocations(), FakeTariffs(tariff())
    azores, madeira = location("PDL-00001"), location("FNC-00001", evses=1)
    azores.update(time_zone="Atlantic/Azores", parking_type="ALONG_MOTORWAY")
    madeira.update(time_zone="Atlantic/Madeira", parking_type="UNDERGROUND_GARAGE")
    azores["evses"][0]["connectors"][0].update(standard="CHADEMO", format="CABLE", power_type="DC")
    azores["evses"][1]["connectors"][0].update(standard="IEC_62196_T2_COMBO", format="CABLE", power_type="DC")
    madeira["evses"][0]["connectors"][0].update(power_type="AC_1_PHASE")

    assert import_locations([azores, madeira], locations, tariffs).created == ["PDL-00001", "FNC-00001"]


def ad_hoc(tariff_id: str = "MOB-ADHOC", **default_emsp: str) -> dict:
    doc = tariff(tariff_id)
    doc["type"] = "AD_HOC_PAYMENT"
    if default_emsp:
        doc["mobie_default_emsp"] = default_emsp
    return doc


def test_an_ad_hoc_tariff_names_its_default_emsp():
    tariffs = FakeTariffs()

    assert import_tariffs([ad_hoc(country_code="PT", party_id="EDP")], tariffs).created == ["MOB-ADHOC"]
    stored = tariffs.stored[("PT", "MOB", "MOB-ADHOC")]
    assert (stored.mobie_default_emsp.country_code, stored.mobie_default_emsp.party_id) == ("PT", "EDP")


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        (ad_hoc(), "mobie_default_emsp: an AD_HOC_PAYMENT tariff must name its default EMSP"),
        (ad_hoc(country_code="PT", party_id="ZZZ"), "mobie_default_emsp.party_id: ZZZ is no party MOBI.E issued"),
        (ad_hoc(country_code="ES", party_id="EDP"), "mobie_default_emsp.country_code: must be PT"),
        ({**tariff(), "mobie_default_emsp": {"country_code": "PT", "party_id": "EDP"}},
         "mobie_default_emsp: only an AD_HOC_PAYMENT tariff names a default EMSP"),
        ({**tariff(), "type": "PROFILE_GREEN"}, "type: must be REGULAR or AD_HOC_PAYMENT"),
        ({**tariff(), "country_code": "ES"}, "country_code: must be PT"),
    ],
)
def test_a_tariff_outside_the_profile_is_refused_and_nothing_stored(doc, field):
    tariffs = FakeTariffs()

    message = refusal(lambda: import_tariffs([tariff("MOB-OK"), doc], tariffs))

    assert f"tariff #1 ({doc['id']}): {field}" in message
    assert tariffs.stored == {}


def test_every_violation_of_every_tariff_is_listed_at_once():
    usd, power, dimension = tariff("USD"), tariff("PWR"), tariff("DIM")
    usd["currency"] = "USD"
    power["elements"][0]["restrictions"] = {"max_power": 11, "reservation": "RESERVATION"}
    dimension["elements"][0]["price_components"][0]["type"] = "ENERGY_EXPORT"

    message = refusal(lambda: import_tariffs([usd, power, dimension, ad_hoc()], FakeTariffs()))

    assert "4 problem(s)" in message
    assert "tariff #0 (USD): currency: must be EUR" in message
    assert "tariff #1 (PWR): elements.0.restrictions: not used by MOBI.E: max_power, reservation" in message
    assert "tariff #2 (DIM): elements.0.price_components.0.type" in message
    assert "tariff #3 (MOB-ADHOC): mobie_default_emsp" in message


def test_the_demo_data_follows_the_profile():
    def read(name: str) -> list:
        return json.loads(resources.files("mobie_hub.data.demo").joinpath(name).read_text(encoding="utf-8"))

    locations, tariffs = FakeLocations(), FakeTariffs()
    assert len(import_tariffs(read("tariffs.json"), tariffs).created) == len(read("tariffs.json"))
    assert len(import_locations(read("locations.json"), locations, tariffs).created) == len(read("locations.json"))
