"""A published station made private is withdrawn from the EMSPs that had it (issue #17 item 5): its live
EVSEs become REMOVED pushes, through the events every status change uses."""

from __future__ import annotations

from datetime import timedelta

from mobie_hub.events.locations import location_events
from mobie_hub.events.push_routes import ROUTES
from mobie_hub.locations.enums import Status
from mobie_hub.locations.models import MobieLocation
from tests.support.stations import T0, location

LATER = T0 + timedelta(hours=3)


def station(evses: int = 2, **changes) -> MobieLocation:
    return MobieLocation.model_validate({**location("LSB-00175", evses=evses), **changes})


def made_private(old: MobieLocation, **changes) -> MobieLocation:
    return old.model_copy(update={"publish": False, "last_updated": LATER, **changes})


def test_made_private_every_evse_is_patched_removed_at_the_time_of_the_change():
    events = location_events(station(), made_private(station()))

    assert [e.event_name for e in events] == ["EvseStatusChanged", "EvseStatusChanged"]
    assert [e.detail for e in events] == [
        {"country_code": "PT", "party_id": "MOB", "location_id": "LSB-00175", "evse_uid": uid,
         "status": "REMOVED", "last_updated": "2026-01-01T03:00:00Z"}
        for uid in ("LSB-00175-01", "LSB-00175-02")
    ]
    assert all(e.event_name in ROUTES for e in events)  # pushed as any status change is


def test_only_what_the_emsps_had_is_withdrawn_and_nothing_of_the_private_data():
    # Given a public station with one EVSE already REMOVED
    old = station(evses=3)
    old = old.model_copy(update={"evses": [*old.evses[:2], old.evses[2].model_copy(update={"status": Status.REMOVED})]})
    # When it is made private, renamed and given a new EVSE in the same write
    extra = old.evses[0].model_copy(update={"uid": "LSB-00175-09"})
    new = made_private(old, name="Garagem privada", evses=[*old.evses, extra])

    events = location_events(old, new)

    # Then only the two live EVSEs the EMSPs knew are removed; the new one and the name never leave
    assert [e.detail["evse_uid"] for e in events] == ["LSB-00175-01", "LSB-00175-02"]
    assert "Garagem privada" not in str([e.detail for e in events])


def test_a_station_whose_evses_were_all_removed_needs_no_withdrawal():
    old = station()
    old = old.model_copy(update={"evses": [e.model_copy(update={"status": Status.REMOVED}) for e in old.evses]})
    assert location_events(old, made_private(old)) == []


def test_more_evses_than_one_put_events_takes_become_one_put_of_the_location_as_the_emsps_had_it():
    old = station(evses=12)

    [event] = location_events(old, made_private(old, name="Garagem privada"))

    assert event.event_name == "LocationUpdated"
    pushed = event.detail["location"]
    assert pushed["name"] == old.name and pushed["publish"] is True  # the public object, ended
    assert {e["status"] for e in pushed["evses"]} == {"REMOVED"}
    assert pushed["last_updated"] == "2026-01-01T03:00:00Z"


def test_a_deleted_public_station_is_withdrawn_too_and_a_private_one_stays_silent():
    assert {e.detail["status"] for e in location_events(station(), None)} == {"REMOVED"}
    assert location_events(station(publish=False), None) == []
    assert location_events(made_private(station()), made_private(station())) == []


def test_made_public_again_it_is_put_whole_with_its_real_statuses():
    private = made_private(station())
    [event] = location_events(private, station())
    assert event.event_name == "LocationPublished"
    assert {e["status"] for e in event.detail["location"]["evses"]} == {"AVAILABLE"}
