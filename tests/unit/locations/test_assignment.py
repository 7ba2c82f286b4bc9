"""A station moved to another party (``locations.assignment.reassigned``) and what its move tells the
EMSPs (``events.locations.location_events``): the copy under the old party withdrawn, the Location
published under the new one."""

from __future__ import annotations

from datetime import timedelta

from mobie_hub.core.models import BusinessDetails
from mobie_hub.events.locations import EVSE_STATUS_CHANGED, LOCATION_PUBLISHED, location_events
from mobie_hub.locations.assignment import reassigned
from mobie_hub.locations.models import MobieLocation
from tests.support.stations import T0, location

NOW = T0 + timedelta(days=1)
STATION = MobieLocation.model_validate(location("LSB-00175"))


def test_the_identity_evse_ids_and_operator_move_together():
    moved = reassigned(STATION, ("PT", "GLP"), BusinessDetails(name="Galp Power"), NOW)

    assert (moved.country_code, moved.party_id, moved.operator.name, moved.last_updated) == ("PT", "GLP", "Galp Power", NOW)
    assert [(e.evse_id, e.last_updated) for e in moved.evses] == [
        ("PT*GLP*ELSB*00175*01", NOW), ("PT*GLP*ELSB*00175*02", NOW),
    ]
    assert [c.tariff_ids for e in moved.evses for c in e.connectors] == [["MOB-AC"], ["MOB-AC"]]


def test_no_operator_given_keeps_the_operator_and_an_evse_without_id_keeps_none():
    bare = STATION.model_copy(update={"evses": [STATION.evses[0].model_copy(update={"evse_id": None})]})
    moved = reassigned(bare, ("PT", "GLP"), None, NOW)
    assert moved.operator.name == "MOBI.E"
    assert moved.evses[0].evse_id is None and moved.evses[0].last_updated == T0  # nothing of it changed


def test_the_emsps_get_the_old_copy_withdrawn_and_the_new_one_published():
    moved = reassigned(STATION, ("PT", "GLP"), None, NOW)

    events = location_events(STATION, moved)

    withdrawn = [e.detail for e in events if e.event_name == EVSE_STATUS_CHANGED]
    assert [(d["party_id"], d["evse_uid"], d["status"]) for d in withdrawn] == [
        ("MOB", "LSB-00175-01", "REMOVED"), ("MOB", "LSB-00175-02", "REMOVED"),
    ]
    [published] = [e for e in events if e.event_name == LOCATION_PUBLISHED]
    assert published.detail["location"]["party_id"] == "GLP"


def test_a_private_station_moves_silently():
    private = STATION.model_copy(update={"publish": False})
    assert location_events(private, reassigned(private, ("PT", "GLP"), None, NOW)) == []
