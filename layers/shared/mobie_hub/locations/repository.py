"""Charging stations as OCPI Locations in the ``locations`` table (docs/dynamodb.md).

Item: pk=``LOC#<ID>`` (the id upper-cased: OCPI ids are CiStrings, so ``lsb-00175`` finds ``LSB-00175``),
sk=``LOC``, ``location_id`` (as issued), ``doc`` (the Location, MOBI.E shape), ``last_updated``. Published
Locations also carry the list keys gsi1/gsi2 = ``PUBLISHED`` / ``<last_updated>#<cc>#<pid>#<id>``;
private ones never do, so no list query can return them (profile §6).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mobie_hub.core import documents
from mobie_hub.core.dynamodb import batch_get, table
from mobie_hub.core.keys import sortable_time
from mobie_hub.core.listing import ListIndex, query_page
from mobie_hub.core.paging import Page, PageRequest
from mobie_hub.locations.keys import SK, location_pk
from mobie_hub.locations.models import Location, MobieLocation

PUBLISHED = ListIndex("locations", "PUBLISHED")


def with_derived_last_updated(location: Location) -> Location:
    """Profile §6: a Location's last_updated is the latest of its own and its EVSEs'."""
    latest = max([location.last_updated, *(evse.last_updated for evse in location.evses or [])])
    return location if latest == location.last_updated else location.model_copy(update={"last_updated": latest})


def location_item(location: Location) -> dict[str, Any]:
    location = with_derived_last_updated(location)
    item: dict[str, Any] = {
        "pk": location_pk(location.id),
        "sk": SK,
        "location_id": location.id,
        "country_code": location.country_code,
        "party_id": location.party_id,
        "last_updated": sortable_time(location.last_updated),
        "doc": documents.encode(location),
    }
    if location.publish:
        list_key = f"{item['last_updated']}#{location.country_code}#{location.party_id}#{location.id}"
        item.update(gsi1pk=PUBLISHED.partition, gsi1sk=list_key, gsi2pk=PUBLISHED.partition, gsi2sk=list_key)
    return item


def put_location(location: Location) -> None:
    table("locations").put_item(Item=location_item(location))


def get_location(location_id: str) -> MobieLocation | None:
    item = table("locations").get_item(Key={"pk": location_pk(location_id), "sk": SK}).get("Item")
    return documents.decode(item, MobieLocation) if item else None


def get_locations(ids: Iterable[str]) -> dict[str, MobieLocation]:
    keys = [{"pk": location_pk(i), "sk": SK} for i in dict.fromkeys(ids)]
    locations = (documents.decode(item, MobieLocation) for item in batch_get("locations", keys))
    return {location.id: location for location in locations}


def published_page(page: PageRequest) -> Page[MobieLocation]:
    """A page of published Locations by last_updated (date_from inclusive, date_to exclusive)."""
    raw = query_page(PUBLISHED, page)
    return Page([documents.decode(i, MobieLocation) for i in raw.items], raw.total, raw.next_cursor)
