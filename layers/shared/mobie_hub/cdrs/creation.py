"""A completed session becomes a CDR, exactly once (profile §8).

Driven by the ``SessionCompleted`` domain event (AWS: an EventBridge rule → functions/cdr_creation;
locally: the in-process bus). Loads the session, its Location and its connector's tariffs, prices it
through ``cdrs.builder.build_cdr`` and stores it under an id derived from the session's with a
conditional Put: a completion event delivered twice (EventBridge is at-least-once) stores one CDR.
INVALID sessions are never billed: they get no CDR.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

from mobie_hub.cdrs import repository as cdrs
from mobie_hub.cdrs.models import MobieCdr
from mobie_hub.core.errors import HubError
from mobie_hub.core.observability import count, logger
from mobie_hub.core.types import utcnow
from mobie_hub.locations import api as locations
from mobie_hub.locations.models import MobieLocation
from mobie_hub.sessions import api as sessions
from mobie_hub.sessions.models import Session, SessionStatus
from mobie_hub.tariffs import api as tariffs

CdrBuilder = Callable[..., MobieCdr]  # build_cdr(session, location, tariffs, *, cdr_id, now)


class Outcome(StrEnum):
    CREATED = "created"
    EXISTS = "exists"  # created before: a duplicate event
    NOT_BILLABLE = "not_billable"  # not COMPLETED (INVALID, or not ended)
    UNKNOWN = "unknown"  # no such session, or its Location is gone


def _default_builder() -> CdrBuilder:
    from mobie_hub.cdrs.builder import build_cdr

    return build_cdr


def connector_tariffs(session: Session, location: MobieLocation, cpo: tuple[str, str] | None = None) -> list[Any]:
    """The Tariffs of the session's connector (the tariff ids of its CPO snapshot ``cpo``, else of the
    Location's own party), in their order, each as the version in force when the session started
    (docs/pricing.md "Tariff versions"). The snapshot: a station reassigned since the session started
    bills it with the tariffs of the CPO it started with (contract §2)."""
    evse = next((e for e in location.evses or [] if e.uid == session.evse_uid), None)
    connector = next((c for c in evse.connectors if c.id == session.connector_id), None) if evse else None
    ids = list(connector.tariff_ids or []) if connector else []
    country_code, party_id = cpo or (location.country_code, location.party_id)
    keys = [(country_code, party_id, i) for i in ids]
    found = tariffs.versions_at(keys, session.start_date_time)
    return [found[key] for key in keys if key in found]


def create_cdr_for(
    session_id: str, *, build: CdrBuilder | None = None, now: datetime | None = None
) -> Outcome:
    record = sessions.get_record(session_id)
    if record is None:
        logger.warning("no CDR: unknown session", session_id=session_id)
        return Outcome.UNKNOWN
    session = record.session
    if session.status is not SessionStatus.COMPLETED or session.end_date_time is None:
        logger.info("no CDR: session not billable", session_id=session_id, status=session.status.value)
        return Outcome.NOT_BILLABLE
    cdr_id = cdrs.cdr_id_for(session_id)
    if cdrs.get_cdr(cdr_id) is not None:  # the common duplicate: skip pricing (the Put guards anyway)
        return Outcome.EXISTS
    location = locations.get_location(session.location_id)
    if location is None:
        logger.error("no CDR: its Location is gone", session_id=session_id, location_id=session.location_id)
        return Outcome.UNKNOWN
    try:
        cdr = (build or _default_builder())(
            session, location, connector_tariffs(session, location, record.cpo), cdr_id=cdr_id, now=now or utcnow()
        )
    except HubError as refused:  # e.g. the connector left the Location: retrying would not help
        logger.error("no CDR: the session cannot be billed", session_id=session_id, reason=refused.message)
        return Outcome.NOT_BILLABLE
    if not cdrs.create_cdr(cdr, record.cpo):  # the CPO of the session's station, if any
        return Outcome.EXISTS
    logger.info("CDR created", cdr_id=cdr.id, session_id=session_id, total_cost=str(cdr.total_cost.excl_vat))
    count("CdrCreated")
    return Outcome.CREATED
