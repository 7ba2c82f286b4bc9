"""What a re-import of a Location stores (``locations.registry``): its unchanged parts keep their
``last_updated``, changed ones are stamped with the import's time, and an EVSE missing from the file
is kept as REMOVED (OCPI never deletes EVSEs; EMSPs learn of the end of life through the status,
profile §6)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from mobie_hub.core.models import dump_ocpi
from mobie_hub.locations.enums import Status
from mobie_hub.locations.models import EVSE, MobieLocation


def content(model: BaseModel) -> Any:
    """The OCPI JSON of a model without any ``last_updated``: what 'changed' compares."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "last_updated"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(dump_ocpi(model))


def _stamp_evse(new: EVSE, old: EVSE | None, now: datetime) -> EVSE:
    if old is not None and content(new) == content(old):
        return old
    connectors = []
    for connector in new.connectors:
        previous = next((c for c in (old.connectors if old else []) if c.id == connector.id), None)
        unchanged = previous is not None and content(previous) == content(connector)
        connectors.append(previous if unchanged else connector.model_copy(update={"last_updated": now}))
    return new.model_copy(update={"connectors": connectors, "last_updated": now})


def merge_location(new: MobieLocation, old: MobieLocation | None, now: datetime) -> MobieLocation:
    """The Location to store: unchanged parts keep their timestamps, changed ones get ``now``.

    A new Location is stamped ``now`` throughout, whatever the file says: it appears in the hub now,
    and an EMSP syncing with ``date_from`` must see it.
    """
    if old is None:
        evses = [_stamp_evse(evse, None, now) for evse in new.evses or []]
        return new.model_copy(update={"evses": evses or None, "last_updated": now})
    old_evses = {evse.uid: evse for evse in old.evses or []}
    evses = [_stamp_evse(evse, old_evses.get(evse.uid), now) for evse in new.evses or []]
    kept = {evse.uid for evse in evses}
    for uid, evse in old_evses.items():
        if uid not in kept:
            removed = evse if evse.status is Status.REMOVED else evse.model_copy(
                update={"status": Status.REMOVED, "last_updated": now})
            evses.append(removed)
    merged = new.model_copy(update={"evses": evses or None, "last_updated": old.last_updated})
    own_changed = content(merged.model_copy(update={"evses": None})) != content(old.model_copy(update={"evses": None}))
    latest = max([now if own_changed else old.last_updated, *(e.last_updated for e in evses)])
    return merged.model_copy(update={"last_updated": latest})
