"""Station registry import: whole-file validation, EVSE ids, tariff references, change stamping."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import timedelta

import pytest

from mobie_hub.core.errors import InvalidRequest
from mobie_hub.locations.models import MobieLocation
from mobie_hub.locations.registry import import_locations, import_tariffs
from mobie_hub.tariffs.models import Tariff
from tests.support.stations import T0, location, tariff


class FakeLocations:
    def __init__(self) -> None:
        self.stored: dict[str, MobieLocation] = {}
        self.writes = 0

    def get_many(self, ids: Iterable[str]) -> dict[str, MobieLocation]:
        return {i: self.stored[i] for i in ids if i in self.stored}

    def put_many(self, locations: list[MobieLocation]) -> None:
        self.writes += len(locations)
        self.stored.update({loc.id: loc for loc in locations})


class FakeTariffs:
    def __init__(self, *tariffs: dict) -> None:
        self.stored = {(t["country_code"], t["party_id"], t["id"]): Tariff.model_validate(t) for t in tariffs}

    def existing(self, keys):
        return {k for k in keys if k in self.stored}

    def get_many(self, keys):
        return {k: self.stored[k] for k in keys if k in self.stored}

    def put_many(self, tariffs):
        self.stored.update({(t.country_code, t.party_id, t.id): t for t in tariffs})

    def hold(self, held):
        self.held = {key: dict(by_location) for key, by_location in held.items()}

    def release(self, released):
        self.released = {key: list(ids) for key, ids in released.items()}


@pytest.fixture
def stores():
    return FakeLocations(), FakeTariffs(tariff())


def test_a_valid_file_is_imported_with_e_form_evse_ids(stores):
    locations, tariffs = stores
    report = import_locations([location("LSB-00175")], locations, tariffs)

    assert report.created == ["LSB-00175"]
    assert [e.evse_id for e in locations.stored["LSB-00175"].evses] == ["PT*MOB*ELSB*00175*01", "PT*MOB*ELSB*00175*02"]


def test_the_seed_form_of_evse_id_is_accepted_and_normalised(stores):
    locations, tariffs = stores
    station = location("LSB-00175", evses=1)
    station["evses"][0]["evse_id"] = "PT*MOB*LSB*00175*01"

    import_locations([station], locations, tariffs)

    assert locations.stored["LSB-00175"].evses[0].evse_id == "PT*MOB*ELSB*00175*01"


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda s: s.pop("mobie_voltage_level"), "location #1 (LSB-00002): mobie_voltage_level"),
        (lambda s: s.update(city="x" * 46), "location #1 (LSB-00002): city"),
        (lambda s: s["evses"][0].update(status="BROKEN"), "location #1 (LSB-00002): evses.0.status"),
        (lambda s: s["evses"][0].update(evse_id="PT*GLP*ELSB*00002*01"), "evse LSB-00002-01: evse_id: operator"),
        (lambda s: s["evses"][0]["connectors"][0].update(tariff_ids=["NOPE"]), "tariff NOPE of PT/MOB does not exist"),
        (lambda s: s["evses"].append(copy.deepcopy(s["evses"][0])), "EVSE uids must be unique"),
    ],
)
def test_one_bad_object_rejects_the_whole_file_naming_it(stores, breakage, message):
    locations, tariffs = stores
    bad = location("LSB-00002")
    breakage(bad)

    with pytest.raises(InvalidRequest) as refused:
        import_locations([location("LSB-00001"), bad, location("LSB-00003")], locations, tariffs)

    assert message in refused.value.message
    assert locations.stored == {} and locations.writes == 0


def test_not_an_array_and_duplicate_ids_are_refused(stores):
    locations, tariffs = stores
    with pytest.raises(InvalidRequest, match="JSON array"):
        import_locations({"id": "x"}, locations, tariffs)
    with pytest.raises(InvalidRequest, match="more than once: LSB-00001"):
        import_locations([location("LSB-00001"), location("LSB-00001")], locations, tariffs)


def test_reimport_updates_only_what_changed(stores):
    locations, tariffs = stores
    import_locations([location("LSB-00001"), location("LSB-00002")], locations, tariffs, now=T0)
    first = locations.stored["LSB-00002"]
    changed = location("LSB-00002")
    changed["evses"][1]["status"] = "OUTOFORDER"

    report = import_locations([location("LSB-00001"), changed], locations, tariffs, now=T0 + timedelta(hours=1))

    assert (report.created, report.updated, report.unchanged) == ([], ["LSB-00002"], ["LSB-00001"])
    stored = locations.stored["LSB-00002"]
    assert stored.evses[0].last_updated == first.evses[0].last_updated  # untouched EVSE keeps its time
    assert stored.evses[1].last_updated == T0 + timedelta(hours=1)
    assert stored.last_updated == T0 + timedelta(hours=1)


def test_an_evse_left_out_of_a_reimport_is_kept_as_removed(stores):
    locations, tariffs = stores
    import_locations([location("LSB-00001", evses=2)], locations, tariffs)

    import_locations([location("LSB-00001", evses=1)], locations, tariffs)

    evses = {e.uid: e.status.value for e in locations.stored["LSB-00001"].evses}
    assert evses == {"LSB-00001-01": "AVAILABLE", "LSB-00001-02": "REMOVED"}


def test_tariffs_follow_the_profile(stores):
    _, tariffs = stores
    assert import_tariffs([tariff("MOB-DC", price=0.35)], tariffs).created == ["MOB-DC"]
    assert import_tariffs([tariff("MOB-DC", price=0.35)], tariffs).unchanged == ["MOB-DC"]
    assert import_tariffs([tariff("MOB-DC", price=0.40)], tariffs).updated == ["MOB-DC"]

    usd = tariff("X")
    usd["currency"] = "USD"
    with pytest.raises(InvalidRequest, match="currency: must be EUR"):
        import_tariffs([usd], tariffs)
    power = tariff("Y")
    power["elements"][0]["restrictions"] = {"max_power": 11}
    with pytest.raises(InvalidRequest, match="not used by MOBI.E: max_power"):
        import_tariffs([power], tariffs)
