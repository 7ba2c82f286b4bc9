"""Stations (Locations) for OCPP tests: the demo station LSB-00175 with chosen EVSE statuses."""

from __future__ import annotations

import json
from importlib import resources

from mobie_hub.locations.enums import Status
from mobie_hub.locations.models import Location

STATION_ID = "LSB-00175"


def station_location(*evse_statuses: Status, station_id: str = STATION_ID) -> Location:
    """The demo station with one EVSE per status given (copies of its first EVSE, numbered 01, 02, …)."""
    demo = json.loads(
        resources.files("mobie_hub.data.demo").joinpath("locations.json").read_text(encoding="utf-8")
    )
    source = next(location for location in demo if location["id"] == STATION_ID)
    template = source["evses"][0]
    evses = []
    for number, status in enumerate(evse_statuses or (Status.AVAILABLE, Status.AVAILABLE), start=1):
        uid = f"{station_id}-{number:02d}"
        evses.append(
            {
                **template,
                "uid": uid,
                "evse_id": None,
                "status": status.value,
                "connectors": [{**template["connectors"][0], "id": f"{uid}-01"}],
            }
        )
    return Location.model_validate({**source, "id": station_id, "evses": evses})
