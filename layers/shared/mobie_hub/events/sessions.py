"""Domain events of the ``sessions`` table (profile §7: PUT when a session starts, PATCH on updates).

- ``SessionStarted``: a session appeared, or a PENDING one was adopted by its StartTransaction
  (ACTIVE) → PUT Session.
- ``SessionUpdated``: kWh, charging periods or status changed (INVALID included) → PATCH.
- ``SessionCompleted``: the session became COMPLETED → PATCH, and the CDR is created.
- ``SessionMetered``: a reading opened a push window (the TX item's write marked ``window_opened``:
  an ACTIVE session's readings update its running meter there, not the Session item) → PATCH of the
  session's current state, read at push time (``fanout``), coalescible.
- ``SessionResync``: no table change of its own; the push sweep (``fanout.resync_due``) asks for the
  session's current state to be PATCHed if the EMSP has not had it (a coalesced update's data).
Each event names one recipient in ``detail.owner`` (``{country_code, party_id, role}``; no ``role``:
EMSP, as in events from before issue #16): a change yields one event for the token's EMSP and, on a
CPO's station (the item's ``cpo``), the same event for that CPO. Only sessions with an owner (the EMSP
of the token) yield events: an unknown idTag's session has no valid CdrToken, nobody receives it.

Every event carries the whole session (``session``) and its ``version`` (the sortable
``last_updated``, which every write of a session advances): a push sends the state the event names,
never an older one after a newer (``fanout``, ``push_state``). An update also says what its write
changed (``patch``), but the PATCH pushed holds every patched field's value in the state (``patch_of``),
so an update that was coalesced away (below) still reaches the EMSP with the next PATCH.

**Coalescing** (docs/events.md): an update of an ACTIVE session's meter data only (kWh, periods,
cost) is an event only when it is the first write in a new clock window of
``session_push_interval_seconds`` (``SessionMetered``: the running meter's first reading of a window;
``SessionUpdated`` for a Session item rewritten in a new window, a transaction from before the
running meter); the other writes of the window yield nothing, and the push path delivers their data
at the window's end at the latest. State changes are events at once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mobie_hub.core.keys import sortable_time
from mobie_hub.core.models import dump_ocpi
from mobie_hub.core.settings import get_settings
from mobie_hub.core.types import parse_datetime
from mobie_hub.events.envelope import DomainEvent
from mobie_hub.sessions.models import Session, SessionStatus

SESSION_STARTED = "SessionStarted"
SESSION_UPDATED = "SessionUpdated"
SESSION_COMPLETED = "SessionCompleted"
SESSION_RESYNC = "SessionResync"
SESSION_METERED = "SessionMetered"
NAMES = (SESSION_STARTED, SESSION_UPDATED, SESSION_COMPLETED)
PATCHED_FIELDS = ("kwh", "charging_periods", "status", "end_date_time", "total_cost")
# Statuses after which a session may still change only by an operator's correction: never coalesced.
FINAL = frozenset({SessionStatus.COMPLETED, SessionStatus.INVALID})


def version_of(session: Session) -> str:
    """The session's version: every write sets last_updated to the time of the write (sessions.lifecycle)."""
    return sortable_time(session.last_updated)


def patch_of(doc: dict[str, Any]) -> dict[str, Any]:
    """The PATCH body of a session's state: every patched field it has, and last_updated."""
    return {**{name: doc[name] for name in PATCHED_FIELDS if name in doc}, "last_updated": doc["last_updated"]}


