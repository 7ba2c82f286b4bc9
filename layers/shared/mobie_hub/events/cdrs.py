"""Domain events of the ``cdrs`` table (profile §8): ``CdrCreated`` when a CDR is stored → POST to
the EMSP that owns its token. CDRs are never changed once created (a correction is a credit CDR)."""

from __future__ import annotations

from mobie_hub.cdrs.models import MobieCdr
from mobie_hub.core.models import dump_ocpi
from mobie_hub.events.envelope import DomainEvent

CDR_CREATED = "CdrCreated"
NAMES = (CDR_CREATED,)


def cdr_events(old: MobieCdr | None, new: MobieCdr | None) -> list[DomainEvent]:
    if new is None or old is not None:
        return []
    owner = {"country_code": new.cdr_token.country_code, "party_id": new.cdr_token.party_id}
    return [DomainEvent.of(CDR_CREATED, {"owner": owner, "cdr": dump_ocpi(new)}, new.last_updated)]
