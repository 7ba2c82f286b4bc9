"""StatusNotification → EVSE status (docs/ocpp.md "Status mapping"), as a pure function of a Location."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mobie_hub.locations.enums import Status
from mobie_hub.locations.models import Location
from mobie_hub.ocpp.evse_status import (
    OCPP_TO_OCPI,
    UnknownConnector,
    apply_known,
    apply_offline,
    apply_status,
    evse_for_connector,
)
from tests.support.ocpp_data import station_location

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def statuses(location: Location) -> list[Status]:
    return [evse.status for evse in location.evses]


@pytest.mark.parametrize(
    ("ocpp", "ocpi"),
    [
        ("Available", Status.AVAILABLE),
        ("Preparing", Status.CHARGING),
        ("Charging", Status.CHARGING),
        ("SuspendedEV", Status.CHARGING),
        ("SuspendedEVSE", Status.CHARGING),
        ("Finishing", Status.CHARGING),
        ("Reserved", Status.RESERVED),
        ("Unavailable", Status.INOPERATIVE),
        ("Faulted", Status.OUTOFORDER),
    ],
)
def test_every_ocpp_status_maps_to_its_ocpi_status(ocpp, ocpi):
    location = station_location(Status.UNKNOWN, Status.UNKNOWN)

    updated = apply_status(location, 2, ocpp, NOW)

    assert statuses(updated) == [Status.UNKNOWN, ocpi]
    assert set(OCPP_TO_OCPI) == {
        "Available",
        "Preparing",
        "Charging",
        "SuspendedEV",
        "SuspendedEVSE",
        "Finishing",
        "Reserved",
        "Unavailable",
        "Faulted",
    }


def test_a_change_bumps_the_evse_and_the_location_last_updated_only():
    location = station_location(Status.AVAILABLE, Status.AVAILABLE)

    updated = apply_status(location, 1, "Charging", NOW)

    assert updated.evses[0].last_updated == NOW
    assert updated.evses[1].last_updated == location.evses[1].last_updated
    assert updated.last_updated == NOW


def test_no_change_means_no_write():
    location = station_location(Status.CHARGING, Status.AVAILABLE)

    assert apply_status(location, 1, "SuspendedEV", NOW) is None


def test_connector_zero_faults_every_evse_and_available_brings_back_only_the_inoperative_ones():
    location = station_location(Status.CHARGING, Status.AVAILABLE, Status.REMOVED)

    faulted = apply_status(location, 0, "Faulted", NOW)
    assert statuses(faulted) == [Status.OUTOFORDER, Status.OUTOFORDER, Status.REMOVED]

    charging_again = apply_status(faulted, 1, "Charging", NOW)
    recovered = apply_status(charging_again, 0, "Available", NOW)
    assert statuses(recovered) == [Status.CHARGING, Status.AVAILABLE, Status.REMOVED]


def test_a_removed_evse_is_never_resurrected_by_a_station_report():
    location = station_location(Status.REMOVED)

    assert apply_status(location, 1, "Available", NOW) is None


@pytest.mark.parametrize("connector_id", [3, -1])
def test_a_connector_beyond_the_locations_evses_is_refused(connector_id):
    with pytest.raises(UnknownConnector, match="has 2 EVSE"):
        apply_status(station_location(Status.AVAILABLE, Status.AVAILABLE), connector_id, "Available", NOW)


def test_connector_n_is_the_nth_evse():
    location = station_location(Status.AVAILABLE, Status.CHARGING)

    assert evse_for_connector(location, 2).uid == location.evses[1].uid


# --- offline stations (issue #17 item 4) ----------------------------------------------------------------
def test_offline_makes_every_evse_unknown_but_a_removed_one_and_gives_the_statuses_they_had():
    location = station_location(Status.CHARGING, Status.REMOVED, Status.OUTOFORDER)

    updated, known = apply_offline(location, NOW)

    assert statuses(updated) == [Status.UNKNOWN, Status.REMOVED, Status.UNKNOWN]
    assert known == {"LSB-00175-01": "CHARGING", "LSB-00175-03": "OUTOFORDER"}
    assert updated.last_updated == NOW
    assert [e.last_updated == NOW for e in updated.evses] == [True, False, True]


def test_offline_changes_nothing_when_every_evse_is_already_unknown_or_removed():
    assert apply_offline(station_location(Status.UNKNOWN, Status.REMOVED), NOW) == (None, {})


def test_known_statuses_come_back_only_on_evses_still_unknown():
    location = station_location(Status.UNKNOWN, Status.AVAILABLE, Status.UNKNOWN)
    known = {"LSB-00175-01": "CHARGING", "LSB-00175-02": "OUTOFORDER"}

    updated = apply_known(location, known, NOW)

    # EVSE 2 reported since (AVAILABLE stays); EVSE 3 has no known status (UNKNOWN stays)
    assert statuses(updated) == [Status.CHARGING, Status.AVAILABLE, Status.UNKNOWN]
    assert apply_known(updated, known, NOW) is None
