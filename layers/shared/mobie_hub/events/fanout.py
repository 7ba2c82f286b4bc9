"""Push fan-out: which parties receive a domain event, and one push to one party.

A push that fails is logged and counted, never retried (profile §3); nothing is lost, because the
object stays readable through the sender interface's GET. The one exception is the CDR, a bill: its
POST is a delivery (``cdrs.delivery``) retried with a bounded backoff by ``redeliver_due``, which a
scheduled Lambda (AWS) or the local pipeline runs.

What each event becomes at a receiver (the interface, the call) is ``push_routes.ROUTES``. Two shapes
(docs/events.md): a Location event goes to every EMSP exposing the receiver — the fan-out
workflow claims it once and pushes it in batches (``location_push``, which asks ``recipients`` here);
a session or CDR event has one recipient, named in ``detail.owner`` (the EMSP of its token, or the
CPO of its station: one event each) — the owner workflow calls ``push_to_owner`` alone. Pushes of one
session reach each recipient in order (``push_state``): a stale or repeated one is dropped, a
coalescible update is throttled to one a clock window of the push interval, and whatever could not go
now is rechecked by ``resync_due``, which a scheduled Lambda (AWS) or the local pipeline runs. Locally the in-process bus
calls the same functions.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from mobie_hub.cdrs import api as cdrs
from mobie_hub.core.errors import HubError
from mobie_hub.core.models import Role, dump_ocpi
from mobie_hub.core.observability import count, logger
from mobie_hub.core.settings import get_settings
from mobie_hub.core.types import utcnow
from mobie_hub.core.versions import InterfaceRole
from mobie_hub.events import push_state
from mobie_hub.events.cdrs import CDR_CREATED, cdr_event
from mobie_hub.events.envelope import DomainEvent
from mobie_hub.events.push_routes import ROUTES, Route
from mobie_hub.events.push_state import Claim
from mobie_hub.events.sessions import (
    FINAL,
    SESSION_COMPLETED,
    SESSION_METERED,
    SESSION_RESYNC,
    SESSION_STARTED,
    SESSION_UPDATED,
    resync_event,
    version_of,
    window_of,
)
from mobie_hub.parties.party import Party, Registration
from mobie_hub.sessions import api as sessions

# One recipient each (the owner of the token): the owner workflow, not the fan-out's Map.
OWNER_EVENTS = tuple(sorted(name for name, route in ROUTES.items() if route.to_owner))
FANOUT_EVENTS = tuple(sorted(name for name, route in ROUTES.items() if not route.to_owner))
SESSION_PUSHES = frozenset({SESSION_STARTED, SESSION_UPDATED, SESSION_COMPLETED, SESSION_RESYNC, SESSION_METERED})
RECHECK_GRACE = timedelta(seconds=10)  # a write stamped before a window's end lands within this
BUSY_WAITS = (0.5, 1.0, 2.0)  # seconds a state change waits for the push before it to end


def _addressed(route: Route, event: DomainEvent, party: Party) -> bool:
    if not route.to_owner:
        return True
    return party.key == owner_key(event)


def _parties() -> list[Party]:
    from mobie_hub.parties.api import list_parties

    return list_parties()


def recipients(event: DomainEvent, parties: Callable[[], list[Party]] = _parties) -> list[str]:
    """Keys of the registered parties exposing the receiver interface this event is pushed to."""
    route = ROUTES.get(event.event_name)
    if route is None:
        return []
    return [
        party.key
        for party in parties()
        if party.registration is Registration.REGISTERED
        and party.endpoint_url(route.module, InterfaceRole.RECEIVER)
        and _addressed(route, event, party)
    ]


def push(
    event: DomainEvent, party: Party, client: Any | None = None, *, now: Callable[[], datetime] = utcnow,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Push ``event`` to ``party``. Returns the outcome; a failure is logged and counted, not raised.
    A CDR's push is also an attempt of its delivery (recorded before the call, its outcome after); a
    session's push claims its version first (``_session_push``)."""
    if event.event_name in SESSION_PUSHES:
        return _session_push(event, party, client, now, sleep)
    outcome: dict[str, Any] = {"event_name": event.event_name, "party": party.key, "ok": True}
    attempt = None
    if event.event_name == CDR_CREATED:
        attempt = cdrs.delivery.begin(event.detail["cdr"]["id"], party.key, now())
        if attempt.status is cdrs.delivery.DeliveryStatus.DELIVERED:
            logger.info("cdr already delivered: not posted again", cdr_id=attempt.cdr_id, party=party.label)
            return outcome | {"delivery": attempt.status.value, "attempts": attempt.attempts}
    outcome |= _call(event, party, client)
    if attempt is not None:
        delivery = cdrs.delivery.finish(attempt, error=outcome.get("error"), party_label=party.label)
        outcome.update(delivery=delivery.status.value, attempts=delivery.attempts)
    return outcome


