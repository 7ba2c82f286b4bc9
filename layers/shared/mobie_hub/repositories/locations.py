"""Charging stations as OCPI Locations in the ``locations`` table (docs/dynamodb.md).

Item: pk=``LOC#<id>``, sk=``LOC``, ``doc`` (the Location), ``last_updated``; published Locations also
carry gsi1pk=``PUBLISHED`` / gsi1sk=``<last_updated>#<cc>#<pid>#<id>`` — private ones never do, so no
list query can return them (profile §6).
"""

from __future__ import annotations

from typing import Any

from mobie_hub.models.locations import Location
from mobie_hub.repositories import documents
from mobie_hub.repositories.dynamodb import table
from mobie_hub.repositories.keys import sortable_time

SK = "LOC"
PUBLISHED = "PUBLISHED"


def location_pk(location_id: str) -> str:
    return f"LOC#{location_id}"


def with_derived_last_updated(location: Location) -> Location:
    """Profile §6: a Location's last_updated is the latest of its own and its EVSEs'."""
    latest = max([location.last_updated, *(evse.last_updated for evse in location.evses or [])])
    return location if latest == location.last_updated else location.model_copy(update={"last_updated": latest})


def location_item(location: Location) -> dict[str, Any]:
    location = with_derived_last_updated(location)
    item: dict[str, Any] = {
        "pk": location_pk(location.id),
        "sk": SK,
        "country_code": location.country_code,
        "party_id": location.party_id,
        "last_updated": sortable_time(location.last_updated),
        "doc": documents.encode(location),
    }
    if location.publish:
        item["gsi1pk"] = PUBLISHED
        item["gsi1sk"] = f"{item['last_updated']}#{location.country_code}#{location.party_id}#{location.id}"
    return item


def put_location(location: Location) -> None:
    table("locations").put_item(Item=location_item(location))


def get_location(location_id: str) -> Location | None:
    item = table("locations").get_item(Key={"pk": location_pk(location_id), "sk": SK}).get("Item")
    return documents.decode(item, Location) if item else None
