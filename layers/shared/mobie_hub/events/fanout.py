"""Push fan-out: which parties receive a domain event, and one push to one party.

A push that fails is logged and counted, never retried (profile §3); nothing is lost, because the
object stays readable through the sender interface's GET. The one exception is the CDR, a bill: its
POST is a delivery (``cdrs.delivery``) retried with a bounded backoff by ``redeliver_due``, which a
scheduled Lambda (AWS) or the local pipeline runs. The Step Functions fan-out workflow calls
``recipients`` once and ``push`` once per party (a Map state); locally the in-process bus calls the
same two functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mobie_hub.cdrs import api as cdrs
from mobie_hub.cdrs.models import MobieCdr
from mobie_hub.core.errors import HubError
from mobie_hub.core.observability import count, logger
from mobie_hub.core.settings import get_settings
from mobie_hub.core.types import utcnow
from mobie_hub.core.versions import InterfaceRole
from mobie_hub.events.cdrs import CDR_CREATED, cdr_events
from mobie_hub.events.envelope import DomainEvent
from mobie_hub.events.locations import EVSE_STATUS_CHANGED, LOCATION_PUBLISHED, LOCATION_UPDATED
from mobie_hub.events.sessions import SESSION_COMPLETED, SESSION_STARTED, SESSION_UPDATED
from mobie_hub.locations.models import MobieLocation
from mobie_hub.parties.party import Party, Registration
from mobie_hub.sessions.models import Session

Pusher = Callable[[Any, Party, DomainEvent], None]  # (client, party, event) → raises on failure


def _put_location(client: Any, party: Party, event: DomainEvent) -> None:
    location = MobieLocation.model_validate(event.detail["location"])
    client.put(party, "locations", f"{location.country_code}/{location.party_id}/{location.id}", location)


def _patch_evse(client: Any, party: Party, event: DomainEvent) -> None:
    d = event.detail
    path = f"{d['country_code']}/{d['party_id']}/{d['location_id']}/{d['evse_uid']}"
    client.patch(party, "locations", path, {"status": d["status"], "last_updated": d["last_updated"]})


def _session_path(event: DomainEvent) -> str:
    # OCPI receiver interface: {sessions_endpoint_url}/{country_code}/{party_id}/{session_id}, the
    # country_code / party_id being the sender's (the hub's).
    hub = get_settings().hub
    return f"{hub.country_code}/{hub.party_id}/{event.detail['session_id']}"


def _put_session(client: Any, party: Party, event: DomainEvent) -> None:
    client.put(party, "sessions", _session_path(event), Session.model_validate(event.detail["session"]))


def _patch_session(client: Any, party: Party, event: DomainEvent) -> None:
    client.patch(party, "sessions", _session_path(event), event.detail["patch"])


def _post_cdr(client: Any, party: Party, event: DomainEvent) -> None:
    client.post(party, "cdrs", "", MobieCdr.model_validate(event.detail["cdr"]))


@dataclass(frozen=True)
class Route:
    module: str  # the receiver interface the party must expose
    push: Pusher
    to_owner: bool = False  # only the party named in ``detail["owner"]`` (the EMSP of the token)


ROUTES: dict[str, Route] = {
    LOCATION_PUBLISHED: Route("locations", _put_location),
    LOCATION_UPDATED: Route("locations", _put_location),
    EVSE_STATUS_CHANGED: Route("locations", _patch_evse),
    SESSION_STARTED: Route("sessions", _put_session, to_owner=True),
    SESSION_UPDATED: Route("sessions", _patch_session, to_owner=True),
    SESSION_COMPLETED: Route("sessions", _patch_session, to_owner=True),
    CDR_CREATED: Route("cdrs", _post_cdr, to_owner=True),
}


def _addressed(route: Route, event: DomainEvent, party: Party) -> bool:
    if not route.to_owner:
        return True
    owner = event.detail.get("owner") or {}
    return (party.country_code, party.party_id) == (
        str(owner.get("country_code", "")).upper(), str(owner.get("party_id", "")).upper(),
    )


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
    event: DomainEvent, party: Party, client: Any | None = None, *, now: Callable[[], datetime] = utcnow
) -> dict[str, Any]:
    """Push ``event`` to ``party``. Returns the outcome; a failure is logged and counted, not raised.
    A CDR's push is also an attempt of its delivery (recorded before the call, its outcome after)."""
    from mobie_hub.outbound import correlation_scope, get_client

    route = ROUTES[event.event_name]
    outcome: dict[str, Any] = {"event_name": event.event_name, "party": party.key, "ok": True}
    attempt = None
    if event.event_name == CDR_CREATED:
        attempt = cdrs.delivery.begin(event.detail["cdr"]["id"], party.key, now())
        if attempt.status is cdrs.delivery.DeliveryStatus.DELIVERED:
            logger.info("cdr already delivered: not posted again", cdr_id=attempt.cdr_id, party=party.label)
            return outcome | {"delivery": attempt.status.value, "attempts": attempt.attempts}
    with correlation_scope(event.correlation_id):
        try:
            route.push(client or get_client(), party, event)
        except HubError as exc:
            outcome.update(ok=False, error=exc.message)
            logger.warning("push failed", event_name=event.event_name, party=party.label, reason=exc.message)
            count("PushFailed", module=route.module, party=party.label)
        else:
            count("PushSent", module=route.module, party=party.label)
    if attempt is not None:
        delivery = cdrs.delivery.finish(attempt, error=outcome.get("error"), party_label=party.label)
        outcome.update(delivery=delivery.status.value, attempts=delivery.attempts)
    return outcome


def _party(key: str) -> Party | None:
    from mobie_hub.parties.api import get_party

    return get_party(key)


def redeliver_due(
    now: Callable[[], datetime] = utcnow,
    client: Any | None = None,
    party: Callable[[str], Party | None] = _party,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """One sweep: every CDR delivery whose next attempt is due is POSTed again (its EMSP read afresh).
    An EMSP that is gone, or no longer exposes a CDRs receiver, fails the attempt like a refusal would."""
    outcomes = []
    for due in cdrs.delivery.due(now(), limit):
        cdr = cdrs.get_cdr(due.cdr_id)
        emsp = party(due.party)
        if cdr is not None and emsp is not None and emsp.registration is Registration.REGISTERED:
            outcomes.append(push(cdr_events(None, cdr)[0], emsp, client, now=now))
            continue
        reason = "the CDR is gone" if cdr is None else f"{due.party} is not a registered party"
        attempt = cdrs.delivery.begin(due.cdr_id, due.party, now())
        delivery = cdrs.delivery.finish(attempt, error=reason, party_label=due.party)
        outcomes.append({"event_name": CDR_CREATED, "party": due.party, "ok": False, "error": reason,
                         "delivery": delivery.status.value, "attempts": delivery.attempts})
    return outcomes
