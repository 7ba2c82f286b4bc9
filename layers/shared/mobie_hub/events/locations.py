"""Domain events of the ``locations`` table (profile §6: PUT on creation, PATCH on status change).

- ``LocationPublished``: a published Location appeared (new, or made public) → PUT Location.
- ``LocationUpdated``: anything but EVSE statuses changed (an EVSE added, a name, a connector) →
  PUT Location (OCPI's PUT replaces the whole object; simpler and safer for receivers than a patch set).
- ``EvseStatusChanged``: only EVSE statuses changed (REMOVED included) → PATCH EVSE, one per EVSE.
Private Locations yield nothing (profile §6: never published). More EVSE status changes in one write
than one PutEvents takes (``MAX_STATUS_PATCHES``) become one PUT of the Location instead.
"""

from __future__ import annotations

from typing import Any

from mobie_hub.core.models import dump_ocpi
from mobie_hub.events.envelope import DomainEvent
from mobie_hub.locations.models import MobieLocation

LOCATION_PUBLISHED = "LocationPublished"
LOCATION_UPDATED = "LocationUpdated"
EVSE_STATUS_CHANGED = "EvseStatusChanged"
NAMES = (LOCATION_PUBLISHED, LOCATION_UPDATED, EVSE_STATUS_CHANGED)
MAX_STATUS_PATCHES = 10  # events.stream.MAX_EVENTS_PER_RECORD


def _without_statuses(location: MobieLocation) -> dict[str, Any]:
    doc = dump_ocpi(location)
    doc.pop("last_updated", None)
    for evse in doc.get("evses", []):
        evse.pop("status", None)
        evse.pop("last_updated", None)
    return doc


def location_events(old: MobieLocation | None, new: MobieLocation | None) -> list[DomainEvent]:
    if new is None or not new.publish:
        return []
    if old is None or not old.publish:
        return [DomainEvent.of(LOCATION_PUBLISHED, {"location": dump_ocpi(new)}, new.last_updated)]
    if _without_statuses(old) != _without_statuses(new):
        return [DomainEvent.of(LOCATION_UPDATED, {"location": dump_ocpi(new)}, new.last_updated)]
    before = {evse.uid: evse.status for evse in old.evses or []}
    changed = [evse for evse in new.evses or [] if before.get(evse.uid) != evse.status]
    if len(changed) > MAX_STATUS_PATCHES:
        return [DomainEvent.of(LOCATION_UPDATED, {"location": dump_ocpi(new)}, new.last_updated)]
    return [
        DomainEvent.of(
            EVSE_STATUS_CHANGED,
            {
                "country_code": new.country_code, "party_id": new.party_id, "location_id": new.id,
                "evse_uid": evse.uid, "status": evse.status.value,
                "last_updated": dump_ocpi(evse)["last_updated"],
            },
            evse.last_updated,
        )
        for evse in changed
    ]
