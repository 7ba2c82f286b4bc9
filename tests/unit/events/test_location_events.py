"""Which Location changes become which push events (profile §6)."""

from __future__ import annotations

from datetime import timedelta

from mobie_hub.events.locations import location_events
from mobie_hub.locations.enums import Status
from mobie_hub.locations.models import MobieLocation
from tests.support.stations import T0, location


def station(**changes) -> MobieLocation:
    return MobieLocation.model_validate({**location("LSB-00175"), **changes})


def with_status(loc: MobieLocation, index: int, status: str) -> MobieLocation:
    evses = list(loc.evses)
    evses[index] = evses[index].model_copy(update={"status": Status(status), "last_updated": T0 + timedelta(hours=1)})
    return loc.model_copy(update={"evses": evses})


def test_a_new_published_station_is_put():
    [event] = location_events(None, station())
    assert event.event_name == "LocationPublished"
    assert event.detail["location"]["id"] == "LSB-00175"


def test_a_private_station_yields_nothing_ever():
    private = station(publish=False)
    assert location_events(None, private) == []
    assert location_events(private, with_status(private, 0, "CHARGING")) == []


def test_a_station_made_public_is_put():
    assert [e.event_name for e in location_events(station(publish=False), station())] == ["LocationPublished"]


def test_a_status_change_is_one_evse_patch_with_last_updated():
    old = station()
    [event] = location_events(old, with_status(old, 1, "REMOVED"))

    assert event.event_name == "EvseStatusChanged"
    assert event.detail == {
        "country_code": "PT", "party_id": "MOB", "location_id": "LSB-00175", "evse_uid": "LSB-00175-02",
        "status": "REMOVED", "last_updated": "2026-01-01T01:00:00Z",
    }


def test_two_status_changes_are_two_patches():
    old = station()
    events = location_events(old, with_status(with_status(old, 0, "CHARGING"), 1, "OUTOFORDER"))
    assert [(e.event_name, e.detail["evse_uid"]) for e in events] == [
        ("EvseStatusChanged", "LSB-00175-01"), ("EvseStatusChanged", "LSB-00175-02"),
    ]


def test_any_other_change_puts_the_whole_location():
    old = station()
    assert [e.event_name for e in location_events(old, station(name="Outro nome"))] == ["LocationUpdated"]
    fewer = old.model_copy(update={"evses": old.evses[:1]})
    assert [e.event_name for e in location_events(old, fewer)] == ["LocationUpdated"]


def test_nothing_changed_nothing_pushed():
    assert location_events(station(), station()) == []


def test_more_status_changes_than_one_put_events_takes_become_one_location_put():
    # Given a station with 12 EVSEs (one PutEvents carries at most 10 events)
    old = MobieLocation.model_validate(location("LSB-00175", evses=12))
    # When every EVSE becomes INOPERATIVE in one write (a connectorId 0 Unavailable)
    new = old
    for index in range(12):
        new = with_status(new, index, "INOPERATIVE")
    # Then one PUT of the whole Location is pushed instead of 12 patches
    [event] = location_events(old, new)
    assert event.event_name == "LocationUpdated"
    assert {e["status"] for e in event.detail["location"]["evses"]} == {"INOPERATIVE"}