def _call(event: DomainEvent, party: Party, client: Any | None) -> dict[str, Any]:
    from mobie_hub.outbound import correlation_scope, get_client

    route = ROUTES[event.event_name]
    with correlation_scope(event.correlation_id):
        try:
            route.push(client or get_client(), party, event)
        except HubError as exc:
            logger.warning("push failed", event_name=event.event_name, party=party.label, reason=exc.message)
            count("PushFailed", module=route.module, party=party.label)
            return {"ok": False, "error": exc.message}
    count("PushSent", module=route.module, party=party.label)
    return {"ok": True}


def _current(event: DomainEvent) -> DomainEvent | None:
    """A resync asks for the session as it is now: read it, and push it like an update. So does an
    event without the session's state (a ``SessionMetered``: a reading on the TX item; and
    ``event_version`` 1 before issue #18, in flight at a deploy)."""
    if event.event_name != SESSION_RESYNC and "session" in event.detail:
        return event
    record = sessions.get_record(event.detail["session_id"])
    if record is None:
        return None
    session = record.session
    detail = {**event.detail, "version": version_of(session), "session": dump_ocpi(session)}
    return event.model_copy(update={"detail": detail})


def _session_push(
    event: DomainEvent, party: Party, client: Any | None, now: Callable[[], datetime],
    sleep: Callable[[float], None],
) -> dict[str, Any]:
    """One session push, in order: claim the version (stale → dropped; throttled or another push under
    way → rechecked later), push, release; a state the session may still leave is rechecked when its
    clock window ends, so the last of its coalesced updates reaches the EMSP even if no write follows."""
    outcome: dict[str, Any] = {"event_name": event.event_name, "party": party.key, "ok": True}
    current = _current(event)
    if current is None:
        return outcome | {"skipped": "the session is gone"}
    detail, seconds = current.detail, get_settings().session_push_interval_seconds
    obj, version = f"SESSION#{detail['session_id']}", detail["version"]
    window = window_of(push_state.version_time(version), seconds) if seconds else None
    throttle = window if detail.get("coalescible") else None
    claimed = push_state.claim(obj, party.key, version, now=now(), window=throttle)
    for wait in () if throttle else BUSY_WAITS:  # a state change waits a moment for the push before it
        if claimed.claim is not Claim.BUSY:
            break
        sleep(wait)
        claimed = push_state.claim(obj, party.key, version, now=now())
    if claimed.claim is Claim.STALE:
        return outcome | {"skipped": "stale", "version": version}
    if claimed.claim is not Claim.CLAIMED:
        push_state.recheck(obj, party.key, detail["owner"], claimed.recheck_at + RECHECK_GRACE)
        return outcome | {"deferred": claimed.claim.value, "version": version}
    try:
        outcome |= _call(current, party, client)
    finally:
        push_state.release(obj, party.key, version)
    # The window's later writes yield no event: look again when it ends (a resync, pushed after the
    # window's end, read its last write already; any write after that starts a window of its own).
    if window and detail["session"]["status"] not in FINAL and window[1] + RECHECK_GRACE > now():
        push_state.recheck(obj, party.key, detail["owner"], window[1] + RECHECK_GRACE)
    return outcome | {"version": version}


