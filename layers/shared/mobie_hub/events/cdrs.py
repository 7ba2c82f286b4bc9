"""Domain events of the ``cdrs`` table (profile §8): ``CdrCreated`` when a CDR is stored → POST to
the EMSP that owns its token and, for a session on a CPO's station (the item's ``cpo``), to that CPO
(one event each, ``detail.owner`` naming the recipient and its role). CDRs are never changed once
created (a correction is a credit CDR)."""

from __future__ import annotations

from mobie_hub.cdrs.models import MobieCdr
from mobie_hub.core.models import dump_ocpi
from mobie_hub.events.envelope import DomainEvent
from mobie_hub.events.sessions import recipients_of

CDR_CREATED = "CdrCreated"
NAMES = (CDR_CREATED,)


def cdr_event(cdr: MobieCdr, owner: dict[str, str]) -> DomainEvent:
    """The CdrCreated event of ``cdr`` for one recipient (``{country_code, party_id, role}``)."""
    return DomainEvent.of(CDR_CREATED, {"owner": owner, "cdr": dump_ocpi(cdr)}, cdr.last_updated)


def cdr_events(old: MobieCdr | None, new: MobieCdr | None, cpo: str | None = None) -> list[DomainEvent]:
    if new is None or old is not None:
        return []
    token = new.cdr_token
    owner = f"{token.country_code}#{token.party_id}" if token.country_code and token.party_id else None
    return [cdr_event(new, to) for to in recipients_of(owner, cpo)]
