"""Domain events of the ``locations`` table (profile §6: PUT on creation, PATCH on status change).

- ``LocationPublished``: a published Location appeared (new, or made public) → PUT Location.
- ``LocationUpdated``: anything but EVSE statuses changed (an EVSE added, a name, a connector) →
  PUT Location (OCPI's PUT replaces the whole object; simpler and safer for receivers than a patch set).
- ``EvseStatusChanged``: only EVSE statuses changed (REMOVED included) → PATCH EVSE, one per EVSE.
Private Locations yield nothing (profile §6: never published). More EVSE status changes in one write
than one PutEvents takes (``MAX_STATUS_PATCHES``) become one PUT of the Location instead.

A published Location made private (or its item deleted) is **withdrawn**: the EMSPs that had it get
every EVSE they knew, not already REMOVED, as ``EvseStatusChanged`` REMOVED, OCPI's one way to take an
EVSE out of use ("a Location without any valid EVSE object can be considered expired and should no
longer be displayed", mod_locations §8.1). Pushing the Location with ``publish: false`` would not do:
OCPI lets a receiver keep showing such a Location to ``publish_allowed_to`` tokens and its helpdesk
may still start sessions there (use case 3), and it would send the private station's current data,
which profile §6 never publishes. A Location moved to another party (another CPO operates it) is
withdrawn under its old identity the same way and published under the new one. More EVSEs than ``MAX_STATUS_PATCHES`` become one PUT of the
Location as the EMSPs last had it, with every EVSE REMOVED. The same events travel the same routes as
any status change (events.fanout), so AWS and the local hub need nothing else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mobie_hub.core.models import dump_ocpi
from mobie_hub.core.types import utcnow
from mobie_hub.events.envelope import DomainEvent
from mobie_hub.locations.enums import Status
from mobie_hub.locations.models import EVSE, MobieLocation

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


def _status_patch(location: MobieLocation, evse: EVSE) -> DomainEvent:
    return DomainEvent.of(
        EVSE_STATUS_CHANGED,
        {
            "country_code": location.country_code, "party_id": location.party_id, "location_id": location.id,
            "evse_uid": evse.uid, "status": evse.status.value, "last_updated": dump_ocpi(evse)["last_updated"],
        },
        evse.last_updated,
    )


def withdrawal_events(published: MobieLocation, at: datetime) -> list[DomainEvent]:
    """The EMSPs had ``published``; it is no longer public as of ``at``: its live EVSEs become REMOVED."""
    removed = {
        evse.uid: evse.model_copy(update={"status": Status.REMOVED, "last_updated": at})
        for evse in published.evses or [] if evse.status is not Status.REMOVED
    }
    if not removed:
        return []
    if len(removed) > MAX_STATUS_PATCHES:
        evses = [removed.get(evse.uid, evse) for evse in published.evses or []]
        gone = published.model_copy(update={"evses": evses, "last_updated": at})
        return [DomainEvent.of(LOCATION_UPDATED, {"location": dump_ocpi(gone)}, at)]
    return [_status_patch(published, evse) for evse in removed.values()]


def location_events(old: MobieLocation | None, new: MobieLocation | None) -> list[DomainEvent]:
    if old is not None and old.publish and (new is None or not new.publish):
        return withdrawal_events(old, new.last_updated if new is not None else utcnow())
    if new is None or not new.publish:
        return []
    if old is None or not old.publish:
        return [DomainEvent.of(LOCATION_PUBLISHED, {"location": dump_ocpi(new)}, new.last_updated)]
    if (old.country_code, old.party_id) != (new.country_code, new.party_id):
        # Another CPO now (locations.assignment): EMSPs hold Locations under /{cc}/{pid}/{id}, so the
        # copy under the old party is withdrawn and the Location published under the new one.
        published = DomainEvent.of(LOCATION_PUBLISHED, {"location": dump_ocpi(new)}, new.last_updated)
        return [*withdrawal_events(old, new.last_updated), published]
    if _without_statuses(old) != _without_statuses(new):
        return [DomainEvent.of(LOCATION_UPDATED, {"location": dump_ocpi(new)}, new.last_updated)]
    before = {evse.uid: evse.status for evse in old.evses or []}
    changed = [evse for evse in new.evses or [] if before.get(evse.uid) != evse.status]
    if len(changed) > MAX_STATUS_PATCHES:
        return [DomainEvent.of(LOCATION_UPDATED, {"location": dump_ocpi(new)}, new.last_updated)]
    return [_status_patch(new, evse) for evse in changed]
