"""Domain events of the ``sessions`` table (profile §7: PUT when a session starts, PATCH on updates).

- ``SessionStarted``: a session appeared, or a PENDING one was adopted by its StartTransaction
  (ACTIVE) → PUT Session.
- ``SessionUpdated``: kWh, charging periods or status changed (INVALID included) → PATCH.
- ``SessionCompleted``: the session became COMPLETED → PATCH, and the CDR is created.
Only sessions with an owner (the EMSP of the token) yield events: nobody else may receive them.
"""

from __future__ import annotations

from typing import Any

from mobie_hub.core.models import dump_ocpi
from mobie_hub.events.envelope import DomainEvent
from mobie_hub.sessions.models import Session, SessionStatus

SESSION_STARTED = "SessionStarted"
SESSION_UPDATED = "SessionUpdated"
SESSION_COMPLETED = "SessionCompleted"
NAMES = (SESSION_STARTED, SESSION_UPDATED, SESSION_COMPLETED)
PATCHED_FIELDS = ("kwh", "charging_periods", "status", "end_date_time", "total_cost")


def _detail(new: Session, owner: str, **extra: Any) -> dict[str, Any]:
    country_code, party_id = owner.split("#", 1)
    return {"owner": {"country_code": country_code, "party_id": party_id}, "session_id": new.id, **extra}


def _patch(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The fields that changed (a nested list like charging_periods is sent whole) + last_updated."""
    changed = {name: new[name] for name in PATCHED_FIELDS if name in new and old.get(name) != new[name]}
    return {**changed, "last_updated": new["last_updated"]}


def session_events(old: Session | None, new: Session | None, owner: str | None) -> list[DomainEvent]:
    if new is None or owner is None or (old is not None and old.last_updated == new.last_updated):
        return []
    doc = dump_ocpi(new)
    if old is None or (old.status is SessionStatus.PENDING and new.status is SessionStatus.ACTIVE):
        return [DomainEvent.of(SESSION_STARTED, _detail(new, owner, session=doc), new.last_updated)]
    name = SESSION_UPDATED
    if new.status is SessionStatus.COMPLETED and old.status is not SessionStatus.COMPLETED:
        name = SESSION_COMPLETED
    return [DomainEvent.of(name, _detail(new, owner, patch=_patch(dump_ocpi(old), doc)), new.last_updated)]
