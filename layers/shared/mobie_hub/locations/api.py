"""What the locations feature offers the other features (docs/architecture.md, "Import rules"): a
Location by id, and a station's Location as the OCPP gateway reads and conditionally replaces it. A
feature that only checks a Location's party and EVSEs reads ``locations.view``, which builds no model."""

from mobie_hub.locations.repository import get_location, get_locations
from mobie_hub.locations.station_repository import LOCATION_ACTION, LocationRevision
from mobie_hub.locations.station_repository import read as read_for_station
from mobie_hub.locations.station_repository import replace as replace_for_station
from mobie_hub.locations.station_repository import replace_action as replace_for_station_action

__all__ = [
    "LOCATION_ACTION",
    "LocationRevision",
    "get_location",
    "get_locations",
    "read_for_station",
    "replace_for_station",
    "replace_for_station_action",
]
