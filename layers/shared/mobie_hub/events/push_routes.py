"""What each pushed domain event becomes at a receiver: the OCPI interface the party must expose and
the one call (``Route``, ``ROUTES``). ``fanout`` decides who receives an event and when; the Location
fan-out (``location_push``) pushes its batches with the same routes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mobie_hub.cdrs.models import MobieCdr
from mobie_hub.core.observability import logger
from mobie_hub.core.settings import get_settings
from mobie_hub.events.cdrs import CDR_CREATED
from mobie_hub.events.envelope import DomainEvent
from mobie_hub.events.locations import EVSE_STATUS_CHANGED, LOCATION_PUBLISHED, LOCATION_UPDATED
from mobie_hub.events.sessions import (
    SESSION_COMPLETED,
    SESSION_METERED,
    SESSION_RESYNC,
    SESSION_STARTED,
    SESSION_UPDATED,
    patch_of,
)
from mobie_hub.locations.models import MobieLocation
from mobie_hub.outbound import OutboundCallFailed
from mobie_hub.parties.party import Party
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


def _refused_as_unknown(exc: OutboundCallFailed) -> bool:
    """The receiver does not know the object (OCPI 2xxx, e.g. 2003 unknown location; or HTTP 404)."""
    return exc.http_status == 404 or (exc.ocpi_status is not None and 2000 <= exc.ocpi_status < 3000)


def _patch_session(client: Any, party: Party, event: DomainEvent) -> None:
    """PATCH the session's state (every patched field, not this write's diff: a coalesced update's data
    travels with it); an EMSP that does not know the session gets the whole object (PUT) instead."""
    doc = event.detail["session"]
    try:
        client.patch(party, "sessions", _session_path(event), patch_of(doc))
    except OutboundCallFailed as exc:
        if not _refused_as_unknown(exc):
            raise
        logger.warning("session patch refused as unknown: putting the whole session", party=party.label,
                       session_id=event.detail["session_id"], ocpi_status=exc.ocpi_status)
        client.put(party, "sessions", _session_path(event), Session.model_validate(doc))


def _post_cdr(client: Any, party: Party, event: DomainEvent) -> None:
    client.post(party, "cdrs", "", MobieCdr.model_validate(event.detail["cdr"]))


@dataclass(frozen=True)
class Route:
    module: str  # the receiver interface the party must expose
    push: Pusher
    to_owner: bool = False  # only the party named in ``detail["owner"]`` (the token's EMSP, or the CPO)


ROUTES: dict[str, Route] = {
    LOCATION_PUBLISHED: Route("locations", _put_location),
    LOCATION_UPDATED: Route("locations", _put_location),
    EVSE_STATUS_CHANGED: Route("locations", _patch_evse),
    SESSION_STARTED: Route("sessions", _put_session, to_owner=True),
    SESSION_UPDATED: Route("sessions", _patch_session, to_owner=True),
    SESSION_COMPLETED: Route("sessions", _patch_session, to_owner=True),
    SESSION_RESYNC: Route("sessions", _patch_session, to_owner=True),
    SESSION_METERED: Route("sessions", _patch_session, to_owner=True),
    CDR_CREATED: Route("cdrs", _post_cdr, to_owner=True),
}