def _changed(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What this write changed (a nested list like charging_periods whole) + last_updated."""
    changed = {name: new[name] for name in PATCHED_FIELDS if name in new and old.get(name) != new[name]}
    return {**changed, "last_updated": new["last_updated"]}


def _detail(session: Session, owner: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"owner": owner, "session_id": session.id, "version": version_of(session),
            "session": dump_ocpi(session), **extra}


EMSP, CPO = "EMSP", "CPO"  # the roles a recipient has (``core.models.Role`` values)


def owner_of(owner: str, role: str = EMSP) -> dict[str, str]:
    """``PT#EDP`` (a session item's ``owner`` or ``cpo``) → the envelope's recipient."""
    country_code, party_id = owner.split("#", 1)
    return {"country_code": country_code, "party_id": party_id, "role": role}


def recipients_of(owner: str | None, cpo: str | None) -> list[dict[str, str]]:
    """Who a session's or CDR's events go to: the token's EMSP, then the station's CPO (if any);
    nobody without an owner."""
    if owner is None:
        return []
    return [owner_of(owner, EMSP), *([owner_of(cpo, CPO)] if cpo else [])]


def role_of(detail: dict[str, Any]) -> str:
    """The role of an event's recipient (EMSP when unnamed: events from before issue #16)."""
    return str((detail.get("owner") or {}).get("role") or EMSP).upper()


def bills(detail: dict[str, Any]) -> bool:
    """Whether a ``SessionCompleted`` creates the CDR: the EMSP's event does, the CPO's copy of the
    same completion does not (it would only find the CDR created)."""
    return role_of(detail) != CPO


def metered_only(old: Session, new: Session) -> bool:
    """An ACTIVE session's meter data changed and nothing else the EMSP is told (status, end): coalescible."""
    return old.status is new.status is SessionStatus.ACTIVE and old.end_date_time == new.end_date_time


def window_of(at: datetime, seconds: int) -> tuple[datetime, datetime]:
    """The clock window of ``seconds`` (> 0) that ``at`` falls in: [start, end), aligned on the epoch."""
    start = int(at.timestamp()) // seconds * seconds
    return datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(start + seconds, UTC)


def coalesced(old: Session, new: Session, seconds: int) -> bool:
    """A meter-only update inside the window of the previous write: no event (the window's first write
    was one, and the push path PATCHes the window's last state at the latest when the window ends)."""
    return seconds > 0 and metered_only(old, new) and window_of(old.last_updated, seconds) == window_of(
        new.last_updated, seconds
    )


def session_events(
    old: Session | None, new: Session | None, owner: str | None, cpo: str | None = None, *,
    interval: int | None = None,
) -> list[DomainEvent]:
    """The events of one write of a session item, one per recipient (``owner``: the item's
    ``PT#EDP``; ``cpo``: the station's CPO, ``PT#GLP``, if any)."""
    recipients = recipients_of(owner, cpo)
    if new is None or not recipients or (old is not None and old.last_updated == new.last_updated):
        return []
    if old is None or (old.status is SessionStatus.PENDING and new.status is SessionStatus.ACTIVE):
        return [DomainEvent.of(SESSION_STARTED, _detail(new, to), new.last_updated) for to in recipients]
    seconds = get_settings().session_push_interval_seconds if interval is None else interval
    if coalesced(old, new, seconds):
        return []
    name = SESSION_UPDATED
    if new.status is SessionStatus.COMPLETED and old.status is not SessionStatus.COMPLETED:
        name = SESSION_COMPLETED
    changes = {"patch": _changed(dump_ocpi(old), dump_ocpi(new)), "coalescible": metered_only(old, new)}
    return [DomainEvent.of(name, _detail(new, to, **changes), new.last_updated) for to in recipients]


def reading_events(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[DomainEvent]:
    """The events of one write of a TX item (``sessions.transaction_repository``): a reading that
    opened a push window (``window_opened``, set only by that write) → one ``SessionMetered`` per
    recipient (kept on the TX item: ``owner``, ``station_cpo``), its state read when pushed."""
    if not new or new.get("sk") != "TX" or "window_opened" not in new or not new.get("session_id"):
        return []
    if old is not None and old.get("meter_seq") == new.get("meter_seq"):
        return []  # not a reading's write (the mark left from the last one)
    at = parse_datetime(str(new["meter_updated"]))
    detail = {"session_id": str(new["session_id"]), "version": sortable_time(at), "coalescible": True}
    return [DomainEvent.of(SESSION_METERED, {"owner": to, **detail}, at)
            for to in recipients_of(new.get("owner"), new.get("station_cpo"))]


def resync_event(session_id: str, owner: dict[str, str]) -> DomainEvent:
    """Ask for the session's current state to be pushed (its data is read at push time)."""
    return DomainEvent.of(SESSION_RESYNC, {"owner": owner, "session_id": session_id})