def owner_key(event: DomainEvent) -> str | None:
    """The party key of the recipient named in ``detail["owner"]`` (``PARTY#<role>#<cc>#<pid>``; no
    role: EMSP, events from before issue #16), if any."""
    owner = event.detail.get("owner") or {}
    country_code, party_id = str(owner.get("country_code", "")).upper(), str(owner.get("party_id", "")).upper()
    role = str(owner.get("role") or Role.EMSP.value).upper()
    if role not in {r.value for r in Role} or not (country_code and party_id):
        return None
    return f"PARTY#{role}#{country_code}#{party_id}"


def push_to_owner(
    event: DomainEvent, party: Callable[[str], Party | None] | None = None, client: Any | None = None,
    *, now: Callable[[], datetime] = utcnow,
) -> dict[str, Any] | None:
    """A one-recipient event (session, CDR) → one push to the party it names (the token's EMSP or the
    station's CPO), read by key (one GetItem, no list of every party); None when that is not a
    registered party exposing the receiver."""
    route = ROUTES[event.event_name]
    key = owner_key(event)
    recipient = (party or _party)(key) if key else None
    if (recipient is None or recipient.registration is not Registration.REGISTERED
            or not recipient.endpoint_url(route.module, InterfaceRole.RECEIVER)):
        return None
    return push(event, recipient, client, now=now)


def _party(key: str) -> Party | None:
    from mobie_hub.parties.api import get_party

    return get_party(key)


def redeliver_due(
    now: Callable[[], datetime] = utcnow,
    client: Any | None = None,
    party: Callable[[str], Party | None] = _party,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """One sweep: every CDR delivery whose next attempt is due is POSTed again (its party, the EMSP or
    the CPO, read afresh). A party that is gone, or no longer exposes a CDRs receiver, fails the
    attempt like a refusal would."""
    outcomes = []
    for due in cdrs.delivery.due(now(), limit):
        cdr = cdrs.get_cdr(due.cdr_id)
        recipient = party(due.party)
        if cdr is not None and recipient is not None and recipient.registration is Registration.REGISTERED:
            owner = {"country_code": recipient.country_code, "party_id": recipient.party_id,
                     "role": recipient.role.value}
            outcomes.append(push(cdr_event(cdr, owner), recipient, client, now=now))
            continue
        reason = "the CDR is gone" if cdr is None else f"{due.party} is not a registered party"
        attempt = cdrs.delivery.begin(due.cdr_id, due.party, now())
        delivery = cdrs.delivery.finish(attempt, error=reason, party_label=due.party)
        outcomes.append({"event_name": CDR_CREATED, "party": due.party, "ok": False, "error": reason,
                         "delivery": delivery.status.value, "attempts": delivery.attempts})
    return outcomes


def resync_due(
    publish: Callable[[list[DomainEvent]], None], now: Callable[[], datetime] = utcnow, limit: int = 100
) -> dict[str, int]:
    """One batch of the session rechecks that are due: each whose session changed since its recipient
    (EMSP or CPO: the recheck keeps the event's ``owner``, role included) was last pushed becomes a
    ``SessionResync`` event (pushed by the owner workflow like any other); the
    rest are done. Published before the queue items are removed: a sweep that dies in between
    publishes them again, and their pushes are dropped as stale."""
    entries = push_state.due(now(), limit)
    events = []
    for _, due in entries:
        session_id = due.object.removeprefix("SESSION#")
        record = sessions.get_record(session_id)
        if record is not None and version_of(record.session) > (push_state.last_version(due.object, due.party) or ""):
            events.append(resync_event(session_id, due.owner))
    if events:
        publish(events)
    push_state.done([key for key, _ in entries])
    return {"due": len(entries), "published": len(events)}
